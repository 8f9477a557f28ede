"""The bureau admin builds part of the tree and records an election, as a user would."""
import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_admin_builds_tree_and_records_election(demo, page_factory):
    from changqing.orgs.models import CommitteeTerm, Election, Organization

    page = page_factory()
    login(page, "admin")
    base = page.base_url

    # A new branch under the 党工委, first with a bad code: the error stands beside the field.
    page.goto(base + "/orgs/new/?parent=YS")
    page.fill("#id_code", "新 支部")
    page.fill("#id_name", "县老干部活动中心离退休干部党支部")
    page.click("button:has-text('保存')")
    error = page.locator(".field.has-error .errorlist").first
    assert "编码只能包含字母" in error.inner_text()
    screenshot(page, "orgs-create-error")
    page.fill("#id_code", "ys-b090")
    page.select_option("#id_zone", label="第一片组（党政综合）") if page.locator(
        "#id_zone option", has_text="第一片组").count() else None
    page.click("button:has-text('保存')")
    page.wait_for_url(base + "/orgs/YS-B090/")
    assert page.locator("h1").inner_text() == "县老干部活动中心离退休干部党支部"

    # A 党小组 under it, created from the branch page.
    page.click("a:has-text('新增下级组织')")
    page.fill("#id_code", "YS-B090-G1")
    page.fill("#id_name", "第一党小组")
    assert page.locator("#id_kind").input_value() == "group"
    page.click("button:has-text('保存')")
    page.wait_for_url(base + "/orgs/YS-B090-G1/")
    assert Organization.objects.get(code="YS-B090-G1").path == "/YS/YS-B090/YS-B090-G1/"

    # The tree: the new branch is there; opening it loads the group.
    page.goto(base + "/orgs/tree/")
    page.locator("details[hx-get='/orgs/tree/YS-B090/'] > summary .tree-toggle").click()
    page.locator("a.tree-name", has_text="第一党小组").wait_for()
    screenshot(page, "orgs-tree")

    # An election at 县政府办老干党支部: too few present first, then valid.
    page.goto(base + "/orgs/YS-B001/committee/election/")
    page.fill("#id_e-held_on", "2026-11-20")
    page.fill("#id_e-seats", "3")
    page.fill("#id_e-due_to_attend", "20")
    page.fill("#id_e-present", "16")  # exactly 4/5: not valid
    names = []
    for i, votes in enumerate(("17", "16", "15", "2")):
        page.select_option(f"#id_c-{i}-membership", index=i + 1)
        names.append(page.locator(f"#id_c-{i}-membership option:checked").inner_text())
        page.fill(f"#id_c-{i}-votes", votes)
    page.select_option("#id_e-secretary", label=names[0])
    page.select_option("#id_e-deputy", label=names[1])
    page.click("button:has-text('保存')")
    present_error = page.locator("#id_e-present_errors")
    assert "至少需要17人" in present_error.inner_text()
    screenshot(page, "orgs-election-error")
    assert not Election.objects.filter(organization__code="YS-B001", held_on="2026-11-20").exists()
    page.fill("#id_e-present", "17")
    page.fill("#id_c-0-votes", "17")
    page.click("button:has-text('保存')")
    page.wait_for_url(base + "/orgs/elections/*/")
    assert "当选3名，选举有效" in page.content()
    screenshot(page, "orgs-election-detail")
    term = CommitteeTerm.objects.get(organization__code="YS-B001", ended_on__isnull=True)
    assert str(term.start_on) == "2026-11-20" and term.posts.count() == 3
    page.goto(base + "/orgs/YS-B001/")
    assert f"书记：{names[0]}" in page.locator("section", has_text="班子").first.inner_text()
    screenshot(page, "orgs-detail")


def test_tree_and_detail_at_phone_width(demo, page_factory):
    page = page_factory(width=375, height=800)
    login(page, "admin")
    page.goto(page.base_url + "/orgs/tree/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"组织树在手机宽度下出现横向滚动（{width}px）"
    screenshot(page, "orgs-tree-375")
    page.goto(page.base_url + "/orgs/terms/")
    screenshot(page, "orgs-terms-375")


def test_org_page_shows_its_grades_and_honours_and_opens_them(demo, page_factory):
    """A demo branch with a star rating, a title in force and an organisation honour."""
    from changqing.honours.models import Nomination

    code = (Nomination.objects.filter(nominee_org__kind="branch", is_winner=True, campaign__phase="published",
                                      nominee_org__designations__isnull=False,
                                      nominee_org__designations__revoked_on__isnull=True)
            .values_list("nominee_org__code", flat=True).first())
    assert code
    page = page_factory(width=375)
    login(page, "admin")
    page.goto(page.base_url + f"/orgs/{code}/")
    section = page.locator("section:has(h2:text-is('考核评价'))")
    assert "★" in section.inner_text() and "五好支部" in section.inner_text()
    honours = page.locator("section:has(h2:text-is('评选表彰'))")
    assert "2025年度" in honours.inner_text()
    honours.scroll_into_view_if_needed()
    screenshot(page, "orgs-detail-sections-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    section.locator("a", has_text="★").click()
    page.wait_for_url("**/evaluation/assessments/**")
    assert "星级" in page.inner_text("main")
    page.go_back()
    page.locator("section:has(h2:text-is('评选表彰')) a").first.click()
    page.wait_for_url("**/honours/**/results/**")
