"""Reads: which campaigns a user sees, who may nominate, review and vote, and the results."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from changqing.core.roles import Role
from changqing.core.scope import restrict, restrict_shared, scope_for
from changqing.members.models import MembershipState
from changqing.core.tree import in_subtree

from . import rules
from .models import Ballot, Campaign, Category, Nomination, NominationStatus, Phase

# "A branch secretary or higher" may nominate, within the organisations of that role.
NOMINATOR_ROLES = {Role.BUREAU_ADMIN, Role.COMMITTEE_MEMBER, Role.BRANCH_SECRETARY}


def _ancestors_or_self(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _assignments(user):
    if "_role_assignments" not in user.__dict__:  # shared with scope_for: one query per request
        user.__dict__["_role_assignments"] = list(user.role_assignments.select_related("organization", "user"))
    return user.__dict__["_role_assignments"]


def member_org_path(user) -> str:
    """The branch of a user who holds the member role and an active membership ("" otherwise)."""
    if not getattr(user, "retiree_id", None):
        return ""
    if not any(a.role == Role.MEMBER for a in _assignments(user)):
        return ""
    cache = user.__dict__.setdefault("_honours_member_path", {})
    if "path" not in cache:
        from changqing.members.models import Membership

        m = (Membership.objects.filter(retiree_id=user.retiree_id, state=MembershipState.ACTIVE)
             .select_related("organization").first())
        cache["path"] = m.organization.path if m else ""
    return cache["path"]


def campaigns_for(user):
    """Campaigns of the user's organisations, of those above them (the bureau's campaign reaches every
    branch below it) and of those below; a member sees the campaigns above their branch."""
    qs = restrict_shared(Campaign.objects.all(), user)
    path = member_org_path(user) if user.is_authenticated else ""
    if path:
        qs = qs | Campaign.objects.filter(organization__path__in=_ancestors_or_self(path))
    return qs


def is_organiser(user, campaign) -> bool:
    """The bureau admin (manage) of the campaign's organisation or above sets it up, reviews and counts."""
    return restrict(Campaign.objects.filter(pk=campaign.pk), user, "manage").exists()


def nominator_paths(user) -> set[str] | None:
    """Organisation paths under which the user may nominate; None = everywhere (superuser)."""
    if user.is_superuser:
        return None
    return {a.organization.path for a in _assignments(user) if a.role in NOMINATOR_ROLES and a.organization_id}


def can_nominate(user, campaign) -> bool:
    paths = nominator_paths(user)
    if paths is None:
        return True
    root = campaign.organization.path
    return any(p.startswith(root) or root.startswith(p) for p in paths)


def _under(field: str, paths) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def nominee_retirees(user, campaign):
    """Retirees the user may nominate in this campaign: in the campaign's subtree, in the user's scope and
    under one of their nominating roles."""
    from changqing.members.models import Retiree

    qs = restrict(Retiree.objects.filter(in_subtree(campaign.organization.path, "organization")), user)
    paths = nominator_paths(user)
    if paths is not None:
        qs = qs.filter(_under("organization__path", paths))
    return qs


def nominee_orgs(user, campaign):
    from changqing.orgs.models import Organization, OrgKind

    qs = restrict(Organization.objects.filter(in_subtree(campaign.organization.path),
                                              kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH],
                                              dissolved_on__isnull=True), user)
    paths = nominator_paths(user)
    if paths is not None:
        qs = qs.filter(_under("path", paths))
    return qs


def voter_paths(user) -> set[str]:
    """The organisations through which a user votes: the organisations of their roles (a zone lead's
    branches included, a superuser's "everything" not) and a member's own branch."""
    paths = set(scope_for(user).org_paths)
    member = member_org_path(user)
    if member:
        paths.add(member)
    return paths


def is_eligible_voter(user, campaign) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    root = campaign.organization.path
    return any(p.startswith(root) for p in voter_paths(user))


def voted_category_ids(user, campaign) -> dict[int, object]:
    """category id -> when the user voted in it."""
    return dict(Ballot.objects.filter(campaign=campaign, voter=user).values_list("category_id", "cast_at"))


def candidates(campaign):
    return (Nomination.objects.filter(campaign=campaign, status=NominationStatus.APPROVED)
            .select_related("retiree__organization", "nominee_org", "category").order_by("category__order", "id"))


def campaign_counts(campaign) -> dict:
    """Nominations by status and ballots cast, per category, in two queries."""
    by_cat = {c["category"]: c for c in Nomination.objects.filter(campaign=campaign).values("category").annotate(
        total=Count("id"),
        pending=Count("id", filter=Q(status=NominationStatus.PENDING)),
        approved=Count("id", filter=Q(status=NominationStatus.APPROVED)),
        rejected=Count("id", filter=Q(status=NominationStatus.REJECTED)))}
    ballots = dict(Ballot.objects.filter(campaign=campaign).values("category").annotate(n=Count("id"))
                   .values_list("category", "n"))
    voters = Ballot.objects.filter(campaign=campaign).values("voter").distinct().count()
    return {"by_category": by_cat, "ballots": ballots, "voters": voters}


@dataclass
class ResultRow:
    nomination: Nomination
    rank: int
    status: str  # rules.WINNER / TIE / OUT
    decided: bool

    @property
    def status_label(self) -> str:
        if self.status == rules.WINNER:
            return "当选（并列，组织决定）" if self.decided else "当选"
        if self.status == rules.TIE:
            return "并列，待组织决定"
        return "未当选（并列，组织决定）" if self.decided else "未当选"


@dataclass
class CategoryResults:
    category: Category
    rows: list[ResultRow]
    online_ballots: int
    tie_seats: int
    unresolved: bool

    @property
    def tied(self) -> list[ResultRow]:
        return [r for r in self.rows if r.status == rules.TIE or r.decided]


def results(campaign) -> list[CategoryResults]:
    """Ranking per category with totals, winners by quota and flagged ties — the page, the print and
    the export all read this."""
    cats = list(campaign.categories.all())
    noms: dict[int, list[Nomination]] = {c.pk: [] for c in cats}
    for n in candidates(campaign):
        noms[n.category_id].append(n)
    ballots = dict(Ballot.objects.filter(campaign=campaign).values("category").annotate(n=Count("id"))
                   .values_list("category", "n"))
    out = []
    for c in cats:
        by_id = {n.pk: n for n in noms[c.pk]}
        result = rules.rank([rules.Candidate(n.pk, n.total_votes, n.decision) for n in noms[c.pk]], c.quota)
        rows = [ResultRow(by_id[p.id], p.rank, p.status, p.decided) for p in result.rows]
        out.append(CategoryResults(c, rows, ballots.get(c.pk, 0), result.tie_seats, result.unresolved))
    return out


RESULT_HEADERS = ["评选类别", "名次", "候选人", "所在组织", "网上得票", "线下得票", "合计得票", "结果"]


def result_table(campaign, nominations: set[int] | None = None) -> list[list]:
    """The rows of the results export, in the order of the page; only `nominations` (ids) when given."""
    return [[cr.category.name, r.rank, r.nomination.nominee_name, r.nomination.nominee_unit, r.nomination.votes,
             r.nomination.offline_votes, r.nomination.total_votes, r.status_label]
            for cr in results(campaign) for r in cr.rows if nominations is None or r.nomination.pk in nominations]


def results_visible(user, campaign) -> bool:
    if campaign.phase == Phase.PUBLISHED:
        return True
    return campaign.phase == Phase.COUNTING and is_organiser(user, campaign)


def wins_of_retiree(retiree):
    return (Nomination.objects.filter(retiree=retiree, is_winner=True, campaign__phase=Phase.PUBLISHED)
            .select_related("campaign", "category").order_by("-campaign__year"))


def wins_of_org(org):
    return (Nomination.objects.filter(nominee_org=org, is_winner=True, campaign__phase=Phase.PUBLISHED)
            .select_related("campaign", "category").order_by("-campaign__year"))
