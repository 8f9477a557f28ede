"""A guide on a phone answers a help request and records a visit (issue 9)."""
import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_guide_on_phone_answers_help_and_records_visit(demo, page_factory):
    from changqing.guidance.models import GuideVisit, HelpRequest

    page = page_factory(width=375, height=812)
    login(page, "zhidaoyuan")
    page.goto(page.base_url + "/guidance/mine/")
    screenshot(page, "guidance-mine-375")
    open_count = HelpRequest.objects.filter(new_org__station__code="WL-YA", status="open").count()
    assert open_count > 0
    page.locator("ul.tasklist a").first.click()
    page.wait_for_load_state()
    title = page.locator("h1").inner_text()
    page.fill("#id_answer", "请向原单位党组织开具组织关系介绍信，我们协助办理转入。")
    page.click("button[name=do_answer]")
    page.wait_for_load_state()
    errors = page.locator(".errorlist").all_inner_texts()
    assert "已答复" in page.locator("h1").inner_text(), errors
    screenshot(page, "guidance-help-answered-375")
    assert HelpRequest.objects.filter(new_org__station__code="WL-YA", status="open").count() == open_count - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 376

    before = GuideVisit.objects.count()
    page.goto(page.base_url + "/guidance/mine/")
    page.locator("ul.tasklist a.btn").first.click()  # 走访 next to the first organisation
    page.wait_for_load_state()
    page.fill("#id_content", "了解企业党支部换届准备情况")
    page.fill("#id_help_given", "指导起草换届请示")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_load_state()
    assert "已记录" in page.locator(".messages").inner_text()
    assert GuideVisit.objects.count() == before + 1
    screenshot(page, "guidance-visit-375")
    assert title


def test_bureau_statistics_page(demo, page_factory):
    page = page_factory()
    login(page, "admin")
    page.goto(page.base_url + "/guidance/")
    text = page.locator("main").inner_text()
    assert "试点成立 3 家" in text and "党建指导员 35 名" in text and "覆盖 167 家两新组织" in text
    assert "服务两新组织党组织 58 个" in text
    screenshot(page, "guidance-statistics-1280")
