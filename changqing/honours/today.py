"""今天要办 for the selections: a ballot to cast, nominations to review, a count to publish (core/today.py)."""
from __future__ import annotations

from changqing.core import today as t

from .panels import my_open_items


@t.register_today
def honours_due(request):
    if not request.user.is_authenticated:
        return
    for item in my_open_items(request):
        if not item.get("digest"):  # nothing waiting on this user now (already voted, nothing to review)
            continue
        action = "去投票" if item["url"].endswith("/vote/") else "去办理"
        yield t.TodayTask(sentence=item["digest"], action=action, url=item["url"], urgency=t.DUE_SOON + 30,
                          key=f"honours:{item['url']}")


@t.register_mine
def my_votes(request, retiree):
    """投票: the selections open to the member (a ballot to cast, or already cast)."""
    items = my_open_items(request)
    if not items:
        return None
    lines = [{"text": f"{i['label']}：{i['value']}", "url": i["url"]} for i in items]
    return {"title": "评选投票", "anchor": "mine-votes", "template": "core/_mine_list.html", "order": 40,
            "lines": lines, "speech": "评选投票：" + "；".join(line["text"] for line in lines) + "。"}
