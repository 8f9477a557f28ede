"""User management in a real browser: a bureau admin creates an account, mistakes are explained beside the field."""

import pytest

from changqing.accounts.models import User

from .conftest import committed as _committed, first_login, login, screenshot

pytestmark = pytest.mark.browser




@pytest.fixture
def cleanup(demo):
    yield
    _committed(lambda: User.objects.filter(username__in=["laozhang", "xinzhidao"]).delete())


@pytest.mark.parametrize("width", [1280, 375])
def test_admin_creates_a_user_and_the_user_logs_in(cleanup, page_factory, width):
    page = page_factory(width=width)
    login(page, "admin")
    page.goto(page.base_url + "/accounts/users/")
    page.click("a.btn:has-text('新增')")
    page.fill("#id_username", "laozhang")
    page.fill("#id_full_name", "老张")
    page.fill("#id_password", "12345678")
    page.select_option("#id_role-role", "branch_secretary")
    page.click("button:has-text('创建')")
    # Both mistakes are named in Chinese right under their fields; nothing was saved.
    assert "至少 3 种" in page.inner_text("#id_password_errors")
    assert "需要指定所管理的组织" in page.inner_text("#id_role-organization_errors")
    screenshot(page, f"accounts-user-form-errors-{width}")
    assert not _committed(lambda: User.objects.filter(username="laozhang").exists())

    page.fill("#id_password", "Songbai#1949")
    page.select_option("#id_role-organization", label="县政府办老干党支部")
    page.click("button:has-text('创建')")
    page.wait_for_selector("text=已创建用户 老张")
    assert "支部书记" in page.inner_text("main")
    screenshot(page, f"accounts-user-detail-{width}")

    # The administrator knows this password: the new user must first choose their own.
    other = page_factory(width=width)
    first_login(other, "laozhang", "Songbai#1949", "Qingsong#1950")
    assert "老张" in other.inner_text("header")


def test_admin_gives_a_station_role_and_the_guide_reaches_the_station(cleanup, page_factory):
    page = page_factory(width=375)
    login(page, "admin")
    page.goto(page.base_url + "/accounts/users/new/")
    page.fill("#id_username", "xinzhidao")
    page.fill("#id_full_name", "新指导员")
    page.fill("#id_password", "Songbai#1949")
    page.select_option("#id_role-role", "guide")
    page.click("button:has-text('创建')")
    # No station chosen: said beside the field, nothing saved.
    assert "该角色需要指定指导站" in page.inner_text("#id_role-station_id_errors")
    assert not _committed(lambda: User.objects.filter(username="xinzhidao").exists())
    screenshot(page, "accounts-station-role-error-375")
    page.fill("#id_password", "Songbai#1949")
    page.select_option("#id_role-station_id", label="永安街道党建工作指导站")
    page.click("button:has-text('创建')")
    page.wait_for_selector("text=已创建用户 新指导员")
    assert "党建指导员 · 指导站" in page.inner_text("main")
    page.goto(page.base_url + "/accounts/users/?q=xinzhidao")
    assert "新指导员" in page.inner_text("main")

    guide = page_factory(width=375)
    first_login(guide, "xinzhidao", "Songbai#1949", "Qingsong#1950")
    guide.goto(guide.base_url + "/guidance/")
    assert "永安街道党建工作指导站" in guide.inner_text("main")


def test_token_page(demo, page_factory):
    page = page_factory()
    login(page, "admin")
    page.click("nav.mainnav summary:has-text('系统')")  # the menu group holding it
    page.click("nav >> text=接口令牌")
    page.fill("#id_name", "浏览器测试")
    page.click("button:has-text('生成令牌')")
    token = page.inner_text("#api-token")
    assert token.startswith("cq_") and len(token) == 43
    assert "浏览器测试" in page.inner_text("#token-list")
    screenshot(page, "accounts-token")
    # Shown once: gone on the next visit; revoked from the list.
    page.reload()
    assert page.locator("#api-token").count() == 0
    row = page.locator("#token-list tr", has_text="浏览器测试")
    row.locator("button:has-text('撤销')").click()
    assert "已撤销令牌" in page.inner_text("main")
    assert "浏览器测试" not in page.inner_text("main").split("生成新令牌")[0].replace("已撤销令牌“浏览器测试”", "")
