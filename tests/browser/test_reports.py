"""A bureau admin generates the county's 2025 work summary, waits for the job, downloads Word and PDF (issue 7)."""
import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_admin_generates_the_yearly_summary(demo, page_factory, settings, tmp_path):
    from changqing.core import documents
    from changqing.core.models import OperationLog
    from changqing.orgs.models import Organization
    from changqing.reports.models import GeneratedReport

    settings.MEDIA_ROOT = tmp_path
    county = Organization.objects.get(code="YS")
    before = GeneratedReport.objects.count()
    page = page_factory()
    login(page, "admin")
    page.goto(page.base_url + "/reports/")
    screenshot(page, "reports-form")
    page.select_option("#id_organization", str(county.pk))
    page.select_option("#id_year", "2025")
    page.check("input[name=kind][value=summary]")
    page.click("button:has-text('生成报告')")
    page.wait_for_url("**/jobs/*/")
    page.locator(".job-result").wait_for(timeout=120_000)  # the job page polls until the job is done
    assert "100%" in page.locator(".job-percent").inner_text()
    screenshot(page, "reports-job-done")
    page.click("a:has-text('查看并下载')")
    page.wait_for_load_state()
    report = GeneratedReport.objects.order_by("-pk").first()
    assert GeneratedReport.objects.count() == before + 1
    assert report.organization == county and report.year == 2025 and report.kind == "summary"
    assert "永顺县" in page.locator("h1").inner_text() and "2025年度工作总结" in page.locator("h1").inner_text()
    assert page.locator(f"a[href='/reports/{report.pk}/docx/']").count() == 1
    if documents.soffice() is not None:
        assert page.locator(f"a[href='/reports/{report.pk}/pdf/']").count() == 1
    screenshot(page, "reports-detail")
    with page.expect_download() as dl:
        page.click("a:has-text('下载 Word 文件')")
    assert dl.value.suggested_filename.endswith("2025年度工作总结.docx")
    assert OperationLog.objects.filter(event=OperationLog.Event.EXPORT, data__report_id=report.pk).exists()
    # The list shows it, also on a phone.
    phone = page_factory(width=375, height=812)
    login(phone, "admin")
    phone.goto(phone.base_url + "/reports/")
    assert phone.locator(f"a[href='{report.get_absolute_url()}']").count() == 1
    screenshot(phone, "reports-list-375")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376
