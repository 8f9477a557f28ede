"""Study records (送学上门 outside meetings), training person-times, work lists from publish to completion."""
import datetime as dt

import pytest
from django.utils import timezone

from changqing.life import engine, selectors
from changqing.life.models import (
    StudyRecord, TrainingCourse, TrainingSession, WorkItemCompletion, WorkList, WorkListReceipt,
)

from .conftest import add_members, hold

pytestmark = pytest.mark.today  # the worklists and warnings read the date


def test_home_delivery_study_record_counts_as_participation(tree, secretary_a, client):
    members = add_members(tree.a, 1, immobile=1)
    m = members[0]
    hold(tree.a, "group_meeting", dt.date(2025, 3, 5), [m], status="excused")
    period = engine.parse_period("2025-03")
    _, people = selectors.member_participation(tree.root, period, today=dt.date(2025, 3, 30))
    me = next(p for p in people if p.member.id == m.pk)
    assert me.excused_unreached and me.participations == 0
    client.force_login(secretary_a)
    bad = client.post("/life/study/new/", {"membership": m.pk, "studied_on": "2025-03-20", "mode": "home_delivery",
                                           "material_title": "党章"})
    assert bad.status_code == 200 and "送学上门需填写送学人" in bad.content.decode()
    assert not StudyRecord.objects.exists()
    ok = client.post("/life/study/new/", {"membership": m.pk, "studied_on": "2025-03-20", "mode": "home_delivery",
                                          "material_title": "党章", "deliverer": "李书记", "reflection": "感谢组织"})
    assert ok.status_code == 302
    assert StudyRecord.objects.get().organization == tree.a
    _, people = selectors.member_participation(tree.root, period, today=dt.date(2025, 3, 30))
    me = next(p for p in people if p.member.id == m.pk)
    assert me.participations == 1 and not me.excused_unreached
    assert "党章" in client.get("/life/study/?mode=home_delivery").content.decode()


def test_six_month_warning_on_participation_page(tree, bureau_admin, client):
    members = add_members(tree.a, 2)
    today = timezone.localdate()
    old = today - dt.timedelta(days=200)
    hold(tree.a, "group_meeting", old, members)
    hold(tree.a, "group_meeting", today - dt.timedelta(days=3), members[:1])
    client.force_login(bureau_admin)
    html = client.get(f"/life/participation/?org=T&period={today.year}").content.decode()
    assert members[1].retiree.name in html and "6个月" in html
    assert members[0].retiree.name not in html


def test_training_person_times(tree, bureau_admin, client):
    course = TrainingCourse.objects.create(organization=tree.root, name="党校轮训", kind="party_school",
                                           start_on=dt.date(2025, 4, 1))
    for i in range(3):
        s = TrainingSession.objects.create(course=course, held_on=dt.date(2025, 4, 1 + i), topic=f"第{i + 1}讲")
        s.attendees.set([tree.ra, tree.rb][: 1 + i % 2])
    client.force_login(bureau_admin)
    assert "共 3 场，4 人次" in client.get(f"/life/courses/{course.pk}/").content.decode()
    rows = client.get("/life/courses/").content.decode()
    assert "党校轮训" in rows


def test_work_list_publish_acknowledge_complete(tree, bureau_admin, secretary_a, client):
    client.force_login(bureau_admin)
    bad = client.post("/life/worklists/new/", {"kind": "theme_day", "month": "2025-10", "title": "十月主题党日清单",
                                               "items": "开展主题党日｜2025-10-32"})
    assert "不是有效日期" in bad.content.decode() and not WorkList.objects.exists()
    resp = client.post("/life/worklists/new/", {"kind": "theme_day", "month": "2025-10", "title": "十月主题党日清单",
                                                "items": "开展主题党日｜2025-10-25\n上报活动照片|2025-10-31"})
    assert resp.status_code == 302
    wl = WorkList.objects.get()
    assert WorkListReceipt.objects.filter(work_list=wl).count() == 2  # both branches
    client.force_login(secretary_a)
    receipt = WorkListReceipt.objects.get(organization=tree.a)
    assert client.get(f"/life/receipts/{WorkListReceipt.objects.get(organization=tree.b).pk}/").status_code == 404
    client.post(f"/life/receipts/{receipt.pk}/", {"action": "ack"})
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is not None
    item = wl.items.get(order=1)
    resp = client.post(f"/life/receipts/{receipt.pk}/", {"item": item.pk})
    assert resp.status_code == 400 and "需要关联一次会议记录" in resp.content.decode()
    other = hold(tree.b, "theme_day", dt.date(2025, 10, 20))
    resp = client.post(f"/life/receipts/{receipt.pk}/", {"item": item.pk, "meeting": other.pk})
    assert resp.status_code == 400  # another branch's meeting is not offered
    m = hold(tree.a, "theme_day", dt.date(2025, 10, 20))
    assert client.post(f"/life/receipts/{receipt.pk}/", {"item": item.pk, "meeting": m.pk}).status_code == 302
    assert WorkItemCompletion.objects.get().meeting == m
    client.force_login(bureau_admin)
    html = client.get(f"/life/worklists/{wl.pk}/").content.decode()
    assert "已签收 1/2" in html
    assert "十月主题党日清单" in client.get("/life/worklists/").content.decode()


def test_home_panel_and_digest_say_what_is_due(tree, secretary_a, client):
    from changqing.life.panels import life_digest

    client.force_login(secretary_a)
    html = client.get("/").content.decode()
    assert "组织生活 · " in html and "党小组会" in html and "去记录" in html
    today = timezone.localdate()
    items = life_digest(secretary_a, today)
    assert items and all(i["title"].startswith("甲支部：") for i in items)
    assert any("党小组会" in i["title"] for i in items) or today.day < 15
    hold(tree.a, "group_meeting", today.replace(day=1), add_members(tree.a, 1))
    assert not any("党小组会" in i["title"] for i in life_digest(secretary_a, today))
