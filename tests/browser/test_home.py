"""Each role's home at 375px: 今天要办 first, the first task's button opens the task, screenshots in both sizes,
and the smallest text and the smallest target measured on the page (normal ≥18px/≥44px, large ≥22px/≥60px)."""
import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

ROLES = ["admin", "shuji", "gongwei", "pianzu", "lianluo", "zhuanyuan", "zhanzhang", "zhidaoyuan", "dangyuan"]

# The smallest font size of visible text and the smallest visible link/button/summary in <main>
# (every <details> opened first, so the folded data is measured too).
MEASURE = """() => {
  document.querySelectorAll('main details').forEach(d => d.open = true);
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
                        && !el.closest('.visually-hidden');
  let font = 1000, fontAt = '', target = 1000, targetAt = '';
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < font) { font = size; fontAt = node.textContent.trim().slice(0, 30); }
  }
  document.querySelectorAll('main a, main button, main summary').forEach(el => {
    if (!visible(el)) return;
    const box = el.getBoundingClientRect();
    const side = Math.min(box.height, box.width);
    if (side < target) { target = side; targetAt = el.textContent.trim().slice(0, 30); }
  });
  document.querySelectorAll('main details').forEach(d => d.open = false);
  return {font, fontAt, target, targetAt, width: document.documentElement.scrollWidth};
}"""


def _is_large(page) -> bool:
    return page.evaluate("document.documentElement.classList.contains('large-text')")


def _check(page, large: bool):
    m = page.evaluate(MEASURE)
    font, target = (22, 60) if large else (18, 44)
    assert m["font"] >= font, m
    assert m["target"] >= target, m
    assert m["width"] <= 376, m
    return m


def _tasks_first(page):
    assert page.locator("h1").first.inner_text().startswith("您好")
    today = page.locator("section.today")
    assert today.count() == 1
    data = page.locator("details.home-data")
    if data.count():
        assert today.bounding_box()["y"] < data.bounding_box()["y"]
    tasks = page.locator(".today-task")
    if tasks.count() == 0:
        assert "本月各项工作都已完成" in today.inner_text()
    assert tasks.count() <= 7
    return tasks


@pytest.mark.parametrize("username", [r for r in ROLES if r != "dangyuan"])
def test_each_roles_home_starts_with_the_tasks_in_both_sizes(demo, page_factory, username):
    page = page_factory(width=375, height=812)
    login(page, username)
    if _is_large(page):  # the demo is shared: start from the normal size whatever an earlier test left
        page.click("#large-text-toggle")
        page.wait_for_load_state()
    tasks = _tasks_first(page)
    measured = {"normal": _check(page, large=False)}
    screenshot(page, f"home-{username}-375-normal")
    page.click("#large-text-toggle")
    page.wait_for_load_state()
    assert _is_large(page)
    _tasks_first(page)
    measured["large"] = _check(page, large=True)
    screenshot(page, f"home-{username}-375-large")
    page.click("#large-text-toggle")  # back to normal for the tests after this one
    page.wait_for_load_state()
    print(username, measured)
    if tasks.count():
        # The first task's one button opens the task.
        first = page.locator(".today-task .today-action").first
        href = first.get_attribute("href")
        first.click()
        page.wait_for_load_state()
        assert page.url.endswith(href)
        assert page.locator("h1").count() and "404" not in page.title() and "403" not in page.title()


def test_the_secretarys_dues_task_opens_the_sheet_of_the_branch_and_month(demo, page_factory):
    """(The meeting task's form filled in with branch and kind: tests/test_today.py, on a day one is due.)"""
    page = page_factory(width=375, height=812)
    login(page, "shuji")
    task = page.locator(".today-task[data-key^='dues:unpaid:']")
    assert task.count() == 1
    assert "11月还没交党费" in task.inner_text()
    task.locator(".today-action").click()
    page.wait_for_load_state()
    assert "/dues/sheet/" in page.url and "2026-11" in page.url
    assert "党费收缴登记表" in page.locator("h1").inner_text()
    screenshot(page, "home-shuji-375-dues-sheet")


def test_the_carers_first_task_opens_the_visit_form_for_that_person(demo, page_factory):
    page = page_factory(width=375, height=812)
    login(page, "zhuanyuan")
    first = page.locator(".today-task").first
    name = first.locator(".today-sentence").inner_text().split("已经")[0]
    first.locator(".today-action").click()
    page.wait_for_load_state()
    assert name in page.locator("#id_retiree option:checked").inner_text()


def test_the_member_home_elder_mode_and_full_page(demo, page_factory):
    page = page_factory(width=375, height=812)
    login(page, "dangyuan")
    toggle = page.locator("#elder-mode-toggle")
    if toggle.get_attribute("aria-pressed") != "true":  # a member starts in 长辈版; an earlier run may have left it off
        toggle.click()
        page.wait_for_load_state()
    # 长辈版: only the member's own tasks (and the dues they open), in the largest layout.
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    _tasks_first(page)
    assert page.locator("text=支部通知和学习材料").count() == 0
    m = _check(page, large=True)
    assert m["font"] >= 24 and m["target"] >= 60, m
    screenshot(page, "home-dangyuan-375-large")
    # The whole page, at the normal size.
    page.click("#elder-mode-toggle")
    page.wait_for_load_state()
    if _is_large(page):
        page.click("#large-text-toggle")
        page.wait_for_load_state()
    for part in ("我的信息", "我的党费", "我的组织生活和学习", "支部通知和学习材料"):
        assert page.locator(f"h2:has-text('{part}')").count() == 1, part
    _check(page, large=False)
    screenshot(page, "home-dangyuan-375-normal")
    # 朗读: the server's audio plays in the page.
    page.locator(".read-aloud-btn").first.click()
    page.wait_for_selector(".read-aloud audio", timeout=60_000)
    # Headless Chromium may refuse to start audio without a gesture it counts: then the player is shown.
    assert page.locator(".read-aloud-status").first.inner_text() in ("正在朗读", "请点播放键收听", "朗读完毕")
    assert page.locator(".read-aloud audio").first.get_attribute("src").startswith("blob:")
    screenshot(page, "home-dangyuan-375-reading")
    page.click("#elder-mode-toggle")  # back to the member's default for the tests after this one
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.classList.contains('elder')")
