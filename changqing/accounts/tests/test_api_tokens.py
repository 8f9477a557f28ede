"""API tokens: hashed, several per user, expiring, revocable, dead after a password change or deactivation."""
import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from changqing.accounts.apitoken import ApiToken, digest_of
from changqing.accounts.models import User
from changqing.core.models import OperationLog


def _obtain(username="sec_a", password="pw-for-tests-1", **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password, **extra},
                            format="json")


def _bearer(key) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_the_key_is_stored_only_as_a_digest_and_several_tokens_live_together(tree, secretary_a):
    first = _obtain(name="统计系统").json()
    second = _obtain().json()
    assert first["token"] != second["token"] and first["token"].startswith("cq_")
    assert first["name"] == "统计系统" and second["name"] == "通过接口获取"
    rows = list(ApiToken.objects.filter(user=secretary_a).values())
    assert len(rows) == 2
    for row in rows:  # no column holds a key
        assert not any(key in str(value) for value in row.values() for key in (first["token"], second["token"]))
    assert {r["digest"] for r in rows} == {digest_of(first["token"]), digest_of(second["token"])}
    for key in (first["token"], second["token"]):
        assert _bearer(key).get("/api/v1/retirees/").status_code == 200
    # Bearer is accepted as well as Token.
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {first['token']}")
    assert bearer.get("/api/v1/retirees/").status_code == 200


def test_a_token_expires_after_the_setting(tree, secretary_a):
    start = timezone.now()
    with override_settings(API_TOKEN_TTL_DAYS=30):
        body = _obtain().json()
    token = ApiToken.objects.get()
    assert abs((token.expires - token.created) - dt.timedelta(days=30)) < dt.timedelta(seconds=1)
    assert token.created >= start - dt.timedelta(seconds=1)
    with time_machine.travel(token.expires - dt.timedelta(minutes=1), tick=False):
        assert _bearer(body["token"]).get("/api/v1/retirees/").status_code == 200
    with time_machine.travel(token.expires + dt.timedelta(seconds=1), tick=False):
        response = _bearer(body["token"]).get("/api/v1/retirees/")
    assert response.status_code == 401
    assert "已于" in response.json()["detail"] and "过期" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Token")


@override_settings(API_TOKEN_TTL_DAYS=7)
def test_the_ttl_setting_is_honoured(tree, secretary_a):
    _obtain()
    token = ApiToken.objects.get()
    assert round((token.expires - token.created).total_seconds()) == 7 * 86400


@pytest.mark.parametrize("header, message", [
    ("Token cq_not-a-real-token", "令牌无效或已被撤销"),
    ("Token", "令牌格式不正确"),
    ("Token a b", "令牌格式不正确"),
])
def test_bad_tokens_get_401_with_a_chinese_reason(tree, header, message):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/retirees/")
    assert response.status_code == 401
    assert message in response.json()["detail"]


def test_anonymous_api_gets_401_in_chinese(tree):
    response = APIClient().get("/api/v1/retirees/")
    assert response.status_code == 401 and "身份认证信息未提供" in response.json()["detail"]


def test_last_used_is_recorded_without_a_write_per_request(tree, secretary_a, django_assert_max_num_queries):
    key = _obtain().json()["token"]
    token = ApiToken.objects.get()
    assert token.last_used is None
    api = _bearer(key)
    api.get("/api/v1/retirees/")
    token.refresh_from_db()
    assert token.last_used is not None
    first_use = token.last_used
    api.get("/api/v1/retirees/")
    token.refresh_from_db()
    assert token.last_used == first_use  # within a minute: not written again


def test_a_password_change_kills_every_token_whatever_view_changes_it(tree, secretary_a, bureau_admin):
    keys = [_obtain().json()["token"] for _ in range(2)]
    other = _obtain("bureau").json()["token"]
    user = User.objects.get(pk=secretary_a.pk)
    user.large_text = True
    user.save()  # a save that leaves the password alone keeps them
    assert ApiToken.objects.filter(user=secretary_a).count() == 2
    user.set_password("Another-Passw0rd-x")
    user.save()
    assert not ApiToken.objects.filter(user=secretary_a).exists()
    for key in keys:
        response = _bearer(key).get("/api/v1/retirees/")
        assert response.status_code == 401 and "令牌无效或已被撤销" in response.json()["detail"]
    assert _bearer(other).get("/api/v1/retirees/").status_code == 200  # someone else's survive


def test_deactivation_kills_the_tokens(tree, secretary_a):
    key = _obtain().json()["token"]
    secretary_a.is_active = False
    secretary_a.save(update_fields=["is_active"])
    assert not ApiToken.objects.exists()
    assert _bearer(key).get("/api/v1/retirees/").status_code == 401


def test_an_admin_deactivating_a_user_on_the_user_page_kills_their_tokens(client, tree, secretary_a, bureau_admin):
    key = _obtain().json()["token"]
    client.force_login(bureau_admin)
    page = client.get(f"/accounts/users/{secretary_a.pk}/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {f"user-{name}": value for name, value in form.initial.items() if value is not None}
    data.pop("user-is_active", None)  # unticked
    data["save_user"] = "1"
    client.post(f"/accounts/users/{secretary_a.pk}/", data)
    secretary_a.refresh_from_db()
    assert not secretary_a.is_active
    assert _bearer(key).get("/api/v1/retirees/").status_code == 401


def test_revoking_on_the_page_is_limited_to_ones_own_tokens(client, tree, secretary_a, bureau_admin):
    _obtain()
    theirs = _obtain("bureau").json()["token"]
    client.force_login(secretary_a)
    admin_token = ApiToken.objects.get(user=bureau_admin)
    response = client.post("/accounts/token/", {"action": "revoke", "token": admin_token.pk}, follow=True)
    assert "没有找到这个令牌" in response.content.decode()
    assert _bearer(theirs).get("/api/v1/retirees/").status_code == 200
    mine = ApiToken.objects.get(user=secretary_a)
    client.post("/accounts/token/", {"action": "revoke", "token": mine.pk})
    assert not ApiToken.objects.filter(user=secretary_a).exists()
    assert OperationLog.objects.filter(username="sec_a", detail__startswith="撤销接口访问令牌").exists()


def test_the_token_list_shows_name_dates_and_expired_state(client, tree, secretary_a):
    client.force_login(secretary_a)
    client.post("/accounts/token/", {"action": "create", "name": "老系统"})
    token = ApiToken.objects.get()
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - dt.timedelta(days=1))
    page = client.get("/accounts/token/").content.decode()
    assert "老系统" in page and token.prefix in page and "从未使用" in page and "已过期" in page
    # A name is required, said beside the field; nothing made.
    response = client.post("/accounts/token/", {"action": "create", "name": ""})
    assert "请填写令牌名称" in response.content.decode() and ApiToken.objects.count() == 1


def test_schema_and_docs_need_a_login(client, tree, secretary_a):
    assert APIClient().get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
    key = _obtain().json()["token"]
    schema = _bearer(key).get("/api/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "tokenAuth" in body and "otp" in body  # the token scheme and the code field are documented
    client.force_login(secretary_a)
    assert client.get("/api/docs/").status_code == 200
