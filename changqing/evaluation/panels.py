"""Home panel: a branch secretary sees their branch's stars and where points were lost."""
from __future__ import annotations

from django.urls import reverse

from changqing.accounts.scope import restrict
from changqing.orgs.models import Organization, OrgKind

from .models import Assessment, RubricKind


def stars_panel(request):
    branches = list(restrict(Organization.objects.filter(kind=OrgKind.BRANCH), request.user)[:2])
    if len(branches) != 1:
        return None
    a = (Assessment.objects.filter(organization=branches[0], kind=RubricKind.STAR_RATING)
         .select_related("version").order_by("-year").first())
    if a is None:
        return None
    lost = [s for s in a.scores.select_related("item").order_by("item__order")
            if s.final_score is not None and s.final_score < s.item.weight]
    lost.sort(key=lambda s: s.final_score - s.item.weight)
    url = a.get_absolute_url()
    items = [{"label": f"{a.year}年星级", "value": f"{a.grade_label}（{a.total}分）", "url": url}]
    for s in lost[:3]:
        items.append({"label": f"失分：{s.item.name}", "value": f"{s.final_score}/{s.item.weight}分",
                      "url": f"{url}#item-{s.item.code}"})
    if a.unscored:
        items.append({"label": "待评分项目", "value": f"{a.unscored}项", "url": url})
    items.append({"label": "历年评定", "value": "查看", "url": reverse("evaluation:history", args=[a.organization.code])})
    return {"title": "支部星级评定", "order": 20, "items": items}
