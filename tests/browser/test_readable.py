"""Everything readable and reachable at 375px (issue 18): the smallest text and target of every main page.

For each demo role, the home page and every page of its menu (a page measured once, for the first role
whose menu has it) are opened at 375×800 and measured twice, at the normal size and in 大字模式:

* text: the smallest computed font-size of any visible text — ≥18px, ≥22px in 大字模式;
* targets: the smallest visible interactive element (a, button, input, select, textarea, summary, and the
  label of a checkbox or radio, which is its target) — ≥44×44px, ≥60×60px in 大字模式.

Exclusions, each allowed by WCAG 2.2 (2.5.8 Target Size):
* inline links inside running text (a link whose display is inline, in a sentence with other words):
  the "inline" exception; their text size is still measured;
* a checkbox or radio inside its label, and the visually hidden file input behind its 「选择文件」 label:
  the label is the target and is measured instead;
* the skip link, off screen until focused.

大字模式 is measured by setting the class the server renders on <html> (base.html: the only server-side
difference), so each page loads once; test_shell.py checks the real toggle and that it is remembered.
"""
from __future__ import annotations

from unittest import mock

import pytest
from django.template.loader import render_to_string
from django.test import Client

from changqing.accounts.models import User
from changqing.core import nav

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

ROLES = ["admin", "shuji", "gongwei", "pianzu", "lianluo", "zhuanyuan", "dangyuan", "zhanzhang", "zhidaoyuan"]
SIZES = {"normal": (18, 44), "large": (22, 60)}

MEASURE = r"""
() => {
  const shown = el => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== "hidden" && parseFloat(cs.opacity) > 0;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
    " «" + (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 20) + "»";
  let text = {size: 999, what: ""};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest("script, style, noscript, option, .skip-link")) continue;
    if (!shown(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < text.size) text = {size, what: name(el)};
  }
  let target = {size: 999, what: ""};
  const inline = el => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const block = el.parentElement.closest("p, li, dd, td, div, span, h1, h2, h3");
    return block && block.innerText.trim().length > el.innerText.trim().length;
  };
  document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary").forEach(el => {
    if (el.closest(".skip-link") || el.classList.contains("skip-link")) return;
    if (el.matches("input[type=checkbox], input[type=radio], input[type=file]") && el.closest("label, .file-pick")) return;
    if (!shown(el) || inline(el)) return;
    const r = el.getBoundingClientRect();
    const size = Math.min(r.width, r.height);
    if (size < target.size) target = {size, what: name(el)};
  });
  document.querySelectorAll("label").forEach(el => {
    if (!el.querySelector("input[type=checkbox], input[type=radio]") && !el.classList.contains("file-button")) return;
    if (!shown(el)) return;
    const r = el.getBoundingClientRect();
    if (r.height < target.size) target = {size: r.height, what: name(el)};
  });
  return {text, target, overflow: document.documentElement.scrollWidth - window.innerWidth};
}
"""


def measure(page, label, large: bool, failures: list, report: list):
    page.evaluate(f"document.documentElement.classList.toggle('large-text', {'true' if large else 'false'})")
    m = page.evaluate(MEASURE)
    key = "large" if large else "normal"
    min_text, min_target = SIZES[key]
    report.append(f"{label} [{key}] 最小字号 {m['text']['size']:.1f}px，最小目标 {m['target']['size']:.1f}px")
    if m["text"]["size"] < min_text - 0.01:
        failures.append(f"{label} [{key}]：字号 {m['text']['size']:.1f}px < {min_text}px：{m['text']['what']}")
    if m["target"]["size"] < min_target - 0.5:
        failures.append(f"{label} [{key}]：目标 {m['target']['size']:.1f}px < {min_target}px：{m['target']['what']}")


@pytest.fixture(scope="module")
def menus(county_demo, django_db_blocker):
    county_demo.ensure()
    with django_db_blocker.unblock():
        users = {u.username: u for u in User.objects.filter(username__in=ROLES).prefetch_related("role_assignments")}
        return {name: ["/"] + [i["url"] for i in nav.items_for(users[name])] for name in ROLES}


def _phone(browser, base_url):
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.base_url = base_url
    return page


def test_every_main_page_is_readable_at_375px(demo, browser, menus):
    failures, report, seen = [], [], set()
    for username in ROLES:
        urls = [u for u in menus[username] if u not in seen]
        if not urls:
            continue
        page = _phone(browser, demo)  # one browser context per role, the logged-in page reused
        try:
            login(page, username)
            if page.evaluate("document.documentElement.classList.contains('large-text')"):
                page.click("#large-text-toggle")  # an earlier test may have left the account in 大字模式
                page.wait_for_load_state()
            for url in urls:
                seen.add(url)
                response = page.goto(demo + url)
                assert response.status == 200, f"{username} {url} HTTP {response.status}"
                label = f"{username} {page.url.removeprefix(demo)}"
                measure(page, label, False, failures, report)
                measure(page, label, True, failures, report)
        finally:
            page.context.close()
    print("\n" + "\n".join(report))
    assert len(seen) >= 20
    assert not failures, "字号或点击目标不够大：\n" + "\n".join(failures)


def test_pages_never_measured_before(demo, browser, db):
    """The fault pages (rendered without a request), 两新 with no station yet, and the API token page."""
    failures, report = [], []
    page = _phone(browser, demo)
    try:
        login(page, "admin")
        page.goto(demo + "/accounts/token/")
        measure(page, "接口访问令牌", False, failures, report)
        measure(page, "接口访问令牌", True, failures, report)
        client = Client()
        client.force_login(User.objects.get(username="admin"))
        with mock.patch("changqing.guidance.views._stations",
                        lambda request: __import__("changqing.guidance.models", fromlist=["x"]).GuidanceStation.objects.none()):
            html = client.get("/guidance/").content.decode()
        assert "指导站" in html
        page.set_content(html)
        page.wait_for_load_state()
        measure(page, "两新：还没有指导站", False, failures, report)
        measure(page, "两新：还没有指导站", True, failures, report)
        for template in ["core/fault_database.html", "core/fault_storage.html"]:
            page.goto(demo + "/accounts/login/")  # the pages' /static/ links resolve against the site
            page.set_content(render_to_string(template, {"retry_after": 15, "auto_retry": False}))
            page.wait_for_load_state()
            # Rendered without a request, so without 大字模式: measured at the normal size.
            measure(page, template, False, failures, report)
    finally:
        page.context.close()
    print("\n" + "\n".join(report))
    assert not failures, "字号或点击目标不够大：\n" + "\n".join(failures)


def test_screenshots_of_cards_forms_and_heat_map(demo, browser):
    """A list as cards, a form with month/file inputs and the heat map, at 375px in both sizes (looked at)."""
    page = _phone(browser, demo)
    try:
        login(page, "admin")
        for large in (False, True):
            suffix = "large" if large else "normal"
            for name, url in [("list", "/retirees/"), ("heatmap", "/life/heatmap/"), ("roster-import", "/roster/import/"),
                              ("study-form", "/life/study/new/")]:
                page.goto(demo + url)
                page.evaluate(f"document.documentElement.classList.toggle('large-text', {'true' if large else 'false'})")
                page.wait_for_timeout(100)
                screenshot(page, f"readable-{name}-375-{suffix}")
        page.goto(demo + "/life/heatmap/")
        assert page.locator("input[type=month]").count() == 2
        assert page.locator("#heat-table td.cell a").first.inner_text().count("/") == 1
        page.goto(demo + "/roster/import/")
        if page.locator("input[type=file]").count():
            assert page.locator(".file-pick .file-button").first.inner_text().startswith("选择文件")
            assert page.locator(".file-pick .file-name").first.inner_text() == "未选择文件"
    finally:
        page.context.close()
