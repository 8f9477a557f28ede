"""Party dues rules (DOMAIN.md §5), pure Python: no database, no Django.

Every number here comes from a `Rules` value built from the dues policy in force
for the branch and month (changqing.policies; `rules_from_data`), or the DOMAIN.md
defaults below, so a bureau changes brackets, rounding, fixed amounts and limits as
data, from a date on. Money is Decimal, exact to the fen (0.01元).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")

WORKING = "working"
RETIREE = "retiree"
FARMER = "farmer"
STUDENT = "student"  # students, the unemployed and 低保 recipients
CATEGORIES = (WORKING, RETIREE, FARMER, STUDENT)

ROUNDINGS = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}

PENSION_WHOLE = "whole"
PENSION_BASIC = "basic"

ASSESS_YEARLY = "yearly"  # 年初核定: January's base fixes the whole year
ASSESS_MONTHLY = "monthly"


@dataclass(frozen=True)
class Bracket:
    upto: Decimal | None  # inclusive upper bound of the base; None = no bound
    rate: Decimal


def brackets_from_data(rows: list[dict]) -> tuple[Bracket, ...]:
    """[{"upto": "3000", "rate": "0.005"}, …, {"upto": null, "rate": "0.02"}] → Brackets, checked."""
    out = []
    for row in rows:
        upto = row.get("upto")
        out.append(Bracket(None if upto in (None, "") else Decimal(str(upto)), Decimal(str(row["rate"]))))
    validate_brackets(out)
    return tuple(out)


def brackets_to_data(brackets) -> list[dict]:
    return [{"upto": None if b.upto is None else str(b.upto), "rate": str(b.rate)} for b in brackets]


class RuleError(ValueError):
    """A rule set or an input that the rules reject; the message is for the user (Chinese)."""


def validate_brackets(brackets) -> None:
    if not brackets:
        raise RuleError("至少需要一个档次")
    last = None
    for i, b in enumerate(brackets):
        if b.rate < 0 or b.rate > 1:
            raise RuleError(f"第{i + 1}档的比例必须在0到1之间（如0.005表示0.5%）")
        if b.upto is None:
            if i != len(brackets) - 1:
                raise RuleError("只有最后一档可以不设上限")
            continue
        if last is not None and b.upto <= last:
            raise RuleError(f"第{i + 1}档的上限必须大于上一档（{last}）")
        last = b.upto
    if brackets[-1].upto is not None:
        raise RuleError("最后一档不能设上限，否则高于上限的基数没有比例")


# DOMAIN.md §5 (中组发〔2008〕3号): the rate applies to the whole base.
WORKING_BRACKETS = (
    Bracket(Decimal("3000"), Decimal("0.005")),
    Bracket(Decimal("5000"), Decimal("0.01")),
    Bracket(Decimal("10000"), Decimal("0.015")),
    Bracket(None, Decimal("0.02")),
)
RETIREE_BRACKETS = (
    Bracket(Decimal("5000"), Decimal("0.005")),
    Bracket(None, Decimal("0.01")),
)


@dataclass(frozen=True)
class Rules:
    working_brackets: tuple[Bracket, ...] = WORKING_BRACKETS
    retiree_brackets: tuple[Bracket, ...] = RETIREE_BRACKETS
    farmer_amount: Decimal = Decimal("0.20")  # province sets 0.2–1元; lower bound by default
    student_amount: Decimal = Decimal("0.20")
    pension_basis: str = PENSION_BASIC  # DOMAIN.md §5: the basic pension (组电明字〔2017〕5号) unless a policy says the whole
    rounding: str = "half_up"
    assessment: str = ASSESS_YEARLY
    advance_max_months: int = 6
    backpay_max_months: int = 6
    large_payment_threshold: Decimal = Decimal("1000")
    warning_months: tuple[int, ...] = (3, 5, 6)
    quarterly_allowed: bool = False
    # DOMAIN.md §5 (a policy): a member on at least one day of a month owes it, so the month of death is owed.
    death_month_owed: bool = True

    def with_(self, **changes) -> Rules:
        return replace(self, **changes)


DEFAULT_RULES = Rules()

def rules_to_data(r: Rules) -> dict:
    """The values a dues policy version stores (JSON): brackets as rows, money as strings. Not the warning
    months nor the quarterly consent: those are policies of their own kinds (warning_months, dues.quarterly)."""
    return {"working_brackets": brackets_to_data(r.working_brackets),
            "retiree_brackets": brackets_to_data(r.retiree_brackets),
            "farmer_amount": str(r.farmer_amount), "student_amount": str(r.student_amount),
            "pension_basis": r.pension_basis, "rounding": r.rounding, "assessment": r.assessment,
            "advance_max_months": r.advance_max_months, "backpay_max_months": r.backpay_max_months,
            "large_payment_threshold": str(r.large_payment_threshold), "death_month_owed": r.death_month_owed}


def rules_from_data(values: dict) -> Rules:
    """A dues policy version's values → Rules; a missing key keeps the DOMAIN.md default."""
    v = {**rules_to_data(DEFAULT_RULES), **values}
    return Rules(working_brackets=brackets_from_data(v["working_brackets"]),
                 retiree_brackets=brackets_from_data(v["retiree_brackets"]),
                 farmer_amount=Decimal(str(v["farmer_amount"])), student_amount=Decimal(str(v["student_amount"])),
                 pension_basis=v["pension_basis"], rounding=v["rounding"], assessment=v["assessment"],
                 advance_max_months=int(v["advance_max_months"]), backpay_max_months=int(v["backpay_max_months"]),
                 large_payment_threshold=Decimal(str(v["large_payment_threshold"])),
                 death_month_owed=bool(v["death_month_owed"]))


def round_money(value: Decimal, rounding: str) -> Decimal:
    try:
        mode = ROUNDINGS[rounding]
    except KeyError:
        raise RuleError(f"未知的舍入方式：{rounding}") from None
    return value.quantize(FEN, rounding=mode)


def rate_for(base: Decimal, brackets) -> Decimal:
    for b in brackets:
        if b.upto is None or base <= b.upto:
            return b.rate
    raise RuleError("档次设置不完整")


def base_for(category: str, *, income=None, pension_whole=None, pension_basic=None,
             rules: Rules = DEFAULT_RULES) -> Decimal | None:
    """The figure the rate applies to: pay for working members, the pension the rules name for retirees."""
    if category == WORKING:
        return _dec(income)
    if category == RETIREE:
        return _dec(pension_basic if rules.pension_basis == PENSION_BASIC else pension_whole)
    return None


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


@dataclass(frozen=True)
class Assessment:
    category: str
    base: Decimal | None  # None for fixed-amount categories or a missing figure
    rate: Decimal | None
    amount: Decimal | None  # None when the base is missing: the branch must fill it in


def monthly_dues(category: str, *, income=None, pension_whole=None, pension_basic=None,
                 rules: Rules = DEFAULT_RULES) -> Assessment:
    if category == FARMER:
        return Assessment(category, None, None, rules.farmer_amount)
    if category == STUDENT:
        return Assessment(category, None, None, rules.student_amount)
    if category not in (WORKING, RETIREE):
        raise RuleError(f"未知的党员类别：{category}")
    base = base_for(category, income=income, pension_whole=pension_whole, pension_basic=pension_basic, rules=rules)
    if base is None:
        return Assessment(category, None, None, None)
    if base < 0:
        raise RuleError("基数不能为负数")
    brackets = rules.working_brackets if category == WORKING else rules.retiree_brackets
    rate = rate_for(base, brackets)
    return Assessment(category, base, rate, round_money(base * rate, rules.rounding))


# -- months ---------------------------------------------------------------

def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole months from a to b (b - a), both taken as months."""
    return (b.year * 12 + b.month) - (a.year * 12 + a.month)


def month_range(first: dt.date, count: int) -> list[dt.date]:
    return [add_months(month_start(first), i) for i in range(count)]


def parse_month(text: str) -> dt.date:
    """'2025-03' → 2025-03-01; a clear Chinese error otherwise."""
    try:
        y, m = str(text).strip().split("-")
        return dt.date(int(y), int(m), 1)
    except (ValueError, TypeError):
        raise RuleError(f"月份格式应为 年-月，如 2025-03（收到：{text}）") from None


def month_label(d: dt.date) -> str:
    return f"{d.year}年{d.month}月"


def assessment_month(month: dt.date, rules: Rules) -> dt.date:
    """Which month's base fixes the dues of `month`: January under 年初核定, else the month itself."""
    return month.replace(month=1, day=1) if rules.assessment == ASSESS_YEARLY else month_start(month)


def check_payment_window(first_month: dt.date, months: int, current: dt.date, rules: Rules = DEFAULT_RULES) -> list[str]:
    """Chinese errors when a payment reaches further back or ahead than the rules allow."""
    errors = []
    if months < 1:
        return ["缴纳月数至少为1个月"]
    current = month_start(current)
    first = month_start(first_month)
    last = add_months(first, months - 1)
    earliest = add_months(current, -rules.backpay_max_months)
    latest = add_months(current, rules.advance_max_months)
    if first < earliest:
        errors.append(f"补缴最多{rules.backpay_max_months}个月：最早只能补缴到{month_label(earliest)}"
                      f"（所填起始月份为{month_label(first)}）")
    if last > latest:
        errors.append(f"预缴最多{rules.advance_max_months}个月：最晚只能预缴到{month_label(latest)}"
                      f"（所填截止月份为{month_label(last)}）")
    return errors


# -- who owes a month ----------------------------------------------------------

def last_month_owed(ended_on: dt.date | None, active: bool, *, deceased: bool = False,
                    death_month_owed: bool = True) -> dt.date | None:
    """The last month a membership owes dues for: the month of its last day (`ended_on` is the first day it no
    longer holds, as everywhere in the roster); None while it lasts. Ended without a date: nothing is owed.
    A death under a policy that does not ask the month of death: the month before it."""
    if ended_on is not None:
        if deceased and not death_month_owed:
            return add_months(month_start(ended_on), -1)
        return month_start(ended_on - dt.timedelta(days=1))
    return None if active else dt.date.min


def owes(month: dt.date, *, joined_on: dt.date, ended_on: dt.date | None, active: bool,
         first_base: dt.date | None, deceased: bool = False, death_month_owed: bool = True) -> bool:
    """Whether dues are owed for `month`: by a member on at least one day of it (the month of joining and the month
    of dying or transferring out are owed), and once a base is recorded, not before it. A member with no base yet
    owes, the amount unknown. dues.selectors.owes_q is the same rule in SQL (a test checks they agree)."""
    first, last = owed_span(joined_on=joined_on, ended_on=ended_on, active=active, first_base=first_base,
                            deceased=deceased, death_month_owed=death_month_owed)
    month = month_start(month)
    return first <= month and (last is None or month <= last)


def owed_span(*, joined_on: dt.date, ended_on: dt.date | None, active: bool,
              first_base: dt.date | None, deceased: bool = False,
              death_month_owed: bool = True) -> tuple[dt.date, dt.date | None]:
    """The first and last month `owes` is true for (last None while the membership lasts), so a loop over many
    months asks once per member."""
    first = month_start(joined_on)
    if first_base is not None and first_base > first:
        first = first_base
    return first, last_month_owed(ended_on, active, deceased=deceased, death_month_owed=death_month_owed)


# -- arrears ---------------------------------------------------------------

def consecutive_unpaid(last_settled: dt.date | None, start: dt.date | None, as_of: dt.date) -> int:
    """Months in a row without dues up to and including `as_of` (党章第九条 counts consecutive months).

    `last_settled` is the latest month on or before as_of that was paid or waived;
    `start` the first month dues were owed (nothing is owed before it).
    """
    as_of = month_start(as_of)
    if start is not None and month_start(start) > as_of:
        return 0
    if last_settled is not None:
        return max(0, months_between(month_start(last_settled), as_of))
    if start is None:
        return 0
    return months_between(month_start(start), as_of) + 1


def warning_level(arrears: int, rules: Rules = DEFAULT_RULES) -> int:
    """The highest warning threshold reached (0 = none): 3, 5 or 6 months by default."""
    level = 0
    for t in sorted(rules.warning_months):
        if arrears >= t:
            level = t
    return level


WARNING_TEXT = {
    3: "已连续{n}个月未交党费：请支部书记谈心提醒",
    5: "已连续{n}个月未交党费：再满一个月即达党章第九条规定的六个月，请尽快谈话",
    6: "已连续{n}个月未交党费：达到党章第九条的六个月，请支部党员大会研究处理（系统不会自动除名）",
}


def warning_text(arrears: int, rules: Rules = DEFAULT_RULES) -> str:
    level = warning_level(arrears, rules)
    if not level:
        return ""
    thresholds = sorted(rules.warning_months)
    # Map the configured thresholds onto the three messages in order (first, middle, last).
    idx = thresholds.index(level)
    key = 6 if idx == len(thresholds) - 1 else (3 if idx == 0 else 5)
    return WARNING_TEXT[key].format(n=arrears)


def band_labels(thresholds) -> dict[int, str]:
    """Each warning band's words: (3, 5, 6) → 连续欠缴3–4个月 / 5个月 / 6个月及以上."""
    ts = sorted(thresholds)
    out = {}
    for i, t in enumerate(ts):
        upper = ts[i + 1] - 1 if i + 1 < len(ts) else None
        out[t] = (f"连续欠缴{t}个月及以上" if upper is None else
                  f"连续欠缴{t}个月" if upper == t else f"连续欠缴{t}–{upper}个月")
    return out


def split_payment(due: Decimal, amount: Decimal) -> tuple[Decimal, Decimal]:
    """Regular part and voluntary extra of an amount paid against a due sum."""
    if amount < due:
        raise RuleError(f"实缴金额{amount}元少于应缴{due}元")
    return due, amount - due
