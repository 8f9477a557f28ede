"""Demo logins, one per role, bound to scopes in the generated tree."""
from __future__ import annotations

from changqing.accounts.models import RoleAssignment, User
from changqing.core.roles import Role
from changqing.members.models import Membership
from changqing.orgs.models import Organization, OrgKind, Zone
from changqing.core.tree import in_subtree

DEMO_PASSWORD = "changqing2026"


def create_demo_users(root_code: str) -> list[dict]:
    """Create (or refresh) one demo user per role under the jurisdiction root_code."""
    root = Organization.objects.get(code=root_code)
    branches = list(Organization.objects.filter(in_subtree(root.path), kind=OrgKind.BRANCH,
                                                memberships__isnull=False).distinct().order_by("path")[:3])
    zone = Zone.objects.filter(in_subtree(root.path, "organization")).order_by("code").first()
    member = Membership.objects.filter(organization=branches[0]).select_related("retiree").order_by("id").first()
    plan = [
        ("admin", "管理员（老干部局）", Role.BUREAU_ADMIN, {"organization": root}),
        ("shuji", "支部书记", Role.BRANCH_SECRETARY, {"organization": branches[0]}),
        ("gongwei", "党工委委员", Role.COMMITTEE_MEMBER, {"organization": branches[1]}),
        ("pianzu", "片组长", Role.ZONE_LEAD, {"zone": zone}),
        ("lianluo", "联络员", Role.LIAISON, {"organization": branches[2]}),
        ("zhuanyuan", "服务专员", Role.CARER, {}),
        ("dangyuan", "党员", Role.MEMBER, {}),
    ]
    result = []
    for username, label, role, scope in plan:
        user, _ = User.objects.get_or_create(username=username, defaults={"full_name": label})
        user.set_password(DEMO_PASSWORD)
        if role == Role.MEMBER and member is not None:
            user.retiree = member.retiree
            user.full_name = member.retiree.name
        user.save()
        user.role_assignments.all().delete()
        RoleAssignment.objects.create(user=user, role=role, **scope)
        where = scope.get("organization") or scope.get("zone") or (user.retiree if role == Role.MEMBER else "结对对象")
        result.append({"username": username, "password": DEMO_PASSWORD, "role": role.label, "scope": str(where)})
    return result
