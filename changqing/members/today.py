"""今天要办 for member management: absences past the limit, probation over (the members panel's reminders)."""
from __future__ import annotations

from changqing.core import today as t

from .panels import member_alerts_panel


@t.register_today
def member_alerts(request):
    panel = member_alerts_panel(request)
    for i, item in enumerate((panel or {}).get("items", ())):
        if item["value"]:
            yield t.TodayTask(sentence=f"{item['value']} 位党员{item['label']}", action="查看名单", url=item["url"],
                              urgency=(t.DUE_SOON + 40 if i == 0 else t.THIS_MONTH + 80) + i,
                              key=f"members:{item['url']}")


@t.register_mine
def my_record(request, retiree):
    """我的信息: the member's own record, masked as everywhere (core.masking), with the way to the whole record."""
    from django.urls import reverse

    from .models import Membership

    membership = t.memo(request, "mine:membership", lambda: Membership.objects.filter(retiree=retiree)
                        .select_related("organization").order_by("-joined_on").first())
    items = [{"label": "姓名", "value": retiree.name}]
    if membership is not None:
        items += [
            {"label": "所在党组织", "value": membership.organization.name},
            {"label": "党员类别", "value": f"{membership.get_status_display()}（{membership.get_state_display()}）"},
            {"label": "入党日期", "value": f"{membership.joined_on.year}年{membership.joined_on.month}月"
                                           f"{membership.joined_on.day}日"},
        ]
    items += [{"label": "联系电话", "value": retiree.masked_phone or "（未填）"},
              {"label": "身份证号", "value": retiree.masked_id_number or "（未填）"}]
    speech = "我的信息：" + "；".join(f"{i['label']}，{i['value']}" for i in items[:4]) + "。"
    return {"title": "我的信息", "anchor": "mine-info", "items": items, "order": 10, "speech": speech,
            "more_url": reverse("members:retiree_detail", args=[retiree.pk]), "more_label": "查看我的完整台账",
            "template": "core/_mine_items.html"}
