"""A dues bracket change from 2027 leaves 2026's amounts and arrears as they were (issue 14 §4)."""
import datetime as dt
from decimal import Decimal as D

from changqing.dues import rules
from changqing.dues.selectors import compute
from changqing.members.models import Membership

from .helpers import add_members, set_policy

JUNE_2026, JAN_2027 = dt.date(2026, 6, 1), dt.date(2027, 1, 1)


def _dues(qs, months, as_of):
    return compute(qs, months, as_of=as_of)[0]


def test_bracket_change_from_2027_leaves_2026_as_it_was(tree):
    (m,) = add_members(tree.a, 1, pension="4000.00", since=dt.date(2026, 1, 1))  # ≤5000 → 0.5% → 20.00
    qs = Membership.objects.filter(pk=m.pk)
    set_policy(tree.root)
    months_2026 = rules.month_range(dt.date(2026, 1, 1), 12)
    before = _dues(qs, months_2026, dt.date(2026, 12, 1))
    assert before.months[JUNE_2026].due == D("20.00") and before.arrears_months == 12

    # From 2027 the first retiree bracket is 1 % (a bureau decision); the version before it ends on 2026-12-31.
    set_policy(tree.root, valid_from=JAN_2027,
               retiree_brackets=(rules.Bracket(D("5000"), D("0.01")), rules.Bracket(None, D("0.02"))))
    after = _dues(qs, months_2026, dt.date(2026, 12, 1))
    assert [after.months[x].due for x in months_2026] == [before.months[x].due for x in months_2026]
    assert after.unsettled_due == before.unsettled_due == D("240.00")  # the 2026 arrears are unchanged
    assert after.arrears_months == before.arrears_months
    both = _dues(qs, [dt.date(2026, 12, 1), JAN_2027], JAN_2027)
    assert both.months[dt.date(2026, 12, 1)].due == D("20.00")
    assert both.months[JAN_2027].due == D("40.00")  # 2027 uses the new bracket


def test_a_branch_version_from_a_later_date_does_not_apply_before_it(tree):
    (m,) = add_members(tree.a, 1, pension="4000.00", since=dt.date(2026, 1, 1))
    qs = Membership.objects.filter(pk=m.pk)
    set_policy(tree.root, rounding="half_up")
    set_policy(tree.a, valid_from=JAN_2027, retiree_brackets=(rules.Bracket(None, D("0.015")),))
    got = _dues(qs, [dt.date(2026, 12, 1), JAN_2027], JAN_2027)
    assert got.months[dt.date(2026, 12, 1)].due == D("20.00") and got.months[JAN_2027].due == D("60.00")
