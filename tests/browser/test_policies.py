"""The bureau admin revises the dues rules from a date: an error beside the field, then the new version and its
history; past months keep their amounts."""
import datetime as dt

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375])
def test_admin_sets_a_new_dues_version_from_a_date(demo, page_factory, width):
    from changqing.dues.selectors import rules_for
    from changqing.orgs.models import Organization
    from changqing.policies.models import PolicyVersion

    page = page_factory(width=width)
    login(page, "admin")
    base = page.base_url
    root = Organization.objects.get(code="YS")
    before = PolicyVersion.objects.count()
    page.goto(base + "/policies/")
    assert "规则设置" in page.locator("h1").inner_text()
    page.select_option("#id_kind", "dues")
    page.select_option("#id_organization", label=root.name)
    page.click("button:has-text('设置或修订规则')")
    page.wait_for_url("**/policies/set/dues/YS/")
    assert "3000,0.005" in page.locator("#id_working_brackets").input_value()  # prefilled with the rules in force

    # The browser tests share one demo, whose writes through the live server stay: a start of its own per width.
    start = f"2099-{1 if width == 1280 else 7:02d}-01"
    page.fill("#id_v-valid_from", start)
    page.fill("#id_retiree_brackets", "5000;0.01\n,0.02")
    page.click("button:has-text('保存新版本')")
    error = page.locator(".field.has-error .errorlist").first
    assert "应为“上限,比例”" in error.inner_text()
    assert PolicyVersion.objects.count() == before
    screenshot(page, f"policies-set-error-{width}")

    page.fill("#id_retiree_brackets", "5000,0.01\n,0.02")
    page.fill("#id_v-note", "试行新比例")
    page.click("button:has-text('保存新版本')")
    page.wait_for_url("**/policies/*/")
    text = page.locator("main").inner_text()
    assert f"{start}起有效" in text and "试行新比例" in text and "变更记录" in text
    new, now = rules_for(root, dt.date.fromisoformat(start)), rules_for(root)
    assert new.retiree_brackets[0].rate == now.retiree_brackets[0].rate * 2
    if width == 375:
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
    screenshot(page, f"policies-detail-{width}")
