"""A branch secretary on a phone (375px) records a hospital stay, sees the visit task on the member record,
records the member's death (checklist opens) and reverses it as a mistake."""
import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def _person():
    from changqing.accounts.models import RoleAssignment
    from changqing.members.models import Retiree

    branch = RoleAssignment.objects.get(user__username="shuji").organization
    return (Retiree.objects.filter(organization=branch, status="alive", membership__state="active",
                                   pairings__isnull=True, hospital_stays__isnull=True)
            .order_by("-id").first())


def test_secretary_on_phone_hospital_stay_then_death_and_reversal(demo, page_factory):
    from changqing.lifeevents.models import ChecklistItem, DeathRecord, VisitTask
    from changqing.members.models import Membership

    person = _person()
    page = page_factory(width=375, height=812)
    login(page, "shuji")
    page.goto(page.base_url + f"/lifeevents/stays/new/?retiree={person.pk}")
    page.fill("#id_hospital", "县人民医院")
    page.fill("#id_ward", "心内科3病区")
    page.select_option("#id_reason", "acute")
    page.fill("#id_admitted_on", "2026-11-20")
    screenshot(page, "lifeevents-stay-form-375")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_url(page.base_url + person.get_absolute_url())
    assert "已生成探望任务" in page.locator(".messages").inner_text()
    task = VisitTask.objects.get(retiree=person, status="open")
    assert str(task.due_on) == "2026-11-23" and task.assignee.username == "shuji"
    section = page.locator("section:has(h2:text-is('生活事件'))")
    assert "请在11月23日前探望" in section.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    section.scroll_into_view_if_needed()
    screenshot(page, "lifeevents-record-after-stay-375")

    page.locator("a:has-text('登记去世')").click()
    page.wait_for_load_state()
    page.fill("#id_died_on", "2026-11-22")
    page.fill("#id_reported_by", "儿子")
    page.select_option("#id_cause", "illness")
    screenshot(page, "lifeevents-death-form-375")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_load_state()
    record = DeathRecord.objects.get(retiree=person)
    assert Membership.objects.get(retiree=person).state == "deceased"
    assert VisitTask.objects.get(pk=task.pk).status == "cancelled"
    assert ChecklistItem.objects.filter(death=record).count() == 4
    page.goto(page.base_url + f"/lifeevents/deaths/{record.pk}/")
    assert "慰问家属" in page.content() and "档案移交" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    screenshot(page, "lifeevents-death-checklist-375")

    page.locator("a:has-text('撤销去世登记')").first.click()
    page.wait_for_load_state()
    page.fill("#id_reason", "误报，本人健在")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_url(page.base_url + person.get_absolute_url())
    assert Membership.objects.get(retiree=person).state == "active"
    assert VisitTask.objects.get(pk=task.pk).status == "open"
    assert "撤销" in page.locator("section:has(h2:text-is('生活事件'))").inner_text()
    screenshot(page, "lifeevents-record-after-reversal-375")
