"""今天要办 for the organisation side: one task for expiring committee terms, the liaison's contact this month,
the 党工委 member's visits, and for those who oversee: who is behind (core/today.py). Read from the home
panels of this app (computed once per request), so the numbers match the folded panels below."""
from __future__ import annotations

from django.utils import timezone

from changqing.core import today as t

from .panels import contacts_panel, terms_panel


def _items(panel) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for item in (panel or {}).get("items", ()):
        out.setdefault(item.get("key", ""), []).append(item)
    return out


@t.register_today
def terms_due(request):
    """ONE task for all expiring or expired committee terms in scope (not one per card)."""
    items = _items(terms_panel(request))
    overdue, soon = (items.get("overdue") or [{}])[0], (items.get("soon") or [{}])[0]
    if overdue.get("value"):
        yield t.TodayTask(sentence=f"{overdue['value']} 个党组织班子任期已届满，还没换届", action="查看名单",
                          url=overdue["url"], urgency=t.OVERDUE + 30, key="orgs:terms",
                          detail="延期换届须经批准，最长不超过1年")
    elif soon.get("value"):
        yield t.TodayTask(sentence=f"{soon['value']} 个党组织班子任期{soon['days']}天内届满，要准备换届",
                          action="查看名单", url=soon["url"], urgency=t.DUE_SOON + 60, key="orgs:terms")


@t.register_today
def contacts_due(request):
    items = _items(contacts_panel(request))
    today = timezone.localdate()
    for x in items.get("my_liaison", ()):
        if not x["done"]:
            yield t.TodayTask(sentence=f"{today.month}月还没联系{x['org']}", action="记录联系", url=x["url"],
                              urgency=t.THIS_MONTH + 10, key=f"orgs:liaison:{x['url']}",
                              detail="联络员每月至少联系支部一次")
    quarter = (today.month - 1) // 3 + 1
    for a in items.get("my_visits", ()):
        expected = -(-a["required"] * quarter // 4)  # the pace by the end of this quarter, rounded up
        if a["done"] < expected:
            yield t.TodayTask(sentence=f"今年到{a['org']}指导{a['done']}次，本季度末前应到{expected}次",
                              action="记录指导", url=a["url"], urgency=t.THIS_MONTH + 20,
                              key=f"orgs:visit:{a['url']}", detail=f"党工委委员每年至少到点指导{a['required']}次")
    behind = (items.get("behind") or [{}])[0]
    if behind.get("value"):
        yield t.TodayTask(sentence=f"{behind['value']} 位党工委委员到点指导进度落后", action="查看名单",
                          url=behind["url"], urgency=t.THIS_MONTH + 60, key="orgs:behind")
    missed = (items.get("missed") or [{}])[0]
    if missed.get("value"):
        yield t.TodayTask(sentence=f"{missed['value']} 位联络员{missed['month']}月没有联系支部", action="查看名单",
                          url=missed["url"], urgency=t.THIS_MONTH + 70, key="orgs:missed")
