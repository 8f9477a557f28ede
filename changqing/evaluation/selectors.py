"""Reads for evaluation: the data metrics of a whole subtree-year in bulk, and comparisons for the audit.

No query here runs per branch: `collect()` costs the same number of queries for
one branch or a city. The rules of organisational life are not re-implemented:
meetings held vs required and the 送学上门 coverage come from the compliance
engine through `changqing.life.selectors`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import Count, Q
from django.utils import timezone

from changqing.core.scope import restrict
from changqing.care.models import Visit
from changqing.dues.selectors import active_memberships, arrears_q, last_closed_month, with_arrears
from changqing.life import engine
from changqing.life import selectors as life_selectors
from changqing.life.models import MeetingKind
from changqing.members.models import Membership, PersonStatus, Retiree
from changqing.orgs.models import CommitteeTerm, Organization, OrgKind
from changqing.orgs.selectors import common_path
from changqing.policies.selectors import policy_for
from changqing.core.tree import in_subtree

from . import metrics
from .apps import policy_kind
from .models import Assessment, ItemScore, ItemSource, Rubric, RubricKind

DUES_ARREARS_MONTHS = 3  # the first warning band of the dues rules (DOMAIN.md §5/§6)


def year_as_of(year: int, today: dt.date) -> dt.date:
    """The day a year is judged on: 31 December, or today while the year is running."""
    return min(dt.date(year, 12, 31), today)


def _common_root(orgs: list[Organization]) -> Organization:
    if len(orgs) == 1:
        return orgs[0]
    return Organization.objects.filter(path=common_path(o.path for o in orgs)).first() or orgs[0]


def collect(branches: Iterable[Organization], year: int, *, today: dt.date | None = None,
            root: Organization | None = None, rows: bool = False) -> dict[int, dict[str, dict]]:
    """branch id → metric → figures (counts), for every branch given; a fixed number of queries.

    With `rows=True` each metric's figures also carry "rows": the records behind
    the counts, for the evidence page (not stored on the score).
    """
    today = today or timezone.localdate()
    branches = list(branches)
    if not branches:
        return {}
    ids = [b.pk for b in branches]
    wanted = set(ids)
    root = root or _common_root(branches)
    as_of = year_as_of(year, today)
    period = engine.parse_period(str(year))
    out: dict[int, dict[str, dict]] = {b.pk: {} for b in branches}
    branch_qs = Organization.objects.filter(pk__in=ids)

    # 1. meetings held vs required: the compliance engine over the branch's ruleset.
    for bid in ids:
        out[bid][metrics.MEETINGS_HELD] = {"required": 0, "held": 0, "rules": []}
    for r in life_selectors.compliance_results(root, period, today=today, branch_qs=branch_qs):
        f = out[r.branch.id][metrics.MEETINGS_HELD]
        held = min(r.held, r.required)
        f["required"] += r.required
        f["held"] += held
        f["rules"].append({"kind": r.rule.kind, "name": r.rule.name, "required": r.required, "held": r.held,
                           "status": r.status_label, "per_member": r.rule.per_member,
                           "ids": list(r.record_ids)})

    # 2 + 3. attendance and 送学上门 from the participation engine (one load of the year's facts).
    facts, people = life_selectors.member_participation(root, period, today=today)
    org_life = set(MeetingKind.objects.filter(counts_as_org_life=True).values_list("code", flat=True))
    meeting_branch = {m.id: m.branch_id for m in facts.meetings
                      if m.kind in org_life and period.start <= m.held_on <= period.end and m.branch_id in wanted}
    for bid in ids:
        out[bid][metrics.ATTENDANCE_RATE] = {"participated": 0, "recorded": 0, "meetings": 0}
        out[bid][metrics.HOME_DELIVERY] = {"reached": 0, "immobile": 0}
        if rows:
            out[bid][metrics.HOME_DELIVERY]["rows"] = []
    per_meeting: dict[int, list[int]] = {}
    for a in facts.attendance:
        bid = meeting_branch.get(a.meeting_id)
        if bid is None:
            continue
        f = out[bid][metrics.ATTENDANCE_RATE]
        f["recorded"] += 1
        f["participated"] += a.status in engine.PARTICIPATED
        counts = per_meeting.setdefault(a.meeting_id, [0, 0])
        if counts == [0, 0]:
            f["meetings"] += 1
        counts[0] += a.status in engine.PARTICIPATED
        counts[1] += 1
    if rows:
        kinds = dict(MeetingKind.objects.values_list("code", "name"))
        for m in sorted((m for m in facts.meetings if m.id in per_meeting), key=lambda m: (m.held_on, m.id)):
            part, rec = per_meeting[m.id]
            out[m.branch_id][metrics.ATTENDANCE_RATE].setdefault("rows", []).append(
                {"meeting_id": m.id, "held_on": m.held_on.isoformat(), "kind": kinds.get(m.kind, m.kind),
                 "participated": part, "recorded": rec})
    for p in people:
        if not p.member.immobile or p.member.branch_id not in wanted:
            continue
        f = out[p.member.branch_id][metrics.HOME_DELIVERY]
        reached = p.participations > 0 and not p.excused_unreached
        f["immobile"] += 1
        f["reached"] += reached
        if rows:
            f["rows"].append({"membership_id": p.member.id, "name": p.member.name, "reached": reached,
                              "participations": p.participations, "unreached": len(p.excused_unreached)})

    # 4. care visits: living retirees of the branch visited at least once in the year.
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    alive = Retiree.objects.filter(organization_id__in=ids).filter(
        Q(status=PersonStatus.ALIVE) | Q(deceased_on__gt=year_end))
    totals = dict(alive.values("organization_id").annotate(n=Count("id")).values_list("organization_id", "n"))
    visited = dict(Visit.objects.filter(retiree__in=alive, visited_on__gte=year_start, visited_on__lte=year_end)
                   .values("retiree__organization_id").annotate(n=Count("retiree_id", distinct=True))
                   .values_list("retiree__organization_id", "n"))
    for bid in ids:
        out[bid][metrics.CARE_VISITS] = {"visited": visited.get(bid, 0), "retirees": totals.get(bid, 0)}
    if rows:
        counts = dict(Visit.objects.filter(retiree__in=alive, visited_on__gte=year_start, visited_on__lte=year_end)
                      .values("retiree_id").annotate(n=Count("id")).values_list("retiree_id", "n"))
        for rid, oid, name in alive.order_by("name_pinyin").values_list("id", "organization_id", "name"):
            out[oid][metrics.CARE_VISITS].setdefault("rows", []).append(
                {"retiree_id": rid, "name": name, "visits": counts.get(rid, 0)})

    # 5. dues: members with ≥3 consecutive unpaid months at the year's last closed month.
    dues_as_of = min(dt.date(year, 12, 1), last_closed_month(today))
    members = with_arrears(active_memberships(Membership.objects.filter(organization_id__in=ids)), dues_as_of)
    m_totals = dict(members.values("organization_id").annotate(n=Count("id")).values_list("organization_id", "n"))
    behind = members.filter(arrears_q(DUES_ARREARS_MONTHS, dues_as_of))
    m_behind = dict(behind.values("organization_id").annotate(n=Count("id")).values_list("organization_id", "n"))
    for bid in ids:
        n, k = m_totals.get(bid, 0), m_behind.get(bid, 0)
        out[bid][metrics.DUES_ARREARS] = {"members": n, "arrears": k, "on_time": n - k,
                                          "as_of": dues_as_of.isoformat()}
    if rows:
        for mid, oid, name, last in behind.order_by("retiree__name_pinyin").values_list(
                "id", "organization_id", "retiree__name", "last_settled"):
            out[oid][metrics.DUES_ARREARS].setdefault("rows", []).append(
                {"membership_id": mid, "name": name, "last_settled": last.isoformat() if last else ""})

    # 6. committee term: the term current on the day the year is judged, overdue or not.
    current = {}
    for tid, oid, start, end in (CommitteeTerm.objects.filter(organization_id__in=ids, start_on__lte=as_of)
                                 .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
                                 .order_by("organization_id", "start_on")
                                 .values_list("id", "organization_id", "start_on", "end_on")):
        current[oid] = (tid, start, end)  # the latest start wins
    for bid in ids:
        term = current.get(bid)
        f = {"branches": 1, "on_time": int(bool(term) and term[2] >= as_of), "as_of": as_of.isoformat(),
             "term_start": term[1].isoformat() if term else "", "term_end": term[2].isoformat() if term else "",
             "days_overdue": max(0, (as_of - term[2]).days) if term else None}
        out[bid][metrics.TERM_ON_TIME] = f
    return out


def unit_branches(units: Iterable[Organization]) -> dict[int, list[Organization]]:
    """unit id → the branches it directly leads (the nearest non-branch ancestor), one query."""
    units = list(units)
    if not units:
        return {}
    by_path = {u.path: u.pk for u in units}
    q = Q(pk__in=[])
    for u in units:
        q |= in_subtree(u.path)
    out: dict[int, list[Organization]] = {u.pk: [] for u in units}
    leaders = Organization.objects.exclude(kind__in=[OrgKind.BRANCH, OrgKind.GROUP])
    leader_paths = set(leaders.filter(q).values_list("path", flat=True))
    for b in Organization.objects.filter(q, kind=OrgKind.BRANCH).order_by("path"):
        parts = b.path.strip("/").split("/")
        for i in range(len(parts) - 1, 0, -1):
            p = "/" + "/".join(parts[:i]) + "/"
            if p in leader_paths:
                if p in by_path:
                    out[by_path[p]].append(b)
                break
    return out


def responsibility_units(root: Organization):
    """党工委/党委/党总支 in the subtree that directly lead at least one branch."""
    candidates = list(Organization.objects.filter(in_subtree(root.path))
                      .exclude(kind__in=[OrgKind.BRANCH, OrgKind.GROUP]).order_by("path"))
    led = unit_branches(candidates)
    return [u for u in candidates if led.get(u.pk)], led


def collect_units(units: list[Organization], year: int, *, today: dt.date | None = None,
                  led: dict[int, list[Organization]] | None = None) -> dict[int, dict[str, dict]]:
    """unit id → metric → the sum of its branches' figures (a unit's term figure counts branches)."""
    led = led if led is not None else unit_branches(units)
    branches = [b for u in units for b in led.get(u.pk, [])]
    if not branches:
        return {u.pk: {} for u in units}
    root = _common_root(units) if units else None
    by_branch = collect(branches, year, today=today, root=root)
    out = {}
    for u in units:
        agg: dict[str, dict] = {}
        for b in led.get(u.pk, []):
            for metric, figures in by_branch[b.pk].items():
                metrics.add(agg.setdefault(metric, {}), figures)
        for metric in metrics.METRICS:
            agg.setdefault(metric, {})
        agg.setdefault(metrics.TERM_ON_TIME, {})["branches"] = len(led.get(u.pk, []))
        out[u.pk] = agg
    return out


def rubric_for(org: Organization, kind: str, year: int) -> Rubric | None:
    """The rubric of a kind an organisation is scored with for a year: the "evaluation.<kind>" policy in force on
    31 December of that year (nearest organisation up the path), else the shipped default."""
    chosen = policy_for(policy_kind(kind), org, dt.date(year, 12, 31))
    return Rubric.objects.filter(pk=chosen or default_rubric(kind)).first()


def default_rubric(kind: str) -> int | None:
    """The shipped rubric of a kind, used where no organisation up the path sets one."""
    return Rubric.objects.filter(kind=kind, owner__isnull=True).order_by("-is_default", "code") \
        .values_list("pk", flat=True).first()


def visible_rubrics(user):
    """The shipped defaults and the rubrics of the user's jurisdiction."""
    mine = restrict(Rubric.objects.all(), user).values("pk")
    return Rubric.objects.filter(Q(owner__isnull=True) | Q(pk__in=mine))


def grade_history(org: Organization) -> list[Assessment]:
    return list(Assessment.objects.filter(organization=org).select_related("rubric", "version")
                .order_by("kind", "-year"))


def compare_years(qs, year: int):
    """Annotate each star assessment of `year` with last year's grade (as a subquery) for the jurisdiction page."""
    from django.db.models import OuterRef, Subquery

    last = Assessment.objects.filter(organization=OuterRef("organization"), year=year - 1,
                                     kind=RubricKind.STAR_RATING).order_by("-pk")
    return qs.filter(year=year, kind=RubricKind.STAR_RATING).annotate(
        last_grade=Subquery(last.values("grade")[:1]), last_total=Subquery(last.values("total")[:1]),
        last_label=Subquery(last.values("grade_label")[:1]))


def manual_vs_data(*, org_path: str, year: int) -> Iterator[dict]:
    """Every reviewer-given score in the subtree-year that a data-derived score can be compared with.

    A manual item naming a `related_metric`, or a data item a reviewer overrode. One
    query (joined), streamed; the integrity audit's `rating_contradiction` reads it.
    """
    qs = (ItemScore.objects.filter(in_subtree(org_path, "assessment__organization"), assessment__year=year,
                                   reviewer_score__isnull=False, computed_score__isnull=False)
          .filter(Q(item__source=ItemSource.DATA) | (Q(item__source=ItemSource.MANUAL) & ~Q(item__related_metric="")))
          .select_related("item", "assessment", "reviewer")
          .order_by("assessment__organization__path", "assessment_id", "item__order"))
    for s in qs.iterator(chunk_size=2000):
        metric = s.item.scoring_metric
        reviewer = s.reviewer.username if s.reviewer else s.reviewer_name
        yield {
            "assessment_id": s.assessment_id, "organization_id": s.assessment.organization_id,
            "item_code": s.item.code, "item_name": s.item.name, "weight": s.item.weight,
            "reviewer_score": s.reviewer_score, "data_score": s.computed_score, "metric": metric,
            "metric_figures": {k: v for k, v in (s.figures or {}).items() if k != "rules"},
            "reviewer": reviewer or "", "reason": s.reason,
        }
