"""The compliance engine: pure Python over facts loaded in bulk (no database here).

Given branches, the ruleset each follows, and the meetings held, it computes for
a period (a month, a quarter, a year, or a range of months), per branch and per
rule: required, held, status and the records behind the figure; per member:
participation (a 送学上门 counts), excused immobile members reached by neither,
and warnings at 3/5/6 months without organisational life (DOMAIN.md §6). It
never removes anyone.

A rule's window is its own period (month, quarter, year). A period is judged on
the windows that END inside it, plus the window still open today if today lies
in the period: "支委会 once a quarter" appears in March, June, September and
December (and in the current month while its quarter is open, so the branch
page says how many days are left); a yearly rule appears in December. So the
heat map (one period per month) and the command asked about any month agree by
construction, and a past month shows what was due then, not a later verdict.
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field


class PeriodError(ValueError):
    pass


DONE, PENDING, DUE_SOON, OVERDUE = "done", "pending", "due_soon", "overdue"
STATUS_LABELS = {DONE: "已完成", PENDING: "未到期", DUE_SOON: "即将到期", OVERDUE: "已逾期"}
STATUS_RANK = {DONE: 0, PENDING: 1, DUE_SOON: 2, OVERDUE: 3}
PERIOD_LABELS = {"month": "每月", "quarter": "每季度", "year": "每年"}
PARTICIPATED = frozenset({"present", "online", "home_delivery"})


def month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from `earlier` to `later` (2025-01-15 → 2025-04-14 is 2, → 2025-04-15 is 3)."""
    n = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        n -= 1
    return max(n, 0)


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day of the first month
    end: dt.date  # last day of the last month
    label: str

    @property
    def months(self) -> list[dt.date]:
        out, m = [], self.start
        while m <= self.end:
            out.append(m)
            m = add_months(m, 1)
        return out


_MONTH = r"([0-9]{4})-([0-9]{1,2})"


def parse_period(text: str) -> Period:
    """2025 | 2025-Q1 | 2025-03 | 2025-01..2025-06 → Period; a clear Chinese error otherwise."""
    text = (text or "").strip()
    if m := re.fullmatch(r"([0-9]{4})", text):
        y = _year(m[1])
        return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}年")
    if m := re.fullmatch(r"([0-9]{4})-[Qq]([1-4])", text):
        y, q = _year(m[1]), int(m[2])
        start = dt.date(y, 3 * q - 2, 1)
        return Period(start, month_end(add_months(start, 2)), f"{y}年第{q}季度")
    if m := re.fullmatch(_MONTH, text):
        start = _month(m)
        return Period(start, month_end(start), f"{start.year}年{start.month}月")
    if m := re.fullmatch(_MONTH + r"\.\." + _MONTH, text):
        start = _month(m)
        last = _month(re.fullmatch(_MONTH, text.split("..")[1]))
        if last < start:
            raise PeriodError(f"结束月份（{last.year}年{last.month}月）早于开始月份（{start.year}年{start.month}月），请重新选择")
        return Period(start, month_end(last), f"{start.year}年{start.month}月至{last.year}年{last.month}月")
    raise PeriodError(f"无法识别的期间「{text}」：请用上面的年月选择框选开始和结束月份")


def _year(text: str) -> int:
    y = int(text)
    if not 1900 <= y <= 2100:
        raise PeriodError(f"年份 {y} 超出范围：应在 1900 到 2100 之间")
    return y


def _month(m) -> dt.date:
    y, mo = _year(m[1]), int(m[2])
    if not 1 <= mo <= 12:
        raise PeriodError(f"月份 {mo} 不存在：月份应在 1 到 12 之间")
    return dt.date(y, mo, 1)


def window_of(d: dt.date, unit: str) -> tuple[dt.date, dt.date]:
    if unit == "month":
        start = d.replace(day=1)
        return start, month_end(start)
    if unit == "quarter":
        start = dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
        return start, month_end(add_months(start, 2))
    if unit == "year":
        return dt.date(d.year, 1, 1), dt.date(d.year, 12, 31)
    raise ValueError(unit)


def windows(unit: str, period: Period) -> list[tuple[dt.date, dt.date]]:
    out, d = [], period.start
    while d <= period.end:
        w = window_of(d, unit)
        if not out or out[-1] != w:
            out.append(w)
        d = add_months(w[1].replace(day=1), 1)
    return out


def judged_windows(unit: str, period: Period, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The windows a period is judged on: those ending in it, and the one open today if today is in it."""
    open_now = period.start <= today <= period.end
    return [(s, e) for s, e in windows(unit, period)
            if period.start <= e <= period.end or (open_now and s <= today <= e)]


# ---- facts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Branch:
    id: int
    code: str
    name: str
    established_on: dt.date | None = None
    dissolved_on: dt.date | None = None


@dataclass(frozen=True)
class RuleSpec:
    kind: str  # MeetingKind.code
    name: str
    count: int
    period: str  # month | quarter | year
    per_member: bool = False


@dataclass(frozen=True)
class RulesetSpec:
    code: str
    name: str
    rules: tuple[RuleSpec, ...]
    due_soon_days: int = 15
    warn_months: tuple[int, ...] = (3, 5, 6)


@dataclass(frozen=True)
class MeetingFact:
    id: int
    branch_id: int
    kind: str
    held_on: dt.date


@dataclass(frozen=True)
class AttendanceFact:
    meeting_id: int
    member_id: int
    status: str


@dataclass(frozen=True)
class Member:
    id: int
    branch_id: int
    name: str
    immobile: bool = False
    since: dt.date | None = None  # when organisational life could first be recorded for them


@dataclass
class RuleResult:
    branch: Branch
    rule: RuleSpec
    ruleset: str
    required: int
    held: int
    status: str
    record_ids: list[int]
    due_on: dt.date | None  # end of the open (or first missed) window
    days_left: int | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_row(self) -> dict:
        return {
            "branch_code": self.branch.code, "branch_name": self.branch.name,
            "rule": self.rule.name, "rule_kind": self.rule.kind,
            "rule_text": f"{PERIOD_LABELS[self.rule.period]}{'每名党员' if self.rule.per_member else ''}"
                         f"至少{self.rule.count}次",
            "ruleset": self.ruleset, "required": self.required, "held": self.held,
            "status": self.status, "status_label": self.status_label,
            "due_on": self.due_on.isoformat() if self.due_on else None, "days_left": self.days_left,
            "record_ids": self.record_ids,
        }


@dataclass
class MemberResult:
    member: Member
    participations: int
    last_participation: dt.date | None
    months_without: int
    warning: int | None  # the highest warn threshold reached (3, 5, 6), or None
    excused_unreached: list[int] = field(default_factory=list)  # meeting ids


class MeetingIndex:
    """Meetings by (branch, kind), sorted by date, so a window is two bisects."""

    def __init__(self, meetings):
        grouped = defaultdict(list)
        for m in meetings:
            grouped[(m.branch_id, m.kind)].append((m.held_on, m.id))
        self._by = {k: sorted(v) for k, v in grouped.items()}
        self._dates = {k: [d for d, _ in v] for k, v in self._by.items()}

    def between(self, branch_id: int, kind: str, start: dt.date, end: dt.date) -> list[int]:
        key = (branch_id, kind)
        dates = self._dates.get(key)
        if not dates:
            return []
        lo = bisect.bisect_left(dates, start)
        hi = bisect.bisect_right(dates, end)
        return [mid for _, mid in self._by[key][lo:hi]]


def _window_status(held: int, required: int, wstart: dt.date, wend: dt.date, today: dt.date,
                   due_soon_days: int) -> str:
    if held >= required:
        return DONE
    if wend < today:
        return OVERDUE
    if wstart > today:
        return PENDING
    return DUE_SOON if (wend - today).days <= due_soon_days else PENDING


def compliance(branches, rulesets: dict[int, RulesetSpec], meetings, period: Period, today: dt.date,
               attendance=(), members=(), index: MeetingIndex | None = None) -> list[RuleResult]:
    """One result per branch and rule. `rulesets` maps branch id → the ruleset it follows."""
    index = index or MeetingIndex(meetings)
    need_members = any(r.per_member for rs in rulesets.values() for r in rs.rules)
    members_by_branch: dict[int, set[int]] = defaultdict(set)
    attendees: dict[int, set[int]] = defaultdict(set)
    if need_members:
        for m in members:
            members_by_branch[m.branch_id].add(m.id)
        for a in attendance:
            if a.status in PARTICIPATED:
                attendees[a.meeting_id].add(a.member_id)
    results = []
    window_cache = {unit: judged_windows(unit, period, today) for unit in PERIOD_LABELS}
    for branch in branches:
        ruleset = rulesets.get(branch.id)
        if ruleset is None:
            continue
        for rule in ruleset.rules:
            required = held = 0
            ids: list[int] = []
            worst, due_on, judged = DONE, None, 0
            for wstart, wend in window_cache[rule.period]:
                if branch.established_on and wend < branch.established_on:
                    continue
                if branch.dissolved_on and wstart > branch.dissolved_on:
                    continue
                judged += 1
                found = index.between(branch.id, rule.kind, wstart, wend)
                if rule.per_member:
                    roll = members_by_branch.get(branch.id, set())
                    need = rule.count * len(roll)
                    reached = set()
                    for mid in found:
                        reached |= attendees.get(mid, set()) & roll
                    got = len(reached)
                else:
                    need, got = rule.count, len(found)
                required += need
                held += got
                ids.extend(i for i in found if i > 0)  # a negative id is an appraisal round, not a meeting
                status = _window_status(got, need, wstart, wend, today, ruleset.due_soon_days)
                if STATUS_RANK[status] > STATUS_RANK[worst]:
                    worst, due_on = status, wend
            if not judged:
                continue  # nothing of this rule falls due in the period
            days_left = (due_on - today).days if due_on and worst in (PENDING, DUE_SOON) else None
            results.append(RuleResult(branch, rule, ruleset.code, required, held, worst, ids, due_on, days_left))
    return results


def worst_status(statuses) -> str:
    return max(statuses, key=STATUS_RANK.__getitem__, default=DONE)


def participation(members, meetings, attendance, period: Period, today: dt.date, warn_months=(3, 5, 6),
                  deliveries=(), last_before=None, org_life_kinds=None,
                  warn_by_branch: dict[int, tuple[int, ...]] | None = None) -> list[MemberResult]:
    """Per member: participations in the period and months without organisational life as of `today`.

    Warnings at `warn_months`, or at the branch's own months in `warn_by_branch` (the "warning_months"
    policy of each branch).
    `deliveries` are (member_id, date) of 送学上门 / 网上助学 study records outside meetings;
    `last_before` maps member id → the last participation before the period (loaded in bulk).
    An immobile member excused from a meeting is flagged unless reached by a home
    delivery in that meeting's month.
    """
    as_of = min(today, period.end)
    meeting_by_id = {m.id: m for m in meetings}
    in_period = {m.id for m in meetings if period.start <= m.held_on <= period.end
                 and (org_life_kinds is None or m.kind in org_life_kinds)}
    count: dict[int, int] = defaultdict(int)
    last: dict[int, dt.date] = dict(last_before or {})
    delivered_months: dict[int, set[tuple[int, int]]] = defaultdict(set)
    excused: dict[int, list[int]] = defaultdict(list)

    def seen(member_id, day):
        if day <= as_of and (member_id not in last or last[member_id] < day):
            last[member_id] = day

    for a in attendance:
        if a.meeting_id not in in_period:
            continue
        meeting = meeting_by_id[a.meeting_id]
        if a.status in PARTICIPATED:
            count[a.member_id] += 1
            seen(a.member_id, meeting.held_on)
            if a.status == "home_delivery":
                delivered_months[a.member_id].add((meeting.held_on.year, meeting.held_on.month))
        elif a.status == "excused":
            excused[a.member_id].append(a.meeting_id)
    for member_id, day in deliveries:
        if period.start <= day <= period.end:
            count[member_id] += 1
            seen(member_id, day)
            delivered_months[member_id].add((day.year, day.month))

    default_thresholds = sorted(warn_months)
    warn_by_branch = {b: sorted(t) for b, t in (warn_by_branch or {}).items()}
    out = []
    for m in members:
        thresholds = warn_by_branch.get(m.branch_id, default_thresholds)
        last_day = last.get(m.id)
        base = last_day or m.since
        gap = months_between(base, as_of) if base else 0
        reached = [t for t in thresholds if gap >= t]
        unreached = []
        if m.immobile:
            for mid in excused.get(m.id, []):
                d = meeting_by_id[mid].held_on
                if (d.year, d.month) not in delivered_months.get(m.id, set()):
                    unreached.append(mid)
        out.append(MemberResult(m, count.get(m.id, 0), last_day, gap, reached[-1] if reached else None, unreached))
    return out


@dataclass(frozen=True)
class VoteCheck:
    due: int
    present: int
    votes_for: int
    quorum: bool
    passed: bool
    message: str


def check_vote(*, due: int, present: int, votes_for: int, base: str = "due") -> VoteCheck:
    """党员大会 (Art. 11): quorum = more than half of those due present; passes with more than half of `base`."""
    quorum = present * 2 > due
    denominator = due if base == "due" else present
    passed = quorum and votes_for * 2 > denominator
    if not quorum:
        msg = f"应到{due}人，实到{present}人，未超过半数，会议不能表决"
    elif passed:
        msg = f"应到{due}人，实到{present}人，赞成{votes_for}票，超过{'应到' if base == 'due' else '实到'}人数半数，通过"
    else:
        msg = f"赞成{votes_for}票，未超过{'应到' if base == 'due' else '实到'}人数（{denominator}人）半数，未通过"
    return VoteCheck(due, present, votes_for, quorum, passed, msg)
