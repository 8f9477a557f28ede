"""A branch secretary records a 党小组会 with attendance and a 送学上门 on a phone-sized screen."""
import time

import pytest

from .conftest import committed, login, screenshot

pytestmark = pytest.mark.browser


def test_secretary_records_group_meeting_on_phone(demo, page_factory):
    from changqing.life.models import Attendance, Meeting
    from changqing.orgs.models import Organization

    page = page_factory(width=375, height=812)
    login(page, "shuji")
    started = time.monotonic()
    actions = 0
    menu = page.locator("nav.mainnav > details > summary")
    if menu.is_visible():
        menu.click()
    page.click("nav.mainnav summary:has-text('组织生活')")  # the menu group, then its entry
    page.click("nav.mainnav a[href='/life/']")  # menu entry: a secretary lands on her branch
    actions += 2
    page.wait_for_url("**/life/branch/**")
    branch_code = page.url.rstrip("/").split("/")[-1]
    assert "本月：" in page.locator("#month-summary").inner_text()
    screenshot(page, "life-branch-375")
    page.click("#record-meeting")
    actions += 1
    page.wait_for_url("**/record/")
    before = Meeting.objects.filter(organization__code=branch_code).count()

    # Bad input first: no topic, and a 送学上门 without its material. Nothing is saved.
    page.click(".choice-row label:has-text('党小组会')")
    immobile = page.locator("li.member:has(.tag:has-text('行动不便'))").first
    immobile.locator(".seg label:has-text('送学上门')").click()
    page.click("#save-meeting")
    page.wait_for_load_state()
    assert "请填写会议主题" in page.content()
    # The deliverer is pre-filled (the secretary) for who cannot come; what was delivered is asked for.
    assert "送学上门需填写送了什么学习内容" in page.content()
    assert Meeting.objects.filter(organization__code=branch_code).count() == before

    # The real record: the kind and the 送学上门 choice survived the error.
    assert page.locator(".choice-row input:checked").count() == 1
    page.fill("#id_topic", "学习党的二十届四中全会精神")
    actions += 1
    immobile = page.locator("li.member:has(.seg input[value=home_delivery]:checked)").first
    member_id = immobile.get_attribute("data-member")
    immobile.locator(f"#id_deliverer_{member_id}").fill("王书记")
    immobile.locator(f"#id_material_{member_id}").fill("四中全会公报")
    immobile.locator(f"#id_feedback_{member_id}").fill("表示拥护，感谢组织")
    actions += 3
    # One member is away: tap 请假 and give the reason.
    away = page.locator("li.member:not(.is-flagged)").last  # (who cannot come is excused already)
    away_id = away.get_attribute("data-member")
    away.locator(".seg label:has-text('请假')").click()
    away.locator(f"#id_reason_{away_id}").fill("外出探亲")
    actions += 2
    box = away.locator(".seg label:has-text('请假')").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # big tap targets
    screenshot(page, "life-record-375")
    page.click("#save-meeting")
    actions += 1
    page.wait_for_url(f"**/life/branch/{branch_code}/")
    elapsed = time.monotonic() - started
    assert "已记录党小组会" in page.content()
    screenshot(page, "life-branch-after-375")

    meeting = Meeting.objects.filter(organization__code=branch_code).latest("id")
    assert meeting.topic == "学习党的二十届四中全会精神" and meeting.kind.code == "group_meeting"
    assert meeting.created_by.username == "shuji"
    att = {a.membership_id: a for a in meeting.attendances.all()}
    roll = Organization.objects.get(code=branch_code).memberships.filter(state="active").count()
    assert len(att) == roll
    delivered = att[int(member_id)]
    assert (delivered.status, delivered.deliverer, delivered.material) == ("home_delivery", "王书记", "四中全会公报")
    assert att[int(away_id)].status == "excused" and att[int(away_id)].reason == "外出探亲"
    # Everyone else is present, except who cannot come (immobile, bedridden, away): excused by default.
    assert all(a.status == "present" or a.membership_id in (int(member_id), int(away_id))
               or (a.status == "excused" and a.reason in ("行动不便", "卧床", "外出")) for a in att.values())
    # Ten taps and fields for a whole branch's meeting; the browser does it well within a minute.
    assert actions <= 10 and elapsed < 60

    def clear():  # committed: the live server wrote it, so a delete inside the test transaction would not stick
        Attendance.objects.filter(meeting=meeting).delete()
        meeting.delete()

    committed(clear)


def test_heat_map_links_to_records(demo, page_factory):
    page = page_factory(width=1280)
    login(page, "admin")
    page.goto(page.base_url + "/life/heatmap/?org=YS&period=2026")
    page.wait_for_selector("#heatmap-chart canvas")
    screenshot(page, "life-heatmap-1280")
    cell = page.locator("#heat-table td.cell a").first
    href = cell.get_attribute("href")
    cell.click()
    page.wait_for_load_state()
    assert "/life/meetings/" in page.url and "month=2026-01" in href
    assert "会议活动记录" in page.locator("h1").inner_text()
    page.goto(page.base_url + "/life/overdue/?org=YS&period=2026")
    screenshot(page, "life-overdue-1280")
    assert page.locator("table.list tbody tr").count() >= 1
