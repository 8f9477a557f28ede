"""Reads for 民主评议党员: every query is scoped (core.scope) or limited to the member's own branch."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from changqing.core.scope import restrict, scope_for
from changqing.core.tree import in_subtree
from changqing.members.models import Membership, MembershipState

from .models import (GRADE_ORDER, AppraisalRound, BallotCast, CommitteeGrade, FollowUp, Grade, RoundStatus,
                     SelfAppraisal, Tally)


def own_membership(user) -> Membership | None:
    """The user's own active membership (a member logging in for themselves), or None."""
    rid = getattr(user, "retiree_id", None)
    if not rid:
        return None
    return Membership.objects.filter(retiree_id=rid, state=MembershipState.ACTIVE).select_related(
        "retiree", "organization").first()


def rounds_for(user):
    """Rounds in the user's scope, plus the rounds of the member's own branch (a member takes part in them)."""
    qs = AppraisalRound.objects.select_related("organization")
    own = own_membership(user)
    scoped = restrict(AppraisalRound.objects.all(), user)
    q = Q(pk__in=scoped.values("pk"))
    if own is not None:
        q |= Q(organization_id=own.organization_id)
    return qs.filter(q)


def is_manager(user, rnd: AppraisalRound) -> bool:
    """The branch secretary (or anyone who may change records of the branch) runs the round."""
    if scope_for(user, "change").empty:
        return False
    return restrict(AppraisalRound.objects.filter(pk=rnd.pk), user, "change").exists()


def roster(rnd: AppraisalRound) -> list[Membership]:
    """The members appraised in the round: those in the branch when it opened (their tallies)."""
    return list(Membership.objects.filter(appraisal_tallies__round=rnd).select_related("retiree")
                .order_by("retiree__name", "id"))


def in_roster(rnd: AppraisalRound, membership: Membership | None) -> bool:
    return membership is not None and Tally.objects.filter(round=rnd, subject=membership).exists()


@dataclass
class MemberRow:
    membership: Membership
    self_appraisal: SelfAppraisal | None = None
    voted: bool = False
    voted_at_home: bool = False
    counts: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    grade: CommitteeGrade | None = None
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def participated(self) -> bool:
        return self.self_appraisal is not None or self.voted

    @property
    def at_home(self) -> bool:
        return bool(self.self_appraisal and self.self_appraisal.at_home) or self.voted_at_home

    @property
    def named_counts(self) -> list[tuple[str, int]]:
        return [(g.label, n) for g, n in zip(GRADE_ORDER, self.counts)]


def member_rows(rnd: AppraisalRound) -> list[MemberRow]:
    """One row per appraised member: self-appraisal, whether they voted, the counted marks, the grade; 5 queries."""
    tallies = {t.subject_id: t for t in Tally.objects.filter(round=rnd)}
    rows = {m.pk: MemberRow(m) for m in roster(rnd)}
    for s in SelfAppraisal.objects.filter(round=rnd).select_related("recorded_by"):
        if s.membership_id in rows:
            rows[s.membership_id].self_appraisal = s
    for voter_id, at_home in BallotCast.objects.filter(round=rnd).values_list("voter_id", "at_home"):
        if voter_id in rows:
            rows[voter_id].voted, rows[voter_id].voted_at_home = True, at_home
    for g in CommitteeGrade.objects.filter(round=rnd):
        if g.membership_id in rows:
            rows[g.membership_id].grade = g
    for f in FollowUp.objects.filter(round=rnd):
        if f.membership_id in rows:
            rows[f.membership_id].follow_ups.append(f)
    for mid, row in rows.items():
        if mid in tallies:
            row.counts = tallies[mid].counts()
    return list(rows.values())


@dataclass
class Progress:
    members: int
    self_done: int
    voted: int
    graded: int
    participated: int
    at_home: int


def progress(rows: list[MemberRow]) -> Progress:
    return Progress(len(rows), sum(1 for r in rows if r.self_appraisal), sum(1 for r in rows if r.voted),
                    sum(1 for r in rows if r.grade), sum(1 for r in rows if r.participated),
                    sum(1 for r in rows if r.at_home))


def grade_counts(rows: list[MemberRow]) -> list[tuple[str, int]]:
    by = {g: 0 for g in GRADE_ORDER}
    for r in rows:
        if r.grade:
            by[Grade(r.grade.grade)] += 1
    return [(g.label, n) for g, n in by.items()]


def published_rounds(root_path: str, branch_ids, start: dt.date, end: dt.date) -> list[tuple[int, int, dt.date]]:
    """(round id, branch id, date it counts on) of every published round whose year falls in [start, end].

    Read by the compliance engine (changqing.life.selectors): a published round is the branch's
    民主评议党员 for that year. It counts on its publication date, or 31 December of its year when it was
    published after the year ended (the yearly rule judges the round's own year).
    """
    ids = set(branch_ids)
    rows = (AppraisalRound.objects.filter(in_subtree(root_path, "organization"), status=RoundStatus.PUBLISHED,
                                          year__gte=start.year, year__lte=end.year)
            .values_list("id", "organization_id", "year", "published_on"))
    out = []
    for rid, org_id, year, published_on in rows:
        if org_id not in ids:
            continue
        last = dt.date(year, 12, 31)
        day = published_on if published_on and published_on.year == year else last
        out.append((rid, org_id, day))
    return out


def results_of_member(membership: Membership):
    """The member's published results, newest first (the member record's section)."""
    return (CommitteeGrade.objects.filter(membership=membership, round__status=RoundStatus.PUBLISHED)
            .select_related("round").order_by("-round__year"))
