import datetime as dt

import pytest
from django.urls import reverse

from changqing.guidance.models import GuideVisit, HelpRequest, ItemCompletion, ListItem, MonthlyList, NewOrg
from changqing.guidance.tests.conftest import make_org, valid_code

PW = "pw-for-tests-1"


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client
    return do


def test_wrong_check_character_refused_beside_the_field(stations, login):
    c = login(stations.admin)
    bad = valid_code(77)[:-1] + ("0" if valid_code(77)[-1] != "0" else "1")
    response = c.post(reverse("guidance:neworg_create"), {
        "kind": "enterprise", "name": "新企业", "credit_code": bad, "station": stations.s1.pk, "address": "某路",
        "person_in_charge": "李某", "employees": 10, "party_members": 1, "party_org_status": "none", "active": "on"})
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not NewOrg.objects.filter(name="新企业").exists()


def test_neworg_cross_field_rules(stations, login):
    c = login(stations.admin)
    response = c.post(reverse("guidance:neworg_create"), {
        "kind": "enterprise", "name": "新企业", "credit_code": valid_code(78), "station": stations.s1.pk,
        "guide": stations.g2.pk, "address": "某路", "person_in_charge": "李某", "employees": 5, "party_members": 9,
        "party_org_status": "alone", "active": "on"})
    body = response.content.decode()
    assert "党员数不能多于从业人员数" in body
    assert "联系指导员必须属于同一指导站" in body
    assert not NewOrg.objects.filter(name="新企业").exists()


def test_guide_sees_only_own_station(stations, login):
    c = login(stations.guide)
    listing = c.get(reverse("guidance:neworgs")).content.decode()
    assert stations.o1.name in listing and "乙站企业专有" not in listing
    assert c.get(reverse("guidance:neworg_detail", args=[stations.o2.pk])).status_code == 404
    assert c.get(reverse("guidance:station_detail", args=[stations.s2.pk])).status_code == 404
    assert c.get(reverse("guidance:guide_detail", args=[stations.g2.pk])).status_code == 404
    api = c.get("/api/v1/guidance/orgs/").json()
    assert [o["name"] for o in api["results"]] == [stations.o1.name]


def test_guide_answers_and_closes_help_request(stations, login):
    req = HelpRequest.objects.create(new_org=stations.o1, title="组织关系转入", description="怎么转？", raised_by="张某",
                                     raised_on=dt.date(2026, 11, 1))
    c = login(stations.guide)
    url = reverse("guidance:help_detail", args=[req.pk])
    r = c.post(url, {"do_answer": "1", "guide": stations.g1.pk, "answer": "请开具介绍信", "answered_on": "2026-10-01"})
    assert "答复日期不能早于提出日期" in r.content.decode()
    req.refresh_from_db()
    assert req.status == HelpRequest.Status.OPEN
    r = c.post(url, {"do_answer": "1", "guide": stations.g1.pk, "answer": "请开具介绍信", "answered_on": "2026-11-02"})
    req.refresh_from_db()
    assert req.status == HelpRequest.Status.ANSWERED and req.guide == stations.g1
    c.post(url, {"do_close": "1", "closed_on": "2026-11-03", "note": "已解决"})
    req.refresh_from_db()
    assert req.status == HelpRequest.Status.CLOSED and req.closed_on == dt.date(2026, 11, 3)


def test_guide_cannot_answer_other_stations_request(stations, login):
    req = HelpRequest.objects.create(new_org=stations.o2, title="乙", description="乙", raised_by="乙",
                                     raised_on=dt.date(2026, 11, 1))
    c = login(stations.guide)
    r = c.post(reverse("guidance:help_detail", args=[req.pk]),
               {"do_answer": "1", "guide": stations.g1.pk, "answer": "x", "answered_on": "2026-11-02"})
    assert r.status_code == 404
    req.refresh_from_db()
    assert req.status == HelpRequest.Status.OPEN


def test_visit_validation_and_record(stations, login, today):
    c = login(stations.guide)
    future = (today + dt.timedelta(days=3)).isoformat()
    r = c.post(reverse("guidance:visit_create"), {"guide": stations.g1.pk, "new_org": stations.o1.pk,
                                                  "visited_on": future, "content": "了解情况"})
    assert "走访日期不能晚于今天" in r.content.decode()
    r = c.post(reverse("guidance:visit_create"), {"guide": stations.g1.pk, "new_org": stations.o2.pk,
                                                  "visited_on": today.isoformat(), "content": "了解情况"})
    assert r.status_code == 200 and not GuideVisit.objects.exists()  # o2 is not a valid choice for this guide
    r = c.post(reverse("guidance:visit_create"), {"guide": stations.g1.pk, "new_org": stations.o1.pk,
                                                  "visited_on": today.isoformat(), "content": "了解情况"})
    assert r.status_code == 302
    assert GuideVisit.objects.get().created_by == stations.guide


def test_monthly_meeting_records_attendance_once_a_month(stations, login, today):
    from changqing.guidance.models import Guide, StationMeeting

    other = Guide.objects.create(station=stations.s1, name="丙指导员")
    c = login(stations.chief)
    data = {"station": stations.s1.pk, "held_on": today.isoformat(), "topic": "例会", "minutes": "",
            f"present_{stations.g1.pk}": "1", f"note_{other.pk}": "生病"}
    assert c.post(reverse("guidance:meeting_create"), data).status_code == 302
    m = StationMeeting.objects.get()
    assert {(a.guide_id, a.present, a.note) for a in m.attendance.all()} == {
        (stations.g1.pk, True, ""), (other.pk, False, "生病")}
    # The roll is in the history, filed under the station (its scope_path), naming whom and how.
    from changqing.core.models import ObjectChange

    rolls = ObjectChange.objects.filter(content_type__model="stationmeetingattendance", action="create")
    assert {(c.object_repr, c.org_path) for c in rolls} == {
        (f"{stations.g1.name}：出席", stations.s1.scope_path), ("丙指导员：缺席", stations.s1.scope_path)}
    assert ObjectChange.objects.get(content_type__model="stationmeeting").org_path == stations.s1.scope_path
    r = c.post(reverse("guidance:meeting_create"), data)
    assert "例会已经记录过" in r.content.decode()
    assert StationMeeting.objects.count() == 1


def test_list_publish_and_completion_toggle(stations, login):
    c = login(stations.chief)
    r = c.post(reverse("guidance:list_create"), {
        "station": stations.s1.pk, "kind": "theme_day", "month": "2026-06", "title": "6月主题党日清单",
        "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1", "items-MAX_NUM_FORMS": "1000",
        "items-0-title": "安全生产月", "items-0-description": "入企排查隐患", "items-0-due_on": "2026-06-25"})
    assert r.status_code == 302
    ml = MonthlyList.objects.get()
    assert ml.month == dt.date(2026, 6, 1)
    item = ListItem.objects.get()
    url = reverse("guidance:list_detail", args=[ml.pk])
    c.post(url, {"item": item.pk, "org": stations.o1.pk, "done": "1"}, HTTP_HX_REQUEST="true")
    assert ItemCompletion.objects.filter(item=item, new_org=stations.o1).exists()
    notice = c.get(reverse("guidance:notice", args=[stations.s1.pk, "2026-06"])).content.decode()
    assert "全部完成的 1 家" in notice
    c.post(url, {"item": item.pk, "org": stations.o1.pk, "done": "0"})
    assert not ItemCompletion.objects.exists()
    # The same list twice in one month is refused beside the field.
    r = c.post(reverse("guidance:list_create"), {
        "station": stations.s1.pk, "kind": "theme_day", "month": "2026-06", "title": "重复",
        "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1", "items-MAX_NUM_FORMS": "1000",
        "items-0-title": "x", "items-0-due_on": "2026-06-25"})
    assert "已经发布" in r.content.decode() and MonthlyList.objects.count() == 1


def test_application_review(stations, login):
    from changqing.guidance.models import Guide, GuideApplication

    c = login(stations.chief)
    r = c.post(reverse("guidance:application_create"), {"station": stations.s1.pk, "name": "新人", "phone": "1",
                                                        "unit": "某单位", "motivation": "愿意"})
    assert "须为中共党员" in r.content.decode()
    r = c.post(reverse("guidance:application_create"), {"station": stations.s1.pk, "name": "新人", "phone": "1",
                                                        "unit": "某单位", "is_party_member": "on", "motivation": "愿意"})
    app = GuideApplication.objects.get()
    url = reverse("guidance:application_detail", args=[app.pk])
    assert c.post(url, {"decision": "approve"}).status_code == 403  # the chief cannot review; the 两新工委 does
    c = login(stations.admin)
    r = c.post(url, {"decision": "reject", "note": ""})
    assert "不通过时请填写审核意见" in r.content.decode()
    c.post(url, {"decision": "approve", "note": ""})
    app.refresh_from_db()
    assert app.status == "approved" and Guide.objects.filter(name="新人", station=stations.s1).exists()


def test_material_must_be_confirmed_non_classified(stations, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from changqing.guidance.models import Material

    c = login(stations.chief)
    f = SimpleUploadedFile("通知.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = c.post(reverse("guidance:material_create"), {"station": stations.s1.pk, "title": "通知", "file": f})
    assert "非涉密" in r.content.decode() and not Material.objects.exists()
    f = SimpleUploadedFile("脚本.exe", b"MZ", content_type="application/octet-stream")
    r = c.post(reverse("guidance:material_create"), {"station": stations.s1.pk, "title": "x", "file": f,
                                                     "non_classified": "on"})
    assert not Material.objects.exists()


def test_quarter_evaluation_matches_hand_count(stations, login):
    from changqing.guidance import selectors
    from changqing.guidance.models import Guide, GuideEvaluation, OrgSatisfaction

    o3 = make_org(stations.s1, stations.g1, 3)
    GuideVisit.objects.create(guide=stations.g1, new_org=stations.o1, visited_on=dt.date(2026, 8, 3), content="a")
    GuideVisit.objects.create(guide=stations.g1, new_org=o3, visited_on=dt.date(2026, 9, 30), content="b")
    GuideVisit.objects.create(guide=stations.g1, new_org=o3, visited_on=dt.date(2026, 10, 1), content="next quarter")
    OrgSatisfaction.objects.create(guide=stations.g1, new_org=stations.o1, year=2026, quarter=3, rating=5)
    OrgSatisfaction.objects.create(guide=stations.g1, new_org=o3, year=2026, quarter=3, rating=4)
    GuideEvaluation.objects.create(guide=stations.g1, year=2026, quarter=3, score=92)
    rows = selectors.quarter_evaluation(Guide.objects.filter(pk=stations.g1.pk), 2026, 3)
    row = rows[0]
    assert (row.visits, row.orgs, str(row.satisfaction), row.ratings) == (2, 2, "4.5", 2)
    assert row.suggest_recommend
    c = login(stations.chief)
    r = c.post(reverse("guidance:evaluation_edit", args=[stations.g1.pk, 2026, 3]),
               {"evaluation": "1", "score": "101", "comments": ""})
    assert "100" in r.content.decode()  # 确保该值小于或等于100
    assert GuideEvaluation.objects.get().score == 92


def test_statistics_in_seed_form(stations, login):
    make_org(stations.s1, stations.g1, 4, party_org_status="joint")
    c = login(stations.admin)
    body = c.get(reverse("guidance:statistics")).content.decode()
    assert "试点成立 <strong>2</strong> 家" in body
    assert "覆盖 <strong>3</strong> 家两新组织" in body
    # Per station: the guide and organisation counts are not multiplied by each other.
    assert f'?station={stations.s1.pk}&amp;role=guide">1</a>' in body
    assert f'?station={stations.s1.pk}&amp;active=true">2</a>' in body


@pytest.mark.parametrize("n", [3, 30])
def test_list_queries_do_not_grow(stations, login, django_assert_max_num_queries, n):
    for i in range(n):
        make_org(stations.s1, stations.g1, 100 + i)
    c = login(stations.admin)
    with django_assert_max_num_queries(14):
        assert c.get(reverse("guidance:neworgs")).status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get(reverse("guidance:statistics")).status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get(reverse("guidance:evaluation")).status_code == 200


def test_a_bureau_with_no_station_sees_why_the_statistics_are_empty_not_a_403(client, bureau_admin):
    """The 两新 menu item is shown to every bureau role; following it must not end on 403 (found by make soak)."""
    client.force_login(bureau_admin)
    response = client.get(reverse("guidance:statistics"))
    assert response.status_code == 200
    assert "还没有党建工作指导站" in response.content.decode()
