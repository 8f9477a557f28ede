"""Login lockout (django-axes, accounts/lockout.py) on the web login, the API token endpoint and django-admin.

Clock pinned at 10:00 Beijing time: a lock begun now is said to last until 10:15.
"""
import datetime as dt
import re

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone
from changqing.accounts.apitoken import ApiToken
from rest_framework.test import APIClient

from changqing.accounts.lockout import client_ip
from changqing.core.models import OperationLog
from changqing.core.roles import Role
from changqing.orgs.models import Organization, OrgKind
from tests.factories import make_user

pytestmark = pytest.mark.today

RIGHT = "pw-for-tests-1"  # tests/factories.make_user


def web_login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def login_errors(response) -> list[str]:
    """What the login page told the user: the error list and the lockout notice, without the markup."""
    html = response.content.decode()
    found = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', html, re.S)
    found += re.findall(r'id="locked-message">(.*?)</p>', html, re.S)
    return [re.sub(r"<[^>]+>", "", f).strip() for f in found]


def fail_until_locked(client, username):
    answers = [web_login(client, username, "wrong-password") for _ in range(5)]
    return answers


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(client, secretary_a):
    answers = fail_until_locked(client, "sec_a")
    # The first four: the usual message, with how many tries are left.
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert "用户名或密码不正确" in login_errors(answers[0])[0] and "再输错 4 次" in login_errors(answers[0])[0]
    assert "再输错 1 次，账号将被锁定 15 分钟" in login_errors(answers[3])[0]
    # The fifth locks, and says until when.
    assert answers[4].status_code == 429
    assert "已暂时锁定，请于 10:15 后再试" in " ".join(login_errors(answers[4]))
    # Now even the right password is refused, with the same notice, and the user is not logged in.
    refused = web_login(client, "sec_a", RIGHT)
    assert refused.status_code == 429 and "10:15" in " ".join(login_errors(refused))
    assert "_auth_user_id" not in client.session
    # One lockout in the operation log (not one per refused attempt), filed under the user's branch.
    lockouts = OperationLog.objects.filter(event=OperationLog.Event.LOCKOUT)
    assert lockouts.count() == 1
    entry = lockouts.get()
    assert entry.username == "sec_a" and "锁定至 10:15" in entry.detail and entry.org_path == secretary_a.role_assignments.get().organization.path


def test_an_unknown_user_name_is_answered_exactly_like_a_known_one(client, secretary_a):
    known = fail_until_locked(client, "sec_a") + [web_login(client, "sec_a", RIGHT)]
    unknown = fail_until_locked(Client(), "no_such_user") + [web_login(Client(), "no_such_user", RIGHT)]
    assert [a.status_code for a in known] == [a.status_code for a in unknown] == [200, 200, 200, 200, 429, 429]
    assert [login_errors(a) for a in known] == [login_errors(a) for a in unknown]


def test_the_lock_ends_by_itself_after_fifteen_minutes(client, secretary_a):
    fail_until_locked(client, "sec_a")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=14), tick=False):
        assert web_login(client, "sec_a", RIGHT).status_code == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=15, seconds=1), tick=False):
        response = web_login(client, "sec_a", RIGHT)
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(secretary_a.pk)


def test_failures_spread_over_more_than_the_window_do_not_lock(client, secretary_a):
    start = timezone.now()
    for i in range(4):
        with time_machine.travel(start + dt.timedelta(minutes=16 * i), tick=False):
            web_login(client, "sec_a", "wrong-password")
    with time_machine.travel(start + dt.timedelta(minutes=16 * 4), tick=False):
        assert web_login(client, "sec_a", "wrong-password").status_code == 200
        assert web_login(client, "sec_a", RIGHT).status_code == 302


def test_a_bureau_admin_unlocks_an_account_in_their_scope(client, tree, secretary_a, bureau_admin):
    fail_until_locked(Client(), "sec_a")
    admin = Client()
    admin.force_login(bureau_admin)
    assert "已锁定" in admin.get("/accounts/users/").content.decode()
    detail = admin.get(f"/accounts/users/{secretary_a.pk}/").content.decode()
    assert "到 10:15 自动解锁" in detail and "立即解锁" in detail
    response = admin.post(f"/accounts/users/{secretary_a.pk}/unlock/")
    assert response.status_code == 302
    assert "立即解锁" not in admin.get(f"/accounts/users/{secretary_a.pk}/").content.decode()
    assert web_login(client, "sec_a", RIGHT).status_code == 302
    unlock = OperationLog.objects.get(event=OperationLog.Event.UNLOCK)
    assert unlock.user == bureau_admin and unlock.detail == "解锁账号 sec_a"
    assert unlock.org_path == tree.a.path


def test_an_admin_cannot_unlock_an_account_outside_their_scope(tree, secretary_a):
    other_root = Organization.objects.create(code="X", name="外县党工委", kind=OrgKind.COMMITTEE)
    outsider = make_user("outsider_admin", Role.BUREAU_ADMIN, organization=other_root)
    fail_until_locked(Client(), "sec_a")
    admin = Client()
    admin.force_login(outsider)
    assert admin.post(f"/accounts/users/{secretary_a.pk}/unlock/").status_code == 404
    plain = Client()
    plain.force_login(make_user("member_only", Role.BRANCH_SECRETARY, organization=tree.b))
    assert plain.post(f"/accounts/users/{secretary_a.pk}/unlock/").status_code in (403, 404)
    assert web_login(Client(), "sec_a", RIGHT).status_code == 429
    assert not OperationLog.objects.filter(event=OperationLog.Event.UNLOCK).exists()


def test_the_user_list_finds_locked_accounts_in_constant_queries(tree, bureau_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = Client()
    admin.force_login(bureau_admin)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get("/accounts/users/").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for i in range(6):
        make_user(f"extra{i}", Role.BRANCH_SECRETARY, organization=tree.a)
        fail_until_locked(Client(), f"extra{i}")
    assert queries() == few


def test_the_api_token_endpoint_counts_and_refuses_in_chinese(secretary_a):
    api = APIClient()
    answers = [api.post("/api/v1/auth/token/", {"username": "sec_a", "password": "nope"}, format="json")
               for _ in range(5)]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429]
    assert "已暂时锁定，请于 10:15 后再试" in answers[4].json()["detail"]
    right = api.post("/api/v1/auth/token/", {"username": "sec_a", "password": RIGHT}, format="json")
    assert right.status_code == 429 and not ApiToken.objects.exists()
    assert OperationLog.objects.filter(event=OperationLog.Event.LOCKOUT, data__path="/api/v1/auth/token/").exists()


def test_failures_on_the_web_and_the_api_add_up(client, secretary_a):
    for _ in range(3):
        web_login(client, "sec_a", "wrong-password")
    api = APIClient()
    api.post("/api/v1/auth/token/", {"username": "sec_a", "password": "nope"}, format="json")
    assert api.post("/api/v1/auth/token/", {"username": "sec_a", "password": "nope"}, format="json").status_code == 429
    assert web_login(client, "sec_a", RIGHT).status_code == 429


def test_django_admin_login_is_locked_too(secretary_a):
    secretary_a.is_staff = True
    secretary_a.save()
    c = Client()
    answers = [c.post("/django-admin/login/", {"username": "sec_a", "password": "wrong-password"}) for _ in range(5)]
    assert answers[4].status_code == 429 and "已暂时锁定" in answers[4].content.decode()
    assert c.post("/django-admin/login/", {"username": "sec_a", "password": RIGHT}).status_code == 429
    assert "_auth_user_id" not in c.session


@override_settings(LOGIN_IP_FAILURE_LIMIT=8)
def test_one_address_trying_many_user_names_is_throttled(secretary_a):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    answers = [web_login(attacker, f"guess{i}", "wrong-password") for i in range(8)]
    assert [a.status_code for a in answers] == [200] * 7 + [429]
    assert "本设备登录失败次数过多" in " ".join(login_errors(answers[7]))
    # Even a right password is refused from that address…
    assert web_login(attacker, "sec_a", RIGHT).status_code == 429
    # …but the account itself is not locked: from elsewhere it logs in.
    assert web_login(Client(REMOTE_ADDR="198.51.100.7"), "sec_a", RIGHT).status_code == 302
    assert OperationLog.objects.filter(event=OperationLog.Event.LOCKOUT, detail__contains="203.0.113.9").count() == 1


def test_the_address_behind_nginx_is_the_one_nginx_saw(rf):
    # nginx appends the address it saw; what the client wrote before it is not believed.
    request = rf.post("/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"
    # A client talking to the program directly cannot choose its address with the header.
    request = rf.post("/accounts/login/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "198.51.100.7"


def test_a_successful_login_forgets_earlier_failures(client, secretary_a):
    for _ in range(4):
        web_login(client, "sec_a", "wrong-password")
    assert web_login(client, "sec_a", RIGHT).status_code == 302
    other = Client()
    for _ in range(4):
        assert web_login(other, "sec_a", "wrong-password").status_code == 200
