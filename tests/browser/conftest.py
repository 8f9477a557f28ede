"""Browser tests: Playwright (Python) driving Debian's /usr/bin/chromium.

Never a downloaded browser. Without Chromium (not root, so `make test` could
not install it) these tests are skipped with a loud reason, and only these.
Screenshots are kept under test-artifacts/screenshots/.
"""
import os
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DEMO_PASSWORD = "changqing2026"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/browser" in str(item.fspath)]
    for item in browser_items:
        # Marked for the database so pytest-django sets up the test database, and each test's
        # own writes are rolled back (the shared demo itself is committed once, see conftest.SharedDemo).
        item.add_marker(pytest.mark.django_db)
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"未找到 {CHROMIUM}：浏览器测试跳过（需要 root 运行 make test 以安装 chromium）")
    for item in browser_items:
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


@pytest.fixture(scope="package")
def demo_site(county_demo):
    """The shared county demo (conftest.county_demo), served by a live server thread for all browser tests.

    What the browser writes goes through the live server and is committed: each test reads counts
    before it acts and asserts the difference.
    """
    from django.db import connections
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    county_demo.ensure()
    with county_demo.blocker.unblock():
        overrides = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
        for conn in overrides.values():
            conn.inc_thread_sharing()
        thread = LiveServerThread("localhost", _StaticFilesHandler, connections_override=overrides, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        try:
            yield f"http://localhost:{thread.port}"
        finally:
            thread.terminate()
            for conn in overrides.values():
                conn.dec_thread_sharing()


@pytest.fixture
def demo(demo_site, django_db_blocker):
    """Use the shared demo: database access for the test body, the site's URL for pages."""
    with django_db_blocker.unblock():
        yield demo_site


def _new_page(browser, base_url, width=1280, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.base_url = base_url
    return page


@pytest.fixture
def page_factory(browser, demo):
    pages = []

    def make(width=1280, height=900):
        page = _new_page(browser, demo, width, height)
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


def first_login(page, username, password, new_password):
    """Log in with a password an administrator set, and change it as the site then requires."""
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(page.base_url + "/accounts/password/")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", new_password)
    page.fill("#id_new_password2", new_password)
    page.click("button:has-text('确认修改')")
    page.wait_for_url(page.base_url + "/")


def screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def committed(fn):
    """Run ORM writes so the live server sees them.

    On SQLite the server thread shares the test's connection. On PostgreSQL the
    test body runs inside a transaction the server cannot see, so the writes go
    through a thread of their own (its own connection, autocommit).
    """
    from django.db import connection, connections

    if connection.vendor == "sqlite":
        return fn()
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the test thread
            box["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
