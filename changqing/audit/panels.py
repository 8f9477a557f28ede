from django.db.models import Count, Q
from django.urls import reverse

from changqing.core.scope import restrict

from .models import Finding, FindingStatus, Severity


def audit_panel(request):
    """Open integrity findings in the user's scope, each number linking to the filtered list."""
    if not request.user.is_authenticated:
        return None
    qs = restrict(Finding.objects.filter(status=FindingStatus.OPEN), request.user)
    counts = qs.aggregate(all=Count("id"), high=Count("id", filter=Q(severity=Severity.HIGH)))
    if not counts["all"]:
        return None
    url = reverse("audit:findings")
    return {
        "title": "诚信审计",
        "order": 70,
        "items": [
            {"label": "待核实的审计发现", "value": counts["all"], "url": f"{url}?status=open"},
            {"label": "其中严重程度为高", "value": counts["high"], "url": f"{url}?status=open&severity=high"},
        ],
    }
