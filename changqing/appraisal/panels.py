from django.urls import reverse

from changqing.core.scope import restrict


def record_section(request, retiree):
    """On the member record: the published 民主评议党员 results, year by year."""
    from .models import CommitteeGrade, FollowUp, RoundStatus

    grades = list(restrict(CommitteeGrade.objects.filter(membership__retiree=retiree,
                                                         round__status=RoundStatus.PUBLISHED), request.user)
                  .select_related("round").order_by("-round__year")[:5])
    if not grades:
        return None
    open_follow_ups = restrict(FollowUp.objects.filter(membership__retiree=retiree, done_on__isnull=True),
                               request.user).count()
    items = [{"label": f"{g.round.year}年度民主评议", "value": g.get_grade_display() + (f"（{g.reason}）" if g.reason else ""),
              "url": reverse("appraisal:round", args=[g.round_id])} for g in grades]
    if open_follow_ups:
        items.append({"label": "未完成的评议后续处置", "value": f"{open_follow_ups} 项"})
    return {"title": "民主评议党员", "order": 45, "items": items}
