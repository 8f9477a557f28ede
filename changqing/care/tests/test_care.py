import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from changqing.accounts.models import RoleAssignment
from changqing.core.roles import Role
from changqing.care import search, selectors, services
from changqing.care.models import (
    AssistanceApplication, AssistanceProgramme, Booking, Campaign, HardshipRecord, OralHistory, Pairing, Venue,
    Visit, VolunteerTeam,
)
from conftest import TEST_TODAY
from tests.factories import make_retiree, make_user

pytestmark = pytest.mark.today
TODAY = TEST_TODAY


@pytest.fixture
def carer(tree):
    user = make_user("carer_x")
    RoleAssignment.objects.create(user=user, role=Role.CARER)
    Pairing.objects.create(carer=user, retiree=tree.ra, started_on=TODAY - dt.timedelta(days=90), cadence_days=30)
    return user


def test_carer_sees_only_pairs_and_records_a_visit(tree, carer, client):
    client.force_login(carer)
    page = client.get(reverse("care:mine")).content.decode()
    assert tree.ra.name in page and tree.rb.name not in page
    assert "已逾期" in page  # never visited in 90 days with a 30-day cadence
    pairing = Pairing.objects.get()
    url = reverse("care:visit_create") + f"?pairing={pairing.pk}"
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    r = client.post(url, {"retiree": tree.ra.pk, "visited_on": future, "kind": "pairing", "visitors": "我"})
    assert "走访日期不能晚于今天" in r.content.decode() and not Visit.objects.exists()
    r = client.post(url, {"retiree": tree.ra.pk, "visited_on": TODAY.isoformat(), "kind": "pairing", "visitors": "我",
                          "notes": "身体好"})
    assert r.status_code == 302
    assert Visit.objects.get().pairing == pairing
    assert "按期" in client.get(reverse("care:mine")).content.decode()
    # Another branch's retiree is not reachable.
    assert client.get(reverse("members:retiree_detail", args=[tree.rb.pk])).status_code == 404
    r = client.post(reverse("care:visit_create"), {"retiree": tree.rb.pk, "visited_on": TODAY.isoformat(),
                                                   "kind": "routine", "visitors": "我"})
    assert Visit.objects.count() == 1


def test_campaign_list_from_rules_and_completion(tree, bureau_admin, secretary_a, client):
    old = make_retiree(tree.a, "八旬老人", "11010519400101001X", birth=dt.date(1940, 1, 1), member=False)
    lixiu = make_retiree(tree.b, "离休老同志", "110105193001010016", birth=dt.date(1930, 1, 1))
    lixiu.retirement_kind = "lixiu"
    lixiu.save()
    young = make_retiree(tree.a, "年轻人", "110105196001010011", birth=dt.date(1960, 1, 1))
    HardshipRecord.objects.create(retiree=young, reason="alone", since=dt.date(2025, 1, 1))
    client.force_login(bureau_admin)
    r = client.post(reverse("care:campaign_create"), {
        "name": "重阳慰问", "festival": "chongyang", "organization": tree.root.pk, "starts_on": "2026-10-01",
        "due_on": "2026-09-01", "include_lixiu": "on", "min_age": 80})
    assert "完成期限不能早于开始日期" in r.content.decode() and not Campaign.objects.exists()
    r = client.post(reverse("care:campaign_create"), {
        "name": "重阳慰问", "festival": "chongyang", "organization": tree.root.pk, "starts_on": "2026-10-01",
        "due_on": "2026-11-30", "include_lixiu": "on", "include_hardship": "on", "min_age": 80})
    campaign = Campaign.objects.get()
    reasons = {t.retiree.name: t.reasons for t in campaign.targets.select_related("retiree")}
    # ra born 1949 (76), rb born 1880 (over 80): age rule; 离休; hardship.
    assert reasons == {"八旬老人": "80岁以上", "离休老同志": "离休干部、80岁以上", "年轻人": "困难登记",
                       "乙支部专有人": "80岁以上"}
    # The secretary of A follows the bureau's list for A's people only, and records a visit from it.
    client.force_login(secretary_a)
    page = client.get(reverse("care:campaign_detail", args=[campaign.pk])).content.decode()
    assert "八旬老人" in page and "年轻人" in page and "离休老同志" not in page and "乙支部专有人" not in page
    r = client.post(reverse("care:visit_create") + f"?campaign={campaign.pk}", {
        "retiree": old.pk, "visited_on": "2026-10-20", "kind": "festival", "visitors": "书记", "gifts": "牛奶"})
    assert r.status_code == 302
    t = campaign.targets.get(retiree=old)
    assert t.visit is not None
    listing = client.get(reverse("care:campaigns")).content.decode()
    assert "<td data-label=\"慰问对象\">2</td>" in listing and "<td data-label=\"已走访\">1</td>" in listing
    # A visit outside the list is refused for this campaign.
    r = client.post(reverse("care:visit_create") + f"?campaign={campaign.pk}", {
        "retiree": tree.ra.pk, "visited_on": "2026-10-20", "kind": "festival", "visitors": "书记"})
    assert "不在这次慰问活动的名单中" in r.content.decode()
    # Rebuilding keeps visited targets even if the rule no longer selects them.
    campaign.min_age = None
    campaign.save()
    services.campaign_build(campaign=campaign)
    assert campaign.targets.filter(retiree=old).exists()
    assert not campaign.targets.filter(retiree=tree.rb).exists()


def test_birthday_ledger_milestones():
    a = selectors.Anniversary(1, "x", "y", "birthday", dt.date(2026, 3, 1), 90, True)
    assert "逢十大寿" in a.label
    p = selectors.Anniversary(1, "x", "y", "party_birthday", dt.date(2026, 7, 1), 50, True)
    assert "光荣在党50年" in p.label


def test_birthday_month_list(tree, secretary_a, client):
    client.force_login(secretary_a)
    page = client.get(reverse("care:birthdays") + "?month=2026-12").content.decode()
    # 张宏伟 born 1949-12-31: 77th birthday; joined 1975-07-01 so no party birthday in December.
    assert "12月31日" in page and "张宏伟" in page and "77岁生日" in page
    page = client.get(reverse("care:birthdays") + "?month=2026-07").content.decode()
    assert "政治生日：入党51周年" in page
    page = client.get(reverse("care:birthdays") + "?month=2025-07").content.decode()
    assert "光荣在党50年" in page
    assert "乙支部专有人" not in client.get(reverse("care:birthdays") + "?month=2027-01").content.decode()
    r = client.get(reverse("care:birthdays") + "?month=2026-13")
    assert "月份格式应为" in r.content.decode()


def test_assistance_rules(tree, bureau_admin, client):
    from changqing.members.models import Retiree

    programme = AssistanceProgramme.objects.create(name="特殊困难离休干部帮扶资金", organization=tree.root,
                                                   lixiu_only=True)
    client.force_login(bureau_admin)
    r = client.post(reverse("care:assistance_create"), {"programme": programme.pk, "retiree": tree.ra.pk,
                                                        "applied_on": "2026-05-01", "reason": "困难", "amount_requested": "3000"})
    assert "只面向离休干部" in r.content.decode()
    Retiree.objects.filter(pk=tree.ra.pk).update(retirement_kind="lixiu", status="deceased",
                                                 deceased_on=dt.date(2026, 4, 1))
    r = client.post(reverse("care:assistance_create"), {"programme": programme.pk, "retiree": tree.ra.pk,
                                                        "applied_on": "2026-05-01", "reason": "遗属困难", "amount_requested": "3000"})
    a = AssistanceApplication.objects.get()
    url = reverse("care:assistance_detail", args=[a.pk])
    r = client.post(url, {"decide": "1", "decision": "approve", "amount": "5000"})
    assert "批准金额不能超过申请金额" in r.content.decode()
    client.post(url, {"decide": "1", "decision": "approve", "amount": "3000"})
    a.refresh_from_db()
    assert a.status == "approved"
    r = client.post(url, {"pay": "1", "paid_on": TODAY.isoformat(), "payee_name": "张宏伟", "payee_relation": "本人"})
    assert "应由遗属领取" in r.content.decode()
    client.post(url, {"pay": "1", "paid_on": TODAY.isoformat(), "payee_name": "李秀英", "payee_relation": "配偶"})
    a.refresh_from_db()
    assert a.status == "paid" and a.payee_relation == "配偶"
    page = client.get(reverse("care:assistance")).content.decode()
    assert "3000.00" in page


def test_booking_refuses_overlaps_and_over_capacity(tree, bureau_admin, client):
    venue = Venue.objects.create(name="活动室", kind="activity_room", organization=tree.root, address="x", capacity=20)
    client.force_login(bureau_admin)
    url = reverse("care:venue_detail", args=[venue.pk])
    ok = {"organization": tree.a.pk, "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T11:00",
          "purpose": "主题党日", "attendees": 15}
    assert client.post(url, ok).status_code == 302
    clash = dict(ok, starts_at="2026-12-01T10:30", ends_at="2026-12-01T12:00", purpose="学习")
    assert "与已有预约冲突" in client.post(url, clash).content.decode()
    backwards = dict(ok, starts_at="2026-12-02T11:00", ends_at="2026-12-02T09:00")
    assert "结束时间必须晚于开始时间" in client.post(url, backwards).content.decode()
    crowd = dict(ok, starts_at="2026-12-03T09:00", ends_at="2026-12-03T10:00", attendees=50)
    assert "超过阵地容量" in client.post(url, crowd).content.decode()
    touching = dict(ok, starts_at="2026-12-01T11:00", ends_at="2026-12-01T12:00")
    assert client.post(url, touching).status_code == 302
    assert Booking.objects.count() == 2


def test_red_memory_search_finds_two_character_word(tree, bureau_admin, client):
    OralHistory.objects.create(organization=tree.root, title="老战士的回忆", interviewee_name="王老",
                               interviewer="老干部局", interviewed_on=dt.date(2025, 5, 1),
                               transcript="一九四九年随军南下，后来参加了湘西剿匪。")
    OralHistory.objects.create(organization=tree.root, title="修水库", interviewee_name="李老", interviewer="老干部局",
                               interviewed_on=dt.date(2025, 6, 1), transcript="六十年代全县修水库，南方的雨水多。")
    client.force_login(bureau_admin)
    page = client.get(reverse("care:oral") + "?q=南下").content.decode()
    assert "老战士的回忆" in page and "修水库" not in page
    assert "<mark>南下</mark>" in page
    page = client.get(reverse("care:oral") + "?q=剿匪 南下").content.decode()
    assert "老战士的回忆" in page
    # "南方" shares a character with 南下 but is another word.
    assert "老战士的回忆" not in client.get(reverse("care:oral") + "?q=南方").content.decode()


def test_highlight_escapes_html():
    out = search.highlight("<b>南下</b>的故事", "南下")
    assert out == ["&lt;b&gt;<mark>南下</mark>&lt;/b&gt;的故事"]


def test_volunteer_activity_hours(tree, bureau_admin, client):
    team = VolunteerTeam.objects.create(name="夕阳红理发队", organization=tree.root, services="义务理发")
    client.force_login(bureau_admin)
    client.post(reverse("care:team_detail", args=[team.pk]), {"retiree": tree.ra.pk, "skills": "理发"})
    url = reverse("care:activity_create") + f"?team={team.pk}"
    base = {"team": team.pk, "held_on": TODAY.isoformat(), "title": "进社区理发", "beneficiaries": 30}
    r = client.post(url, dict(base, **{f"hours_{tree.ra.pk}": "两小时"}))
    assert "服务时长请填写数字" in r.content.decode()
    r = client.post(url, dict(base, **{f"hours_{tree.ra.pk}": "30"}))
    assert "0.5到24小时" in r.content.decode()
    r = client.post(url, dict(base, **{f"hours_{tree.ra.pk}": "2.5"}))
    assert r.status_code == 302
    rows = selectors.volunteer_totals(VolunteerTeam.objects.all(), TODAY.year)
    assert rows[0][1] == Decimal("2.5") and rows[0][0].member_count == 1
    matches = selectors.match_helpers(type(tree.ra).objects.all(), "理发")
    assert [m["retiree"].name for m in matches] == [tree.ra.name]


def test_recording_an_activity_again_corrects_the_hours_in_place_and_logs_what_changed(tree, bureau_admin):
    from django.contrib.contenttypes.models import ContentType

    from changqing.care.models import Participation, TeamMember, VolunteerActivity
    from changqing.core.context import acting_as
    from changqing.core.models import ObjectChange

    team = VolunteerTeam.objects.create(name="夕阳红理发队", organization=tree.a, services="义务理发")
    kept, dropped, newcomer = tree.ra, make_retiree(tree.a, "李建国"), make_retiree(tree.a, "王秀英", gender="female")
    for r in (kept, dropped, newcomer):
        TeamMember.objects.create(team=team, retiree=r, joined_on=TODAY)
    activity = VolunteerActivity(team=team, held_on=TODAY, title="进社区理发", beneficiaries=30)
    with acting_as(bureau_admin):
        services.activity_record(activity=activity, hours={kept.pk: 2.5, dropped.pk: 1})
    rows = {p.retiree_id: p.pk for p in activity.participants.all()}
    ct = ContentType.objects.get_for_model(Participation)
    mark = ObjectChange.objects.latest("id").pk
    with acting_as(bureau_admin):
        services.activity_record(activity=activity, hours={kept.pk: 3, newcomer.pk: 2})
    assert Participation.objects.get(retiree=kept).pk == rows[kept.pk]  # corrected in place, not recreated
    edits = ObjectChange.objects.filter(content_type=ct, pk__gt=mark)
    assert sorted((c.action, c.object_repr) for c in edits) == [
        ("create", "王秀英：2.0小时"), ("delete", "李建国：1.0小时"), ("update", f"{kept.name}：3.0小时")]
    (update,) = edits.filter(action="update")
    assert update.changed_fields() == [("hours", "2.5", "3.0")]
    assert all(c.user == bureau_admin and c.org_path == tree.a.path for c in edits)
    # The same hours again write nothing.
    mark = ObjectChange.objects.latest("id").pk
    with acting_as(bureau_admin):
        services.activity_record(activity=activity, hours={kept.pk: 3, newcomer.pk: 2})
    assert not ObjectChange.objects.filter(content_type=ct, pk__gt=mark).exists()


@pytest.mark.parametrize("n", [2, 20])
def test_lists_do_not_grow_queries(tree, bureau_admin, client, django_assert_max_num_queries, n):
    for i in range(n):
        Visit.objects.create(retiree=tree.ra, visited_on=TODAY, kind="routine", visitors=f"x{i}")
        HardshipRecord.objects.create(retiree=tree.rb, reason="alone", since=TODAY)
    client.force_login(bureau_admin)
    for name in ("care:visits", "care:hardship", "care:dashboard", "care:birthdays", "care:campaigns", "care:pairings"):
        with django_assert_max_num_queries(16):
            assert client.get(reverse(name)).status_code == 200, name


def test_archive_is_shared_but_interviews_with_registered_people_stay_in_scope(tree, secretary_a, client):
    common = dict(organization=tree.root, interviewer="老干部局", interviewed_on=dt.date(2025, 5, 1), transcript="回忆")
    OralHistory.objects.create(title="甲的访谈", interviewee=tree.ra, interviewee_name=tree.ra.name, **common)
    OralHistory.objects.create(title="乙的访谈", interviewee=tree.rb, interviewee_name=tree.rb.name, **common)
    OralHistory.objects.create(title="外县老战士", interviewee_name="外县老人", **common)
    client.force_login(secretary_a)
    page = client.get(reverse("care:oral")).content.decode()
    assert "甲的访谈" in page and "外县老战士" in page
    assert "乙的访谈" not in page and tree.rb.name not in page
    other = OralHistory.objects.get(title="乙的访谈")
    assert client.get(reverse("care:oral_detail", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("url_name, data, message, model", [
    ("care:hardship_create", {"reason": "alone", "since": ""}, "该字段是必填项", HardshipRecord),
    ("care:duty_create", {"community": "灵溪社区", "served_on": "2999-01-01", "days": "1", "content": "值班"},
     "服务日期不能晚于今天", None),
    ("care:duty_create", {"community": "灵溪社区", "served_on": "2026-01-01", "days": "0", "content": "值班"},
     "0.5", None),
    ("care:role_create", {"kind": "tutor", "since": ""}, "该字段是必填项", None),
    ("care:team_create", {"name": "", "services": "理发"}, "该字段是必填项", VolunteerTeam),
    ("care:venue_create", {"name": "活动室", "kind": "activity_room", "address": "x", "capacity": "0"}, "1", Venue),
    ("care:programme_create", {"name": ""}, "该字段是必填项", AssistanceProgramme),
    ("care:oral_create", {"title": "访谈", "interviewee_name": "王老", "interviewer": "局", "interviewed_on": "2025-01-01",
                          "transcript": ""}, "该字段是必填项", OralHistory),
    ("care:pairing_create", {"started_on": "2026-01-01", "cadence_days": "0"}, "该字段是必填项", Pairing),
])
def test_bad_input_on_every_form_is_refused_beside_the_field(tree, bureau_admin, client, url_name, data, message, model):
    from changqing.care.models import CommunityDuty, RetireeRole

    data = dict(data)
    if url_name in ("care:hardship_create", "care:duty_create", "care:role_create"):
        data["retiree"] = tree.ra.pk
    if url_name in ("care:team_create", "care:venue_create", "care:programme_create", "care:oral_create"):
        data["organization"] = tree.root.pk
    client.force_login(bureau_admin)
    counts = {m: m.objects.count() for m in (HardshipRecord, CommunityDuty, RetireeRole, VolunteerTeam, Venue,
                                             AssistanceProgramme, OralHistory, Pairing)}
    response = client.post(reverse(url_name), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="errorlist' in body and message in body
    assert counts == {m: m.objects.count() for m in counts}


def test_oral_history_rejects_unknown_media_type(tree, bureau_admin, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(bureau_admin)
    bad = SimpleUploadedFile("访谈.exe", b"MZ", content_type="application/octet-stream")
    r = client.post(reverse("care:oral_create"), {
        "title": "访谈", "organization": tree.root.pk, "interviewee_name": "王老", "interviewer": "局",
        "interviewed_on": "2025-01-01", "transcript": "内容", "media": bad})
    assert "不支持的文件类型" in r.content.decode() and not OralHistory.objects.exists()
