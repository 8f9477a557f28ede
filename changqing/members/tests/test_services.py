import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from changqing.members import services
from changqing.members.models import (
    Membership, MembershipEvent, MembershipPeriod, MembershipState, MembershipStatus, Transfer,
)
from changqing.orgs.models import Organization, OrgKind

from tests.factories import make_retiree

D = dt.date


@pytest.fixture
def member(tree):
    r = make_retiree(tree.a, "李春生", "110105195001010038", member=False, birth=D(1950, 1, 1))
    return services.membership_create(retiree=r, organization=tree.a, status="full", joined_on=D(1975, 7, 1),
                                      full_on=D(1976, 7, 1))


def test_create_writes_period_and_events(member, tree):
    assert list(member.periods.values_list("organization__code", "end_on")) == [("T-A", None)]
    assert list(member.events.values_list("kind", flat=True)) == ["joined", "became_full"]


def test_move_keeps_history_pointing_at_old_branch(member, tree):
    t = services.membership_move(membership=member, to_org=tree.b, on=D(2020, 3, 1), reason="支部合并",
                                 letter_no="合2020-1")
    member.refresh_from_db()
    assert member.organization == tree.b and member.retiree.organization == tree.b
    assert t.from_org == tree.a and t.to_org == tree.b and t.direction == "move"
    periods = list(member.periods.values_list("organization__code", "start_on", "end_on", "end_reason"))
    assert periods == [("T-A", D(1975, 7, 1), D(2020, 3, 1), "move"), ("T-B", D(2020, 3, 1), None, "")]
    assert member.events.get(kind="joined").organization == tree.a


def test_move_rejects_same_org_group_and_old_date(member, tree):
    with pytest.raises(ValidationError) as e:
        services.membership_move(membership=member, to_org=tree.a, on=D(2020, 1, 1), reason="x")
    assert "相同" in str(e.value)
    group = Organization.objects.create(code="T-A-G", name="一组", kind=OrgKind.GROUP, parent=tree.a)
    with pytest.raises(ValidationError, match="党小组"):
        services.membership_move(membership=member, to_org=group, on=D(2020, 1, 1), reason="x")
    with pytest.raises(ValidationError, match="入党日期"):
        services.membership_move(membership=member, to_org=tree.b, on=D(1970, 1, 1), reason="x")
    assert Transfer.objects.count() == 0 and MembershipPeriod.objects.count() == 1


def test_transfer_out_then_back_in(member, tree):
    services.membership_transfer_out(membership=member, on=D(2021, 5, 1), to_name="海南省三亚市某社区党委",
                                     letter_no="琼2021-3")
    member.refresh_from_db()
    assert member.state == MembershipState.TRANSFERRED_OUT and member.ended_on == D(2021, 5, 1)
    with pytest.raises(ValidationError):
        services.membership_move(membership=member, to_org=tree.b, on=D(2021, 6, 1), reason="x")
    services.membership_transfer_in(retiree=member.retiree, to_org=tree.b, on=D(2023, 4, 1), from_name="三亚某社区党委")
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE and member.organization == tree.b
    assert list(member.events.values_list("kind", flat=True)) == [
        "joined", "became_full", "transferred_out", "transferred_in"]
    assert member.periods.count() == 2


def test_transfer_in_new_member_and_make_full(tree):
    r = make_retiree(tree.a, "王新来", "110105196001010030", member=False, birth=D(1960, 1, 1))
    services.membership_transfer_in(retiree=r, to_org=tree.a, on=D(2026, 1, 5), from_name="外县某支部",
                                    status="probationary", joined_on=D(2025, 12, 1))
    m = Membership.objects.get(retiree=r)
    assert m.status == MembershipStatus.PROBATIONARY
    services.membership_make_full(membership=m, on=D(2026, 11, 1))
    m.refresh_from_db()
    assert m.status == "full" and m.full_on == D(2026, 11, 1)
    assert m.events.last().kind == MembershipEvent.Kind.BECAME_FULL


def test_death_ends_membership(member):
    services.retiree_record_death(retiree=member.retiree, on=D(2024, 2, 2))
    member.refresh_from_db()
    assert member.state == "deceased" and member.retiree.status == "deceased"
    assert member.periods.get().end_reason == "deceased"


def test_death_before_retirement_is_refused(member):
    r = member.retiree
    r.retired_on = D(2010, 1, 1)
    r.save()
    with pytest.raises(ValidationError, match="早于离退休日期"):
        services.retiree_record_death(retiree=r, on=D(2009, 5, 1))
    member.refresh_from_db()
    assert member.state == "active"


def test_membership_move_for_branch_merge(member, tree):
    """What the orgs app does when merging branch A into B: every active member moves, history stays with A."""
    other = services.membership_create(
        retiree=__import__("conftest").make_retiree(tree.a, "周保国", "110105195203030013", member=False,
                                                    birth=D(1952, 3, 3)),
        organization=tree.a, status="probationary", joined_on=D(2026, 1, 1))
    for m in Membership.objects.filter(organization=tree.a, state="active"):
        services.membership_move(membership=m, to_org=tree.b, on=D(2026, 6, 1), reason="支部合并")
    assert not Membership.objects.filter(organization=tree.a).exists()
    # 张宏伟 was entered in bulk style (no period): the move writes the period she had in A.
    assert MembershipPeriod.objects.filter(organization=tree.a, end_reason="move").count() == 3
    assert MembershipPeriod.objects.get(membership=tree.ra.membership, organization=tree.a).start_on == D(1975, 7, 1)
    assert MembershipEvent.objects.filter(organization=tree.a, kind="joined").count() == 2
    assert Transfer.objects.filter(from_org=tree.a, to_org=tree.b, reason="支部合并").count() == 3
    other.refresh_from_db()
    assert other.status == MembershipStatus.PROBATIONARY and other.retiree.organization == tree.b
