"""Reads for the dashboards: each board computed for a subtree and a period in a fixed number of bulk queries.

Every count is first grouped by organisation in the database (one row per
organisation, never a query per organisation), then rolled up in Python to the
rows a board shows: the children of the chosen organisation, or the zones.
The rules are the apps' own: life's engine and heat map, dues' arrears bands,
care's records. Each figure carries the URL of the records behind it, and the
records view (records.py) selects them with the same filters, so a list's
count, and its export, equal the figure.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.http import urlencode

from changqing.core.scope import restrict
from changqing.audit.models import Finding, FindingStatus
from changqing.care.models import HardshipReason, HardshipRecord, Visit
from changqing.dues.models import DuesMonth, DuesPayment
from changqing.dues.rules import DEFAULT_RULES, add_months, band_labels, month_start, owed_span
from changqing.dues.selectors import (
    active_memberships,
    death_month_owed,
    last_closed_month,
    owed_month_q,
    owes_span_q,
    with_arrears,
)
from changqing.life import engine
from changqing.life import selectors as life
from changqing.members.models import Membership, MembershipState, PersonStatus, Retiree, RetirementKind
from changqing.orgs.models import Organization, OrgKind, Zone
from changqing.policies.apps import WARNING_MONTHS
from changqing.policies.selectors import policy_for
from changqing.core.tree import in_subtree

BAND_COLOURS = ("#b08900", "#8a4b00", "#a4161a")  # first, middle, last warning band


def warning_months(root: Organization, as_of: dt.date) -> tuple[int, ...]:
    """The warning months of the board's root (the "warning_months" policy), as the dues lists count them."""
    return policy_for(WARNING_MONTHS, root, as_of)


def arrears_levels_of(thresholds) -> tuple[int, ...]:
    """1 (any arrears) and each warning band."""
    return (1, *sorted(thresholds))


def arrears_labels(thresholds) -> dict[int, str]:
    return {1: "欠缴1个月及以上", **band_labels(thresholds)}


# -- the subtree and the period ------------------------------------------------------------

@dataclass
class OrgRow:
    id: int
    code: str
    name: str
    path: str
    kind: str
    zone_id: int | None
    parent_id: int | None
    dissolved_on: dt.date | None


@dataclass
class Subtree:
    """The organisations of a root the user may see, and the rows a board groups them into."""

    root: Organization
    orgs: dict[int, OrgRow]
    groups: list[OrgRow]
    group_of: dict[int, int]  # organisation id → id of its group (a child of the root, or the root)
    cache: dict = field(default_factory=dict)  # counts already read for this request (boards share them)

    def memo(self, key, fn):
        if key not in self.cache:
            self.cache[key] = fn()
        return self.cache[key]

    @property
    def branch_ids(self) -> list[int]:
        return [o.id for o in self.orgs.values() if o.kind == OrgKind.BRANCH and not o.dissolved_on]

    def in_zone(self, zone_id: int | None) -> set[int]:
        return {o.id for o in self.orgs.values() if zone_id is None or o.zone_id == zone_id}


def subtree(root: Organization, user=None) -> Subtree:
    """One query: the organisations under root within the user's scope (dissolved ones too: their people count)."""
    qs = Organization.objects.filter(in_subtree(root.path))
    if user is not None:
        qs = restrict(qs, user)
    rows = [OrgRow(*r) for r in qs.order_by("path").values_list("id", "code", "name", "path", "kind", "zone_id",
                                                                "parent_id", "dissolved_on")]
    orgs = {o.id: o for o in rows}
    groups = [o for o in rows if o.parent_id == root.pk and not o.dissolved_on] or [o for o in rows if o.id == root.pk]
    if not groups:  # a scope of scattered branches under the root (a zone lead): each branch is a row
        groups = [o for o in rows if o.kind == OrgKind.BRANCH and not o.dissolved_on]
    group_paths = sorted(((g.path, g.id) for g in groups), key=lambda p: -len(p[0]))
    group_of = {}
    for o in rows:
        for path, gid in group_paths:
            if o.path.startswith(path):
                group_of[o.id] = gid
                break
    return Subtree(root, orgs, groups, group_of)


def months_shown(period: engine.Period, today: dt.date) -> list[dt.date]:
    """The months of the period up to this month (the future has nothing to show)."""
    return [m for m in period.months if m <= today] or period.months[:1]


@lru_cache(maxsize=1)
def _records_path() -> str:
    return reverse("dashboards:records")


def records_url(figure: str, *, org: str, period: str, **bucket) -> str:
    params = {"figure": figure, "org": org, "period": period}
    params.update({k: v for k, v in bucket.items() if v not in (None, "")})
    return f"{_records_path()}?{urlencode(params)}"


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figure:
    key: str
    label: str
    value: int | float | str
    url: str
    unit: str = ""
    note: str = ""
    tone: str = ""  # "bad" / "warn" / "ok": a border and a word beside the number, never colour alone


# -- grouped counts (each one query, grouped by organisation) --------------------------------

def _by_org(rows, key="organization_id", **fields) -> dict[int, dict]:
    out = {}
    for r in rows:
        out[r[key]] = {k: r[k] for k in fields} if fields else r
    return out


def people_counts(sub: Subtree) -> dict[int, dict]:
    """org id → retirees alive, 离休 among them, party members on the roll (two queries)."""
    return sub.memo("people", lambda: _people_counts(sub))


def _people_counts(sub: Subtree) -> dict[int, dict]:
    p = sub.root.path
    out: dict[int, dict] = defaultdict(lambda: {"retirees": 0, "lixiu": 0, "members": 0})
    for r in (Retiree.objects.filter(in_subtree(p, "organization"), status=PersonStatus.ALIVE)
              .values("organization_id")
              .annotate(n=Count("id"), lx=Count("id", filter=Q(retirement_kind=RetirementKind.LIXIU)))):
        out[r["organization_id"]].update(retirees=r["n"], lixiu=r["lx"])
    for org_id, n in (active_memberships().filter(in_subtree(p, "organization"))
                      .values("organization_id").annotate(n=Count("id")).values_list("organization_id", "n")):
        out[org_id]["members"] = n
    return out


def dues_counts(sub: Subtree, months: list[dt.date], as_of: dt.date, period: engine.Period) -> dict:
    """Per org × month the members who owed dues (the roll) and those of them settled; members in each arrears
    band per org; payments in the period."""
    return sub.memo(("dues", tuple(months), as_of, period), lambda: _dues_counts(sub, months, as_of, period))


def _dues_counts(sub: Subtree, months: list[dt.date], as_of: dt.date, period: engine.Period) -> dict:
    p = sub.root.path
    # The roll of every month from one row per member (dues' rules.owes), the same row giving active members'
    # arrears; the settled months owed, grouped (owed_month_q). Each agrees with the condition the records
    # lists filter by (owes_q, a test checks), so a list has as many rows as its number.
    roll: dict[tuple[int, dt.date], int] = defaultdict(int)
    thresholds = warning_months(sub.root, as_of)
    death_owed = death_month_owed(sub.root, as_of)
    levels = arrears_levels_of(thresholds)
    arrears: dict[int, dict[int, int]] = defaultdict(lambda: dict.fromkeys(levels, 0))
    for org_id, state, joined_on, ended_on, last_settled, first_base in (
            with_arrears(Membership.objects.filter(in_subtree(p, "organization")), as_of)
            .filter(Q(state=MembershipState.ACTIVE) | owes_span_q(min(months), max(months), death_owed))
            .order_by().values_list("organization_id", "state", "joined_on", "ended_on", "last_settled",
                                    "first_base")):
        active = state == MembershipState.ACTIVE
        first, last = owed_span(joined_on=joined_on, ended_on=ended_on, active=active, first_base=first_base,
                                deceased=state == MembershipState.DECEASED, death_month_owed=death_owed)
        for m in months:
            if first <= m and (last is None or m <= last):  # rules.owes, its span read once per member
                roll[(org_id, m)] += 1
        if active:
            for level in arrears_levels(last_settled, first_base, as_of, thresholds):
                arrears[org_id][level] += 1
    settled: dict[tuple[int, dt.date], int] = {}
    for org_id, month, n in (DuesMonth.objects.filter(in_subtree(p, "membership__organization"),
                                                      owed_month_q(months, death_owed))
                             .values("membership__organization_id", "month").annotate(n=Count("id"))
                             .values_list("membership__organization_id", "month", "n")):
        settled[(org_id, month)] = n
    payments = {r["organization_id"]: r for r in
                DuesPayment.objects.filter(in_subtree(p, "organization"), paid_on__gte=period.start,
                                           paid_on__lte=period.end)
                .values("organization_id").annotate(n=Count("id"), amount=Sum("amount"))}
    return {"roll": roll, "settled": settled, "arrears": arrears, "payments": payments, "thresholds": thresholds}


# dues.selectors.arrears_q / band_q evaluated in Python on one row per member: one query instead of one per
# band, each re-running two correlated subqueries per member. SQL's three-valued logic is kept (None = NULL),
# so a member counts exactly when the dues list's filter (?arrears=level) would list them; a test checks both.

def arrears_levels(last_settled, first_base, as_of: dt.date, thresholds=DEFAULT_RULES.warning_months) -> set[int]:
    """The levels (1 and each warning band) whose filter (arrears_q(1) / band_q(level)) lists this member.

    arrears_q(m) is TRUE when settled up to at most as_of − m; with nothing settled it is TRUE when the
    base began by as_of − (m − 1) and NULL otherwise (never FALSE). band_q(level) = arrears_q(level)
    AND NOT arrears_q(next threshold) is TRUE only when the first is TRUE and the second FALSE.
    """
    as_of = month_start(as_of)
    steps = sorted({1, *thresholds})
    if last_settled is not None:
        a = {m: last_settled <= add_months(as_of, -m) for m in steps}
    else:
        a = {m: True if first_base is not None and first_base <= add_months(as_of, -(m - 1)) else None for m in steps}
    out = {1} if a[1] is True else set()
    ordered = sorted(thresholds)
    for i, level in enumerate(ordered):
        higher = ordered[i + 1] if i + 1 < len(ordered) else None
        if a[level] is True and (higher is None or a[higher] is False):
            out.add(level)
    return out


def care_counts(sub: Subtree, period: engine.Period, today: dt.date) -> dict:
    """Visits and retirees visited per org in the period; current hardship per reason; birthdays this month."""
    return sub.memo(("care", period, today), lambda: _care_counts(sub, period, today))


def _care_counts(sub: Subtree, period: engine.Period, today: dt.date) -> dict:
    p = sub.root.path
    alive = in_subtree(p, "retiree__organization") & Q(retiree__status=PersonStatus.ALIVE)
    visits = {r["retiree__organization_id"]: r for r in
              Visit.objects.filter(alive, visited_on__gte=period.start, visited_on__lte=period.end)
              .values("retiree__organization_id")
              .annotate(visits=Count("id"), visited=Count("retiree_id", distinct=True))}
    hardship: dict[int, dict[str, dict]] = defaultdict(dict)
    visited_q = Q(retiree__care_visits__visited_on__gte=period.start, retiree__care_visits__visited_on__lte=period.end)
    for r in (hardship_records(p, today).values("retiree__organization_id", "reason")
              .annotate(n=Count("id", distinct=True), visited=Count("id", distinct=True, filter=visited_q))):
        hardship[r["retiree__organization_id"]][r["reason"]] = r
    birthdays = dict(Retiree.objects.filter(in_subtree(p, "organization"), status=PersonStatus.ALIVE,
                                            birth_date__month=today.month)
                     .values("organization_id").annotate(n=Count("id")).values_list("organization_id", "n"))
    return {"visits": visits, "hardship": hardship, "birthdays": birthdays}


def hardship_records(path: str, today: dt.date):
    """Hardship on the register today, of living retirees under path."""
    return HardshipRecord.objects.filter(in_subtree(path, "retiree__organization"),
                                         Q(until__isnull=True) | Q(until__gte=today), since__lte=today,
                                         retiree__status=PersonStatus.ALIVE)


def open_findings(path: str):
    return Finding.objects.filter(in_subtree(path, "organization"), status=FindingStatus.OPEN)


def audit_counts(sub: Subtree) -> dict[int, int]:
    return dict(open_findings(sub.root.path).values("organization_id").annotate(n=Count("id"))
                .values_list("organization_id", "n"))


def life_facts(sub: Subtree, period: engine.Period, user=None) -> life.Facts:
    """life's bulk load for the subtree and period, read once for the boards of a request."""
    return sub.memo(("life", period), lambda: life.load_facts(sub.root, period, user=user))


def month_cells(sub: Subtree, period: engine.Period, today: dt.date, user=None):
    """life.month_results of the subtree's facts, computed once per request (the compliance chart and the overdue
    figures both read them)."""
    return sub.memo(("cells", period, today), lambda: life.month_results(life_facts(sub, period, user), period, today))


def overdue_in(sub: Subtree, period: engine.Period, today: dt.date, user=None) -> tuple[set, int]:
    """overdue_branch_ids for a board: from the month cells when this request has drawn them already and the
    period is whole months (the windows judged over the period are exactly those judged month by month, so the
    overdue (branch, rule) pairs are the same — a test checks it against the period's own run); else one run
    over the period (cheaper than twelve month runs for a board that draws no cells)."""
    def compute():
        if (("cells", period, today) in sub.cache and period.start.day == 1
                and period.end == engine.month_end(period.end)):
            _, _, cells = month_cells(sub, period, today, user)
            pairs = {(bid, r.rule) for (bid, _m), results in cells.items() for r in results
                     if r.status == engine.OVERDUE}
            return {bid for bid, _ in pairs}, len(pairs)
        return overdue_branch_ids(sub.root, period, user=user, today=today, facts=life_facts(sub, period, user))
    return sub.memo(("overdue", period, today), compute)


def overdue_branch_ids(root: Organization, period: engine.Period, *, user=None, today: dt.date,
                       facts: life.Facts | None = None) -> tuple[set, int]:
    """Branches with at least one rule overdue in the period (life's engine), and the number of overdue items."""
    if facts is None:
        results = life.compliance_results(root, period, user=user, today=today)
    else:  # life.selectors.compliance_results on facts already loaded
        f = facts
        results = engine.compliance(f.branches, f.rulesets, f.meetings, period, today, f.attendance, f.members)
    overdue = [r for r in results if r.status == engine.OVERDUE]
    return {r.branch.id for r in overdue}, len(overdue)


def _sum(counts: dict[int, dict], ids, key) -> int:
    return sum(counts[i][key] for i in ids if i in counts)


def _month_sum(counts: dict[tuple[int, dt.date], int], ids, month: dt.date) -> int:
    return sum(counts.get((i, month), 0) for i in ids)


# -- boards --------------------------------------------------------------------------------

@dataclass
class Board:
    root: Organization
    period: engine.Period
    period_text: str
    figures: list[Figure] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _link(figure, board_or_sub, period_text, **bucket):
    return records_url(figure, org=board_or_sub.root.code, period=period_text, **bucket)


def _group_ids(sub: Subtree) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for org_id, gid in sub.group_of.items():
        out[gid].append(org_id)
    return out


def _cell(value, url=None, *, unit="", tone=""):
    return {"value": value, "url": url, "unit": unit, "tone": tone}


def overview(root: Organization, period: engine.Period, period_text: str, *, user=None,
             today: dt.date, sub: Subtree | None = None) -> Board:
    """The jurisdiction at a glance: people, organisational life, dues, care, integrity."""
    from . import stats_adapter

    sub = sub or subtree(root, user)
    ids = set(sub.orgs)
    board = Board(root, period, period_text)
    link = lambda key, **b: records_url(key, org=root.code, period=period_text, **b)  # noqa: E731
    board.figures.extend(stats_adapter.headline_figures(sub, period, period_text, user=user, today=today))
    branches = sub.branch_ids
    month_cells(sub, period, today, user)  # drawn in the compliance chart below; the overdue figures read them
    overdue, overdue_items = overdue_in(sub, period, today, user)
    as_of = last_closed_month(today)
    dues = dues_counts(sub, months_shown(period, today), as_of, period)  # the dues board's read, shared
    arrears = sum(dues["arrears"].get(i, {}).get(1, 0) for i in ids)
    arrears6 = sum(dues["arrears"].get(i, {}).get(6, 0) for i in ids)
    care = care_counts(sub, period, today)
    people = people_counts(sub)
    retirees = _sum(people, ids, "retirees")
    visited = sum(care["visits"].get(i, {}).get("visited", 0) for i in ids)
    hardship_n = sum(r["n"] for i in ids for r in care["hardship"].get(i, {}).values())
    hardship_unvisited = sum(r["n"] - r["visited"] for i in ids for r in care["hardship"].get(i, {}).values())
    findings = sum(n for i, n in audit_counts(sub).items() if i in ids)
    dues_url = f"{reverse('dues:members')}?{urlencode({'under': root.code, 'arrears': 1})}"
    dues6_url = f"{reverse('dues:members')}?{urlencode({'under': root.code, 'arrears': 6})}"
    board.figures += [
        Figure("life.overdue_branches", "组织生活有逾期的支部", len(overdue & set(branches)),
               link("life.overdue_branches"), "个", f"共{len(branches)}个支部", "bad" if overdue else "ok"),
        Figure("life.overdue_items", "逾期未开的会议（项）", overdue_items,
               f"{reverse('life:overdue')}?{urlencode({'org': root.code, 'period': period_text})}", "项",
               "按支部×规则计", "bad" if overdue_items else "ok"),
        Figure("dues.arrears", "欠缴党费的党员", arrears, dues_url, "人",
               f"截至{as_of.year}年{as_of.month}月", "warn" if arrears else "ok"),
        Figure("dues.arrears6", "连续欠缴6个月及以上", arrears6, dues6_url, "人", "按党章第九条处理",
               "bad" if arrears6 else "ok"),
        Figure("care.visited", "期间走访到的离退休干部", visited, link("care.visited"), "人",
               f"覆盖率 {rate(visited, retirees) or 0}%"),
        Figure("care.unvisited", "期间尚未走访的离退休干部", retirees - visited, link("care.unvisited"), "人",
               "", "warn" if retirees - visited else "ok"),
        Figure("care.hardship", "在册困难对象", hardship_n, link("care.hardship"), "人",
               f"其中期间未走访 {hardship_unvisited} 人"),
        Figure("care.hardship_unvisited", "困难对象期间未走访", hardship_unvisited, link("care.hardship_unvisited"),
               "人", "", "bad" if hardship_unvisited else "ok"),
        Figure("care.birthdays", f"本月（{today.month}月）过生日", sum(care["birthdays"].get(i, 0) for i in ids),
               link("care.birthdays"), "人"),
        Figure("audit.open", "待核实的审计问题", findings, link("audit.open"), "条", "", "warn" if findings else "ok"),
    ]
    # Small charts for the overview and the 大屏.
    groups = _group_ids(sub)
    comp = compliance(root, period, period_text, user=user, today=today, sub=sub)
    board.charts = [c for c in comp.charts if c["id"] == "compliance-months"]
    dues_board = dues_overview(root, period, period_text, user=user, today=today, sub=sub)
    board.charts += [c for c in dues_board.charts if c["id"] == "dues-months"]
    board.charts.append(keep_lowest({
        "id": "care-groups", "type": "bar", "title": "走访覆盖率（%）", "unit": "%", "max": 100,
        "categories": [g.name for g in sub.groups],
        "series": [{"name": "走访覆盖率", "data": [
            rate(sum(care["visits"].get(i, {}).get("visited", 0) for i in groups[g.id]),
                 _sum(people, groups[g.id], "retirees")) or 0 for g in sub.groups],
            "urls": [records_url("care.unvisited", org=g.code, period=period_text) for g in sub.groups]}],
    }, 12))
    return board


def keep_lowest(chart: dict, n: int) -> dict:
    """A chart of many rows keeps the n lowest of its first series (the table below has them all)."""
    first = chart["series"][0]["data"]
    if len(first) <= n:
        return chart
    keep = sorted(range(len(first)), key=lambda i: first[i])[:n]
    chart["categories"] = [chart["categories"][i] for i in keep]
    for s in chart["series"]:
        s["data"] = [s["data"][i] for i in keep]
        s["urls"] = [s["urls"][i] for i in keep]
    chart["title"] += f"（最低的{n}个）"
    return chart


def compliance(root: Organization, period: engine.Period, period_text: str, *, user=None, today: dt.date,
               sub: Subtree | None = None) -> Board:
    """Organisational life: life's heat map (branch × month) rolled up to the rows of the board."""
    sub = sub or subtree(root, user)
    board = Board(root, period, period_text)
    branches, months, cells = month_cells(sub, period, today, user)
    months = months_shown(period, today)
    groups = _group_ids(sub)
    status_of: dict[tuple[int, dt.date], str] = {}
    for b in branches:
        for m in months:
            status_of[(b.id, m)] = engine.worst_status(r.status for r in cells.get((b.id, m), []))
    branch_ids = {b.id for b in branches} & set(sub.branch_ids)
    branches = [b for b in branches if b.id in branch_ids]
    rows = []
    for g in sub.groups:
        ids = [i for i in groups[g.id] if i in branch_ids]
        if not ids:
            continue
        row = {"org": g, "cells": []}
        for m in months:
            statuses = [status_of[(i, m)] for i in ids]
            done, overdue = statuses.count(engine.DONE), statuses.count(engine.OVERDUE)
            row["cells"].append({
                "month": m, "total": len(ids), "done": done, "overdue": overdue,
                "rate": rate(len(ids) - overdue, len(ids)),
                "url": records_url("life.overdue_branches", org=g.code, period=f"{m:%Y-%m}"),
                "done_url": records_url("life.done_branches", org=g.code, period=f"{m:%Y-%m}"),
                "heatmap": f"{reverse('life:heatmap')}?{urlencode({'org': g.code, 'period': f'{m:%Y-%m}'})}",
                "tone": "bad" if overdue else "ok"})
        rows.append(row)
    totals = []
    for j, m in enumerate(months):
        statuses = [status_of[(b.id, m)] for b in branches]
        done, overdue = statuses.count(engine.DONE), statuses.count(engine.OVERDUE)
        totals.append({"month": m, "total": len(statuses), "done": done, "overdue": overdue,
                       "open": len(statuses) - done - overdue,
                       "open_url": records_url("life.open_branches", org=root.code, period=f"{m:%Y-%m}"),
                       "url": records_url("life.overdue_branches", org=root.code, period=f"{m:%Y-%m}"),
                       "done_url": records_url("life.done_branches", org=root.code, period=f"{m:%Y-%m}")})
    board.tables.append({"kind": "compliance", "months": months, "rows": rows, "totals": totals})
    labels = [f"{m.month}月" if len({x.year for x in months}) == 1 else f"{m:%Y-%m}" for m in months]
    board.charts.append({
        "id": "compliance-months", "type": "stack", "title": "各月组织生活完成情况（支部数）", "unit": "个",
        "categories": labels,
        "series": [
            {"name": "全部完成", "data": [t["done"] for t in totals], "urls": [t["done_url"] for t in totals],
             "color": "#1d6b2f"},
            {"name": "有逾期", "data": [t["overdue"] for t in totals], "urls": [t["url"] for t in totals],
             "color": "#a4161a"},
            {"name": "未到期或即将到期", "data": [t["open"] for t in totals], "urls": [t["open_url"] for t in totals],
             "color": "#5b5b5b"},
        ]})
    board.charts.append({
        "id": "compliance-heat", "type": "heatmap", "title": "无逾期的支部比例（%，点格子看逾期的支部）", "unit": "%",
        "categories": labels, "rows": [r["org"].name for r in rows],
        "data": [[j, i, c["rate"] if c["rate"] is not None else 0] for i, r in enumerate(rows)
                 for j, c in enumerate(r["cells"])],
        "urls": [[c["url"] for c in r["cells"]] for r in rows]})
    return board


def dues_overview(root: Organization, period: engine.Period, period_text: str, *, user=None, today: dt.date,
                  sub: Subtree | None = None) -> Board:
    """Dues collection: per month, the members who owed it (dues' liability, not today's roll) and how many of
    them settled it; arrears by band."""
    sub = sub or subtree(root, user)
    board = Board(root, period, period_text)
    as_of = last_closed_month(today)
    months = [m for m in months_shown(period, today)]
    counts = dues_counts(sub, months, as_of, period)
    thresholds = counts["thresholds"]
    levels, band_names = arrears_levels_of(thresholds), arrears_labels(thresholds)
    groups = _group_ids(sub)
    ids_all = list(sub.orgs)
    month_rows = []
    for m in months:
        roll = _month_sum(counts["roll"], ids_all, m)
        paid = _month_sum(counts["settled"], ids_all, m)
        month_rows.append({"month": m, "roll": roll, "paid": paid, "unpaid": roll - paid, "rate": rate(paid, roll),
                           "roll_url": records_url("dues.owing", org=root.code, period=period_text,
                                                   month=f"{m:%Y-%m}"),
                           "paid_url": records_url("dues.settled", org=root.code, period=period_text,
                                                   month=f"{m:%Y-%m}"),
                           "unpaid_url": records_url("dues.unsettled", org=root.code, period=period_text,
                                                     month=f"{m:%Y-%m}")})
    last = months[-1]
    group_rows = []
    for g in sub.groups:
        ids = groups[g.id]
        n = _month_sum(counts["roll"], ids, last)
        arrears = {lv: sum(counts["arrears"].get(i, {}).get(lv, 0) for i in ids) for lv in levels}
        pay = [counts["payments"][i] for i in ids if i in counts["payments"]]
        if not n and not pay and not arrears[1]:
            continue
        paid = _month_sum(counts["settled"], ids, last)
        group_rows.append({
            "org": g, "roll": n, "paid": paid, "unpaid": n - paid, "rate": rate(paid, n),
            "roll_url": records_url("dues.owing", org=g.code, period=period_text, month=f"{last:%Y-%m}"),
            "paid_url": records_url("dues.settled", org=g.code, period=period_text, month=f"{last:%Y-%m}"),
            "unpaid_url": records_url("dues.unsettled", org=g.code, period=period_text, month=f"{last:%Y-%m}"),
            "arrears": [(lv, arrears[lv], f"{reverse('dues:members')}?{urlencode({'under': g.code, 'arrears': lv})}")
                        for lv in levels],
            "payments": sum(r["n"] for r in pay), "amount": sum((r["amount"] for r in pay), 0),
            "payments_url": f"{reverse('dues:payments')}?" + urlencode(
                {"under": g.code, "paid_from": period.start.isoformat(), "paid_to": period.end.isoformat()}),
        })
    total_arrears = {lv: sum(counts["arrears"].get(i, {}).get(lv, 0) for i in ids_all) for lv in levels}
    board.figures = [
        Figure(f"dues.arrears{lv}", band_names[lv], total_arrears[lv],
               f"{reverse('dues:members')}?{urlencode({'under': root.code, 'arrears': lv})}", "人",
               f"截至{as_of.year}年{as_of.month}月", "bad" if lv == levels[-1] and total_arrears[lv] else "")
        for lv in levels]
    board.tables.append({"kind": "dues_months", "rows": month_rows})
    board.tables.append({"kind": "dues_groups", "rows": group_rows, "month": last, "as_of": as_of,
                         "levels": [band_names[lv] for lv in levels]})
    labels = [f"{m.month}月" if len({x.year for x in months}) == 1 else f"{m:%Y-%m}" for m in months]
    board.charts.append({
        "id": "dues-months", "type": "line", "title": "各月党费收缴率（%）", "unit": "%", "max": 100,
        "categories": labels,
        "series": [{"name": "收缴率", "data": [r["rate"] or 0 for r in month_rows],
                    "urls": [r["unpaid_url"] for r in month_rows]}]})
    behind = [r for r in group_rows if any(n for lv, n, _ in r["arrears"] if lv != 1)]
    board.charts.append({
        "id": "dues-arrears", "type": "stack", "title": f"连续欠缴{min(thresholds)}个月及以上的党员（人，只列有欠缴的组织）", "unit": "人",
        "categories": [r["org"].name for r in behind],
        "series": [{"name": band_names[lv], "data": [dict((a[0], a[1]) for a in r["arrears"])[lv]
                                                          for r in behind],
                    "urls": [dict((a[0], a[2]) for a in r["arrears"])[lv] for r in behind],
                    "color": BAND_COLOURS[_band_place(i, len(thresholds))]}
                   for i, lv in enumerate(sorted(thresholds))]})
    return board


def _band_place(i: int, n: int) -> int:
    """0 for the first warning band, 2 for the last, 1 for any between."""
    return 2 if i == n - 1 else min(i, 1)


def care_overview(root: Organization, period: engine.Period, period_text: str, *, user=None, today: dt.date,
                  sub: Subtree | None = None) -> Board:
    """Care coverage: who was visited in the period, hardship on the register, birthdays this month."""
    sub = sub or subtree(root, user)
    board = Board(root, period, period_text)
    care = care_counts(sub, period, today)
    people = people_counts(sub)
    groups = _group_ids(sub)
    rows = []
    for g in sub.groups:
        ids = groups[g.id]
        n = _sum(people, ids, "retirees")
        if not n:
            continue
        visited = sum(care["visits"].get(i, {}).get("visited", 0) for i in ids)
        visits = sum(care["visits"].get(i, {}).get("visits", 0) for i in ids)
        hard = [r for i in ids for r in care["hardship"].get(i, {}).values()]
        rows.append({
            "org": g, "retirees": n, "visited": visited, "unvisited": n - visited, "rate": rate(visited, n),
            "visits": visits,
            "hardship": sum(r["n"] for r in hard), "hardship_unvisited": sum(r["n"] - r["visited"] for r in hard),
            "birthdays": sum(care["birthdays"].get(i, 0) for i in ids),
            "urls": {k: records_url(f"care.{k}", org=g.code, period=period_text)
                     for k in ("retirees", "visited", "unvisited", "visits", "hardship", "hardship_unvisited",
                               "birthdays")},
        })
    ids_all = list(sub.orgs)
    by_reason = []
    for value, label in HardshipReason.choices:
        rs = [care["hardship"][i][value] for i in ids_all if value in care["hardship"].get(i, {})]
        n = sum(r["n"] for r in rs)
        if n:
            v = sum(r["visited"] for r in rs)
            by_reason.append({"reason": value, "label": label, "n": n, "visited": v, "unvisited": n - v,
                              "url": records_url("care.hardship", org=root.code, period=period_text, reason=value),
                              "visited_url": records_url("care.hardship_visited", org=root.code,
                                                         period=period_text, reason=value),
                              "unvisited_url": records_url("care.hardship_unvisited", org=root.code,
                                                           period=period_text, reason=value)})
    total = {k: sum(r[k] for r in rows) for k in ("retirees", "visited", "unvisited", "visits", "hardship",
                                                   "hardship_unvisited", "birthdays")}
    link = lambda key: records_url(key, org=root.code, period=period_text)  # noqa: E731
    board.figures = [
        Figure("care.retirees", "健在离退休干部", total["retirees"], link("care.retirees"), "人"),
        Figure("care.visited", "期间走访到", total["visited"], link("care.visited"), "人",
               f"覆盖率 {rate(total['visited'], total['retirees']) or 0}%"),
        Figure("care.unvisited", "期间尚未走访", total["unvisited"], link("care.unvisited"), "人", "",
               "warn" if total["unvisited"] else "ok"),
        Figure("care.visits", "走访慰问（次）", total["visits"], link("care.visits"), "次"),
        Figure("care.hardship_unvisited", "困难对象期间未走访", total["hardship_unvisited"],
               link("care.hardship_unvisited"), "人", f"在册困难对象 {total['hardship']} 人",
               "bad" if total["hardship_unvisited"] else "ok"),
        Figure("care.birthdays", f"本月（{today.month}月）过生日", total["birthdays"], link("care.birthdays"), "人"),
    ]
    board.tables.append({"kind": "care_groups", "rows": rows, "total": total})
    board.tables.append({"kind": "care_reasons", "rows": by_reason})
    board.charts.append({
        "id": "care-groups", "type": "stack", "title": "走访覆盖（人）", "unit": "人",
        "categories": [r["org"].name for r in rows],
        "series": [{"name": "已走访", "data": [r["visited"] for r in rows],
                    "urls": [r["urls"]["visited"] for r in rows], "color": "#1d6b2f"},
                   {"name": "未走访", "data": [r["unvisited"] for r in rows],
                    "urls": [r["urls"]["unvisited"] for r in rows], "color": "#8a4b00"}]})
    if by_reason:
        board.charts.append({
            "id": "care-reasons", "type": "stack", "title": "困难对象（人）", "unit": "人",
            "categories": [r["label"] for r in by_reason],
            "series": [{"name": "已走访", "data": [r["visited"] for r in by_reason],
                        "urls": [records_url("care.hardship_visited", org=root.code, period=period_text,
                                             reason=r["reason"]) for r in by_reason], "color": "#1d6b2f"},
                       {"name": "未走访", "data": [r["unvisited"] for r in by_reason],
                        "urls": [r["unvisited_url"] for r in by_reason], "color": "#a4161a"}]})
    return board


def zones_overview(root: Organization, period: engine.Period, period_text: str, *, user=None, today: dt.date,
                   sub: Subtree | None = None) -> Board:
    """片组 side by side: members, organisational life, dues and visits of the branches in each zone."""
    sub = sub or subtree(root, user)
    board = Board(root, period, period_text)
    zone_ids = sorted({o.zone_id for o in sub.orgs.values() if o.zone_id})
    zones = list(Zone.objects.filter(pk__in=zone_ids).order_by("code"))
    as_of = last_closed_month(today)
    month = min(as_of, months_shown(period, today)[-1])
    people = people_counts(sub)
    shown = months_shown(period, today)
    dues = dues_counts(sub, shown if month in shown else shown + [month], as_of, period)  # shared with the dues board
    care = care_counts(sub, period, today)
    overdue, _ = overdue_in(sub, period, today, user)
    live_branches = set(sub.branch_ids)
    rows = []
    for z in zones:
        ids = sub.in_zone(z.pk)
        branches = [i for i in ids if i in live_branches]
        members = _sum(people, ids, "members")
        retirees = _sum(people, ids, "retirees")
        roll = _month_sum(dues["roll"], ids, month)
        paid = _month_sum(dues["settled"], ids, month)
        visited = sum(care["visits"].get(i, {}).get("visited", 0) for i in ids)
        late = len(overdue & set(branches))
        link = lambda key, **b: records_url(key, org=root.code, period=period_text, zone=z.code, **b)  # noqa: E731
        rows.append({
            "zone": z, "branches": len(branches), "members": members, "retirees": retirees,
            "compliant": len(branches) - late, "overdue": late, "compliance_rate": rate(len(branches) - late,
                                                                                          len(branches)),
            "roll": roll, "paid": paid, "dues_rate": rate(paid, roll), "unpaid": roll - paid,
            "arrears": sum(dues["arrears"].get(i, {}).get(1, 0) for i in ids),
            "visited": visited, "visit_rate": rate(visited, retirees),
            "urls": {"branches": link("orgs.branches"), "members": link("members.members"),
                     "retirees": link("care.retirees"), "overdue": link("life.overdue_branches"),
                     "compliant": link("life.compliant_branches"),
                     "roll": link("dues.owing", month=f"{month:%Y-%m}"),
                     "paid": link("dues.settled", month=f"{month:%Y-%m}"),
                     "unpaid": link("dues.unsettled", month=f"{month:%Y-%m}"),
                     "arrears": link("dues.arrears", level=1), "visited": link("care.visited"),
                     "unvisited": link("care.unvisited")},
        })
    board.tables.append({"kind": "zones", "rows": rows, "month": month})
    board.charts.append({
        "id": "zones-rates", "type": "bar", "title": "片组对比（%）", "unit": "%", "max": 100,
        "categories": [r["zone"].name.split("（")[0] for r in rows],
        "series": [
            {"name": "组织生活按时完成的支部", "data": [r["compliance_rate"] or 0 for r in rows],
             "urls": [r["urls"]["overdue"] for r in rows], "color": "#1d6b2f"},
            {"name": f"{month.month}月党费收缴率", "data": [r["dues_rate"] or 0 for r in rows],
             "urls": [r["urls"]["unpaid"] for r in rows], "color": "#1f4e99"},
            {"name": "走访覆盖率", "data": [r["visit_rate"] or 0 for r in rows],
             "urls": [r["urls"]["unvisited"] for r in rows], "color": "#8a4b00"},
        ]})
    if not zones:
        board.notes.append("所选组织下的支部尚未划分片组。")
    return board
