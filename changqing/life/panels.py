"""What is due: a home panel and a daily-digest provider, both from the compliance engine."""
from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from changqing.core.scope import scope_for

from . import engine, selectors


def _due_this_month(user, today: dt.date):
    from .views import _common_root

    if scope_for(user).empty or not (scope_for(user).org_paths or scope_for(user).everything):
        return None, []
    root = _common_root(user)
    if root is None:
        return None, []
    period = engine.parse_period(f"{today:%Y-%m}")
    return root, selectors.compliance_results(root, period, user=user, today=today)


def due_this_month(request):
    """This month's compliance for the request's user, computed once per request (the panel and 今天要办)."""
    from changqing.core.today import memo

    today = timezone.localdate()
    return memo(request, "life:due_this_month", lambda: _due_this_month(request.user, today))


def due_panel(request):
    today = timezone.localdate()
    root, results = due_this_month(request)
    if root is None or not results:
        return None
    overdue = [r for r in results if r.status == engine.OVERDUE]
    soon = [r for r in results if r.status == engine.DUE_SOON]
    branches = {r.branch.id for r in results}
    done_branches = branches - {r.branch.id for r in results if r.status != engine.DONE}
    overdue_url = f"{reverse('life:overdue')}?org={root.code}&period={today:%Y-%m}"
    items = []
    if len(branches) == 1:
        code = results[0].branch.code
        for r in sorted((r for r in results if r.status != engine.DONE),
                        key=lambda r: (-engine.STATUS_RANK[r.status], r.days_left or 0)):
            days = "已逾期" if r.status == engine.OVERDUE else f"还有{r.days_left}天到期"
            items.append({"label": r.rule.name, "value": days, "url": reverse("life:branch", args=[code])})
        if not items:
            items.append({"label": "本月组织生活", "value": "均已完成", "url": reverse("life:branch", args=[code])})
        items.append({"label": "记录会议", "value": "去记录", "url": reverse("life:meeting_create", args=[code])})
    else:
        items = [
            {"label": "本月全部完成的支部", "value": f"{len(done_branches)}/{len(branches)}",
             "url": f"{reverse('life:heatmap')}?org={root.code}"},
            {"label": "即将到期（项）", "value": len(soon), "url": f"{overdue_url}&soon=1"},
            {"label": "已逾期（项）", "value": len(overdue), "url": overdue_url},
        ]
    return {"title": f"组织生活 · {today.year}年{today.month}月", "order": 12, "items": items}


def life_digest(user, today: dt.date):
    """Daily digest items: what is due soon or overdue in the user's branches this month."""
    if scope_for(user, "change").empty:
        return []
    root, results = _due_this_month(user, today)
    if root is None:
        return []
    due = [r for r in results if r.status in (engine.DUE_SOON, engine.OVERDUE)]
    if len({r.branch.id for r in results}) > 3:
        overdue = sum(1 for r in due if r.status == engine.OVERDUE)
        if not due:
            return []
        return [{"title": f"组织生活：{len(due)} 项即将到期或逾期（其中逾期 {overdue} 项）",
                 "url": f"{reverse('life:overdue')}?org={root.code}&soon=1"}]
    return [{"title": f"{r.branch.name}：{r.rule.name}" + ("已逾期" if r.status == engine.OVERDUE
                                                             else f"还有{r.days_left}天到期"),
             "url": reverse("life:branch", args=[r.branch.code]),
             "detail": f"{r.rule.name}{engine.PERIOD_LABELS[r.rule.period]}至少{r.rule.count}次，已开{r.held}次"}
            for r in due]


def register_digest():
    from changqing.core.notify import register_digest_provider

    register_digest_provider("life", life_digest)
