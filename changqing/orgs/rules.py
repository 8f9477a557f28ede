"""Organisation rules (DOMAIN.md §3, §4), pure Python: no database.

Every number comes from an `OrgRules`: the "orgs.thresholds" policy in force for the
organisation on the day (changqing.policies; selectors.rules_for), else `current_rules()`,
i.e. settings.CHANGQING["ORG_RULES"] over the DOMAIN.md defaults below (the installation's
default), so a bureau changes thresholds as data, for its subtree, from a date.
`check_election()` is the whole of §3 rule 6 applied to the figures of one
election; the service feeds it the eligible members it read from the database.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

WIN_BASIS_DUE = "due"  # more than half of those due to attend (应到会), DOMAIN.md default
WIN_BASIS_PRESENT = "present"  # more than half of those present (实到会), some localities
WIN_BASIS_LABELS = {WIN_BASIS_DUE: "超过应到会有选举权人数的半数", WIN_BASIS_PRESENT: "超过实到会人数的半数"}

DEFAULT_RULES = {
    # §3 rule 1/3: size of a branch.
    "min_full_members": 3,
    "max_members": 50,
    "committee_from_full_members": 7,
    # §3 rule 3: a committee has 3–5 members, at most 7; fewer → secretary and optional deputy.
    "committee_min_size": 3,
    "committee_usual_max_size": 5,  # 3–5 normally; 6–7 only with a warning
    "committee_max_size": 7,
    # §3 rule 6.
    "candidate_ratio": "1.2",
    "quorum_numerator": 4,
    "quorum_denominator": 5,
    "win_basis": WIN_BASIS_DUE,
    # §3 rule 5: days either side of the term's end an election still counts as on schedule (the rule: 0).
    "election_grace_days": 0,
    # The election helper offers itself this many months before a term ends (and after it has expired).
    "election_helper_months": 6,
    # Alerts before a term ends (days), largest first.
    "term_alert_days": [90, 30],
    # §4 table: 联络员 contact ≥1 per month, 党工委 member visit ≥4 per year.
    "liaison_contacts_per_month": 1,
    "committee_visits_per_year": 4,
    # §3 rule 4: a committee's term, 5 years for community branches, generally 3 for the others.
    "term_years": 3,
    "community_term_years": 5,
}


@dataclass(frozen=True)
class OrgRules:
    min_full_members: int = 3
    max_members: int = 50
    committee_from_full_members: int = 7
    committee_min_size: int = 3
    committee_usual_max_size: int = 5
    committee_max_size: int = 7
    candidate_ratio: str = "1.2"
    quorum_numerator: int = 4
    quorum_denominator: int = 5
    win_basis: str = WIN_BASIS_DUE
    election_grace_days: int = 0
    election_helper_months: int = 6
    term_alert_days: tuple = (90, 30)
    liaison_contacts_per_month: int = 1
    committee_visits_per_year: int = 4
    term_years: int = 3
    community_term_years: int = 5

    def __post_init__(self):
        if self.win_basis not in WIN_BASIS_LABELS:
            raise ValueError(f"unknown win_basis {self.win_basis!r}")
        object.__setattr__(self, "term_alert_days", tuple(sorted(self.term_alert_days, reverse=True)))

    def default_term_years(self, setup_kind: str) -> int:
        return self.community_term_years if setup_kind == "community" else self.term_years

    def candidates_needed(self, seats: int) -> int:
        """Candidates ≥ seats × ratio, rounded up (5 seats → 6). Integer arithmetic, no float surprises."""
        from fractions import Fraction

        return math.ceil(Fraction(self.candidate_ratio) * seats)

    def quorum_met(self, due: int, present: int) -> bool:
        """Strictly more than 4/5 of those due: exactly 4/5 is not enough."""
        return due > 0 and present * self.quorum_denominator > due * self.quorum_numerator

    def votes_to_win(self, due: int, present: int, basis: str | None = None) -> int:
        """Fewest votes that are more than half of the basis."""
        base = due if (basis or self.win_basis) == WIN_BASIS_DUE else present
        return base // 2 + 1


def current_rules() -> OrgRules:
    """The installation's default: settings.CHANGQING["ORG_RULES"] over DOMAIN.md; a policy overrides it."""
    return rules_from_data({})


def default_data() -> dict:
    from django.conf import settings

    return {**DEFAULT_RULES, **getattr(settings, "CHANGQING", {}).get("ORG_RULES", {})}


def rules_from_data(values: dict) -> OrgRules:
    """An "orgs.thresholds" policy version's values over the installation's default."""
    data = {**default_data(), **values}
    data["term_alert_days"] = tuple(data["term_alert_days"])
    data["candidate_ratio"] = str(data["candidate_ratio"])
    return OrgRules(**data)


# -- elections ---------------------------------------------------------------

@dataclass
class Candidate:
    key: int  # the membership id
    name: str
    votes: int
    eligible: bool = True  # a full member of the branch on the election day


@dataclass
class ElectionCheck:
    errors: dict[str, list[str]] = field(default_factory=dict)  # field -> Chinese messages; blocks saving
    notes: list[str] = field(default_factory=list)  # facts about the result (ties, unfilled seats)
    elected: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # rules broken only with a warning (size 6–7, timing)
    votes_to_win: int = 0
    candidates_needed: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, field_name: str, message: str):
        self.errors.setdefault(field_name, []).append(message)


def check_election(*, seats: int, due: int, present: int, eligible_voters: int, candidates: list[Candidate],
                   basis: str, rules: OrgRules) -> ElectionCheck:
    """Apply DOMAIN.md §3 rule 6 to one election's figures and work out who is elected.

    An election that breaks a rule is not recorded (errors); one that is valid
    but leaves seats unfilled or ends in a tie is recorded with a note.
    """
    result = ElectionCheck(candidates_needed=rules.candidates_needed(max(seats, 0)))
    if seats < 1:
        result.add("seats", "应选名额至少为1")
    elif seats > rules.committee_max_size:
        result.add("seats", f"支部委员会最多{rules.committee_max_size}人，应选名额不能超过{rules.committee_max_size}")
    if due < 1:
        result.add("due_to_attend", "应到会人数至少为1")
    elif due > eligible_voters:
        result.add("due_to_attend",
                   f"应到会人数（{due}）多于选举日本支部有选举权的正式党员人数（{eligible_voters}），预备党员没有选举权")
    if present < 0:
        result.add("present", "实到会人数不能为负数")
    elif present > due >= 0:
        result.add("present", f"实到会人数（{present}）不能多于应到会人数（{due}）")
    elif due > 0 and not rules.quorum_met(due, present):
        need = due * rules.quorum_numerator // rules.quorum_denominator + 1
        result.add("present", f"实到会{present}人，未超过应到会{due}人的{rules.quorum_numerator}/{rules.quorum_denominator}"
                              f"（至少需要{need}人），选举无效")
    if seats >= 1 and len(candidates) < result.candidates_needed:
        result.add("candidates", f"应选{seats}名，候选人应不少于{result.candidates_needed}名"
                                 f"（多于应选人数的{_percent(rules.candidate_ratio)}），现有{len(candidates)}名")
    seen = set()
    for c in candidates:
        if c.key in seen:
            result.add("candidates", f"{c.name}重复列为候选人")
        seen.add(c.key)
        if not c.eligible:
            result.add("candidates", f"{c.name}在选举日不是本支部正式党员，没有被选举权")
        if c.votes < 0:
            result.add("candidates", f"{c.name}的得票数不能为负数")
        elif c.votes > present >= 0:
            result.add("candidates", f"{c.name}得票{c.votes}，多于实到会人数{present}")
    total = sum(max(c.votes, 0) for c in candidates)
    if seats >= 1 and present >= 0 and total > present * seats:
        # Each voter has at most one vote per seat (the integrity audit reports older records that break this).
        result.add("candidates", f"全部候选人得票合计{total}票，超过实到会{present}人×应选{seats}名={present * seats}票"
                                 f"（每位到会党员每个名额最多投一票），请核对选票")
    if not result.ok:
        return result
    result.votes_to_win = rules.votes_to_win(due, present, basis)
    passing = sorted((c for c in candidates if c.votes >= result.votes_to_win), key=lambda c: -c.votes)
    if len(passing) > seats:
        cutoff = passing[seats - 1].votes
        if passing[seats].votes == cutoff:
            tied = [c.name for c in passing if c.votes == cutoff]
            result.notes.append(f"{'、'.join(tied)}得票相同（{cutoff}票），需就最后的名额再次投票")
            passing = [c for c in passing if c.votes > cutoff]
        else:
            passing = passing[:seats]
    result.elected = [c.key for c in passing]
    if len(result.elected) < seats:
        result.notes.append(f"当选{len(result.elected)}名，少于应选{seats}名，差额名额需另行选举"
                            f"（当选须得票不少于{result.votes_to_win}票）")
    return result


def votes_total_error(*, votes: list[int], present: int, seats: int) -> str:
    """Each voter marks at most one name per seat: the votes together are at most present × seats."""
    total = sum(v for v in votes if v > 0)
    if seats >= 1 and present >= 0 and total > present * seats:
        return (f"得票总数{total}超过实到会人数×应选名额（{present}×{seats}={present * seats}）："
                f"每位选举人对每个名额至多投一票，请核对")
    return ""


def _percent(ratio: str) -> str:
    from fractions import Fraction

    return f"{int((Fraction(ratio) - 1) * 100)}%"


# -- committee form by size (§3 rule 3) and election timing (§3 rule 5) ------------------------

def committee_form_check(*, full_members: int, seats: int, form: str | None, rules: OrgRules
                         ) -> tuple[list[str], list[str]]:
    """(errors, warnings) for a 班子 of `seats` people in `form` ("committee"/"secretary"; None = by seats)
    at a branch with `full_members` full members. Fewer than 7 full members: a secretary and optionally a
    deputy, no committee; 7 or more: a committee of 3–5, 6–7 with a warning, never more than 7."""
    errors, warnings = [], []
    n = rules.committee_from_full_members
    committee = (seats >= rules.committee_min_size) if form is None else form == "committee"
    if full_members < n:
        if committee or seats > 2:
            errors.append(f"本支部正式党员{full_members}人，不足{n}人，不设支部委员会，只设书记一名、"
                          f"可设副书记一名（至多2人），现为{seats}人")
        return errors, warnings
    if not committee:
        errors.append(f"本支部正式党员{full_members}人（{n}人以上），应设支部委员会"
                      f"（{rules.committee_min_size}至{rules.committee_usual_max_size}人），不能只设书记、副书记")
    elif seats < rules.committee_min_size:
        errors.append(f"支部委员会至少{rules.committee_min_size}人，现为{seats}人")
    elif seats > rules.committee_max_size:
        errors.append(f"支部委员会最多{rules.committee_max_size}人，现为{seats}人")
    elif seats > rules.committee_usual_max_size:
        warnings.append(f"支部委员会一般为{rules.committee_min_size}至{rules.committee_usual_max_size}人，"
                        f"{seats}人超过一般人数（最多{rules.committee_max_size}人），请确认确有需要")
    return errors, warnings


TIMING_ON = "on_schedule"
TIMING_EARLY = "early"
TIMING_LATE = "late"


@dataclass
class TimingCheck:
    state: str = TIMING_ON
    days: int = 0  # held_on − term end: > 0 late, < 0 early
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def election_timing(*, held_on: dt.date, term_end: dt.date | None, approval_no: str = "",
                    approval_on: dt.date | None = None, rules: OrgRules) -> TimingCheck:
    """§3 rule 5 (选举工作条例 2020 第三条): a term that expires is renewed on time; an early or late
    election needs the upper level's approval (its number and date) and may not move the term by more
    than a year. Reading kept here: off schedule without approval → a warning; more than a year off →
    refused, with or without approval (the rule caps the move at a year)."""
    out = TimingCheck()
    if term_end is None:
        return out
    out.days = (held_on - term_end).days
    if abs(out.days) <= rules.election_grace_days:
        return out
    late = out.days > 0
    out.state = TIMING_LATE if late else TIMING_EARLY
    what = f"任期届满（{term_end:%Y年%m月%d日}）后{out.days}天才换届（延期）" if late else \
        f"任期届满（{term_end:%Y年%m月%d日}）前{-out.days}天提前换届"
    beyond = held_on > add_years(term_end, 1) if late else held_on < add_years(term_end, -1)
    if beyond:
        out.errors["held_on"] = [f"本次选举在{what}，超过一年。按《中国共产党基层组织选举工作条例》第三条，"
                                 f"延期或提前换届不得超过一年，即使经上级批准也不能记录；请核对选举日期"]
        return out
    approval_no = (approval_no or "").strip()
    if approval_no and approval_on is None:
        out.errors["approval_on"] = ["填写了上级批复文号，请同时填写批复日期"]
    elif approval_on is not None and not approval_no:
        out.errors["approval_no"] = ["填写了批复日期，请同时填写上级批复文号"]
    elif approval_on is not None and approval_on > held_on:
        out.warnings.append("批复日期晚于选举日期，应先报批后选举，请核对")
    if not approval_no:
        out.warnings.append(f"本次选举在{what}，须经上级党组织批准；请填写上级批复文号和批复日期")
    return out


# -- terms -------------------------------------------------------------------

def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


TERM_OVERDUE = "overdue"
TERM_DUE_SOON = "due_soon"  # within the smallest alert window (30 days)
TERM_DUE = "due"  # within the largest alert window (90 days)
TERM_OK = "ok"
TERM_LABELS = {TERM_OVERDUE: "已到期未换届", TERM_DUE_SOON: "30天内到期", TERM_DUE: "90天内到期", TERM_OK: "任期内"}


def term_state(end_on: dt.date, today: dt.date, rules: OrgRules) -> str:
    days = (end_on - today).days
    if days < 0:
        return TERM_OVERDUE
    windows = rules.term_alert_days
    if windows and days <= windows[-1]:
        return TERM_DUE_SOON
    if windows and days <= windows[0]:
        return TERM_DUE
    return TERM_OK


# -- size --------------------------------------------------------------------

SIZE_TOO_FEW = "too_few"
SIZE_TOO_MANY = "too_many"
SIZE_NEEDS_COMMITTEE = "needs_committee"
SIZE_COMMITTEE_NOT_ALLOWED = "committee_not_allowed"  # a committee with fewer than 7 full members


def size_warnings(*, full_members: int, members: int, has_committee: bool, rules: OrgRules,
                  temporary: bool = False) -> list[str]:
    """temporary: exempt from "too few" (a 老年大学临时 branch, or one whose roll is not kept here)."""
    out = []
    if full_members < rules.min_full_members and not temporary:
        out.append(SIZE_TOO_FEW)
    if members > rules.max_members:
        out.append(SIZE_TOO_MANY)
    if full_members >= rules.committee_from_full_members and not has_committee:
        out.append(SIZE_NEEDS_COMMITTEE)
    if full_members < rules.committee_from_full_members and has_committee:
        out.append(SIZE_COMMITTEE_NOT_ALLOWED)
    return out


def size_labels(rules: OrgRules) -> dict[str, str]:
    return {
        SIZE_TOO_FEW: f"正式党员少于{rules.min_full_members}人",
        SIZE_TOO_MANY: f"党员超过{rules.max_members}人",
        SIZE_NEEDS_COMMITTEE: f"班子形式与人数不符：正式党员{rules.committee_from_full_members}人以上未设支部委员会",
        SIZE_COMMITTEE_NOT_ALLOWED: f"班子形式与人数不符：正式党员不足{rules.committee_from_full_members}人"
                                    f"却设支部委员会（应只设书记、副书记）",
    }
