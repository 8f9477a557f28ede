"""Issue 20 in a browser: the admin opens the completeness board, a branch, a to-fix item lands on the record's
edit page at the missing field; the upward tables' figure opens exactly its records; both fit 375 px."""
import re

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_board_to_fix_and_upward_tables(demo, page_factory):
    page = page_factory(width=375, height=800)
    login(page, "admin")
    page.goto(page.base_url + "/completeness/?rule=meeting_minutes")
    assert "信息完整度" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    screenshot(page, "completeness-375")
    page.locator("#board tbody tr th a").first.click()
    page.wait_for_url("**/completeness/branch/**")
    item = page.locator("#to-fix-list a.fix").first
    item.click()
    page.wait_for_url(re.compile(r".*/life/meetings/\d+/edit/#id_minutes$"))
    assert page.locator("#id_minutes").count() == 1
    screenshot(page, "completeness-fix-375")

    page.goto(page.base_url + "/upward/?on=2025-12-31")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    screenshot(page, "upward-375")
    cell = page.locator('a[data-cell="people.members.gender.female"]')
    expected = int(cell.inner_text())
    cell.click()
    page.wait_for_url("**/upward/records/**")
    assert int(re.search(r"共\s*(\d+)\s*条", page.locator("main").inner_text()).group(1)) == expected
