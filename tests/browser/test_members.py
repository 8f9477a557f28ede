"""Members: find a person by pinyin, record an absence, move and transfer the relationship."""
import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def _shuji_member(offset: int):
    """A member of shuji's branch with no absence after 2026-10-01; the demo is shared, so each test takes its own."""
    import datetime as dt

    from django.db.models import Q

    from changqing.accounts.models import User
    from changqing.members.models import Absence, Membership

    branch = User.objects.get(username="shuji").role_assignments.get().organization
    away = Absence.objects.filter(Q(end_on__isnull=True) | Q(end_on__gte=dt.date(2026, 10, 1))).values("retiree_id")
    candidates = (Membership.objects.filter(organization=branch, state="active", retiree__status="alive")
                  .exclude(retiree__in=away).exclude(retiree__user_account__isnull=False).select_related("retiree")
                  .order_by("-retiree__name_pinyin").distinct())
    m = candidates[offset]
    return m.retiree, branch


@pytest.mark.parametrize("width", [1280, 375])
def test_search_by_pinyin_and_record_an_absence(demo, page_factory, width):
    retiree, _ = _shuji_member(0 if width == 1280 else 1)
    page = page_factory(width=width)
    login(page, "shuji")
    page.goto(page.base_url + "/retirees/")
    page.fill("#id_q", retiree.name_initials)
    page.click("button:has-text('查询')")
    page.wait_for_load_state()
    screenshot(page, f"members-search-{width}")
    page.locator(f"table a:has-text('{retiree.name}')").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text().startswith(retiree.name)
    assert "党员管理台账" in page.content()
    screenshot(page, f"members-record-{width}")

    page.click("a:has-text('登记外出')")
    # Bad input first: a return before leaving gets a message beside the field.
    page.fill("#id_start_on", "2026-11-01")
    page.fill("#id_end_on", "2026-10-01")
    page.fill("#id_place", "海南省三亚市")
    page.click("button:has-text('保存')")
    assert page.locator("#id_end_on_errors").inner_text().strip() == "返回日期不能早于外出日期"
    screenshot(page, f"members-absence-error-{width}")
    page.fill("#id_end_on", "")
    page.fill("#id_expected_end_on", "2027-06-30")
    page.fill("#id_reason", "冬季异地居住")
    page.click("button:has-text('保存')")
    page.wait_for_load_state()
    assert "已登记外出" in page.content()
    section = page.locator("#absences")
    assert "海南省三亚市" in section.inner_text()
    assert "预计外出超过6个月" in section.inner_text()


def test_move_and_transfer_out(demo, page_factory):
    from changqing.members.models import Membership, Transfer

    retiree, branch = _shuji_member(2)
    page = page_factory()
    login(page, "admin")
    page.goto(page.base_url + "/retirees/")
    page.fill("#id_q", retiree.name_pinyin)
    page.click("button:has-text('查询')")
    page.locator(f"table a:has-text('{retiree.name}')").first.click()
    page.click("a:has-text('辖区内转接')")
    page.select_option("#id_to_org", index=2)
    target = page.locator("#id_to_org option:checked").inner_text()
    page.fill("#id_on", "2026-11-01")
    page.fill("#id_letter_no", "永组转〔2026〕15号")
    page.fill("#id_reason", "居住地变化，就近参加组织生活")
    page.click("button:has-text('保存')")
    page.wait_for_load_state()
    assert "已转接组织关系" in page.content()
    assert "永组转〔2026〕15号" in page.locator("#sec-party").locator("..").inner_text()
    m = Membership.objects.get(retiree=retiree)
    assert m.organization.name in target and m.organization != branch
    assert m.periods.filter(organization=branch, end_reason="move").exists()

    page.click("a:has-text('转出辖区')")
    page.click("button:has-text('保存')")
    assert "请填写转往的党组织名称" in page.locator("#id_to_name_errors").inner_text()
    page.fill("#id_to_name", "海南省三亚市吉阳区红沙社区党委")
    page.fill("#id_on", "2026-11-20")
    page.click("button:has-text('保存')")
    page.wait_for_load_state()
    assert "已登记转出" in page.content()
    screenshot(page, "members-record-transferred")
    m.refresh_from_db()
    assert m.state == "transferred_out"
    assert Transfer.objects.filter(membership=m).count() == 2
    page.goto(page.base_url + "/retirees/transfers/?direction=out")
    assert "海南省三亚市吉阳区红沙社区党委" in page.content()
    screenshot(page, "members-transfers")


@pytest.mark.parametrize("width", [1280, 375])
def test_reveal_full_numbers_on_the_record_and_the_edit_form(demo, page_factory, width):
    """查看完整号码 swaps the numbers in (htmx), is logged, and the edit form saves without touching them."""
    from changqing.core.idcard import mask
    from changqing.core.models import OperationLog

    retiree, _ = _shuji_member(2 if width == 1280 else 3)
    before = OperationLog.objects.filter(event="unmask", data__retiree_id=retiree.pk).count()
    original = (retiree.id_number, retiree.phone, retiree.family_phone)
    page = page_factory(width=width)
    login(page, "shuji")
    page.goto(page.base_url + f"/retirees/{retiree.pk}/")
    assert page.locator("#num-id_number").inner_text() == mask(retiree.id_number)
    page.click("#reveal-detail button")
    page.wait_for_selector(".reveal-done")
    assert page.locator("#num-id_number").inner_text() == retiree.id_number
    screenshot(page, f"members-reveal-{width}")
    page.goto(page.base_url + f"/retirees/{retiree.pk}/edit/")
    assert page.input_value("#id_id_number") == mask(retiree.id_number)
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已保存")
    retiree.refresh_from_db()
    assert (retiree.id_number, retiree.phone, retiree.family_phone) == original
    page.goto(page.base_url + f"/retirees/{retiree.pk}/edit/")
    page.click("#reveal-form button")
    page.wait_for_selector(".reveal-done")
    assert page.input_value("#id_id_number") == retiree.id_number
    assert OperationLog.objects.filter(event="unmask", data__retiree_id=retiree.pk).count() == before + 2
