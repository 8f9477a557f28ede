"""Home panel: 本月为本支部自动生成的报表 — the upward tables produced this month whose subtree covers the
user's organisation, each opening that organisation's own figures on the report's date. Nothing to type."""
from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from changqing.core.exports import date_label
from changqing.core.scope import scope_for
from changqing.orgs.models import Organization

from .models import ReportSnapshot


def _month_start():
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def reports_for_branch_panel(request):
    user = request.user
    if not user.is_authenticated:
        return None
    scope = scope_for(user, "view")
    if scope.everything or not scope.org_paths:
        return None
    paths = sorted(scope.org_paths)
    # A month's reports are few: read them once, then keep those whose subtree holds one of the user's organisations.
    snapshots = list(ReportSnapshot.objects.filter(produced_at__gte=_month_start())
                     .select_related("organization").order_by("-produced_at", "-id")[:200])
    own = {o.path: o for o in Organization.objects.filter(path__in=paths)}
    items, seen = [], set()
    for s in snapshots:
        for path in paths:
            if path.startswith(s.organization.path) and (s.organization_id, s.on, path) not in seen and path in own:
                seen.add((s.organization_id, s.on, path))
                org = own[path]
                url = f"{reverse('upward:tables')}?{urlencode({'org': org.code, 'on': s.on.isoformat()})}"
                items.append({"label": f"{s.organization.name}党内统计表（截至{date_label(s.on)}）· {org.name}的数字",
                              "value": timezone.localtime(s.produced_at).strftime("%m-%d"), "url": url})
    if not items:
        return None
    return {"title": "本月为本支部自动生成的报表", "order": 85, "items": items[:10]}
