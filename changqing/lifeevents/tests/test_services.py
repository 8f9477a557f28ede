"""Each life event end to end through the services (issue 20 'done when')."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from changqing.care import services as care_services
from changqing.care.models import Pairing, VisitKind
from changqing.core.models import Notification, ObjectChange
from changqing.core.roles import Role
from changqing.dues.selectors import owes_q, with_first_base
from changqing.honours.models import Campaign as HonourCampaign, Category, Nomination, NominationStatus, Phase
from changqing.lifeevents import services
from changqing.lifeevents.models import (
    CareLevel, ChecklistItem, DeathRecord, HealthProfile, HospitalStay, LifeEvent, LivingElsewhere, TaskStatus,
    VisitTask,
)
from changqing.members import services as member_services
from changqing.members.models import Membership, MembershipEvent, MembershipPeriod, MembershipState, Retiree
from tests.factories import make_retiree, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.today(dt.date(2026, 11, 24))]
D = dt.date


@pytest.fixture
def person(tree):
    return make_retiree(tree.a, "王建国", birth=D(1940, 3, 1), history=True, family_contact="王小明",
                        family_relation="儿子")


@pytest.fixture
def carer(tree, person):
    user = make_user("carer1", Role.CARER)
    Pairing.objects.create(carer=user, retiree=person, started_on=D(2025, 1, 1))
    return user


def _visit(person, on, kind=VisitKind.ILLNESS, visitors="李专员"):
    return care_services.visit_record(retiree=person, visited_on=on, kind=kind, visitors=visitors)


def test_a_stay_creates_a_visit_task_for_the_carer_due_in_three_days(person, carer, secretary_a):
    stay = services.stay_admit(retiree=person, hospital="县人民医院", ward="心内科", reason="acute",
                               admitted_on=D(2026, 11, 20), user=secretary_a)
    task = VisitTask.objects.get(stay=stay)
    assert task.assignee == carer and task.due_on == D(2026, 11, 23) and task.status == TaskStatus.OPEN
    assert LifeEvent.objects.filter(retiree=person, kind=LifeEvent.Kind.ADMITTED).exists()
    assert ObjectChange.objects.filter(object_repr__contains="王建国").exists()


def test_without_a_carer_the_branch_secretary_gets_the_task(person, secretary_a):
    stay = services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 11, 22))
    assert VisitTask.objects.get(stay=stay).assignee == secretary_a


def test_the_policy_sets_the_days(person, tree, bureau_admin):
    from changqing.policies.services import policy_version_create

    policy_version_create(kind="lifeevents", organization=tree.root, valid_from=D(2026, 1, 1), user=bureau_admin,
                          values={"visit_days": 5, "long_stay_days": 30, "repeat_count": 3, "repeat_months": 12,
                                  "steps": [["慰问家属", 2, "branch_secretary"]]}, note="")
    stay = services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 11, 20))
    assert VisitTask.objects.get(stay=stay).due_on == D(2026, 11, 25)


def test_a_visit_on_or_after_admission_closes_the_task(person, carer):
    stay = services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 11, 20))
    _visit(person, D(2026, 11, 19), kind=VisitKind.ROUTINE)  # before the stay: does not count
    assert VisitTask.objects.get(stay=stay).status == TaskStatus.OPEN
    visit = _visit(person, D(2026, 11, 22))
    task = VisitTask.objects.get(stay=stay)
    assert task.status == TaskStatus.DONE and task.visit == visit and task.closed_on == D(2026, 11, 22)
    assert LifeEvent.objects.filter(retiree=person, kind=LifeEvent.Kind.TASK_DONE).exists()


def test_stay_validation_in_chinese(person):
    with pytest.raises(ValidationError) as e:
        services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 11, 20),
                            discharged_on=D(2026, 11, 19))
    assert "出院日期不能早于入院日期" in str(e.value)
    with pytest.raises(ValidationError) as e:
        services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 11, 25))
    assert "不能晚于今天" in str(e.value)
    assert not HospitalStay.objects.exists() and not VisitTask.objects.exists()


def test_a_long_stay_raises_the_care_level(person):
    stay = services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 9, 1),
                               discharged_on=D(2026, 9, 10))
    assert not HealthProfile.objects.filter(retiree=person, care_level__gt=0).exists()
    # The discharge date was typed wrong: the stay lasted 45 days.
    stay.discharged_on = D(2026, 10, 15)
    services.stay_update(stay=stay)
    profile = HealthProfile.objects.get(retiree=person)
    assert profile.care_level == CareLevel.CLOSE and "超过30天" in profile.care_level_reason
    assert LifeEvent.objects.filter(retiree=person, kind=LifeEvent.Kind.CARE_LEVEL).count() == 1


def test_a_stay_still_open_after_the_limit_raises_the_care_level_at_once(person):
    services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 10, 1))
    assert HealthProfile.objects.get(retiree=person).care_level == CareLevel.CLOSE


def test_the_third_stay_in_twelve_months_raises_the_care_level(person):
    for day in (D(2026, 1, 5), D(2026, 6, 1)):
        services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=day, discharged_on=day + dt.timedelta(3))
    assert not HealthProfile.objects.filter(retiree=person, care_level__gt=0).exists()
    services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 11, 20))
    profile = HealthProfile.objects.get(retiree=person)
    assert profile.care_level == CareLevel.CLOSE and "第3次" in profile.care_level_reason


def _death(person, user=None, on=D(2026, 10, 12)):
    return services.death_record(retiree=person, died_on=on, reported_by="王小明（儿子）", cause="illness", user=user)


def test_death_ends_membership_stops_dues_closes_tasks_and_pairings_and_opens_the_checklist(
        person, carer, secretary_a, bureau_admin):
    stay = services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 10, 1))
    record = _death(person, secretary_a)
    person.refresh_from_db()
    m = Membership.objects.get(retiree=person)
    assert person.status == "deceased" and person.deceased_on == D(2026, 10, 12)
    assert m.state == MembershipState.DECEASED and m.ended_on == D(2026, 10, 12)
    assert MembershipPeriod.objects.get(membership=m).end_reason == MembershipPeriod.End.DECEASED
    # Dues: the month of death is owed, the month after is not (the dues engine reads the end date).
    owing = with_first_base(Membership.objects.filter(pk=m.pk))
    assert owing.filter(owes_q(D(2026, 10, 1))).exists()
    assert not owing.filter(owes_q(D(2026, 11, 1))).exists()
    assert VisitTask.objects.get(stay=stay).status == TaskStatus.CANCELLED
    assert Pairing.objects.get(retiree=person).ended_on == D(2026, 10, 12)
    items = list(ChecklistItem.objects.filter(death=record))
    assert [i.step for i in items] == ["慰问家属", "送别/追思", "抚恤金与遗属补助申请", "档案移交"]
    assert items[0].due_on == D(2026, 10, 15) and items[0].assignee == secretary_a
    assert items[2].assignee == bureau_admin
    assert Notification.objects.filter(user=bureau_admin, key=f"lifeevents:death:{record.pk}").exists()
    assert record.effects["survivor"] == {"name": "王小明", "relation": "儿子"}
    assert LifeEvent.objects.filter(retiree=person, kind=LifeEvent.Kind.DIED).exists()


def test_death_closes_open_nominations(person, tree, bureau_admin):
    camp = HonourCampaign.objects.create(
        title="最美评选", organization=tree.root, year=2026, phase=Phase.VOTING, nomination_ends_on=D(2026, 10, 1),
        review_ends_on=D(2026, 10, 15), voting_starts_on=D(2026, 11, 1), voting_ends_on=D(2026, 11, 30))
    cat = Category.objects.create(campaign=camp, name="最美老党员", nominee_rule="member", quota=1)
    n = Nomination.objects.create(campaign=camp, category=cat, retiree=person, reasons="事迹",
                                  status=NominationStatus.APPROVED)
    record = _death(person)
    n.refresh_from_db()
    assert n.status == NominationStatus.REJECTED and "去世" in n.review_reason
    services.death_reverse(record=record, reason="误报")
    n.refresh_from_db()
    assert n.status == NominationStatus.APPROVED and n.review_reason == ""


def test_death_validation(person):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _death(person, on=D(2026, 11, 25))
    with pytest.raises(ValidationError, match="不能早于出生日期"):
        _death(person, on=D(1939, 1, 1))
    with pytest.raises(ValidationError, match="报告人"):
        services.death_record(retiree=person, died_on=D(2026, 10, 1), reported_by=" ")
    assert not DeathRecord.objects.exists()
    assert Retiree.objects.get(pk=person.pk).status == "alive"


def test_death_is_reversible_with_its_history(person, carer, secretary_a):
    stay = services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 11, 20))
    record = _death(person, secretary_a, on=D(2026, 11, 21))
    services.death_reverse(record=record, reason="误报，本人健在", user=secretary_a)
    person.refresh_from_db()
    m = Membership.objects.get(retiree=person)
    assert person.status == "alive" and person.deceased_on is None
    assert m.state == MembershipState.ACTIVE and m.ended_on is None
    assert MembershipPeriod.objects.get(membership=m).end_on is None
    assert with_first_base(Membership.objects.filter(pk=m.pk)).filter(owes_q(D(2026, 12, 1))).exists()
    assert Pairing.objects.get(retiree=person).ended_on is None
    assert VisitTask.objects.get(stay=stay).status == TaskStatus.OPEN
    assert set(ChecklistItem.objects.filter(death=record).values_list("status", flat=True)) == {TaskStatus.CANCELLED}
    record.refresh_from_db()
    assert record.is_reversed and record.reversal_reason == "误报，本人健在"
    kinds = list(MembershipEvent.objects.filter(membership=m).values_list("kind", flat=True))
    assert kinds[-2:] == [MembershipEvent.Kind.DECEASED, MembershipEvent.Kind.RESTORED]
    assert LifeEvent.objects.filter(retiree=person, kind=LifeEvent.Kind.DEATH_REVERSED).exists()
    with pytest.raises(ValidationError, match="已撤销"):
        services.death_reverse(record=record, reason="again")
    # And it can be recorded again, correctly this time.
    _death(person, on=D(2026, 11, 23))
    assert Membership.objects.get(pk=m.pk).state == MembershipState.DECEASED


def test_member_death_service_alone_does_not_double_record(person):
    member_services.retiree_record_death(retiree=person, on=D(2026, 10, 1))
    with pytest.raises(ValidationError, match="已于"):
        _death(person)


def test_living_elsewhere_shorter_than_six_months_is_an_absence(person):
    short = LivingElsewhere(retiree=person, start_on=D(2026, 1, 1), end_on=D(2026, 4, 1), place="三亚")
    with pytest.raises(ValidationError) as e:
        services.elsewhere_save(record=short)
    assert "外出流动" in str(e.value)
    long = LivingElsewhere(retiree=person, start_on=D(2025, 1, 1), place="深圳", arrangement="temporary",
                           host_org_name="")
    with pytest.raises(ValidationError, match="接收的党组织"):
        services.elsewhere_save(record=long)
    long.host_org_name = "深圳市南山区某社区党委"
    services.elsewhere_save(record=long)
    assert LivingElsewhere.objects.count() == 1
