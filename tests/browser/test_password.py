"""Passwords and sessions in a real browser on a 375px phone: a forced change, the lockout notice, the idle warning."""

import pytest
from django.test import override_settings

from changqing.accounts.models import User
from changqing.core.roles import Role

from .conftest import committed as _committed, login, screenshot

pytestmark = pytest.mark.browser

USERNAME = "gaimima"




def _make_user():
    from changqing.accounts.models import RoleAssignment
    from changqing.orgs.models import Organization, OrgKind

    user = User.objects.create(username=USERNAME, full_name="改密码的老李", must_change_password=True)
    user.set_password("Kx7#mP2qRt9v")  # as an administrator's reset would leave it
    user.must_change_password = True
    user.save()
    branch = Organization.objects.filter(kind=OrgKind.BRANCH).order_by("path").first()
    RoleAssignment.objects.create(user=user, role=Role.BRANCH_SECRETARY, organization=branch)


def _cleanup():
    from axes.models import AccessAttempt

    User.objects.filter(username=USERNAME).delete()
    AccessAttempt.objects.filter(username__in=[USERNAME, "nobody_here"]).delete()


@pytest.fixture
def fresh_user(demo):
    _committed(_cleanup)
    _committed(_make_user)
    yield
    _committed(_cleanup)


def test_a_user_changes_the_password_they_were_given_on_a_phone(fresh_user, page_factory):
    page = page_factory(width=375, height=800)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", "Kx7#mP2qRt9v")
    page.press("#id_password", "Enter")
    # Sent straight to the change page, told why.
    page.wait_for_url(page.base_url + "/accounts/password/")
    assert "这是管理员为您设置的密码" in page.inner_text("#change-reason")
    # A weak password is refused with the reason, in Chinese, beside the field.
    page.fill("#id_old_password", "Kx7#mP2qRt9v")
    page.fill("#id_new_password1", "changqing2026")
    page.fill("#id_new_password2", "changqing2026")
    page.click("button:has-text('确认修改')")
    errors = page.inner_text("#id_new_password1_errors")
    assert "不能包含本平台的名称" in errors and "至少 3 种" in errors
    screenshot(page, "accounts-password-change-errors-375")
    # Nothing fits outside the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.fill("#id_old_password", "Kx7#mP2qRt9v")
    page.fill("#id_new_password1", "Songbai#1949")
    page.fill("#id_new_password2", "Songbai#1949")
    page.click("button:has-text('确认修改')")
    page.wait_for_url(page.base_url + "/")
    assert "密码已修改" in page.inner_text(".messages")
    # The account menu in the top bar leads back to the change page.
    page.click("details.account-menu summary")
    assert page.is_visible("details.account-menu a:has-text('修改密码')")
    screenshot(page, "accounts-account-menu-375")
    user = _committed(lambda: User.objects.get(username=USERNAME))
    assert not user.must_change_password and user.check_password("Songbai#1949")


def test_the_lockout_notice_on_a_phone(fresh_user, page_factory):
    page = page_factory(width=375, height=800)
    for name in (USERNAME, "nobody_here"):  # a user name that exists and one that does not: the same words
        page.goto(page.base_url + "/accounts/login/")
        for _ in range(5):
            page.fill("#id_username", name)
            page.fill("#id_password", "wrong-password")
            page.press("#id_password", "Enter")
            page.wait_for_load_state()
        notice = page.inner_text("#locked-message")
        assert "已暂时锁定" in notice and "后再试" in notice
        if name == USERNAME:
            screenshot(page, "accounts-lockout-375")
            first = notice
    assert notice == first


def test_the_idle_warning_offers_to_continue(demo, page_factory):
    with override_settings(SESSION_IDLE_TIMEOUT=64):  # the live server runs in this process: warned after ~4 s
        page = page_factory(width=375, height=800)
        login(page, "shuji")
        page.wait_for_selector("#idle-dialog[open]", timeout=15000)
        assert "还要继续使用吗" in page.inner_text("#idle-dialog")
        assert page.is_visible("#idle-continue")
        box = page.locator("#idle-continue").bounding_box()
        assert box["height"] >= 60  # elder-friendly: a big target
        screenshot(page, "accounts-idle-warning-375")
        page.click("#idle-continue")
        page.wait_for_selector("#idle-dialog", state="hidden")
        assert page.evaluate("fetch('/accounts/session/').then(r => r.json())")["seconds_left"] > 55
