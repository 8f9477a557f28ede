"""Reads for the organisation domain: counts, warnings, terms due, visits and contacts owed.

Each function works on a whole (already scoped) queryset in a fixed number of
queries, so list pages and home panels cost the same for 5 branches or 5,000.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from changqing.core.scope import can, restrict, scope_for
from changqing.core.sections import PageSections
from changqing.policies.selectors import Resolver, policy_for, subtree_q
from changqing.core.tree import in_subtree

from .models import (
    CommitteeForm, CommitteeMemberAssignment, CommitteeTerm, CommitteeVisit, Liaison, LiaisonContact, Organization,
    OrgKind,
)
from .rules import (
    SIZE_COMMITTEE_NOT_ALLOWED, SIZE_NEEDS_COMMITTEE, SIZE_TOO_FEW, SIZE_TOO_MANY, TERM_DUE, TERM_DUE_SOON, TERM_OVERDUE, OrgRules, current_rules,
)

ORG_THRESHOLDS = "orgs.thresholds"  # policy kind (changqing.policies): this app's rules as data
ACTIVE = "active"
# Temporary branches (at a senior university) hold no relationships: their members stay on their home
# branch's roll, so "fewer than 3 full members" says nothing about them.
TEMPORARY_SETUPS = ("senior_university",)
FULL = "full"


def rules_for(org, on: dt.date | None = None) -> OrgRules:
    """The organisation rules in force for an organisation on a day (today): one query."""
    return policy_for(ORG_THRESHOLDS, org, on or timezone.localdate())


class RulesResolver:
    """The organisation rules for any number of organisations after one query (list pages)."""

    def __init__(self, root=None):
        self._policies = Resolver(ORG_THRESHOLDS, root=root)

    def for_org(self, org, on: dt.date | None = None) -> OrgRules:
        return self._policies.value(ORG_THRESHOLDS, org, on or timezone.localdate())


def user_rules(user) -> OrgRules:
    """The rules of the organisation at the root of the user's scope: for labels that name one number."""
    root = scope_root(user) if user is not None and user.is_authenticated else None
    return rules_for(root) if root is not None else current_rules()


def rules_q(make_q, on: dt.date | None = None, path_field: str = "path") -> Q:
    """make_q(rules) applied with each organisation's own rules, in SQL (policies.subtree_q)."""
    return subtree_q(ORG_THRESHOLDS, on or timezone.localdate(), make_q, path_field=path_field)


def with_member_counts(qs: QuerySet) -> QuerySet:
    """Annotate members (active), full_members and has_committee (a current term with a committee)."""
    from changqing.members.models import Membership, MembershipPeriod

    current_committee = CommitteeTerm.objects.filter(
        organization=OuterRef("pk"), ended_on__isnull=True, form=CommitteeForm.COMMITTEE)
    return qs.annotate(
        members=Count("memberships", filter=Q(memberships__state=ACTIVE), distinct=True),
        full_members=Count("memberships", filter=Q(memberships__state=ACTIVE, memberships__status=FULL), distinct=True),
        has_committee=Exists(current_committee),
        # A branch whose roll was never kept here (e.g. a 两新 organisation's branch) is not "too small".
        has_roster=Exists(Membership.objects.filter(organization=OuterRef("pk")))
        | Exists(MembershipPeriod.objects.filter(organization=OuterRef("pk"))),
    )


def too_few_exempt(org) -> bool:
    """Temporary branches and branches without any roll kept here get no "fewer than 3" warning."""
    return org.setup_kind in TEMPORARY_SETUPS or not getattr(org, "has_roster", True)


def too_few_q(rules: OrgRules) -> Q:
    return Q(full_members__lt=rules.min_full_members, has_roster=True) & ~Q(setup_kind__in=TEMPORARY_SETUPS)


def too_many_q(rules: OrgRules) -> Q:
    return Q(members__gt=rules.max_members)


def needs_committee_q(rules: OrgRules) -> Q:
    return Q(full_members__gte=rules.committee_from_full_members, has_committee=False)


def committee_not_allowed_q(rules: OrgRules) -> Q:
    """A committee while fewer than 7 full members: the other side of §3 rule 3."""
    return Q(full_members__lt=rules.committee_from_full_members, has_committee=True)


SIZE_Q = {SIZE_TOO_FEW: too_few_q, SIZE_TOO_MANY: too_many_q, SIZE_NEEDS_COMMITTEE: needs_committee_q,
          SIZE_COMMITTEE_NOT_ALLOWED: committee_not_allowed_q}


def _size_q(warning: str, rules: OrgRules | None) -> Q:
    """One size warning with the given rules, or with each branch's own rules (the orgs.thresholds policy)."""
    return SIZE_Q[warning](rules) if rules is not None else rules_q(SIZE_Q[warning])


def size_filter(qs: QuerySet, warning: str, rules: OrgRules | None = None) -> QuerySet:
    """Branches (active) with one size warning; qs must come from with_member_counts."""
    qs = qs.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True)
    if warning in SIZE_Q:
        return qs.filter(_size_q(warning, rules))
    if warning == "no_term":
        return branches_without_term(qs)
    return qs


def size_warning_counts(branches: QuerySet, rules: OrgRules | None = None) -> dict[str, int]:
    """One aggregate query over the scoped branches (and one for the rules in force)."""
    from django.db.models import Case, Sum, When

    qs = with_member_counts(branches.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True))
    one = lambda cond: Sum(Case(When(cond, then=1), default=0, output_field=IntegerField()))  # noqa: E731
    agg = qs.aggregate(
        too_few=one(_size_q(SIZE_TOO_FEW, rules)),
        too_many=one(_size_q(SIZE_TOO_MANY, rules)),
        needs_committee=one(_size_q(SIZE_NEEDS_COMMITTEE, rules)),
        committee_not_allowed=one(_size_q(SIZE_COMMITTEE_NOT_ALLOWED, rules)),
    )
    return {SIZE_TOO_FEW: agg["too_few"] or 0, SIZE_TOO_MANY: agg["too_many"] or 0,
            SIZE_NEEDS_COMMITTEE: agg["needs_committee"] or 0,
            SIZE_COMMITTEE_NOT_ALLOWED: agg["committee_not_allowed"] or 0}


# -- terms --------------------------------------------------------------------

def current_terms(qs: QuerySet) -> QuerySet:
    return qs.filter(ended_on__isnull=True, organization__dissolved_on__isnull=True)


def terms_in_state(qs: QuerySet, state: str, today: dt.date, rules: OrgRules | None = None) -> QuerySet:
    """Current terms in a state; the alert windows are the given rules', or each organisation's own."""
    qs = current_terms(qs)
    if state == TERM_OVERDUE:
        return qs.filter(end_on__lt=today)
    if state not in (TERM_DUE_SOON, TERM_DUE):
        return qs

    def window(r: OrgRules) -> Q:
        days = r.term_alert_days[-1] if state == TERM_DUE_SOON else r.term_alert_days[0]
        return Q(end_on__gte=today, end_on__lte=today + dt.timedelta(days=days))

    return qs.filter(window(rules) if rules is not None else rules_q(window, today, "organization__path"))


def branches_without_term(branches: QuerySet) -> QuerySet:
    """Active branches with members on their roll here and no current 班子 recorded."""
    from changqing.members.models import Membership

    return branches.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True).filter(
        Exists(Membership.objects.filter(organization=OuterRef("pk"), state=ACTIVE))).exclude(
        Exists(CommitteeTerm.objects.filter(organization=OuterRef("pk"), ended_on__isnull=True)))


# -- eligibility (DOMAIN.md §3 rule 6) ------------------------------------------

def eligible_memberships(org: Organization, on: dt.date) -> QuerySet:
    """Full members of `org` on day `on`: they alone vote and stand.

    Membership history (MembershipPeriod) says where a member was on that day;
    a membership entered without history counts where it is now.
    """
    from changqing.members.models import Membership, MembershipPeriod

    in_org_that_day = MembershipPeriod.objects.filter(
        membership=OuterRef("pk"), organization=org, start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gt=on))
    has_history = MembershipPeriod.objects.filter(membership=OuterRef("pk"))
    return (Membership.objects.filter(status=FULL, full_on__lte=on)
            .filter(Q(state=ACTIVE) | Q(ended_on__gt=on))
            .filter(Exists(in_org_that_day) | (~Exists(has_history) & Q(organization=org, state=ACTIVE)))
            .select_related("retiree").order_by("retiree__name_pinyin", "pk"))


def election_timing_of(election):
    """DOMAIN.md §3 rule 5 for a recorded election: was it held when the term it closed expired?"""
    from .rules import election_timing

    closed = (CommitteeTerm.objects.filter(organization_id=election.organization_id, start_on__lt=election.held_on)
              .exclude(election=election).order_by("-start_on", "-id").only("end_on").first())
    return election_timing(held_on=election.held_on, term_end=closed.end_on if closed else None,
                           approval_no=election.approval_no, approval_on=election.approval_on,
                           rules=rules_for(election.organization, election.held_on))


# -- liaisons and 党工委 members ----------------------------------------------------

def current_liaisons(qs: QuerySet) -> QuerySet:
    return qs.filter(end_on__isnull=True)


def liaison_months(liaisons: list[Liaison], year: int, today: dt.date) -> dict[int, dict]:
    """For each liaison: months of `year` with a contact, and the finished months they missed (one query).

    The current month is not counted as missed until it is over.
    """
    last_finished = today.month - 1 if today.year == year else (12 if today.year > year else 0)
    seen: dict[int, set[int]] = defaultdict(set)
    rows = LiaisonContact.objects.filter(liaison__in=[x.pk for x in liaisons], contacted_on__year=year).values_list(
        "liaison_id", "contacted_on")
    for liaison_id, day in rows:
        seen[liaison_id].add(day.month)
    out = {}
    for x in liaisons:
        first = 1 if x.start_on.year < year else (x.start_on.month if x.start_on.year == year else 13)
        last = min(last_finished, x.end_on.month if x.end_on and x.end_on.year == year else 12)
        missed = [m for m in range(first, last + 1) if m not in seen[x.pk]]
        out[x.pk] = {"contacted": sorted(seen[x.pk]), "missed": missed}
    return out


def visits_this_year(assignments: QuerySet, year: int) -> QuerySet:
    """Annotate visits_done: visits to the assignment's branch in `year` (one query with the list)."""
    sub = (CommitteeVisit.objects.filter(assignment=OuterRef("pk"), visited_on__year=year)
           .order_by().values("assignment").annotate(n=Count("id")).values("n"))
    return assignments.annotate(visits_done=Coalesce(Subquery(sub, output_field=IntegerField()), 0))


def visits_behind(assignments: QuerySet, year: int, today: dt.date, rules: OrgRules | None = None) -> QuerySet:
    """Current assignments whose visits lag the pace of `committee_visits_per_year` (the branch's rules, or the
    given ones) spread over the year."""
    quarter_done = (today.month - 1) // 3 if today.year == year else 4

    def behind(r: OrgRules) -> Q:
        return Q(visits_done__lt=r.committee_visits_per_year * quarter_done // 4)

    return visits_this_year(assignments.filter(end_on__isnull=True), year).filter(
        behind(rules) if rules is not None else rules_q(behind, today, "organization__path"))


def org_counts_by_prefix(paths: list[str], scope_qs) -> dict[str, dict]:
    """Subtree totals for each path: members, full members, retirees, branches. Three grouped queries."""
    from changqing.members.models import Membership, Retiree

    if not paths:
        return {}
    import os

    # One LIKE on the nodes' common ancestor instead of an OR per node.
    common = os.path.commonprefix(paths)
    common = common[: common.rfind("/") + 1] or "/"
    prefix_q = in_subtree(common, "organization")
    totals = {p: {"members": 0, "full": 0, "retirees": 0, "branches": 0} for p in paths}
    by_org = (Membership.objects.filter(prefix_q, state=ACTIVE).values("organization__path", "status")
              .annotate(n=Count("id")).order_by())
    for row in by_org:
        for p in paths:
            if row["organization__path"].startswith(p):
                totals[p]["members"] += row["n"]
                if row["status"] == FULL:
                    totals[p]["full"] += row["n"]
    for row in (Retiree.objects.filter(prefix_q, status="alive").values("organization__path")
                .annotate(n=Count("id")).order_by()):
        for p in paths:
            if row["organization__path"].startswith(p):
                totals[p]["retirees"] += row["n"]
    for path in scope_qs.filter(in_subtree(common), kind=OrgKind.BRANCH, dissolved_on__isnull=True).values_list("path", flat=True):
        for p in paths:
            if path.startswith(p):
                totals[p]["branches"] += 1
    return totals


def assignment_for_branch(org: Organization):
    return (CommitteeMemberAssignment.objects.filter(organization=org, end_on__isnull=True)
            .select_related("committee_org").first())


# -- the organisation a page is about ---------------------------------------------------

def common_path(paths) -> str:
    """The longest whole-code path prefix of organisation paths ("/A/B/" of "/A/B/C/" and "/A/B/D/"); "" if none."""
    parts = [p.strip("/").split("/") for p in paths]
    common = []
    for segs in zip(*parts):
        if len(set(segs)) != 1:
            break
        common.append(segs[0])
    return "/" + "/".join(common) + "/" if common else ""


def scope_root(user) -> Organization | None:
    """The organisation whose subtree covers what the user may see; with several unrelated
    subtrees (or everything), the one holding the most branches."""
    scope = scope_for(user)
    if scope.everything:
        candidates = [o.path for o in Organization.objects.filter(parent__isnull=True)]
    else:
        paths = sorted(scope.org_paths)
        if not paths:
            return None
        if common := common_path(paths):
            return Organization.objects.filter(path=common).first()
        candidates = paths
    if not candidates:
        return None
    best = max(candidates, key=lambda p: Organization.objects.filter(in_subtree(p), kind=OrgKind.BRANCH).count())
    return Organization.objects.filter(path=best).first()


def requested_root(request, *, denied: str = "您的角色无权查看此页面") -> Organization:
    """?org=CODE when the user may see something under it, else the root of the user's whole scope."""
    code = request.GET.get("org", "").strip()
    if code:
        org = Organization.objects.filter(code=code).first()
        if org is None or not (can(request.user, "view", org)
                               or restrict(Organization.objects.filter(in_subtree(org.path)),
                                           request.user).exists()):
            raise Http404("不在您的数据范围内，或组织不存在")
        return org
    root = scope_root(request.user)
    if root is None:
        raise PermissionDenied(denied)
    return root


# -- sections other apps add to an organisation's page ----------------------------------------

# Sections other apps add to an organisation's page (core.sections): fn(request, org) -> dict | None.
ORG_SECTIONS = PageSections()
register_org_section = ORG_SECTIONS.register
org_sections = ORG_SECTIONS.collect


def zone_paths(zone_id: int) -> set[str]:
    """The paths of a zone's organisations: what a zone lead's assignment reaches."""
    return set(Organization.objects.filter(zone_id=zone_id).values_list("path", flat=True))
