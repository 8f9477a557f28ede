import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

ROLES = ["admin", "shuji", "gongwei", "pianzu", "lianluo", "zhuanyuan", "dangyuan"]


@pytest.mark.parametrize("username", ROLES)
def test_every_role_logs_in_and_navigates(demo, page_factory, username):
    page = page_factory()
    login(page, username)
    assert page.locator("h1").first.inner_text().startswith("您好")
    links = page.locator("nav.mainnav a")
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        response = page.goto(page.base_url + href)
        assert response.status == 200, href
    screenshot(page, f"role-{username}")


@pytest.mark.parametrize("width", [1280, 375])
def test_large_text_mode_raises_font_and_targets(demo, page_factory, width):
    page = page_factory(width=width)
    login(page, "admin")
    # The demo is shared by the browser tests: start from the normal size whatever an earlier test left.
    if page.evaluate("document.documentElement.classList.contains('large-text')"):
        page.click("#large-text-toggle")
        page.wait_for_load_state()
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 18
    screenshot(page, f"home-{width}-normal")
    page.click("#large-text-toggle")
    page.wait_for_load_state()
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 22
    button = page.locator("#large-text-toggle").bounding_box()
    assert button["height"] >= 60
    screenshot(page, f"home-{width}-large")
    # Remembered on the account: a new session starts in large text.
    page.context.clear_cookies()
    login(page, "admin")
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    # No horizontal scroll on a phone.
    if width == 375:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    # Switch back through the page (the server's own connection), for the tests after this one.
    page.click("#large-text-toggle")
    page.wait_for_load_state()
    assert not page.evaluate("document.documentElement.classList.contains('large-text')")
