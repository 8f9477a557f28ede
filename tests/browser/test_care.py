"""A carer on a phone sees their pairs and records a visit; the 重阳 campaign is followed to completion."""
import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_carer_on_phone_records_visit(demo, page_factory):
    from changqing.care.models import Pairing, Visit

    page = page_factory(width=375, height=812)
    login(page, "zhuanyuan")
    page.goto(page.base_url + "/care/mine/")
    screenshot(page, "care-mine-375")
    cards = page.locator("ul.pair-list > li")
    assert cards.count() == Pairing.objects.filter(carer__username="zhuanyuan").count() == 4
    before = Visit.objects.count()
    cards.first.locator("a:has-text('记录走访')").click()
    page.wait_for_load_state()
    page.fill("#id_notes", "老人身体尚可，帮助联系了社区医生上门")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_url(page.base_url + "/care/mine/")
    assert "已记录" in page.locator(".messages").inner_text()
    assert Visit.objects.count() == before + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    screenshot(page, "care-mine-after-375")


def test_bureau_follows_chongyang_campaign(demo, page_factory):
    from changqing.care.models import Campaign

    campaign = Campaign.objects.get(festival="chongyang")
    page = page_factory()
    login(page, "admin")
    page.goto(page.base_url + f"/care/campaigns/{campaign.pk}/?show=pending")
    pending_before = campaign.targets.filter(visit__isnull=True).count()
    assert pending_before > 0
    page.locator("a:has-text('记录走访')").first.click()
    page.wait_for_load_state()
    page.fill("#id_gifts", "重阳糕、牛奶")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_load_state()
    assert campaign.targets.filter(visit__isnull=True).count() == pending_before - 1
    screenshot(page, "care-campaign-1280")
    page.goto(page.base_url + "/care/birthdays/?month=2026-12")
    assert page.locator("table.list tbody tr").count() > 10
    screenshot(page, "care-birthdays-1280")
