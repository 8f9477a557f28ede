"""Who owes dues for a month: a member on at least one day of it (from the month of joining, or of the first
base, to the month of the last day as a member). compute() and the ledger follow it."""
import datetime as dt
from decimal import Decimal

import pytest

from changqing.dues import rules
from changqing.dues.models import DuesMonth
from changqing.dues.selectors import compute, owing_in
from changqing.members.models import Membership
from changqing.members.services import membership_transfer_out, retiree_record_death

from .helpers import add_members

pytestmark = pytest.mark.django_db
YEAR = 2025
M = {k: dt.date(YEAR, k, 1) for k in range(1, 13)}


@pytest.mark.parametrize("month,joined,ended,active,base,owes", [
    (M[3], dt.date(2000, 1, 1), None, True, None, True),             # no base yet: owed, amount unknown
    (M[3], dt.date(YEAR, 3, 31), None, True, None, True),            # joined on the month's last day
    (M[2], dt.date(YEAR, 3, 1), None, True, None, False),            # before joining
    (M[3], dt.date(2000, 1, 1), None, True, M[4], False),            # before the first base
    (M[3], dt.date(2000, 1, 1), dt.date(YEAR, 3, 15), False, None, True),   # died mid-March: March owed
    (M[4], dt.date(2000, 1, 1), dt.date(YEAR, 3, 15), False, None, False),
    (M[3], dt.date(2000, 1, 1), dt.date(YEAR, 3, 1), False, None, False),   # ended on the 1st: February last
    (M[2], dt.date(2000, 1, 1), dt.date(YEAR, 3, 1), False, None, True),
    (M[3], dt.date(2000, 1, 1), None, False, None, False),           # ended without a date: nothing known
])
def test_owes(month, joined, ended, active, base, owes):
    assert rules.owes(month, joined_on=joined, ended_on=ended, active=active, first_base=base) is owes


def test_compute_does_not_ask_dues_after_the_membership_ended(tree):
    died, moved = add_members(tree.a, 2, since=dt.date(YEAR - 1, 1, 1))
    DuesMonth.objects.create(membership=died, month=M[1], amount_due=Decimal("20"))
    retiree_record_death(retiree=died.retiree, on=dt.date(YEAR, 3, 15))
    membership_transfer_out(membership=moved, on=dt.date(YEAR, 4, 1), to_name="外省某党支部")
    rows = {r.membership_id: r for r in compute(Membership.objects.filter(pk__in=[died.pk, moved.pk]),
                                                list(M.values()), as_of=M[12])}
    d, m = rows[died.pk], rows[moved.pk]
    assert [x.month for x in d.months.values() if x.settled != "not_due"] == [M[1], M[2], M[3]]
    assert [x.month for x in m.months.values() if x.settled != "not_due"] == [M[1], M[2], M[3]]
    assert d.due_total == Decimal("40.00")  # 4000 × 0.5 % for February and March (January settled without payment)
    assert m.due_total == Decimal("60.00")  # January–March
    # Arrears stop with the membership: February and March for the dead member, the whole of Q1 for the other.
    assert d.arrears_months == 2 and m.arrears_months == 15


def test_owing_in_selects_members_who_owed_any_of_the_months(tree):
    old, died, joined = add_members(tree.a, 3, since=dt.date(YEAR - 1, 1, 1))
    retiree_record_death(retiree=old.retiree, on=dt.date(YEAR - 1, 6, 1))
    retiree_record_death(retiree=died.retiree, on=dt.date(YEAR, 2, 10))
    Membership.objects.filter(pk=joined.pk).update(joined_on=dt.date(YEAR, 7, 1))
    under_a = Membership.objects.filter(organization=tree.a)
    assert set(owing_in(under_a, list(M.values()))) == {tree.ra.membership, died, joined}
    assert set(owing_in(under_a, [M[3], M[4]])) == {tree.ra.membership}
