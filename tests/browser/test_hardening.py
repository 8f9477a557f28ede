"""Browser hardening (issue 15): the pages work under the Content-Security-Policy, chart tooltips show
names as text, and the error pages read well on a phone in both text sizes.

* Several roles open their main pages (home, dashboards, a list, a form, the 大屏): no
  `securitypolicyviolation` event, no console error, no uncaught script error. A control injects an
  inline script and expects it to be blocked and reported, so the listener is known to work.
* Organisations and zones renamed `<img src=x onerror=alert(n)>`: every chart page is opened, its
  tooltips shown for every bar, point and cell (ECharts' showTip, as a hover does) and by the mouse;
  no <img> is injected, no dialog opens, and the tooltips show the name as text.
"""

import pytest

from changqing.orgs.models import Organization, Zone

from .conftest import committed as _committed, login, screenshot

pytestmark = pytest.mark.browser

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber + ' ' + (e.sample || '')));
"""

ROLE_PAGES = {
    "admin": ["/", "/dashboards/", "/dashboards/compliance/", "/dashboards/zones/", "/dashboards/dues/",
              "/dashboards/care/", "/dashboards/screen/", "/stats/", "/life/heatmap/", "/retirees/", "/retirees/new/",
              "/orgs/", "/dues/", "/api/docs/", "/api/v1/"],
    "shuji": ["/", "/retirees/", "/dues/", "/life/heatmap/", "/orgs/"],
    "gongwei": ["/", "/dashboards/", "/dashboards/screen/", "/stats/"],
    "dangyuan": ["/", "/no-such-page/"],
    "zhanzhang": ["/"],
}


def _watch(page):
    errors = []
    page.context.add_init_script(COLLECT_VIOLATIONS)
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" and "favicon.ico" not in (m.location or {}).get("url", "") else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    return errors


def _open(page, url, errors):
    response = page.goto(page.base_url + url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    found = [f"{url}: {v}" for v in page.evaluate("window.__csp || []")]
    found += [f"{url}: {e}" for e in errors if not (url == "/no-such-page/" and "404" in e)]
    errors.clear()
    return response, found


@pytest.mark.parametrize("username", list(ROLE_PAGES))
def test_main_pages_work_under_the_policy(demo, page_factory, username):
    page = page_factory()
    errors = _watch(page)
    login(page, username)
    problems = []
    for url in ROLE_PAGES[username]:
        response, found = _open(page, url, errors)
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), url
        problems += found
        if url.startswith("/dashboards/") or url == "/stats/":
            # The charts really drew under the policy (ECharts needs no eval).
            assert page.locator("[data-rendered='1'], #trend-chart canvas").count() >= 1, url
    assert not problems, "\n".join(problems)

    # Control: an inline script is refused and reported, so an empty list above means something.
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                             document.head.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in page.evaluate("window.__csp"))


def test_print_buttons_and_menu_work_without_inline_handlers(demo, page_factory):
    page = page_factory(width=375, height=800)
    login(page, "shuji")
    # The birthday list's 打印本月名单 is a link to the print version (logged by the export gate), which
    # opens the print dialog from app.js once loaded: no inline handler, no inline script.
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page.goto(page.base_url + "/care/birthdays/")
    page.click("text=打印本月名单")
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__printed") == 1


XSS = "<img src=x onerror=alert({})>"

CHART_PAGES = ["/dashboards/", "/dashboards/compliance/", "/dashboards/zones/", "/dashboards/dues/",
               "/dashboards/care/", "/dashboards/screen/", "/stats/", "/life/heatmap/"]

# Shows the tooltip of every data item of every chart on the page, as hovering each would; returns the
# text of the tooltips seen.
SHOW_EVERY_TIP = """async () => {
  const seen = [];
  const els = [...document.querySelectorAll('[_echarts_instance_]')];
  for (const el of els) {
    const chart = echarts.getInstanceByDom(el);
    const opt = chart.getOption();
    for (let s = 0; s < opt.series.length; s++) {
      const n = Math.min((opt.series[s].data || []).length, 400);
      for (let i = 0; i < n; i++) {
        chart.dispatchAction({ type: 'showTip', seriesIndex: s, dataIndex: i });
        await new Promise(r => setTimeout(r, 0));
        for (const tip of el.querySelectorAll('div')) {
          if (tip.textContent && getComputedStyle(tip).position === 'absolute' && tip.textContent.includes('<img')) {
            seen.push(tip.textContent);
          }
        }
        if (document.querySelector('img[src="x"]')) { return { injected: true, seen }; }
      }
    }
  }
  return { injected: false, seen, charts: els.length };
}"""




def _rename(orgs, zones):
    for pk, name in orgs.items():
        Organization.objects.filter(pk=pk).update(name=name)
    for pk, name in zones.items():
        Zone.objects.filter(pk=pk).update(name=name)


@pytest.fixture
def xss_names(demo):
    """Every organisation and zone of the county renamed to an XSS string (committed, for the live
    server); the names are put back after."""
    orgs = dict(Organization.objects.values_list("pk", "name"))
    zones = dict(Zone.objects.values_list("pk", "name"))
    _committed(lambda: _rename({pk: XSS.format(pk) for pk in orgs}, {pk: XSS.format(f"'z{pk}'") for pk in zones}))
    try:
        yield
    finally:
        _committed(lambda: _rename(orgs, zones))
    assert not Organization.objects.filter(name__startswith="<img").exists()


@pytest.mark.parametrize("username", ["admin", "gongwei"])
def test_chart_names_show_as_text(demo, page_factory, xss_names, username):
    page = page_factory()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, username)
    shown = 0
    for url in CHART_PAGES:
        page.goto(page.base_url + url)
        page.wait_for_load_state("load")
        if not page.locator("[_echarts_instance_]").count():
            continue
        # The axis labels and legends are canvas text; the table beside the chart is escaped HTML.
        result = page.evaluate(SHOW_EVERY_TIP)
        assert not result["injected"], f"{url}: a name became an <img> element"
        shown += len(result["seen"])
        # And a real mouse over the charts.
        for chart in page.locator("[_echarts_instance_]").all()[:4]:
            box = chart.bounding_box()
            if not box:
                continue
            for fx in (0.3, 0.5, 0.7):
                for fy in (0.2, 0.4, 0.6, 0.8):
                    page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
                    page.wait_for_timeout(30)
        assert page.locator("img[src='x']").count() == 0, url
        assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        if "<img src=x" in page.content():  # only as escaped text, never as markup
            assert page.locator("img[src='x']").count() == 0
    assert not dialogs, f"an alert fired: {dialogs}"
    assert shown > 0, "no tooltip showed a renamed organisation: the test hovered nothing"
    screenshot(page, f"hardening-xss-chart-{username}")


@pytest.mark.parametrize("large", [False, True])
def test_error_pages_on_a_phone(demo, page_factory, large):
    page = page_factory(width=375, height=800)
    login(page, "dangyuan")
    # A member's home starts in 长辈版 (large); switch to the size this run wants.
    if page.evaluate("document.documentElement.classList.contains('large-text')") != large:
        page.click("#large-text-toggle")
        page.wait_for_load_state("load")
    suffix = "large" if large else "normal"
    try:
        page.goto(page.base_url + "/no-such-page/")
        assert page.locator("h1").inner_text() == "找不到这个页面"
        home = page.locator("#error-home")
        box = home.bounding_box()
        assert box["height"] >= (60 if large else 44) and box["width"] > 300  # a big button, full width
        screenshot(page, f"hardening-404-375-{suffix}")
        page.goto(page.base_url + "/dues/sheet/")
        assert page.locator("h1").inner_text() in ("无权进行此操作", "找不到这个页面")
        screenshot(page, f"hardening-403-375-{suffix}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.locator("#error-home").click()
        page.wait_for_url(page.base_url + "/")
    finally:
        if large:
            page.goto(page.base_url + "/")
            page.click("#large-text-toggle")
