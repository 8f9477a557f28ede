"""Browser tests: Playwright (Python) driving Debian's /usr/bin/chromium.

Never a downloaded browser. Without Chromium (not root, so `make test` could
not install it) these tests are skipped with a loud reason, and only these.
Screenshots are kept under test-artifacts/screenshots/.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DEMO_PASSWORD = "changqing2026"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"未找到 {CHROMIUM}：浏览器测试跳过（需要 root 运行 make test 以安装 chromium）")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def demo(transactional_db):
    """The county demo, with one login per role."""
    from django.core.management import call_command

    call_command("seed_demo", "--scale", "county", "--seed", "1", stdout=open(os.devnull, "w"))


def _new_page(browser, live_server, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.base_url = live_server.url
    return page


@pytest.fixture
def page_factory(browser, live_server):
    pages = []

    def make(width=1280, height=900):
        page = _new_page(browser, live_server, width, height)
        pages.append(page)
        return page

    yield make
    for p in pages:
        p.context.close()


def login(page, username, password=DEMO_PASSWORD):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(page.base_url + "/")


def screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
