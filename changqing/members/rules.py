"""The absence rule (流动党员, DOMAIN.md §6): what is due for a member living away.

Pure Python, no database: `assess()` says what one absence needs on a day.
The selectors fetch the few columns it needs for a whole subtree in one query.
The rule is a policy (kind "members.absence", versioned per organisation in
changqing.policies) whose default is the retiree rule of seed 000 篇6: a stay
over 6 months → temporary organisational relationship; under 6 months → the
member reports to the branch; a stay of exactly the limit counts as long
(DOMAIN.md §6, the general rule's ≥6). The setting CHANGQING["ABSENCE_RULE"]
still changes the default for an installation.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

LONG_STAY_ACTIONS = {
    "temporary_relationship": "转临时组织关系",
    "transfer": "转接正式组织关系",
}
SHORT_STAY_ACTIONS = {
    "report_to_branch": "向支部说明情况并按时报告",
    "temporary_relationship": "转临时组织关系或持流动党员活动证",
}

DEFAULT_RULE = {
    # Seed 000 篇6 (retired branches). The standard rule of 党章/组织部 guidance is
    # limit 6, long_stay "transfer", short_stay "temporary_relationship".
    "limit_months": 6,
    "long_stay": "temporary_relationship",
    "short_stay": "report_to_branch",
    # Local defaults, not from a regulation: warn a month ahead, expect a report monthly.
    "warn_before_days": 30,
    "report_every_days": 30,
    # DOMAIN.md §6: exactly six months counts as a long stay (the general rule's ≥6).
    "exact_limit_is_long": True,
}


@dataclass(frozen=True)
class AbsenceRule:
    limit_months: int = 6
    long_stay: str = "temporary_relationship"
    short_stay: str = "report_to_branch"
    warn_before_days: int = 30
    report_every_days: int = 30
    exact_limit_is_long: bool = True

    def __post_init__(self):
        if self.limit_months < 1:
            raise ValueError("limit_months must be at least 1")
        if self.long_stay not in LONG_STAY_ACTIONS or self.short_stay not in SHORT_STAY_ACTIONS:
            raise ValueError("unknown absence action")

    @property
    def long_label(self) -> str:
        return LONG_STAY_ACTIONS[self.long_stay]

    @property
    def short_label(self) -> str:
        return SHORT_STAY_ACTIONS[self.short_stay]


ABSENCE_POLICY = "members.absence"


def default_data() -> dict:
    from django.conf import settings

    return {**DEFAULT_RULE, **getattr(settings, "CHANGQING", {}).get("ABSENCE_RULE", {})}


def rule_from_data(values: dict) -> AbsenceRule:
    return AbsenceRule(**{k: v for k, v in {**default_data(), **values}.items() if k in DEFAULT_RULE})


def current_rule(org=None, on: dt.date | None = None) -> AbsenceRule:
    """The absence rule in force for `org` (its own or inherited policy version); the default without one."""
    if org is None:
        return rule_from_data({})
    from django.utils import timezone

    from changqing.policies.selectors import policy_for

    return policy_for(ABSENCE_POLICY, org, on or timezone.localdate())


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, the day clamped to the month's end (8-31 + 6 months = 2-28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


class Due:
    NONE = "none"
    RETURNED = "returned"
    HOSTED = "hosted"  # the temporary relationship is in place
    LONG_OVERDUE = "long_overdue"  # crossed the limit, action not taken
    LONG_PLANNED = "long_planned"  # planned beyond the limit, action not taken yet
    LONG_SOON = "long_soon"  # will cross the limit within warn_before_days
    REPORT = "report"  # short stay, report to the branch is due

    LABELS = {
        "long_overdue": "已超期",
        "long_planned": "预计超期",
        "long_soon": "即将超期",
        "report": "应报告",
        "hosted": "已转临时关系",
        "returned": "已返回",
        "none": "正常",
    }
    ALERTS = (LONG_OVERDUE, LONG_PLANNED, LONG_SOON, REPORT)


@dataclass(frozen=True)
class Assessment:
    due: str
    limit_on: dt.date  # the day the stay reaches the limit
    message: str

    @property
    def is_alert(self) -> bool:
        return self.due in Due.ALERTS

    @property
    def label(self) -> str:
        return Due.LABELS[self.due]


def assess(*, start_on: dt.date, end_on: dt.date | None, expected_end_on: dt.date | None, hosted: bool,
           last_report_on: dt.date | None, today: dt.date, rule: AbsenceRule) -> Assessment:
    limit_on = add_months(start_on, rule.limit_months)
    n = rule.limit_months
    # Exactly the limit: long by default (≥); a policy may count only a stay beyond it (>).
    reached = (lambda day: day >= limit_on) if rule.exact_limit_is_long else (lambda day: day > limit_on)
    if end_on is not None and end_on <= today:
        return Assessment(Due.RETURNED, limit_on, f"已于{end_on:%Y年%m月%d日}返回")
    if hosted:
        return Assessment(Due.HOSTED, limit_on, "已转临时组织关系，在外地党组织参加组织生活（无表决权）")
    if reached(today):
        return Assessment(Due.LONG_OVERDUE, limit_on,
                          f"外出已满{n}个月（{limit_on:%Y年%m月%d日}），应{rule.long_label}")
    planned_end = end_on or expected_end_on
    if end_on is None and planned_end is not None and planned_end < today:
        planned_end = None  # the expected return has passed and nobody recorded one: the plan says nothing
    if planned_end is not None and planned_end > limit_on:
        return Assessment(Due.LONG_PLANNED, limit_on,
                          f"预计外出超过{n}个月，应在{limit_on:%Y年%m月%d日}前{rule.long_label}")
    if (limit_on - today).days <= rule.warn_before_days and (planned_end is None or reached(planned_end)):
        return Assessment(Due.LONG_SOON, limit_on,
                          f"将于{limit_on:%Y年%m月%d日}满{n}个月，届时应{rule.long_label}")
    last = last_report_on or start_on
    if (today - last).days >= rule.report_every_days:
        since = "外出后未报告" if last_report_on is None else f"上次报告为{last_report_on:%Y年%m月%d日}"
        return Assessment(Due.REPORT, limit_on, f"外出不满{n}个月，应{rule.short_label}（{since}）")
    return Assessment(Due.NONE, limit_on, f"外出不满{n}个月，{rule.short_label}")
