from django.db.models import Count, Q
from django.urls import reverse

from changqing.accounts.scope import restrict, scope_for

from .models import Organization, OrgKind


def overview_panel(request):
    """The jurisdiction in four numbers, each linking to the records behind it."""
    user = request.user
    if scope_for(user).empty or not scope_for(user).org_paths and not scope_for(user).everything:
        return None
    from changqing.members.models import Membership, Retiree

    orgs = restrict(Organization.objects.all(), user).aggregate(
        total=Count("id"), branches=Count("id", filter=Q(kind=OrgKind.BRANCH)))
    retirees = restrict(Retiree.objects.filter(status="alive"), user).count()
    members = restrict(Membership.objects.filter(state="active"), user).count()
    org_url, roster_url = reverse("orgs:list"), reverse("members:retirees")
    return {
        "title": "管辖范围概况",
        "order": 10,
        "items": [
            {"label": "党组织", "value": orgs["total"], "url": org_url},
            {"label": "党支部", "value": orgs["branches"], "url": f"{org_url}?kind=branch"},
            {"label": "离退休干部（健在）", "value": retirees, "url": f"{roster_url}?status=alive"},
            {"label": "在册党员", "value": members, "url": f"{roster_url}?party=member"},
        ],
    }
