"""A bureau admin explains a branch's star rating item by item and scores a manual item (issue 7)."""
from decimal import Decimal

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_admin_scores_manual_item_and_grade_changes(demo, page_factory):
    from changqing.evaluation.models import Assessment, ItemScore

    a = (Assessment.objects.filter(year=2025, kind="star_rating", state="draft", unscored__gt=0, total__lt=80)
         .select_related("organization").order_by("total").last())
    assert a is not None, "演示数据中应有待评分的2025年星级评定草稿"
    item = ItemScore.objects.select_related("item").filter(assessment=a, item__source="manual",
                                                            reviewer_score__isnull=True, item__weight=10).first()
    before_total, before_grade = a.total, a.grade_label

    page = page_factory()
    login(page, "admin")
    page.goto(page.base_url + a.get_absolute_url())
    assert page.locator("#total").inner_text() == str(before_total)
    assert page.locator("#grade").inner_text() == before_grade
    # every data item explains its figures and links to the records behind them
    data_items = page.locator("li.item:has(p.figures) ul.links a")
    assert data_items.count() >= 6
    screenshot(page, "evaluation-explain-before")

    page.click(f"#score-{item.item.code}")
    page.wait_for_load_state()
    page.fill("#id_value", "10")
    page.click("#save-score")  # no reason: refused, beside the field
    page.wait_for_load_state()
    assert page.locator(".errorlist:has-text('人工评分必须填写评分理由')").count() == 1
    page.fill("#id_reason", "走访党员与社区核实，志愿服务经常、群众评价好")
    page.click("#save-score")
    page.wait_for_url(f"**{a.get_absolute_url()}**")
    after_total = Decimal(page.locator("#total").inner_text())
    assert after_total == before_total + 10
    assert page.locator("#grade").inner_text() != before_grade
    assert page.locator(f"#item-{item.item.code} .review:has-text('走访党员与社区核实')").count() == 1
    screenshot(page, "evaluation-explain-after")

    a.refresh_from_db()
    assert a.total == after_total and a.grade_label != before_grade

    # follow one figure to its records: the list holds as many rows as the figure says
    page.click("li.item >> text=次会议的出席情况")
    page.wait_for_load_state()
    assert int(page.locator("#row-count").inner_text()) >= 1

    phone = page_factory(width=375, height=812)
    login(phone, "admin")
    phone.goto(phone.base_url + a.get_absolute_url())
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"页面在 375px 宽出现横向滚动（{width}px）"
    screenshot(phone, "evaluation-explain-375")
