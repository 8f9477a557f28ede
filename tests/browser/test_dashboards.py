"""A bureau user opens the county's dashboard, clicks a figure, lands on the records behind it, exports them,
and the export matches the figure; the 大屏 fills a 1920×1080 display with charts that really render."""
import io
import re

import pytest
from openpyxl import load_workbook

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

# True when every canvas of the page has drawn something (a blank canvas is one colour).
CANVASES_DRAWN = """() => {
  const cs = [...document.querySelectorAll('.dash-chart canvas')];
  if (!cs.length) return 0;
  return cs.filter(c => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) { seen.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2] + ',' + d[i + 3]); if (seen.size > 3) return true; }
    return false;
  }).length === cs.length ? cs.length : -cs.length;
}"""


def _number(text: str) -> int:
    return int(re.search(r"\d+", text.replace(",", ""))[0])


def test_admin_clicks_a_figure_lands_on_its_records_and_exports_them(demo, page_factory):
    page = page_factory(width=1280, height=900)
    login(page, "admin")
    page.goto(page.base_url + "/dashboards/")
    page.wait_for_selector(".dash-chart canvas")
    assert page.evaluate(CANVASES_DRAWN) >= 3, "the ECharts charts did not draw"
    page.wait_for_timeout(1500)  # let the charts finish their entry animation before the picture
    screenshot(page, "dashboards-overview-1280")

    # 欠缴党费的党员 → the dues list filtered the same way.
    figure = page.locator("a.num[data-figure='dues.arrears']")
    expected = _number(figure.inner_text())
    assert expected > 0
    _lists_and_exports(page, figure, "**/dues/members/**", expected)

    # A figure of the dashboards' own records view: 期间尚未走访的离退休干部.
    page.goto(page.base_url + "/dashboards/")
    figure = page.locator("a.num[data-figure='care.unvisited']")
    expected = _number(figure.inner_text())
    _lists_and_exports(page, figure, "**/dashboards/records/**", expected)

    # A bar of a chart opens its records too (organisational life: a month's overdue branches).
    page.goto(page.base_url + "/dashboards/compliance/")
    page.wait_for_selector("#chart-compliance-months canvas")
    link = page.locator("#compliance-totals a").nth(1)  # the first month's 有逾期
    expected = _number(link.inner_text())
    link.click()
    page.wait_for_url("**/dashboards/records/**")
    assert _number(page.locator("text=/共 \\d+ 条/").first.inner_text()) == expected


def _lists_and_exports(page, link, url_glob, expected):
    """Click a number: its list says 共 N 条 and its Excel export has N rows, N being the number clicked."""
    link.click()
    page.wait_for_url(url_glob)
    assert _number(page.locator("text=/共 \\d+ 条/").first.inner_text()) == expected
    with page.expect_download() as download:
        page.click("a:has-text('导出 Excel')")
    ws = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert ws.max_row - 2 == expected


def test_dues_board_roll_of_a_month_lists_and_exports_that_many(demo, page_factory):
    page = page_factory(width=375, height=812)
    login(page, "admin")
    page.goto(page.base_url + "/dashboards/dues/")
    page.wait_for_selector(".dash-chart canvas")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1, "the page scrolls sideways"
    screenshot(page, "dashboards-dues-375")
    roll = page.locator("table tbody tr td a").first  # the first month's 应交党员
    expected = _number(roll.inner_text())
    assert expected > 0
    _lists_and_exports(page, roll, "**/dashboards/records/**", expected)
    page.goto(page.base_url + "/dashboards/zones/")
    screenshot(page, "dashboards-zones-375")


def test_dashboard_on_a_phone_and_the_meeting_room_screen(demo, page_factory):
    phone = page_factory(width=375, height=812)
    login(phone, "admin")
    phone.goto(phone.base_url + "/dashboards/")
    phone.wait_for_selector(".dash-chart canvas")
    assert phone.evaluate(CANVASES_DRAWN) >= 3
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1, "the page scrolls sideways"
    phone.wait_for_timeout(1500)
    screenshot(phone, "dashboards-overview-375")

    wall = page_factory(width=1920, height=1080)
    login(wall, "admin")
    wall.goto(wall.base_url + "/dashboards/screen/")
    wall.wait_for_selector(".dash-chart canvas")
    assert wall.evaluate(CANVASES_DRAWN) >= 4
    assert wall.locator("nav.mainnav").count() == 0
    assert wall.evaluate("document.documentElement.scrollHeight") <= 1080, "the 大屏 does not fit the display"
    assert wall.locator(".screen-figure").count() >= 12
    size = wall.evaluate("parseFloat(getComputedStyle(document.querySelector('.screen-num')).fontSize)")
    assert size >= 40
    wall.wait_for_timeout(1500)
    screenshot(wall, "dashboards-screen-1920")
