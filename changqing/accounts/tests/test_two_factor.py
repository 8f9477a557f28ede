"""Two-factor login (django-otp TOTP + recovery codes): codes, enrolment, the required roles, a reset by another admin."""
import datetime as dt
import re
from base64 import b32decode

import pytest
import time_machine
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from changqing.accounts import twofactor
from changqing.core.models import OperationLog
from changqing.core.roles import Role
from tests.factories import make_user

PASSWORD = "pw-for-tests-1"
MOMENT = dt.datetime(2026, 11, 24, 2, 0, 15, tzinfo=dt.timezone.utc)  # 15 s into a 30-second step


def code_for(key_hex: str, at: dt.datetime) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = at.timestamp()
    return f"{totp.token():06d}"


def enrol(user, *, codes=("1234567890", "0987654321")) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="验证器", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    for c in codes:
        StaticToken.objects.create(device=static, token=c)
    return device


def password_login(client, username, password=PASSWORD) -> str:
    """Log in with the password; the URL the user lands on after the redirects."""
    response = client.post("/accounts/login/", {"username": username, "password": password}, follow=True)
    assert response.status_code == 200 and response.redirect_chain, response.content.decode()[:2000]
    return response.redirect_chain[-1][0]


@pytest.fixture
def clock():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


def test_a_user_with_an_authenticator_logs_in_with_a_generated_code(client, tree, secretary_a, clock):
    device = enrol(secretary_a)
    assert password_login(client, "sec_a").startswith("/accounts/two-factor/verify/")
    # Held on the code page: every other page sends them back, the API too.
    held = client.get("/retirees/")
    assert held.status_code == 302 and held["Location"].startswith("/accounts/two-factor/verify/?next=/retirees/")
    assert client.get("/api/v1/retirees/").status_code == 403
    page = client.get(held["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "两步验证" in html
    assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and not re.search(r"\son[a-z]+=", html)  # CSP-safe
    response = client.post("/accounts/two-factor/verify/", {"code": code_for(device.key, MOMENT), "next": "/retirees/"})
    assert response.status_code == 302 and response["Location"] == "/retirees/"
    assert client.get("/retirees/").status_code == 200
    assert OperationLog.objects.filter(event=OperationLog.Event.LOGIN, username="sec_a",
                                       detail="两步验证通过（验证器）").exists()


def test_a_wrong_code_is_refused_beside_the_field_and_logged(client, tree, secretary_a, clock):
    device = enrol(secretary_a)
    password_login(client, "sec_a")
    right = code_for(device.key, MOMENT)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/two-factor/verify/", {"code": wrong})
    assert response.status_code == 200
    assert "验证器动态码不正确" in response.content.decode()
    assert client.get("/retirees/").status_code == 302  # still held
    assert OperationLog.objects.filter(event=OperationLog.Event.LOGIN_FAILED, username="sec_a",
                                       detail__contains="两步验证失败").exists()
    # Letters and wrong lengths are explained too.
    assert "只有数字" in client.post("/accounts/two-factor/verify/", {"code": "abcdef"}).content.decode()
    assert "6位数字" in client.post("/accounts/two-factor/verify/", {"code": "1234"}).content.decode()
    # Straight after a failure django-otp throttles: even the right code waits a second.
    assert "秒后再试" in client.post("/accounts/two-factor/verify/", {"code": right}).content.decode()
    clock.shift(2)
    response = client.post("/accounts/two-factor/verify/", {"code": code_for(device.key, MOMENT + dt.timedelta(seconds=2))})
    assert response.status_code == 302


def test_a_code_cannot_be_replayed(client, tree, secretary_a, clock):
    device = enrol(secretary_a)
    code = code_for(device.key, MOMENT)
    password_login(client, "sec_a")
    assert client.post("/accounts/two-factor/verify/", {"code": code}).status_code == 302
    other = client.__class__()
    password_login(other, "sec_a")
    clock.shift(3)
    assert other.post("/accounts/two-factor/verify/", {"code": code}).status_code == 200  # same step: refused


def test_a_recovery_code_works_once(client, tree, secretary_a, clock):
    enrol(secretary_a, codes=("1234567890", "5555566666"))
    password_login(client, "sec_a")
    response = client.post("/accounts/two-factor/verify/", {"code": "12345 67890"}, follow=True)
    assert "还剩 1 个" in response.content.decode()
    assert client.get("/retirees/").status_code == 200
    assert OperationLog.objects.filter(detail="两步验证通过（恢复码）", username="sec_a").exists()
    client.logout()
    password_login(client, "sec_a")
    clock.shift(5)
    response = client.post("/accounts/two-factor/verify/", {"code": "1234567890"})
    assert response.status_code == 200 and "恢复码不正确" in response.content.decode()
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["5555566666"]


def test_without_a_device_and_not_required_nothing_changes(client, tree, secretary_a):
    assert password_login(client, "sec_a") == "/"
    assert client.get("/retirees/").status_code == 200


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_required_role_without_a_device_is_sent_to_enrolment_first(client, tree, bureau_admin, secretary_a, clock):
    assert twofactor.is_required(bureau_admin) and not twofactor.is_required(secretary_a)
    assert password_login(client, "bureau").startswith("/accounts/two-factor/setup/")
    held = client.get("/accounts/users/")
    assert held.status_code == 302 and held["Location"].startswith("/accounts/two-factor/setup/?next=")
    page = client.get(held["Location"])
    html = page.content.decode()
    assert "必须启用两步验证" in html and "<svg" in html and 'class="qr"' in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>")[0].replace("http://www.w3.org/2000/svg", "")
    secret = re.search(r'data-secret="([A-Z2-7]+)"', html).group(1)
    key_hex = b32decode(secret).hex()
    # A wrong first code: said beside the field, no device made.
    response = client.post("/accounts/two-factor/setup/", {"code": "000000" if code_for(key_hex, MOMENT) != "000000"
                                                                   else "111111"})
    assert "动态码不正确" in response.content.decode() and not TOTPDevice.objects.exists()
    response = client.post("/accounts/two-factor/setup/", {"code": code_for(key_hex, MOMENT), "next": "/accounts/users/"})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=bureau_admin)
    assert device.confirmed and device.key == key_hex
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>(\d{5}) (\d{5})</code></li>", codes_page)
    assert len(codes) == 10 and "只显示这一次" in codes_page
    assert "只显示这一次" not in client.get("/accounts/two-factor/").content.decode()
    assert client.get("/accounts/users/").status_code == 200
    assert OperationLog.objects.filter(event=OperationLog.Event.TWO_FACTOR, username="bureau",
                                       detail__contains="启用两步验证").exists()
    # The next login asks for the code.
    client.logout()
    assert password_login(client, "bureau").startswith("/accounts/two-factor/verify/")
    clock.shift(30)
    assert client.post("/accounts/two-factor/verify/",
                       {"code": code_for(key_hex, MOMENT + dt.timedelta(seconds=30))}).status_code == 302
    # A required user cannot switch it off.
    client.post("/accounts/two-factor/", {"action": "off"})
    assert TOTPDevice.objects.filter(user=bureau_admin).exists()


@override_settings(TWO_FACTOR_REQUIRED=True, TWO_FACTOR_REQUIRED_ROLES=["branch_secretary"])
def test_the_required_roles_are_a_setting(tree, secretary_a, bureau_admin):
    assert twofactor.is_required(secretary_a)
    assert twofactor.is_required(bureau_admin)  # manages users: always
    liaison = make_user("liaison_a", Role.LIAISON, organization=tree.a)
    assert not twofactor.is_required(liaison)


def test_development_requires_nothing_by_default(tree, bureau_admin):
    from django.conf import settings

    assert settings.TWO_FACTOR_REQUIRED is False
    assert not twofactor.is_required(bureau_admin)


def test_another_admin_in_scope_resets_a_lost_phone(client, tree, secretary_a, bureau_admin, clock):
    enrol(secretary_a)
    colleague = make_user("bureau2", Role.BUREAU_ADMIN, organization=tree.root)
    client.force_login(colleague)
    page = client.get(f"/accounts/users/{secretary_a.pk}/").content.decode()
    assert "已启用" in page and "重置两步验证" in page
    response = client.post(f"/accounts/users/{secretary_a.pk}/two-factor/reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=secretary_a).exists()
    assert not StaticDevice.objects.filter(user=secretary_a).exists()
    entry = OperationLog.objects.get(event=OperationLog.Event.TWO_FACTOR, username="bureau2")
    assert "sec_a" in entry.detail and entry.org_path == tree.a.path
    # The user logs in with the password alone again (and would enrol if required).
    other = client.__class__()
    assert password_login(other, "sec_a") == "/"
    with override_settings(TWO_FACTOR_REQUIRED=True, TWO_FACTOR_REQUIRED_ROLES=["branch_secretary"]):
        third = client.__class__()
        assert password_login(third, "sec_a").startswith("/accounts/two-factor/setup/")


def test_an_admin_cannot_reset_their_own_or_outside_their_scope(client, tree, secretary_a, bureau_admin):
    enrol(bureau_admin)
    client.force_login(bureau_admin)
    # force_login skips the code page: mark the session verified as the code page would.
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=bureau_admin).persistent_id
    session.save()
    response = client.post(f"/accounts/users/{bureau_admin.pk}/two-factor/reset/", follow=True)
    assert "不能重置自己的两步验证" in response.content.decode()
    assert TOTPDevice.objects.filter(user=bureau_admin).exists()
    # A branch secretary manages no users; another branch's admin cannot reach this user.
    enrol(secretary_a)
    client.force_login(secretary_a)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=secretary_a).persistent_id
    session.save()
    assert client.post(f"/accounts/users/{bureau_admin.pk}/two-factor/reset/").status_code == 403
    admin_b = make_user("admin_b", Role.BUREAU_ADMIN, organization=tree.b)
    client.force_login(admin_b)
    assert client.post(f"/accounts/users/{secretary_a.pk}/two-factor/reset/").status_code == 404
    assert TOTPDevice.objects.filter(user=secretary_a).exists()
    assert client.get(f"/accounts/users/{secretary_a.pk}/two-factor/reset/").status_code == 405


def test_recovery_codes_can_be_renewed_and_optional_two_factor_switched_off(client, tree, secretary_a, clock):
    device = enrol(secretary_a)
    password_login(client, "sec_a")
    client.post("/accounts/two-factor/verify/", {"code": code_for(device.key, MOMENT)})
    client.post("/accounts/two-factor/", {"action": "codes"})
    page = client.get("/accounts/two-factor/").content.decode()
    assert len(re.findall(r"<li><code>\d{5} \d{5}</code></li>", page)) == 10
    assert "1234567890" not in set(StaticToken.objects.values_list("token", flat=True))
    client.post("/accounts/two-factor/", {"action": "off"})
    assert not TOTPDevice.objects.filter(user=secretary_a).exists()
    assert OperationLog.objects.filter(event=OperationLog.Event.TWO_FACTOR, detail="关闭两步验证").exists()
    assert client.get("/retirees/").status_code == 200


def test_the_token_endpoint_asks_for_the_code_of_a_user_with_two_factor(tree, secretary_a, clock):
    device = enrol(secretary_a)
    api = APIClient()
    body = {"username": "sec_a", "password": PASSWORD}
    response = api.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400 and "6位动态码" in response.json()["otp"][0]
    response = api.post("/api/v1/auth/token/", {**body, "otp": "000000" if code_for(device.key, MOMENT) != "000000"
                                                else "111111"}, format="json")
    assert response.status_code == 400 and "不正确" in response.json()["otp"][0]
    clock.shift(2)
    code = code_for(device.key, MOMENT + dt.timedelta(seconds=2))
    response = api.post("/api/v1/auth/token/", {**body, "otp": code}, format="json")
    assert response.status_code == 200 and response.json()["token"].startswith("cq_")


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_the_token_endpoint_refuses_a_required_user_who_has_not_enrolled(tree, bureau_admin):
    response = APIClient().post("/api/v1/auth/token/", {"username": "bureau", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and "必须启用两步验证" in response.json()["otp"][0]


def test_a_user_without_two_factor_costs_no_query_for_the_gate(client, tree, secretary_a):
    password_login(client, "sec_a")
    client.get("/accounts/two-factor/")  # warm
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get("/accounts/large-text/")  # a GET on a POST-only view: session + user, then 405
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "otp_totp" not in sql and "otp_static" not in sql


def test_enrolment_and_verify_pages_render_for_the_time_being(client, tree, secretary_a):
    client.force_login(secretary_a)
    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200 and "验证器" in page.content.decode()
    # Without a device the code page just lets the user on.
    assert client.get("/accounts/two-factor/verify/?next=/retirees/")["Location"] == "/retirees/"
    # An outside next is not followed.
    assert client.get("/accounts/two-factor/verify/?next=https://evil.example/")["Location"] == "/"


def test_a_session_from_before_two_factor_is_held_too_and_htmx_is_redirected(client, tree, secretary_a):
    enrol(secretary_a)
    client.force_login(secretary_a)
    session = client.session
    del session[twofactor.SESSION_STATE]  # as a session made before this release
    session.save()
    response = client.get("/retirees/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/accounts/two-factor/verify/")
    assert client.session[twofactor.SESSION_STATE] == "verify"
    # A POST is held as well, and changes nothing.
    response = client.post("/accounts/token/", {"action": "create", "name": "偷偷生成"})
    assert response["Location"] == "/accounts/two-factor/verify/"
    from changqing.accounts.apitoken import ApiToken

    assert not ApiToken.objects.exists()


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_django_admin_account_must_enrol_before_the_admin_site(client, tree):
    staff = make_user("ops")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    assert password_login(client, "ops").startswith("/accounts/two-factor/setup/")
    response = client.get("/django-admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/setup/")


def test_the_secret_being_enrolled_stays_the_same_across_reloads(client, tree, secretary_a):
    client.force_login(secretary_a)
    first = re.search(r'data-secret="([A-Z2-7]+)"', client.get("/accounts/two-factor/setup/").content.decode())
    second = re.search(r'data-secret="([A-Z2-7]+)"', client.get("/accounts/two-factor/setup/").content.decode())
    assert first.group(1) == second.group(1)
    other = client.__class__()
    other.force_login(secretary_a)
    third = re.search(r'data-secret="([A-Z2-7]+)"', other.get("/accounts/two-factor/setup/").content.decode())
    assert third.group(1) != first.group(1)  # each session its own, never stored before it is confirmed
    assert not TOTPDevice.objects.exists()
