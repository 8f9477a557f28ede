"""今天要办: the things a user should do now, contributed by each app.

Every app that knows of due work registers a *source*: a function
``source(request) -> Iterable[TodayTask]``.  The home page asks every source,
sorts the tasks (most urgent first) and shows at most ``TODAY_LIMIT`` of them,
each a sentence with one large action button that opens the task already
filled in.  Sources must be cheap (a few queries, none per row) and scoped:
they only ever read through ``core.scope.restrict`` for ``request.user``.

Register a source in the app's ``today.py`` and import that module from the
app's ``AppConfig.ready()``::

    from changqing.core.today import TodayTask, register_today

    @register_today
    def unpaid_dues(request):
        ...
        yield TodayTask(sentence="3 位老同志本月还没交党费", action="登记",
                        url=reverse("dues:sheet") + "?month=2026-12", urgency=20,
                        key="dues:unpaid:2026-12")
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Callable, Iterable

logger = logging.getLogger(__name__)

TODAY_LIMIT = 7

# Urgency bands (lower is more urgent). Sources pick a band and may add a
# small offset inside it (e.g. days overdue) to order their own tasks.
OVERDUE = 0          # past its due date
DUE_SOON = 100       # due within the next days
THIS_MONTH = 200     # to do this month
WHEN_CONVENIENT = 300


@dataclasses.dataclass(frozen=True)
class TodayTask:
    sentence: str                 # "县政府办支部 12月党小组会还没开"
    action: str                   # button label: "去记录", "登记", "去走访"
    url: str                      # opens the task already filled in
    urgency: int = THIS_MONTH     # lower first; see the bands above
    key: str = ""                 # stable id ("app:kind:object"), for tests and de-duplication
    due: dt.date | None = None    # shown as "12月10日前" when set
    detail: str = ""              # one optional short line under the sentence


_sources: list[Callable] = []


def register_today(func: Callable) -> Callable:
    if func not in _sources:
        _sources.append(func)
    return func


def tasks_for(request, limit: int | None = TODAY_LIMIT) -> list[TodayTask]:
    """All sources' tasks for this request, most urgent first, de-duplicated by key."""
    tasks: list[TodayTask] = []
    seen: set[str] = set()
    for source in _sources:
        for task in source(request) or ():
            if task.key and task.key in seen:
                continue
            if task.key:
                seen.add(task.key)
            tasks.append(task)
    tasks.sort(key=lambda t: (t.urgency, t.due or dt.date.max, t.sentence))
    return tasks if limit is None else tasks[:limit]


def sources() -> Iterable[Callable]:
    return tuple(_sources)


ALL_DONE = "本月各项工作都已完成"


def memo(request, key: str, compute: Callable):
    """Compute once per request: a source and a panel of the same app share one computation."""
    cache = request.__dict__.setdefault("_today_memo", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def per_request(func: Callable) -> Callable:
    """A home panel whose result a 今天要办 source also reads: computed once per request."""
    import functools

    @functools.wraps(func)
    def wrapper(request):
        return memo(request, f"panel:{func.__module__}.{func.__qualname__}", lambda: func(request))
    return wrapper


# ---- the member's own home (我的) ------------------------------------------------------------
# Each app adds a part of a plain member's home: fn(request, retiree) -> dict | None, a core.sections
# section ("title", "items" or "template", "order") plus optionally "speech": the part read aloud (朗读).
# The page is the member's own: a part reads only rows of that retiree (or what their branch was sent).

from .sections import PageSections  # noqa: E402

MINE = PageSections()
register_mine = MINE.register




def my_page_text(request) -> str:
    """朗读 of the member's own page: their tasks, then each part's "speech" (core.views.read_aloud_me)."""
    from django.http import Http404

    user = request.user
    if user.retiree_id is None:
        raise Http404("只有党员本人的页面可以朗读")
    tasks = tasks_for(request)
    words = [f"{user.display_name}，您好。"]
    words.append("今天要办：" + "；".join(f"{t.sentence}" for t in tasks) + "。" if tasks else ALL_DONE + "。")
    words += [part["speech"] for part in MINE.collect(request, user.retiree) if part.get("speech")]
    return "".join(words)

