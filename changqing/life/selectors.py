"""Reads for organisational life: load facts in a fixed number of bulk queries, then run the engine.

No query here runs per branch or per member: the query count depends on the
number of rulesets, not on the size of the subtree. Which ruleset a branch follows
on a date, and its warning months, come from changqing.policies in one query.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from changqing.core.scope import restrict
from changqing.members.models import Health, Membership, MembershipState
from changqing.orgs.models import Organization, OrgKind
from changqing.core.tree import in_subtree

from . import engine
from changqing.policies.apps import WARNING_MONTHS
from changqing.policies.selectors import Resolver, policy_for, version_for

from .apps import LIFE_RULESET
from .models import Attendance, Meeting, MeetingKind, MeetingState, Ruleset
from .models import StudyMode, StudyRecord


def branches_in_scope(root: Organization, user=None):
    qs = Organization.objects.filter(in_subtree(root.path), kind=OrgKind.BRANCH)
    if user is not None:
        qs = restrict(qs, user)
    return qs.order_by("path")


def _ruleset_specs(on: dt.date) -> tuple[dict[int, tuple[engine.RuleSpec, ...]], dict[int, Ruleset], int | None]:
    """Every ruleset's rules as the engine sees them on a date: its newest version in effect then; a few queries."""
    rulesets = list(Ruleset.objects.prefetch_related("versions__rules__kind"))
    specs, by_id, fallback = {}, {}, None
    for rs in rulesets:
        versions = sorted(rs.versions.all(), key=lambda v: v.number)
        if not versions:
            continue
        in_effect = [v for v in versions if v.effective_from <= on] or versions[:1]
        v = in_effect[-1]
        specs[rs.pk] = (tuple(engine.RuleSpec(r.kind.code, r.kind.name, r.count, r.period, r.per_member)
                              for r in sorted(v.rules.all(), key=lambda r: (r.kind.order, r.kind.code))),
                        v.due_soon_days)
        by_id[rs.pk] = rs
        if rs.is_fallback and fallback is None:
            fallback = rs.pk
    return specs, by_id, fallback


def ruleset_for_branches(branches, on: dt.date, *, root=None) -> dict[int, engine.RulesetSpec]:
    """branch id → ruleset in force on a date: the "life.ruleset" policy (nearest organisation up the path with a
    version valid then, else the fallback ruleset) with the "warning_months" policy; a fixed number of queries."""
    branches = list(branches)
    specs, by_id, fallback = _ruleset_specs(on)
    policies = Resolver(LIFE_RULESET, WARNING_MONTHS, root=root)
    out = {}
    for b in branches:
        rs_id = policies.value(LIFE_RULESET, b, on) or fallback
        if rs_id in specs:
            rules, due_soon = specs[rs_id]
            rs = by_id[rs_id]
            out[b.pk] = engine.RulesetSpec(rs.code, rs.name, rules, due_soon, policies.value(WARNING_MONTHS, b, on))
    return out


def ruleset_source(branch: Organization, on: dt.date | None = None):
    """(policy version or None, ruleset) a single organisation follows on a date (today), for its page."""
    version = version_for(LIFE_RULESET, branch, on or timezone.localdate())
    chosen = version.values.get("ruleset") if version else None
    ruleset = Ruleset.objects.filter(pk=chosen).first() if chosen else None
    return version, ruleset or Ruleset.objects.filter(is_fallback=True).first()


@dataclass
class Facts:
    branches: list[engine.Branch]
    branch_paths: dict[int, str]
    rulesets: dict[int, engine.RulesetSpec]
    meetings: list[engine.MeetingFact]
    attendance: list[engine.AttendanceFact]
    members: list[engine.Member]
    period: engine.Period


def load_facts(root: Organization, period: engine.Period, *, user=None, with_members: bool = False,
               branch_qs=None) -> Facts:
    """Everything the engine needs for a subtree and period, in a handful of bulk queries."""
    qs = branch_qs if branch_qs is not None else branches_in_scope(root, user)
    orgs = list(qs.only("id", "code", "name", "path", "established_on", "dissolved_on"))
    branches = [engine.Branch(o.pk, o.code, o.name, o.established_on, o.dissolved_on) for o in orgs]
    rulesets = ruleset_for_branches(orgs, period.end, root=root)
    # Quarter and year rules look at whole windows: load whole years around the period.
    start, end = dt.date(period.start.year, 1, 1), dt.date(period.end.year, 12, 31)
    ids = [o.pk for o in orgs]
    meeting_rows = (Meeting.objects.filter(in_subtree(root.path, "organization"), state=MeetingState.HELD, held_on__gte=start, held_on__lte=end)
                    .values_list("id", "organization_id", "kind__code", "held_on"))
    wanted = set(ids)
    meetings = [engine.MeetingFact(i, o, k, d) for i, o, k, d in meeting_rows if o in wanted]
    meetings += appraisal_facts(root, wanted, start, end, meetings)
    per_member_kinds = {r.kind for rs in rulesets.values() for r in rs.rules if r.per_member}
    attendance, members = [], []
    if per_member_kinds or with_members:
        att_q = Attendance.objects.filter(in_subtree(root.path, "meeting__organization"), meeting__state=MeetingState.HELD, meeting__held_on__gte=start,
                                          meeting__held_on__lte=end)
        if not with_members:
            att_q = att_q.filter(meeting__kind__code__in=per_member_kinds)
        attendance = [engine.AttendanceFact(m, p, s) for m, p, s in
                      att_q.values_list("meeting_id", "membership_id", "status").iterator(chunk_size=5000)]
        member_rows = (Membership.objects.filter(in_subtree(root.path, "organization"), state=MembershipState.ACTIVE)
                       .values_list("id", "organization_id", "retiree__name", "retiree__mobility_impaired",
                                    "retiree__health", "joined_on"))
        members = [engine.Member(i, o, n, bool(mob) or h == Health.BEDRIDDEN, j)
                   for i, o, n, mob, h, j in member_rows if o in wanted]
    return Facts(branches, {o.pk: o.path for o in orgs}, rulesets, meetings, attendance, members, period)


APPRAISAL_KIND = "member_appraisal"


def appraisal_facts(root: Organization, branch_ids: set[int], start: dt.date, end: dt.date,
                    meetings: list[engine.MeetingFact]) -> list[engine.MeetingFact]:
    """民主评议党员 is its own process (changqing.appraisal): a published round is the branch's appraisal for
    its year, as a fact with a negative id (the round's, so never a meeting's; the engine lists no such id as a
    meeting record). A year that already has a meeting of the kind keeps it alone: before the feature the
    appraisal was recorded only as a meeting, and one appraisal is never counted twice. One query."""
    from changqing.appraisal.selectors import published_rounds

    held = {(m.branch_id, m.held_on.year) for m in meetings if m.kind == APPRAISAL_KIND}
    return [engine.MeetingFact(-rid, org_id, APPRAISAL_KIND, day)
            for rid, org_id, day in published_rounds(root.path, branch_ids, start, end)
            if (org_id, day.year) not in held]


def compliance_results(root: Organization, period: engine.Period, *, user=None, today: dt.date | None = None,
                       branch_qs=None) -> list[engine.RuleResult]:
    today = today or timezone.localdate()
    f = load_facts(root, period, user=user, branch_qs=branch_qs)
    return engine.compliance(f.branches, f.rulesets, f.meetings, period, today, f.attendance, f.members)


def heat_map(root: Organization, period: engine.Period, *, user=None, today: dt.date | None = None, branch_qs=None):
    """Branches × months: each cell the worst status over the rules for that month, with its results."""
    today = today or timezone.localdate()
    return month_results(load_facts(root, period, user=user, branch_qs=branch_qs), period, today)


def month_results(f: Facts, period: engine.Period, today: dt.date):
    """The heat map on facts already loaded: (branches, months, (branch id, month) → that month's results)."""
    index = engine.MeetingIndex(f.meetings)
    cells: dict[tuple[int, dt.date], list[engine.RuleResult]] = defaultdict(list)
    for month in period.months:
        mp = engine.Period(month, engine.month_end(month), f"{month.year}年{month.month}月")
        for r in engine.compliance(f.branches, f.rulesets, f.meetings, mp, today, f.attendance, f.members,
                                   index=index):
            cells[(r.branch.id, month)].append(r)
    return f.branches, period.months, cells


def member_participation(root: Organization, period: engine.Period, *, user=None, today: dt.date | None = None,
                         branch_qs=None):
    """Per member of the subtree (of `branch_qs` when given): participation in the period and the warnings."""
    today = today or timezone.localdate()
    f = load_facts(root, period, user=user, with_members=True, branch_qs=branch_qs)
    org_life = set(MeetingKind.objects.filter(counts_as_org_life=True).values_list("code", flat=True))
    under = in_subtree(root.path, "membership__organization")
    before = dict(
        Attendance.objects.filter(under, meeting__state=MeetingState.HELD, meeting__held_on__lt=period.start,
                                  meeting__kind__counts_as_org_life=True,
                                  status__in=sorted(engine.PARTICIPATED))
        .values("membership_id").annotate(last=Max("meeting__held_on")).values_list("membership_id", "last"))
    study = StudyRecord.objects.filter(under, mode__in=[StudyMode.HOME_DELIVERY, StudyMode.ONLINE],
                                       studied_on__lte=period.end)
    for mid, last in (study.filter(studied_on__lt=period.start).values("membership_id")
                      .annotate(last=Max("studied_on")).values_list("membership_id", "last")):
        if mid not in before or before[mid] < last:
            before[mid] = last
    deliveries = list(study.filter(studied_on__gte=period.start).values_list("membership_id", "studied_on"))
    data_start = _data_start(root)
    members = [engine.Member(m.id, m.branch_id, m.name, m.immobile, max(filter(None, [m.since, data_start])))
               for m in f.members] if data_start else f.members
    return f, engine.participation(members, f.meetings, f.attendance, period, today,
                                   policy_for(WARNING_MONTHS, root, period.end), deliveries, before, org_life,
                                   warn_by_branch={b: rs.warn_months for b, rs in f.rulesets.items()})


def _data_start(root: Organization) -> dt.date | None:
    """The first recorded meeting in the subtree: before it, nothing could have been recorded."""
    return Meeting.objects.filter(in_subtree(root.path, "organization")).order_by("held_on") \
        .values_list("held_on", flat=True).first()


def meetings_for(user, *, org: Organization | None = None):
    qs = restrict(Meeting.objects.select_related("organization", "kind"), user)
    if org is not None:
        qs = qs.filter(in_subtree(org.path, "organization"))
    return qs


COMPLIANCE_HEADERS = ["支部编码", "支部", "规则", "要求", "应开", "已开", "状态", "到期日", "记录编号"]


def compliance_row(r: engine.RuleResult):
    row = r.as_row()
    return [row["branch_code"], row["branch_name"], row["rule"], row["rule_text"], row["required"], row["held"],
            row["status_label"], row["due_on"] or "", ",".join(map(str, row["record_ids"]))]
