"""The bureau admin opens the statistics, clicks a figure and lands on exactly the records behind it (issue 7)."""
import re

import pytest
from django.utils import timezone

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_admin_clicks_a_figure_and_sees_its_records(demo, page_factory):
    from changqing.accounts.models import User
    from changqing.stats.selectors import annual_figures
    from changqing.stats.views import default_org, scope_roots

    root = default_org(scope_roots(User.objects.get(username="admin")))  # the page's default
    assert root.code == "YS"
    figures = annual_figures(org=root, on=timezone.localdate())
    assert figures["retirees"] > 1000 and figures["lixiu_members"] > 0

    page = page_factory()
    login(page, "admin")
    page.goto(page.base_url + "/stats/")
    assert page.locator("h1").inner_text() == "离退休干部党建统计"
    assert page.locator("#org").input_value() == root.code
    shown = page.locator('#people-table a[data-figure="lixiu_members"]')
    assert int(shown.inner_text()) == figures["lixiu_members"]
    page.wait_for_selector("#trend-chart canvas")  # ECharts drew the trend
    screenshot(page, "stats-1280")

    shown.click()
    page.wait_for_url("**/stats/records/**")
    count = int(re.search(r"共\s*(\d+)\s*条", page.locator("main").inner_text()).group(1))
    assert count == figures["lixiu_members"]
    assert "离休干部党员" in page.locator("h1").inner_text()
    screenshot(page, "stats-records-1280")

    # A distribution bucket: the people aged 80–89.
    page.go_back()
    bucket = page.locator('#dist-age a[data-bucket="80-89"]')
    expected = int(bucket.inner_text())
    bucket.click()
    page.wait_for_url("**/stats/records/**")
    assert int(re.search(r"共\s*(\d+)\s*条", page.locator("main").inner_text()).group(1)) == expected

    small = page_factory(width=375, height=800)
    login(small, "admin")
    small.goto(small.base_url + "/stats/")
    small.wait_for_selector("#trend-chart canvas")
    # Nothing wider than the screen but the scrollable tables.
    assert small.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    screenshot(small, "stats-375")
