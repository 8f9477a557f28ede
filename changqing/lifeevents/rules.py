"""The life-events policy (kind `lifeevents`): pure values and defaults, testable without a database.

Defaults (issue 20): visit a member in hospital within 3 days; a stay longer than 30 days, or the
3rd stay within 12 months, raises the care level; after a death the branch's checklist has four
steps (慰问家属, 送别/追思, 抚恤金与遗属补助申请, 档案移交), each with days to do it and who does it.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

KIND = "lifeevents"

ROLE_LABELS = {"branch_secretary": "支部书记", "carer": "服务专员", "bureau_admin": "老干部局"}

DEFAULT_STEPS = (
    ("慰问家属", 3, "branch_secretary"),
    ("送别/追思", 7, "branch_secretary"),
    ("抚恤金与遗属补助申请", 30, "bureau_admin"),
    ("档案移交", 60, "bureau_admin"),
)

DEFAULTS = {
    "visit_days": 3,
    "long_stay_days": 30,
    "repeat_count": 3,
    "repeat_months": 12,
    "steps": [list(s) for s in DEFAULT_STEPS],
}


@dataclass(frozen=True)
class Rules:
    visit_days: int = 3
    long_stay_days: int = 30
    repeat_count: int = 3
    repeat_months: int = 12
    steps: tuple = DEFAULT_STEPS


def parse(values: dict) -> Rules:
    v = {**DEFAULTS, **(values or {})}
    return Rules(visit_days=int(v["visit_days"]), long_stay_days=int(v["long_stay_days"]),
                 repeat_count=int(v["repeat_count"]), repeat_months=int(v["repeat_months"]),
                 steps=tuple((str(s[0]), int(s[1]), str(s[2])) for s in v["steps"]))


def visit_due(admitted_on: dt.date, rules: Rules) -> dt.date:
    return admitted_on + dt.timedelta(days=rules.visit_days)


def months_back(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def care_level_reason(*, stay_days: int, stays_in_window: int, rules: Rules) -> str:
    """Why a stay raises the care level, or "" when it does not."""
    if stay_days > rules.long_stay_days:
        return f"住院超过{rules.long_stay_days}天（{stay_days}天）"
    if stays_in_window >= rules.repeat_count:
        return f"{rules.repeat_months}个月内第{stays_in_window}次住院"
    return ""


def parse_steps(text: str) -> list[list]:
    """'事项|天数|角色' per line → [[step, days, role]]; raises ValueError with a Chinese message."""
    codes = {label: code for code, label in ROLE_LABELS.items()}
    steps = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not parts[0]:
            raise ValueError(f"第{n}行格式应为：事项|天数|负责角色")
        try:
            days = int(parts[1])
        except ValueError:
            raise ValueError(f"第{n}行的天数应为整数") from None
        if not 0 <= days <= 365:
            raise ValueError(f"第{n}行的天数应在0到365之间")
        role = codes.get(parts[2], parts[2])
        if role not in ROLE_LABELS:
            raise ValueError(f"第{n}行的负责角色应为：{'、'.join(ROLE_LABELS.values())}")
        steps.append([parts[0][:100], days, role])
    if not steps:
        raise ValueError("请至少填写一个事项")
    return steps


def steps_text(steps) -> str:
    return "\n".join(f"{s[0]}|{s[1]}|{ROLE_LABELS.get(s[2], s[2])}" for s in steps)
