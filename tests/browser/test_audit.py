"""A bureau reviewer opens integrity findings, confirms one and dismisses another with a reason (issue 8)."""
import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_reviewer_confirms_and_dismisses_findings(demo, page_factory):
    from changqing.audit.models import Finding, FindingStatus

    page = page_factory()
    login(page, "admin")
    assert page.locator("text=待核实的审计发现").count() == 1  # home panel
    page.click("nav >> text=诚信审计")
    page.wait_for_load_state()
    page.select_option("#id_kind", "copied_minutes")
    page.click("button:has-text('查询')")
    page.wait_for_load_state()
    screenshot(page, "audit-findings")
    page.locator("table.list tbody a").first.click()
    page.wait_for_load_state()
    assert page.locator("text=两份会议记录对照").count() == 1
    assert page.locator(".minutes mark").count() >= 2
    pk = int(page.url.rstrip("/").split("/")[-1])
    page.check("input[name=status][value=confirmed]")
    page.fill("#id_reason", "经查两支部会议记录内容完全相同，确系照搬照抄")
    page.click("button:has-text('保存核实结论')")
    page.wait_for_load_state()
    screenshot(page, "audit-confirmed")
    assert "已确认" in page.locator("h1").inner_text()
    f = Finding.objects.get(pk=pk)
    assert f.status == FindingStatus.CONFIRMED and f.decided_by.username == "admin"

    # Dismiss a photo finding: first without a reason (Chinese message, nothing changes), then with one.
    other = Finding.objects.filter(kind="photo_reuse", status=FindingStatus.OPEN).first()
    phone = page_factory(width=375, height=812)
    login(phone, "admin")
    phone.goto(phone.base_url + f"/audit/{other.pk}/")
    assert phone.locator(".audit-photos img").count() >= 2
    phone.check("input[name=status][value=dismissed]")
    phone.click("button:has-text('保存核实结论')")
    phone.wait_for_load_state()
    assert "请填写核实说明" in phone.locator(".errorlist").all_inner_texts()[0]
    other.refresh_from_db()
    assert other.status == FindingStatus.OPEN
    phone.check("input[name=status][value=dismissed]")
    phone.fill("#id_reason", "两次活动在同一地点，照片为同一组人员，经核实属实际拍摄")
    phone.click("button:has-text('保存核实结论')")
    phone.wait_for_load_state()
    screenshot(phone, "audit-dismissed-375")
    other.refresh_from_db()
    assert other.status == FindingStatus.DISMISSED
    assert "已排除" in phone.locator("h1").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376
