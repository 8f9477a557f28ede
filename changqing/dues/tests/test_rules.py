"""rules.py without a database: every bracket edge, each rounding, the payment window, arrears."""
import datetime as dt
from decimal import Decimal as D

import pytest

from changqing.dues import rules
from changqing.dues.rules import DEFAULT_RULES, RuleError, monthly_dues

# base, rate, exact product; the amount under each rounding follows from the product.
WORKING_EDGES = [
    ("0", "0.005"), ("2999.99", "0.005"), ("3000", "0.005"), ("3000.01", "0.01"), ("5000", "0.01"),
    ("5000.01", "0.015"), ("10000", "0.015"), ("10000.01", "0.02"), ("25000", "0.02"),
]
RETIREE_EDGES = [("2500", "0.005"), ("5000", "0.005"), ("5000.01", "0.01"), ("9000", "0.01")]

# Amounts by rounding (half_up, half_even, down), worked out by hand.
EXPECTED = {
    ("working", "3000"): ("15.00", "15.00", "15.00"),
    ("working", "3000.01"): ("30.00", "30.00", "30.00"),  # 30.0001
    ("working", "5000"): ("50.00", "50.00", "50.00"),
    ("working", "5000.01"): ("75.00", "75.00", "75.00"),  # 75.00015
    ("working", "10000"): ("150.00", "150.00", "150.00"),
    ("working", "10000.01"): ("200.00", "200.00", "200.00"),  # 200.0002
    ("working", "2999.99"): ("15.00", "15.00", "14.99"),  # 14.99995
    ("working", "4321.50"): ("43.22", "43.22", "43.21"),  # 43.215: half-even keeps the even 2
    ("working", "4322.50"): ("43.23", "43.22", "43.22"),  # 43.225: half-even goes down to 2
    ("retiree", "5000"): ("25.00", "25.00", "25.00"),
    ("retiree", "5000.01"): ("50.00", "50.00", "50.00"),  # 50.0001
    ("retiree", "3001"): ("15.01", "15.00", "15.00"),  # 15.005
    ("retiree", "3003"): ("15.02", "15.02", "15.01"),  # 15.015
}
ROUNDINGS = ["half_up", "half_even", "down"]


@pytest.mark.parametrize("base,rate", WORKING_EDGES)
def test_working_bracket_edges_apply_rate_to_whole_base(base, rate):
    a = monthly_dues("working", income=D(base))
    assert a.rate == D(rate)
    assert a.base == D(base)
    assert a.amount == (D(base) * D(rate)).quantize(D("0.01"), rounding="ROUND_HALF_UP")


@pytest.mark.parametrize("base,rate", RETIREE_EDGES)
@pytest.mark.parametrize("basis", ["whole", "basic"])
def test_retiree_bracket_edges_on_the_pension_the_rules_name(base, rate, basis):
    r = DEFAULT_RULES.with_(pension_basis=basis)
    other = D("99999")  # the figure that must NOT be used
    kwargs = {"pension_whole": D(base), "pension_basic": other} if basis == "whole" else {
        "pension_whole": other, "pension_basic": D(base)}
    a = monthly_dues("retiree", rules=r, **kwargs)
    assert a.base == D(base)
    assert a.rate == D(rate)


@pytest.mark.parametrize("key", sorted(EXPECTED))
@pytest.mark.parametrize("i,rounding", list(enumerate(ROUNDINGS)))
def test_each_rounding_setting(key, i, rounding):
    category, base = key
    r = DEFAULT_RULES.with_(rounding=rounding)
    kw = {"income": D(base)} if category == "working" else {"pension_whole": D(base), "pension_basic": D(base)}
    assert monthly_dues(category, rules=r, **kw).amount == D(EXPECTED[key][i])


def test_fixed_amount_categories_have_no_base_or_rate():
    a = monthly_dues("farmer", rules=DEFAULT_RULES.with_(farmer_amount=D("0.50")))
    assert (a.base, a.rate, a.amount) == (None, None, D("0.50"))
    s = monthly_dues("student")
    assert (s.base, s.rate, s.amount) == (None, None, D("0.20"))


def test_missing_base_gives_no_amount_and_bad_input_is_refused():
    assert monthly_dues("working").amount is None
    with pytest.raises(RuleError):
        monthly_dues("working", income=D("-1"))
    with pytest.raises(RuleError):
        monthly_dues("soldier", income=D("1"))
    with pytest.raises(RuleError):
        rules.round_money(D("1.005"), "ceiling")


def test_brackets_are_data_and_checked():
    custom = rules.brackets_from_data([{"upto": "4000", "rate": "0.01"}, {"upto": None, "rate": "0.03"}])
    r = DEFAULT_RULES.with_(working_brackets=custom)
    assert monthly_dues("working", income=D("4000"), rules=r).amount == D("40.00")
    assert monthly_dues("working", income=D("4000.01"), rules=r).amount == D("120.00")
    for bad, msg in [([], "至少"), ([{"upto": "3000", "rate": "0.005"}], "最后一档"),
                     ([{"upto": "5000", "rate": "0.01"}, {"upto": "3000", "rate": "0.02"}, {"upto": None, "rate": "0.03"}],
                      "必须大于"),
                     ([{"upto": None, "rate": "2"}], "0到1")]:
        with pytest.raises(RuleError, match=msg):
            rules.brackets_from_data(bad)


NOW = dt.date(2026, 11, 24)
WINDOW = [
    # first month, months, ok?  (back-payment and advance each at most 6 months)
    (dt.date(2026, 5, 1), 1, True),    # 6 months back: allowed
    (dt.date(2026, 4, 1), 1, False),   # 7 months back
    (dt.date(2026, 5, 1), 7, True),    # May..Nov
    (dt.date(2026, 11, 1), 7, True),   # Nov..May 2027: 6 ahead
    (dt.date(2026, 12, 1), 6, True),   # Dec..May
    (dt.date(2026, 12, 1), 7, False),  # Dec..Jun: 7 ahead
    (dt.date(2027, 5, 1), 1, True),
    (dt.date(2027, 6, 1), 1, False),
    (dt.date(2026, 4, 1), 14, False),  # both too far back and too far ahead
]


@pytest.mark.parametrize("first,count,ok", WINDOW)
def test_back_payment_and_advance_limits(first, count, ok):
    errors = rules.check_payment_window(first, count, NOW)
    assert (errors == []) is ok
    if not ok:
        assert all(("补缴最多6个月" in e) or ("预缴最多6个月" in e) for e in errors)


def test_window_limits_are_settings():
    r = DEFAULT_RULES.with_(backpay_max_months=3, advance_max_months=0)
    assert rules.check_payment_window(dt.date(2026, 8, 1), 1, NOW, r) == []
    assert rules.check_payment_window(dt.date(2026, 7, 1), 1, NOW, r)
    assert rules.check_payment_window(dt.date(2026, 12, 1), 1, NOW, r)
    assert rules.check_payment_window(NOW, 0, NOW) == ["缴纳月数至少为1个月"]


@pytest.mark.parametrize("last,start,as_of,expected", [
    (dt.date(2026, 10, 1), dt.date(2024, 1, 1), dt.date(2026, 10, 1), 0),
    (dt.date(2026, 7, 1), dt.date(2024, 1, 1), dt.date(2026, 10, 1), 3),
    (dt.date(2026, 5, 1), dt.date(2024, 1, 1), dt.date(2026, 10, 1), 5),
    (dt.date(2026, 4, 1), dt.date(2024, 1, 1), dt.date(2026, 10, 1), 6),
    (None, dt.date(2026, 8, 1), dt.date(2026, 10, 1), 3),   # never paid since August
    (None, dt.date(2026, 12, 1), dt.date(2026, 10, 1), 0),  # not yet owing
    (None, None, dt.date(2026, 10, 1), 0),                 # no base: nothing computed
])
def test_consecutive_unpaid(last, start, as_of, expected):
    assert rules.consecutive_unpaid(last, start, as_of) == expected


@pytest.mark.parametrize("arrears,level", [(0, 0), (2, 0), (3, 3), (4, 3), (5, 5), (6, 6), (11, 6)])
def test_warning_levels(arrears, level):
    assert rules.warning_level(arrears) == level
    assert ("支部党员大会" in rules.warning_text(arrears)) is (level == 6)
    assert (rules.warning_text(arrears) == "") is (level == 0)


def test_yearly_or_monthly_assessment():
    m = dt.date(2026, 8, 1)
    assert rules.assessment_month(m, DEFAULT_RULES) == dt.date(2026, 1, 1)
    assert rules.assessment_month(m, DEFAULT_RULES.with_(assessment="monthly")) == m


def test_months_helpers():
    assert rules.add_months(dt.date(2026, 11, 1), 3) == dt.date(2027, 2, 1)
    assert rules.add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert rules.parse_month("2025-03") == dt.date(2025, 3, 1)
    with pytest.raises(RuleError, match="年-月"):
        rules.parse_month("2025/13")
    assert rules.split_payment(D("20.00"), D("25.00")) == (D("20.00"), D("5.00"))
    with pytest.raises(RuleError, match="少于应缴"):
        rules.split_payment(D("20.00"), D("19.99"))
