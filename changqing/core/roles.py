"""The roles of DOMAIN.md §1 and what each may do.

A role's scope kind says what a RoleAssignment binds it to; its capabilities
say which actions it may take inside that scope.
"""
from django.db import models


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", "老干部局/组织部管理员"
    COMMITTEE_MEMBER = "committee_member", "党工委委员"
    ZONE_LEAD = "zone_lead", "片组长"
    BRANCH_SECRETARY = "branch_secretary", "支部书记/支委"
    LIAISON = "liaison", "联络员"
    CARER = "carer", "服务专员/结对干部"
    STATION_CHIEF = "station_chief", "指导站站长"
    GUIDE = "guide", "党建指导员"
    MEMBER = "member", "党员"


class ScopeKind(models.TextChoices):
    SUBTREE = "subtree", "组织及下级"
    ZONE = "zone", "片组"
    STATION = "station", "指导站"
    PAIRS = "pairs", "结对对象"
    SELF = "self", "本人"


ROLE_SCOPE_KIND = {
    Role.BUREAU_ADMIN: ScopeKind.SUBTREE,
    Role.COMMITTEE_MEMBER: ScopeKind.SUBTREE,
    Role.ZONE_LEAD: ScopeKind.ZONE,
    Role.BRANCH_SECRETARY: ScopeKind.SUBTREE,
    Role.LIAISON: ScopeKind.SUBTREE,
    Role.CARER: ScopeKind.PAIRS,
    Role.STATION_CHIEF: ScopeKind.STATION,
    Role.GUIDE: ScopeKind.STATION,
    Role.MEMBER: ScopeKind.SELF,
}

# Actions: "view" reads records; "change" writes records; "manage" sets up the
# org tree, users and rulesets; "unmask" sees full ID numbers and phones; "health" reads a person's
# health and living profile (lifeevents.HealthProfile): only the roles that care for the person
# (their carer, the branch secretary, the bureau), never a committee member, zone lead or liaison.
ROLE_ACTIONS = {
    Role.BUREAU_ADMIN: {"view", "change", "manage", "unmask", "export", "health"},
    Role.COMMITTEE_MEMBER: {"view", "export"},
    Role.ZONE_LEAD: {"view", "export"},
    Role.BRANCH_SECRETARY: {"view", "change", "unmask", "export", "health"},
    Role.LIAISON: {"view", "change"},
    Role.CARER: {"view", "change", "health"},
    Role.STATION_CHIEF: {"view", "change", "export"},
    Role.GUIDE: {"view", "change"},
    Role.MEMBER: {"view"},
}
