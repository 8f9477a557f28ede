"""A branch secretary records a month's dues for the whole branch on one screen."""
import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def _unpaid_rows(page):
    return page.locator("li.dues-row:has(input[type=checkbox])")


@pytest.mark.parametrize("width", [1280, 375])
def test_secretary_records_month_collection_in_one_save(demo, page_factory, width):
    from changqing.dues.models import DuesMonth, DuesPayment

    page = page_factory(width=width)
    login(page, "shuji")
    # 今天要办: this month's unpaid dues, one button to the branch's sheet
    page.locator("li.today-task[data-key^='dues:unpaid:'] a.today-action").first.click()
    page.wait_for_url("**/dues/sheet/**")
    assert "党费收缴登记表" in page.locator("h1").inner_text()
    screenshot(page, f"dues-sheet-{width}-before")
    rows = _unpaid_rows(page)
    before_unpaid = rows.count()
    assert before_unpaid >= 3
    payments_before = DuesPayment.objects.count()

    # Bad input first: a negative amount is refused beside the row and nothing is saved.
    first = rows.nth(0)
    first.locator("input[type=checkbox]").check()
    first.locator("summary:has-text('改金额')").click()
    first.locator("input[name^=amount_]").fill("-5")
    page.click("#save-sheet")
    page.wait_for_load_state()
    assert page.locator(".dues-rows .errorlist").first.inner_text().find("金额") >= 0
    assert "金额" in page.locator("#error-summary").inner_text()
    assert DuesPayment.objects.count() == payments_before

    # Now the real collection: three members, one pays 10元 more, one by transfer with a receipt.
    rows = _unpaid_rows(page)
    ids = []
    for i in range(3):
        row = rows.nth(i)
        ids.append(int(row.get_attribute("data-member")))
        row.locator("input[type=checkbox]").check()
    due = rows.nth(0).locator("[data-label='应缴']").inner_text().strip()
    for i in range(3):
        details = rows.nth(i).locator("details.dues-more")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
    rows.nth(0).locator("input[name^=amount_]").fill(f"{float(due) + 10:.2f}")  # 10元 more: recorded as voluntary
    rows.nth(1).locator("select[name^=method_]").select_option("transfer")
    rows.nth(1).locator("input[name^=receipt_]").fill("DF-2026-0001")
    rows.nth(2).locator("input[name^=payer_]").fill("女儿")
    screenshot(page, f"dues-sheet-{width}-filled")
    page.click("#save-sheet")
    page.wait_for_load_state()
    assert "已保存：3 名党员" in page.locator(".messages").inner_text()
    assert _unpaid_rows(page).count() == before_unpaid - 3
    assert DuesMonth.objects.filter(membership_id__in=ids, payment__paid_on__isnull=False).count() >= 3
    assert DuesPayment.objects.filter(membership_id=ids[1], receipt_number="DF-2026-0001", method="transfer").exists()
    assert DuesPayment.objects.filter(membership_id=ids[0], kind="voluntary").exists()
    if width == 375:
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
    screenshot(page, f"dues-sheet-{width}-saved")


def test_arrears_warning_on_member_record_and_ledger_export(demo, page_factory):
    from changqing.dues.selectors import last_closed_month, with_arrears, arrears_q
    from changqing.members.models import Membership
    from django.utils import timezone

    as_of = last_closed_month(timezone.localdate())
    behind = with_arrears(Membership.objects.filter(organization__code="YS-B001"), as_of).filter(
        arrears_q(3, as_of)).select_related("retiree").first()
    assert behind is not None, "the county demo has members behind on dues in the secretary's branch"
    page = page_factory()
    login(page, "shuji")
    page.goto(page.base_url + f"/retirees/{behind.retiree_id}/")
    assert page.locator("text=未交党费").count() >= 1
    screenshot(page, "dues-member-record")
    page.goto(page.base_url + "/dues/ledger/YS-B001/2026/")
    assert "台账" in page.locator("h1").inner_text()
    screenshot(page, "dues-ledger")
    with page.expect_download() as dl:
        page.click("text=导出 Excel")
    assert dl.value.suggested_filename.endswith(".xlsx")
