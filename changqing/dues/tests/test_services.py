import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from changqing.dues import services
from changqing.dues.models import (
    BranchFundEntry, DuesBase, DuesMonth, DuesPayment, FundKind, HardshipDecision,
)
from changqing.dues.selectors import compute, warning_counts
from changqing.dues.services import PaymentLine
from changqing.members.models import Membership

from .helpers import add_members, set_policy

TODAY = dt.date(2026, 11, 24)
NOV = dt.date(2026, 11, 1)


def line(m, months, amount, **kw):
    return PaymentLine(membership_id=m.pk, months=months, amount=D(amount), method="cash", **kw)


def record(org, lines, today=TODAY):
    return services.dues_payments_record(organization=org, lines=lines, paid_on=today, collector="组织委员", today=today)


def test_payment_settles_months_and_extra_becomes_voluntary(tree):
    m1, m2 = add_members(tree.a, 2)  # 4000 whole → 0.5% → 20.00
    created = record(tree.a, [line(m1, [NOV], "20.00"), line(m2, [NOV, dt.date(2026, 12, 1)], "1040.00",
                                                              payer_name="女儿代缴")])
    assert DuesMonth.objects.filter(month=NOV).count() == 2
    extra = DuesPayment.objects.get(membership=m2, kind="voluntary")
    assert extra.amount == D("1000.00") and extra.is_large
    assert DuesPayment.objects.get(membership=m2, kind="regular").payer_name == "女儿代缴"
    assert len(created) == 3
    md = {d.membership_id: d for d in compute(Membership.objects.filter(pk__in=[m1.pk, m2.pk]), [NOV], as_of=NOV)}
    assert md[m1.pk].months[NOV].settled == "paid" and md[m1.pk].arrears_months == 0


@pytest.mark.parametrize("months,amount,msg", [
    ([dt.date(2026, 4, 1)], "20.00", "补缴最多6个月"),
    ([dt.date(2027, 6, 1)], "20.00", "预缴最多6个月"),
    ([NOV], "19.99", "少于应缴"),
])
def test_bad_payment_writes_nothing(tree, months, amount, msg):
    m1, m2 = add_members(tree.a, 2)
    with pytest.raises(ValidationError) as exc:
        record(tree.a, [line(m2, [NOV], "20.00"), line(m1, months, amount)])
    assert msg in " ".join(exc.value.message_dict[m1.pk])
    assert not DuesPayment.objects.exists() and not DuesMonth.objects.exists()


def test_month_cannot_be_paid_twice_and_member_of_other_branch_refused(tree):
    (m,) = add_members(tree.a, 1)
    record(tree.a, [line(m, [NOV], "20.00")])
    with pytest.raises(ValidationError, match="不能重复登记"):
        record(tree.a, [line(m, [NOV], "20.00")])
    (other,) = add_members(tree.b, 1)
    with pytest.raises(ValidationError, match="不在本支部"):
        record(tree.a, [line(other, [NOV], "20.00")])


def test_missing_base_refused(tree):
    m = tree.ra.membership
    with pytest.raises(ValidationError, match="核定党费基数"):
        record(tree.a, [line(m, [NOV], "20.00")])


def test_policy_inherited_down_the_tree(tree):
    (m,) = add_members(tree.a, 1, pension="6000.00", basic="4800.00")
    qs = Membership.objects.filter(pk=m.pk)
    assert compute(qs, [NOV], as_of=NOV)[0].months[NOV].due == D("24.00")  # default: basic 4800 → 0.5%
    set_policy(tree.root, pension_basis="whole")
    assert compute(qs, [NOV], as_of=NOV)[0].months[NOV].due == D("60.00")  # whole pension, 1%
    set_policy(tree.a, pension_basis="basic", rounding="down")
    assert compute(qs, [NOV], as_of=NOV)[0].months[NOV].due == D("24.00")  # the branch's own wins
    set_policy(tree.a, dt.date(2026, 11, 2), pension_basis="whole", rounding="down")
    assert compute(qs, [NOV], as_of=NOV)[0].months[NOV].due == D("60.00")  # the branch's own wins


def test_yearly_assessment_fixes_january_base(tree):
    (m,) = add_members(tree.a, 1, pension="4000.00", since=dt.date(2026, 1, 1))
    DuesBase.objects.create(membership=m, effective_from=dt.date(2026, 6, 1), category="retiree",
                            pension_whole=D("6000.00"), pension_basic=D("5000.00"))
    qs = Membership.objects.filter(pk=m.pk)
    months = [dt.date(2026, 5, 1), dt.date(2026, 8, 1), dt.date(2027, 1, 1)]
    md = compute(qs, months, as_of=NOV)[0]
    assert [md.months[x].due for x in months] == [D("20.00"), D("20.00"), D("25.00")]  # basic 5000 → 0.5%
    set_policy(tree.root, assessment="monthly")
    md = compute(qs, months, as_of=NOV)[0]
    assert [md.months[x].due for x in months] == [D("20.00"), D("25.00"), D("25.00")]


def test_hardship_needs_a_branch_decision_and_waiver_settles_months(tree):
    (m,) = add_members(tree.a, 1, since=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.hardship_decision_record(membership=m, kind="waive", first_month=dt.date(2026, 3, 1),
                                          last_month=dt.date(2026, 12, 1), decided_on=dt.date(2026, 2, 20),
                                          meeting_reference="  ", reason="卧床")
    assert "meeting_reference" in exc.value.message_dict
    assert not HardshipDecision.objects.exists()
    services.hardship_decision_record(membership=m, kind="waive", first_month=dt.date(2026, 3, 1),
                                      last_month=dt.date(2026, 12, 1), decided_on=dt.date(2026, 2, 20),
                                      meeting_reference="2026年2月支部党员大会记录", reason="卧床")
    assert DuesMonth.objects.filter(membership=m, hardship__isnull=False).count() == 10
    md = compute(Membership.objects.filter(pk=m.pk), [dt.date(2026, 10, 1)], as_of=dt.date(2026, 10, 1))[0]
    # Jan and Feb unpaid, then waived: no consecutive arrears at October.
    assert md.arrears_months == 0 and md.months[dt.date(2026, 10, 1)].settled == "waived"


def test_reduction_changes_what_is_due(tree):
    (m,) = add_members(tree.a, 1)
    services.hardship_decision_record(membership=m, kind="reduce", monthly_amount=D("2.00"), first_month=NOV,
                                      last_month=NOV, decided_on=TODAY, meeting_reference="支委会纪要", reason="病")
    with pytest.raises(ValidationError, match="少于应缴2.00元"):
        record(tree.a, [line(m, [NOV], "1.00")])
    record(tree.a, [line(m, [NOV], "2.00")])
    assert DuesMonth.objects.get(membership=m).amount_due == D("2.00")


def test_arrears_warnings_counted_in_bands(tree):
    members = add_members(tree.a, 5, since=dt.date(2026, 1, 1))
    # Last paid: Oct (0), Jul (3), Jun (4), May (5), Feb (8 months behind at October).
    for m, last in zip(members, [10, 7, 6, 5, 2]):
        DuesMonth.objects.bulk_create([DuesMonth(membership=m, month=dt.date(2026, k, 1), amount_due=D("20"))
                                       for k in range(1, last + 1)])
    counts = warning_counts(Membership.objects.all(), dt.date(2026, 10, 1))
    assert counts == {3: 2, 5: 1, 6: 1}
    md = compute(Membership.objects.filter(pk=members[4].pk), [NOV], as_of=dt.date(2026, 10, 1))[0]
    assert md.arrears_months == 8 and md.warning_level == 6
    assert Membership.objects.filter(pk=members[4].pk, state="active").exists()  # nobody is removed


def test_fund_spending_needs_purpose_receipt_and_money(tree):
    with pytest.raises(ValidationError) as exc:
        services.fund_entry_record(organization=tree.a, kind=FundKind.SPENDING, occurred_on=TODAY, amount=D("10"))
    assert {"purpose", "receipt_number"} <= set(exc.value.message_dict)
    services.fund_entry_record(organization=tree.a, kind=FundKind.ALLOCATION, occurred_on=TODAY, amount=D("15000"),
                               source="原单位")
    with pytest.raises(ValidationError, match="超过当前经费余额15000.00元"):
        services.fund_entry_record(organization=tree.a, kind=FundKind.SPENDING, occurred_on=TODAY,
                                   amount=D("15000.01"), purpose="慰问", receipt_number="Z1")
    services.fund_entry_record(organization=tree.a, kind=FundKind.SPENDING, occurred_on=TODAY, amount=D("5000"),
                               purpose="慰问", receipt_number="Z1")
    assert BranchFundEntry.objects.count() == 2


def test_payment_delete_reopens_months(tree):
    (m,) = add_members(tree.a, 1)
    (p,) = record(tree.a, [line(m, [NOV], "20.00")])
    services.dues_payment_delete(payment=p)
    assert not DuesMonth.objects.exists() and not DuesPayment.objects.exists()
