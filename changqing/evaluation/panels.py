"""Home panel: a branch secretary sees their branch's stars and where points were lost."""
from __future__ import annotations

from django.urls import reverse

from changqing.core.scope import restrict
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
    return {"title": "支部星级评定", "order": 20, "info": True, "items": items}


def org_section(request, org):
    """On an organisation's page: its latest grade under each rubric (with the way it moved), the 示范支部
    titles it holds, and a link to its whole history. Two queries."""
    latest: dict[str, list[Assessment]] = {}
    for a in (Assessment.objects.filter(organization=org).select_related("rubric")
              .order_by("kind", "-year")):
        if len(latest.setdefault(a.kind, [])) < 2:
            latest[a.kind].append(a)
    designations = [d for d in org.designations.order_by("-year") if d.revoked_on is None]
    if not latest and not designations:
        return None
    items = []
    for kind in (RubricKind.STAR_RATING, RubricKind.MODEL_BRANCH, RubricKind.RESPONSIBILITY):
        if kind not in latest:
            continue
        a, prev = latest[kind][0], (latest[kind][1:] or [None])[0]
        value = a.grade_label or "未评定"
        if kind == RubricKind.STAR_RATING and a.grade.isdigit():
            value = f"{'★' * int(a.grade)}{'☆' * (5 - int(a.grade))} {value}"
            if prev is not None and prev.year == a.year - 1 and prev.grade.isdigit() and prev.grade != a.grade:
                value += "（晋位升级）" if a.grade > prev.grade else "（降级）"
        items.append({"label": f"{a.year}年{a.rubric.name}", "value": f"{value}，{a.total}分（{a.get_state_display()}）",
                      "url": a.get_absolute_url()})
    items += [{"label": f"{d.year}年度命名", "value": d.title, "url": d.get_absolute_url()} for d in designations]
    items.append({"label": "历年考核", "value": "查看全部年度", "url": reverse("evaluation:history", args=[org.code])})
    return {"title": "考核评价", "order": 50, "items": items}
