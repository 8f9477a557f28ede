"""The election helper's four steps on a phone (375px), as the demo branch secretary."""
import pytest

from .conftest import committed, login, screenshot

pytestmark = pytest.mark.browser


def test_election_helper_steps_on_a_phone(demo, page_factory):
    from changqing.accounts.models import User
    from changqing.orgs import helper
    from changqing.orgs.models import ElectionPlan, Organization

    user = User.objects.get(username="shuji")
    org = Organization.objects.get(pk=user.role_assignments.filter(organization__kind="branch")
                                   .values_list("organization_id", flat=True).first())
    page = page_factory(width=375, height=800)
    login(page, "shuji")
    base = page.base_url + f"/orgs/{org.code}/election-helper/"
    try:
        page.goto(base)
        assert "换届选举助手" in page.locator("h1").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
        screenshot(page, "election-helper-1-roll-375")
        page.click("button:has-text('保存，下一步')")
        page.wait_for_url(base + "candidates/")
        roll = helper.roll_for(org, None, helper.open_plan(org).created_at.date())
        need = roll.rules.candidates_needed(helper.open_plan(org).seats)
        page.click("button:has-text('保存，下一步')")  # none chosen: refused beside the list
        assert "候选人应不少于" in page.locator("#candidates_errors").inner_text()
        boxes = page.locator(".helper-cands input[type=checkbox]")
        for i in range(need):
            boxes.nth(i).check()
        screenshot(page, "election-helper-2-candidates-375")
        page.click("button:has-text('保存，下一步')")
        page.wait_for_url(base + "documents/")
        assert page.locator("a:has-text('下载选票')").count() == 1
        screenshot(page, "election-helper-3-documents-375")
        page.click("a:has-text('录入选举结果')")
        page.wait_for_url(base + "result/")
        page.fill("#id_held_on", "2026-11-20")
        page.fill("#id_present", "1")
        votes = page.locator("input[id^=id_votes_]")
        for i in range(votes.count()):
            votes.nth(i).fill("0")
        page.click("button:has-text('计算结果')")
        assert "选举无效" in page.locator("#id_present_errors").inner_text()
        screenshot(page, "election-helper-4-result-375")
    finally:
        committed(lambda: ElectionPlan.objects.filter(organization=org, election__isnull=True).delete())
