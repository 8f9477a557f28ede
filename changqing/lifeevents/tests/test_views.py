"""Pages: forms with Chinese errors that write nothing, the health profile's visibility, logging and masking,
the 今天要办 source and the member record section."""
import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse

from changqing.care.models import Pairing
from changqing.core.models import OperationLog
from changqing.core.roles import Role
from changqing.core.today import tasks_for
from changqing.lifeevents import services
from changqing.lifeevents.models import (
    DeathRecord, HealthProfile, HospitalStay, LivingElsewhere, SilverTalent, VisitTask,
)
from tests.factories import make_retiree, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.today(dt.date(2026, 11, 24))]
D = dt.date
PHONE = "13912345678"


@pytest.fixture
def person(tree):
    return make_retiree(tree.a, "王建国", birth=D(1940, 3, 1), history=True)


@pytest.fixture
def profile(person):
    return HealthProfile.objects.create(retiree=person, contract_hospital="县中医院合同门诊", mobility="wheelchair",
                                        chronic=",cardio,", emergency_name="王小明", emergency_relation="儿子",
                                        emergency_phone=PHONE)


def _html(response) -> str:
    return response.content.decode()


def test_lists_and_forms_open(client, secretary_a, person):
    client.force_login(secretary_a)
    for name in ("stays", "tasks", "deaths", "profiles", "talents", "elsewhere", "stay_create", "talent_create",
                 "elsewhere_create"):
        assert client.get(reverse(f"lifeevents:{name}")).status_code == 200, name
    assert client.get(reverse("lifeevents:death_create", args=[person.pk])).status_code == 200


def test_stay_form_bad_input_is_chinese_and_writes_nothing(client, secretary_a, person):
    client.force_login(secretary_a)
    r = client.post(reverse("lifeevents:stay_create"), {"retiree": person.pk, "hospital": "", "reason": "acute",
                                                         "admitted_on": "2026-11-20", "discharged_on": "2026-11-19"})
    html = _html(r)
    assert "请填写医院" in html
    r = client.post(reverse("lifeevents:stay_create"), {"retiree": person.pk, "hospital": "县医院", "reason": "acute",
                                                         "admitted_on": "2026-11-20", "discharged_on": "2026-11-19"})
    assert "出院日期不能早于入院日期" in _html(r)
    r = client.post(reverse("lifeevents:stay_create"), {"retiree": person.pk, "hospital": "县医院", "reason": "acute",
                                                         "admitted_on": "2026-13-01"})
    assert "请填写正确的日期" in _html(r)
    assert not HospitalStay.objects.exists() and not VisitTask.objects.exists()
    r = client.post(reverse("lifeevents:stay_create"), {"retiree": person.pk, "hospital": "县医院", "reason": "acute",
                                                         "admitted_on": "2026-11-20"})
    assert r.status_code == 302 and VisitTask.objects.filter(retiree=person).count() == 1


def test_a_stay_of_b_cannot_be_made_by_a(client, secretary_a, tree):
    client.force_login(secretary_a)
    r = client.post(reverse("lifeevents:stay_create"), {"retiree": tree.rb.pk, "hospital": "县医院", "reason": "acute",
                                                         "admitted_on": "2026-11-20"})
    assert "只能选择您负责的在世老同志" in _html(r) and not HospitalStay.objects.exists()


def test_the_task_is_on_the_carers_today_list_and_links_to_the_visit_form(person):
    carer = make_user("carer1", Role.CARER)
    Pairing.objects.create(carer=carer, retiree=person, started_on=D(2025, 1, 1))
    services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 11, 20))
    request = RequestFactory().get("/")
    request.user = carer
    task = next(t for t in tasks_for(request, limit=None) if t.key.startswith("lifeevents:visit:"))
    assert task.sentence == "王建国 11月20日住院，请在11月23日前探望"
    assert task.action == "去走访" and task.url == f"{reverse('care:visit_create')}?retiree={person.pk}&kind=illness"
    assert task.due == D(2026, 11, 23)


def test_death_form_and_reversal_pages(client, secretary_a, person):
    client.force_login(secretary_a)
    url = reverse("lifeevents:death_create", args=[person.pk])
    r = client.post(url, {"died_on": "2026-11-30", "reported_by": "儿子"})
    assert "不能晚于今天" in _html(r) and not DeathRecord.objects.exists()
    r = client.post(url, {"died_on": "2026-11-10", "reported_by": ""})
    assert "请填写报告人" in _html(r)
    r = client.post(url, {"died_on": "2026-11-10", "reported_by": "儿子王小明", "cause": "illness"})
    assert r.status_code == 302
    record = DeathRecord.objects.get()
    detail = _html(client.get(reverse("lifeevents:death_detail", args=[record.pk])))
    assert "慰问家属" in detail and "档案移交" in detail
    record_page = _html(client.get(person.get_absolute_url()))
    assert "撤销去世登记" in record_page and "生活事件" in record_page
    r = client.post(reverse("lifeevents:death_reverse", args=[record.pk]), {"reason": ""})
    assert "请写明撤销原因" in _html(r)
    r = client.post(reverse("lifeevents:death_reverse", args=[record.pk]), {"reason": "误报"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.status == "alive"


def test_a_carer_may_not_record_a_death(client, person):
    carer = make_user("carer1", Role.CARER)
    Pairing.objects.create(carer=carer, retiree=person, started_on=D(2025, 1, 1))
    client.force_login(carer)
    assert client.post(reverse("lifeevents:death_create", args=[person.pk]),
                       {"died_on": "2026-11-10", "reported_by": "儿子"}).status_code == 403
    assert not DeathRecord.objects.exists()


# -- the health profile: sensitive -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.LIAISON])
def test_roles_that_do_not_care_for_the_person_never_see_the_profile(client, tree, person, profile, role):
    user = make_user("other", role, organization=tree.a if role == Role.LIAISON else tree.root)
    client.force_login(user)
    assert client.get(reverse("lifeevents:profile", args=[person.pk])).status_code == 404
    listing = _html(client.get(reverse("lifeevents:profiles")))
    assert "王建国" in listing and "（无权查看）" in listing
    for secret in ("县中医院合同门诊", "王小明", "心脑血管", "轮椅", PHONE[-4:]):
        assert secret not in listing
    assert not OperationLog.objects.filter(event="unmask").exists()


def test_the_export_masks_the_profile_for_a_committee_member(client, tree, person, profile):
    from openpyxl import load_workbook
    import io

    client.force_login(make_user("cm", Role.COMMITTEE_MEMBER, organization=tree.root))
    r = client.get(reverse("lifeevents:profiles") + "?export=xlsx")
    assert r.status_code == 200
    cells = [str(c.value) for row in load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming
                                                              else r.content)).active.iter_rows() for c in row]
    assert "王建国" in cells and "（无权查看）" in cells
    assert not any("县中医院" in c or "王小明" in c for c in cells)


@pytest.mark.parametrize("who", ["secretary", "carer", "bureau"])
def test_those_who_care_see_the_profile_and_the_view_is_logged(client, tree, person, profile, who, secretary_a,
                                                               bureau_admin):
    if who == "carer":
        user = make_user("carer1", Role.CARER)
        Pairing.objects.create(carer=user, retiree=person, started_on=D(2025, 1, 1))
    else:
        user = secretary_a if who == "secretary" else bureau_admin
    client.force_login(user)
    html = _html(client.get(reverse("lifeevents:profile", args=[person.pk])))
    assert "县中医院合同门诊" in html and PHONE in html and "心脑血管" in html
    entry = OperationLog.objects.get(event="unmask")
    assert entry.data == {"what": "health_profile", "retiree": person.pk} and entry.user == user
    listing = _html(client.get(reverse("lifeevents:profiles")))
    assert "县中医院合同门诊" in listing and PHONE not in listing  # the list masks the phone for everyone


def test_profile_form_saves_living_on_the_registry_and_refuses_bad_phone(client, secretary_a, person):
    client.force_login(secretary_a)
    url = reverse("lifeevents:profile_edit", args=[person.pk])
    data = {"contract_hospital": "县医院", "mobility": "aid", "chronic": ["cardio", "bone"], "living": "alone",
            "emergency_name": "王小明", "emergency_relation": "儿子", "emergency_phone": "12345"}
    assert "请填写11位手机号" in _html(client.post(url, data))
    assert not HealthProfile.objects.exists()
    data["emergency_phone"] = PHONE
    assert client.post(url, data).status_code == 302
    p = HealthProfile.objects.get(retiree=person)
    assert p.chronic == ",cardio,bone," and p.chronic_labels == "心脑血管、骨关节"
    person.refresh_from_db()
    assert person.living == "alone"


def test_talents_match_a_teams_services(client, tree, secretary_a, person):
    from changqing.care.models import VolunteerTeam

    team = VolunteerTeam.objects.create(name="夕阳红服务队", organization=tree.root, services="量血压、义务理发、法律咨询")
    SilverTalent.objects.create(retiree=person, specialties=",law,", past_profession="律师", willing=True)
    other = make_retiree(tree.a, "李书画", birth=D(1945, 1, 1))
    SilverTalent.objects.create(retiree=other, specialties=",calligraphy,", willing=True)
    client.force_login(secretary_a)
    html = _html(client.get(reverse("lifeevents:talents") + f"?team={team.pk}"))
    assert "王建国" in html and "李书画" not in html and "夕阳红服务队" in html
    html = _html(client.get(reverse("lifeevents:talents") + "?specialty=calligraphy"))
    assert "李书画" in html and "王建国" not in html


def test_talent_form_needs_a_specialty(client, secretary_a, person):
    client.force_login(secretary_a)
    r = client.post(reverse("lifeevents:talent_create"), {"retiree": person.pk, "availability": "weekends"})
    assert "请至少选择一项专长" in _html(r) and not SilverTalent.objects.exists()


def test_elsewhere_form_says_a_short_stay_is_an_absence(client, secretary_a, person):
    client.force_login(secretary_a)
    r = client.post(reverse("lifeevents:elsewhere_create"), {
        "retiree": person.pk, "start_on": "2026-01-01", "end_on": "2026-03-01", "place": "三亚",
        "arrangement": "reporting", "host_confirms": "unknown"})
    assert "外出流动" in _html(r) and not LivingElsewhere.objects.exists()


BAD_VALUES = ["abc", "2026-13-45", "９９", "99999999999999999999999"]


def test_bad_query_values_never_give_a_server_error(client, secretary_a, person, profile):
    client.force_login(secretary_a)
    services.stay_admit(retiree=person, hospital="县人民医院", admitted_on=D(2026, 11, 20))
    params = ["q", "reason", "current", "since", "until", "status", "mine", "reversed", "care_level", "living",
              "specialty", "willing", "availability", "team", "arrangement", "host_confirms", "sort", "page",
              "retiree", "export"]
    for name in ("stays", "tasks", "deaths", "profiles", "talents", "elsewhere", "stay_create", "talent_create",
                 "elsewhere_create"):
        for param in params:
            for value in BAD_VALUES:
                r = client.get(reverse(f"lifeevents:{name}"), {param: value})
                assert r.status_code < 500, (name, param, value)
