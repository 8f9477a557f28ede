"""Recording meetings: the secretary's form, attendance rules, attachments, plans, votes."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from changqing.core import uploads
from changqing.life.models import Attendance, Meeting, MeetingAttachment, MeetingKind, MeetingState

from .conftest import add_members, hold

pytestmark = pytest.mark.today  # the pages and forms read the date


def _post(members, **over):
    data = {"kind": MeetingKind.objects.get(code="group_meeting").pk, "held_on": timezone.localdate().isoformat(),
            "topic": "学习二十大精神", "place": "活动室"}
    for m in members:
        data[f"att_{m.pk}"] = "present"
    data.update(over)
    return data


def test_secretary_records_group_meeting_with_home_delivery(tree, secretary_a, client):
    members = add_members(tree.a, 3, immobile=1)
    client.force_login(secretary_a)
    page = client.get("/life/branch/T-A/record/")
    assert page.status_code == 200 and "默认全体党员出席" in page.content.decode()
    immobile, away = members[0], members[1]
    resp = client.post("/life/branch/T-A/record/", _post(members, **{
        f"att_{immobile.pk}": "home_delivery", f"deliverer_{immobile.pk}": "王书记",
        f"material_{immobile.pk}": "二十大报告辅导", f"feedback_{immobile.pk}": "很受教育",
        f"att_{away.pk}": "excused", f"reason_{away.pk}": "住院"}))
    assert resp.status_code == 302 and resp["Location"] == "/life/branch/T-A/"
    m = Meeting.objects.get()
    assert m.organization == tree.a and m.created_by == secretary_a and m.created_by_name
    assert m.created_at == timezone.now()  # the clock is pinned
    att = {a.membership_id: a for a in m.attendances.all()}
    assert len(att) == 4  # three added plus the fixture's 张宏伟
    assert att[immobile.pk].status == "home_delivery" and att[immobile.pk].deliverer == "王书记"
    assert att[away.pk].status == "excused" and att[away.pk].reason == "住院"
    detail = client.get(f"/life/meetings/{m.pk}/").content.decode()
    assert "录入时间" in detail and "送学人：王书记" in detail


@pytest.mark.parametrize("field,value,message", [
    ("reason", "", "请假需填写事由"),
    ("deliverer", "", "送学上门需填写送学人"),
])
def test_attendance_details_required_nothing_written(tree, secretary_a, client, field, value, message):
    members = add_members(tree.a, 2)
    client.force_login(secretary_a)
    status = "excused" if field == "reason" else "home_delivery"
    resp = client.post("/life/branch/T-A/record/", _post(members, **{
        f"att_{members[0].pk}": status, f"{field}_{members[0].pk}": value, f"material_{members[0].pk}": "材料"}))
    assert resp.status_code == 200
    assert message in resp.content.decode()
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


@pytest.mark.parametrize("over,message", [
    ({"topic": ""}, "请填写会议主题"),
    ({"held_on": "2099-01-01"}, "会议日期不能晚于今天"),
    ({"held_on": "2025-02-30"}, "日期格式不对"),
    ({"kind": ""}, "请选择会议类型"),
])
def test_meeting_fields_validated_in_chinese(tree, secretary_a, client, over, message):
    members = add_members(tree.a, 1)
    client.force_login(secretary_a)
    resp = client.post("/life/branch/T-A/record/", _post(members, **over))
    assert resp.status_code == 200 and message in resp.content.decode()
    assert not Meeting.objects.exists()


def test_vote_check_at_general_meeting(tree, secretary_a, client):
    members = add_members(tree.a, 4)  # 5 due with 张宏伟
    client.force_login(secretary_a)
    data = _post(members, kind=MeetingKind.objects.get(code="general_meeting").pk, votes_for="2")
    resp = client.post("/life/branch/T-A/record/", data)
    assert resp.status_code == 302
    m = Meeting.objects.get()
    assert "未超过应到人数（5人）半数，未通过" in m.resolutions
    resp = client.post("/life/branch/T-A/record/", _post(members, votes_for="9"))
    assert "票数不能超过党员人数" in resp.content.decode()


def test_plan_becomes_record(tree, secretary_a, client):
    members = add_members(tree.a, 1)
    client.force_login(secretary_a)
    day = timezone.localdate() + dt.timedelta(days=5)
    resp = client.post("/life/branch/T-A/plan/", {"kind": MeetingKind.objects.get(code="theme_day").pk,
                                                  "held_on": day.isoformat(), "topic": "重温入党誓词"})
    assert resp.status_code == 302
    plan = Meeting.objects.get(state=MeetingState.PLANNED)
    assert "重温入党誓词" in client.get("/life/branch/T-A/").content.decode()
    page = client.get(f"/life/branch/T-A/record/?plan={plan.pk}").content.decode()
    assert 'value="重温入党誓词"' in page
    resp = client.post("/life/branch/T-A/record/", _post(members, plan=plan.pk, topic="重温入党誓词",
                                                         kind=plan.kind_id))
    assert resp.status_code == 302
    assert list(Meeting.objects.values_list("state", flat=True)) == [MeetingState.HELD]
    resp = client.post("/life/branch/T-A/plan/", {"kind": plan.kind_id, "held_on": "2020-01-01", "topic": "x"})
    assert "计划日期不能早于今天" in resp.content.decode()


def _png():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return buf.getvalue()


def test_attachments_type_and_size(tree, secretary_a, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    m = hold(tree.a, "group_meeting", dt.date(2025, 3, 1))
    client.force_login(secretary_a)
    url = f"/life/meetings/{m.pk}/attachments/"
    ok = client.post(url, {"file": SimpleUploadedFile("现场.png", _png(), "image/png"), "caption": "会议现场"})
    assert ok.status_code == 302
    assert MeetingAttachment.objects.get().kind == "image"
    bad = client.post(url, {"file": SimpleUploadedFile("a.exe", b"MZ", "application/octet-stream")})
    assert bad.status_code == 400 and "只能上传 JPG、PNG 照片或 PDF 文件" in bad.content.decode()
    fake = client.post(url, {"file": SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")})
    assert "照片文件已损坏或不是图片" in fake.content.decode()
    pdf = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"hello", "application/pdf")})
    assert "不是有效的 PDF 文件" in pdf.content.decode()

    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (uploads.MAX_BYTES + 1), "application/pdf")
    assert "不能超过 10 MB" in client.post(url, {"file": big}).content.decode()
    assert MeetingAttachment.objects.count() == 1


def test_branch_page_sentences(tree, secretary_a, client):
    members = add_members(tree.a, 2)
    today = timezone.localdate()
    hold(tree.a, "group_meeting", today.replace(day=1), members)
    client.force_login(secretary_a)
    html = client.get("/life/branch/T-A/").content.decode()
    assert "党小组会 已完成" in html
    assert "天到期" in html or "今天到期" in html  # something of this month or quarter is still open


def test_member_list_and_records_out_of_scope_for_member_role(tree, client):
    from changqing.core.roles import Role
    from tests.factories import make_user

    user = make_user("member_self", Role.MEMBER)
    client.force_login(user)
    assert client.get("/life/heatmap/").status_code == 403


def test_calendar_shows_plans_and_records(tree, secretary_a, client):
    today = timezone.localdate()
    hold(tree.a, "group_meeting", today.replace(day=1), topic="月初党小组会")
    Meeting.objects.create(organization=tree.a, kind=MeetingKind.objects.get(code="theme_day"), held_on=today,
                           state=MeetingState.PLANNED, topic="计划中的主题党日")
    client.force_login(secretary_a)
    html = client.get(f"/life/branch/T-A/calendar/?month={today:%Y-%m}").content.decode()
    assert "月初党小组会" in html and "计划中的主题党日" in html and "已召开，去记录" in html
    assert client.get("/life/branch/T-B/calendar/").status_code == 404
    assert client.get("/life/branch/T-A/calendar/?month=2025-99").status_code == 200


def test_edit_keeps_entry_time_and_logs_change(tree, secretary_a, client):
    from changqing.core.models import ObjectChange

    members = add_members(tree.a, 2)
    client.force_login(secretary_a)
    client.post("/life/branch/T-A/record/", _post(members))
    m = Meeting.objects.get()
    entered = m.created_at
    page = client.get(f"/life/meetings/{m.pk}/edit/").content.decode()
    assert "修改会议记录" in page and 'value="学习二十大精神"' in page
    data = _post(members, topic="学习二十大精神（补记）", **{f"att_{members[0].pk}": "absent"})
    bad = client.post(f"/life/meetings/{m.pk}/edit/", {**data, f"att_{members[1].pk}": "excused"})
    assert "请假需填写事由" in bad.content.decode()
    m.refresh_from_db()
    assert m.topic == "学习二十大精神" and m.attendances.get(membership=members[0]).status == "present"
    assert client.post(f"/life/meetings/{m.pk}/edit/", data).status_code == 302
    m.refresh_from_db()
    assert m.topic.endswith("（补记）") and m.created_at == entered and m.created_by == secretary_a
    assert m.attendances.get(membership=members[0]).status == "absent"
    assert ObjectChange.objects.filter(object_id=str(m.pk), action="update").exists()
    other = hold(tree.b, "group_meeting", dt.date(2025, 3, 1))
    assert client.get(f"/life/meetings/{other.pk}/edit/").status_code == 404


def test_attendance_edit_keeps_its_rows_and_logs_who_was_marked_how(tree, secretary_a, client):
    from django.contrib.contenttypes.models import ContentType

    from changqing.core.context import acting_as
    from changqing.core.models import ObjectChange
    from changqing.life.services import AttendanceEntry, meeting_update

    members = add_members(tree.a, 2)
    client.force_login(secretary_a)
    client.post("/life/branch/T-A/record/", _post(members))
    m = Meeting.objects.get()
    rows = {a.membership_id: a.pk for a in m.attendances.all()}
    ct = ContentType.objects.get_for_model(Attendance)
    created = ObjectChange.objects.filter(content_type=ct, action="create")
    assert created.count() == len(rows) == 3 and all(c.user == secretary_a for c in created)
    mark = ObjectChange.objects.latest("id").pk
    assert client.post(f"/life/meetings/{m.pk}/edit/", _post(members, **{f"att_{members[0].pk}": "absent"})
                       ).status_code == 302
    assert {a.membership_id: a.pk for a in m.attendances.all()} == rows  # corrected in place, not recreated
    (edit,) = ObjectChange.objects.filter(content_type=ct, pk__gt=mark)
    assert edit.action == "update" and edit.user == secretary_a and edit.object_id == str(rows[members[0].pk])
    assert edit.changed_fields() == [("status", "present", "absent")]
    assert edit.object_repr == f"{members[0].retiree.name}：缺席" and edit.org_path == tree.a.path
    # Dropping one person and adding a newcomer: one deletion and one creation, the rest untouched.
    (newcomer,) = add_members(tree.a, 1)
    mark = ObjectChange.objects.latest("id").pk
    keep = [AttendanceEntry(mid, "absent" if mid == members[0].pk else "present") for mid in rows if mid != members[1].pk]
    with acting_as(secretary_a):
        meeting_update(meeting=m, attendance=[*keep, AttendanceEntry(newcomer.pk, "present")])
    edits = ObjectChange.objects.filter(content_type=ct, pk__gt=mark)
    assert sorted((c.action, c.object_repr) for c in edits) == [
        ("create", f"{newcomer.retiree.name}：出席"), ("delete", f"{members[1].retiree.name}：出席")]
