"""今天要办 for care: the carer's overdue visits, one task per pair, and festival visits not yet made."""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from changqing.core import today as t
from changqing.core.scope import scope_for

from .panels import campaigns, own_pairs


@t.register_today
def visits_due(request):
    today = timezone.localdate()
    for s in own_pairs(request):
        if not s.overdue:
            continue
        days = (today - (s.last_visit or s.pairing.started_on)).days
        yield t.TodayTask(
            sentence=f"{s.pairing.retiree.name}已经{days}天没有走访了", action="去走访",
            url=reverse("care:visit_create") + f"?pairing={s.pairing.pk}",
            urgency=t.OVERDUE + 99 - min((today - s.due_on).days, 99),  # longest overdue first
            key=f"care:pair:{s.pairing.pk}",
            due=s.due_on, detail=f"约定每 {s.pairing.cadence_days} 天走访一次")


@t.register_today
def campaign_visits(request):
    scope = scope_for(request.user)
    if scope.empty or not (scope.org_paths or scope.everything):
        return
    today = timezone.localdate()
    for c in campaigns(request):
        pending = c.target_count - c.done
        if pending <= 0:
            continue
        yield t.TodayTask(
            sentence=f"{c.name}还有 {pending} 位老同志没有走访", action="去走访",
            url=reverse("care:campaign_detail", args=[c.pk]) + "?show=pending",
            urgency=(t.OVERDUE + 40) if c.due_on < today else t.DUE_SOON + min((c.due_on - today).days, 99),
            key=f"care:campaign:{c.pk}", due=c.due_on, detail="已过截止日期" if c.due_on < today else "")
