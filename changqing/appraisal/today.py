"""今天要办 for 民主评议党员: the secretary's open round and due follow-ups; the member's own part."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from changqing.core.scope import restrict, scope_for
from changqing.core.today import DUE_SOON, OVERDUE, THIS_MONTH, TodayTask, register_today

from .models import AppraisalRound, FollowUp, RoundStatus


@register_today
def appraisal_tasks(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return
    today = timezone.localdate()
    if not scope_for(user, "change").empty:
        rounds = (restrict(AppraisalRound.objects.filter(status=RoundStatus.OPEN), user, "change")
                  .select_related("organization")
                  .annotate(n=Count("tallies", distinct=True), s=Count("self_appraisals", distinct=True),
                            b=Count("ballots_cast", distinct=True)).order_by("organization__path")[:5])
        for r in rounds:
            missing = max(r.n - r.s, 0) + max(r.n - r.b, 0)
            if missing:
                sentence = (f"民主评议：{r.organization.name}还有 {max(r.n - r.s, 0)} 位党员未完成自评、"
                            f"{max(r.n - r.b, 0)} 位未完成测评")
            else:
                sentence = f"民主评议：{r.organization.name}自评和测评都已完成，请评定等次并公示"
            yield TodayTask(sentence=sentence, action="去办理", url=r.get_absolute_url(), urgency=THIS_MONTH,
                            key=f"appraisal:round:{r.pk}")
        due = (restrict(FollowUp.objects.filter(done_on__isnull=True, due_on__lte=today + dt.timedelta(days=15)),
                        user, "change").select_related("membership__retiree").order_by("due_on")[:5])
        for f in due:
            yield TodayTask(sentence=f"{f.membership.retiree.name}：民主评议后{f.get_kind_display()}",
                            action="去记录", url=reverse("appraisal:follow_up", args=[f.pk]),
                            urgency=OVERDUE if f.due_on < today else DUE_SOON, key=f"appraisal:follow_up:{f.pk}",
                            due=f.due_on)
    from .selectors import own_membership

    own = own_membership(user)
    if own is None:
        return
    mine = (AppraisalRound.objects.filter(organization_id=own.organization_id, status=RoundStatus.OPEN,
                                          tallies__subject=own)
            .annotate(s=Count("self_appraisals", filter=Q(self_appraisals__membership=own), distinct=True),
                      b=Count("ballots_cast", filter=Q(ballots_cast__voter=own), distinct=True)).first())
    if mine and not (mine.s and mine.b):
        yield TodayTask(sentence="请完成本年度民主评议", action="去填写", url=mine.get_absolute_url(),
                        urgency=THIS_MONTH, key=f"appraisal:mine:{mine.pk}",
                        detail="写个人自评，并填写民主测评票（不记名）")
