"""Two-factor in a real browser on a 375px phone: a bureau admin who must have it enrols, then logs in with a code."""
import re
import time
from base64 import b32decode

import pytest
from django.test import override_settings
from django_otp.oath import TOTP

from .conftest import DEMO_PASSWORD, screenshot
from .test_accounts import _committed

pytestmark = pytest.mark.browser


def _code(secret_b32: str, *, ahead: int = 0) -> str:
    totp = TOTP(b32decode(secret_b32))
    totp.time = time.time() + ahead
    return f"{totp.token():06d}"


def _devices_of(username):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user__username=username), StaticDevice.objects.filter(user__username=username)


@pytest.fixture
def required(demo):
    """Two-factor required (as in production) for the live server; admin's devices removed afterwards."""
    with override_settings(TWO_FACTOR_REQUIRED=True):
        yield
    _committed(lambda: [qs.delete() for qs in _devices_of("admin")])


def _password(page, username):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.press("#id_password", "Enter")


def test_admin_enrols_on_a_phone_and_logs_in_with_a_code(required, page_factory):
    page = page_factory(width=375, height=800)
    _password(page, "admin")
    # Required and not enrolled: the enrolment page comes before anything else.
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
    assert "必须启用两步验证" in page.inner_text("main")
    assert page.locator("svg.qr").is_visible()
    page.goto(page.base_url + "/orgs/")  # any other page sends them back
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
    code_input = page.locator("#id_code")
    assert code_input.get_attribute("inputmode") == "numeric"
    box = code_input.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    screenshot(page, "two-factor-setup-375")

    secret = page.get_attribute("#otp-secret", "data-secret")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.fill("#id_code", "000000" if _code(secret) != "000000" else "111111")
    page.click("button:has-text('完成绑定')")
    assert "动态码不正确" in page.inner_text("#id_code_errors")
    page.fill("#id_code", _code(secret))
    page.click("button:has-text('完成绑定')")
    page.wait_for_selector("#recovery-codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"\d{5} \d{5}", c) for c in codes)
    screenshot(page, "two-factor-recovery-codes-375")
    page.click("a:has-text('我已抄好，继续')")
    page.wait_for_url(page.base_url + "/orgs/")  # where they were going when held
    assert _committed(lambda: _devices_of("admin")[0].filter(confirmed=True).count()) == 1

    page.context.clear_cookies()  # a new visit (the account menu's 退出 may move)
    _password(page, "admin")
    page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
    code_input = page.locator("#id_code")
    assert code_input.get_attribute("inputmode") == "numeric"
    assert code_input.get_attribute("autocomplete") == "one-time-code"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "two-factor-verify-375")
    # The enrolment code's 30-second step is used up; the next step's code is accepted (one step of drift).
    page.fill("#id_code", _code(secret, ahead=30))
    page.click("button:has-text('验证并登录')")
    page.wait_for_url(page.base_url + "/")
    page.goto(page.base_url + "/orgs/")
    assert "/orgs/" in page.url
