"""今天要办 for the guidance stations: help requests to answer, this month's meeting and list (core/today.py)."""
from __future__ import annotations

from django.utils import timezone

from changqing.core import today as t

from .panels import guidance_panel


@t.register_today
def station_work(request):
    panel = guidance_panel(request)
    if not panel:
        return
    items = {i.get("key"): i for i in panel["items"]}
    month = timezone.localdate().month
    if items["open"]["value"]:
        yield t.TodayTask(sentence=f"{items['open']['value']} 件两新组织的求助还没答复", action="去答复",
                          url=items["open"]["url"], urgency=t.DUE_SOON + 5, key="guidance:help")
    for key, words, action in (("meeting", "例会还没开", "去记录"), ("list", "工作清单还没发布", "去发布")):
        n = items[key]["value"]
        if n:
            who = "指导站" if n == 1 else f"{n} 个指导站"
            yield t.TodayTask(sentence=f"{who}{month}月{words}", action=action if items[key]["create"] else "查看",
                              url=items[key]["create"] or items[key]["url"], urgency=t.THIS_MONTH + 30,
                              key=f"guidance:{key}")
