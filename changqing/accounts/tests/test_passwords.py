"""Password rules (accounts/passwords.py), self-service change, admin reset, forced change and expiry."""
import datetime as dt
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from changqing.accounts.models import PasswordHistory, User
from changqing.accounts.passwords import character_kinds, one_time_password
from changqing.core.models import OperationLog
from changqing.core.roles import Role
from changqing.orgs.models import Organization, OrgKind
from tests.factories import make_user

RIGHT = "pw-for-tests-1"


def errors_beside(response, field_id: str) -> str:
    m = re.search(rf'id="{field_id}".*?<ul class="errorlist"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    return re.sub(r"<[^>]+>", " ", m.group(1)) if m else ""


def change(client, old, new, again=None):
    return client.post("/accounts/password/", {"old_password": old, "new_password1": new,
                                               "new_password2": new if again is None else again})


@pytest.fixture
def me(client, secretary_a):
    client.force_login(secretary_a)
    return client


@pytest.mark.parametrize("new, reason", [
    ("Ab1#xyz", "密码太短：至少需要 10 位，现在只有 7 位"),
    ("abcdefghijkl", "至少 3 种，现在只有 1 种"),
    ("abcdefgh1234", "至少 3 种，现在只有 2 种"),
    ("Woaini1314!", "这个密码太常见"),           # on the Chinese list shipped in accounts/data
    ("1qaz@WSX3edc", "这个密码太常见"),
    ("P@ssw0rd123", "这个密码太常见"),
    ("Changqing#2027", "不能包含本平台的名称"),
    ("我的常青Ab12345", "不能包含本平台的名称"),
    ("changqing2026", "不能包含本平台的名称"),  # the demo password
    ("Sec_a#2026xy", "不能包含用户名"),
    (RIGHT, "不能使用最近 5 次用过的密码"),    # the current one
])
def test_a_weak_password_is_refused_with_its_reason_beside_the_field(me, secretary_a, new, reason):
    response = change(me, RIGHT, new)
    assert response.status_code == 200
    assert reason in errors_beside(response, "id_new_password1")
    secretary_a.refresh_from_db()
    assert secretary_a.check_password(RIGHT)
    assert not OperationLog.objects.filter(event=OperationLog.Event.PASSWORD_CHANGE).exists()


def test_wrong_old_password_and_mismatch_are_refused(me, secretary_a):
    assert "原密码不正确" in errors_beside(change(me, "not-it", "Songbai#1949"), "id_old_password")
    assert "两次输入的新密码不一致" in errors_beside(change(me, RIGHT, "Songbai#1949", "Songbai#1950"),
                                                    "id_new_password2")
    secretary_a.refresh_from_db()
    assert secretary_a.check_password(RIGHT)


def test_the_rules_are_listed_under_the_field(me):
    page = me.get("/accounts/password/").content.decode()
    assert "至少 10 位" in page and "至少 3 种" in page and "不能与最近 5 次的密码相同" in page


def test_a_good_password_is_changed_and_logged(me, secretary_a):
    response = change(me, RIGHT, "Songbai#1949")
    assert response.status_code == 302
    secretary_a.refresh_from_db()
    assert secretary_a.check_password("Songbai#1949") and secretary_a.password_changed_at is not None
    assert OperationLog.objects.filter(event=OperationLog.Event.PASSWORD_CHANGE, user=secretary_a).count() == 1
    # This session goes on.
    assert me.get("/").status_code == 200


def test_none_of_the_last_five_passwords_may_come_back(me, secretary_a):
    passwords = ["Songbai#1941", "Songbai#1942", "Songbai#1943", "Songbai#1944", "Songbai#1945", "Songbai#1946"]
    old = RIGHT
    for new in passwords:
        assert change(me, old, new).status_code == 302, new
        old = new
    # The last five (the current one among them) are refused…
    for earlier in passwords[1:]:
        assert "不能使用最近 5 次用过的密码" in errors_beside(change(me, old, earlier), "id_new_password1")
    # …the sixth back is allowed again.
    assert change(me, old, passwords[0]).status_code == 302
    assert PasswordHistory.objects.filter(user=secretary_a).count() == 5
    assert all(h.password.startswith("md5$") for h in PasswordHistory.objects.all())  # hashes, never the text


def test_the_account_menu_links_to_the_change_page(me):
    assert 'href="/accounts/password/"' in me.get("/").content.decode()


# -- administrators: a created or reset account must change its password at first login --------------------

def test_an_admin_reset_gives_a_one_time_password_to_change_at_login(tree, secretary_a, bureau_admin):
    admin = Client()
    admin.force_login(bureau_admin)
    response = admin.post(f"/accounts/users/{secretary_a.pk}/reset-password/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    one_time = re.search(r'id="onetime-password">([^<]+)<', response.content.decode()).group(1)
    secretary_a.refresh_from_db()
    assert secretary_a.must_change_password and secretary_a.check_password(one_time)
    assert not secretary_a.check_password(RIGHT)
    entry = OperationLog.objects.get(event=OperationLog.Event.PASSWORD_RESET)
    assert entry.user == bureau_admin and one_time not in entry.detail and entry.org_path == tree.a.path
    # The one-time password is not kept anywhere the admin could see it again.
    assert one_time not in admin.get(f"/accounts/users/{secretary_a.pk}/").content.decode()

    user = Client()
    assert user.post("/accounts/login/", {"username": "sec_a", "password": one_time}).status_code == 302
    for path in ("/", "/orgs/", "/accounts/token/"):
        assert user.get(path)["Location"] == "/accounts/password/", path
    page = user.get("/accounts/password/").content.decode()
    assert "这是管理员为您设置的密码" in page
    assert user.get("/api/v1/retirees/").status_code == 403
    assert change(user, one_time, "Songbai#1949").status_code == 302
    secretary_a.refresh_from_db()
    assert not secretary_a.must_change_password
    assert user.get("/orgs/").status_code == 200


def test_an_admin_cannot_reset_outside_their_scope_nor_their_own(tree, secretary_a, bureau_admin):
    other_root = Organization.objects.create(code="X", name="外县党工委", kind=OrgKind.COMMITTEE)
    outsider = Client()
    outsider.force_login(make_user("outsider_admin", Role.BUREAU_ADMIN, organization=other_root))
    assert outsider.post(f"/accounts/users/{secretary_a.pk}/reset-password/").status_code == 404
    admin = Client()
    admin.force_login(bureau_admin)
    assert admin.post(f"/accounts/users/{bureau_admin.pk}/reset-password/").status_code == 302
    secretary_a.refresh_from_db()
    bureau_admin.refresh_from_db()
    assert secretary_a.check_password(RIGHT) and bureau_admin.check_password(RIGHT)
    assert not OperationLog.objects.filter(event=OperationLog.Event.PASSWORD_RESET).exists()


def test_a_reset_also_lifts_a_lock(tree, secretary_a, bureau_admin):
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "sec_a", "password": "wrong-password"})
    admin = Client()
    admin.force_login(bureau_admin)
    response = admin.post(f"/accounts/users/{secretary_a.pk}/reset-password/")
    one_time = re.search(r'id="onetime-password">([^<]+)<', response.content.decode()).group(1)
    assert Client().post("/accounts/login/", {"username": "sec_a", "password": one_time}).status_code == 302


def test_one_time_passwords_satisfy_the_rules():
    from django.contrib.auth.password_validation import validate_password

    seen = {one_time_password() for _ in range(50)}
    assert len(seen) == 50
    for p in seen:
        assert len(p) == 12 and character_kinds(p) == 4
        validate_password(p)


def test_demo_logins_keep_the_demo_password_and_are_not_forced_to_change(tree):
    from changqing.demo.users import DEMO_PASSWORD

    user = User.objects.create(username="shuji")
    user.set_password(DEMO_PASSWORD)  # what seeding does: the rules apply to people, not to the seeder
    user.save()
    c = Client()
    assert c.post("/accounts/login/", {"username": "shuji", "password": DEMO_PASSWORD}).status_code == 302
    assert c.get("/").status_code == 200


# -- optional expiry ------------------------------------------------------------------------------------------

@pytest.mark.today
@override_settings(PASSWORD_MAX_AGE_DAYS=90)
def test_an_expired_password_sends_to_the_change_page(me, secretary_a):
    User.objects.filter(pk=secretary_a.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    assert me.get("/")["Location"] == "/accounts/password/"
    assert "已使用超过 90 天" in me.get("/accounts/password/").content.decode()
    assert change(me, RIGHT, "Songbai#1949").status_code == 302
    assert me.get("/").status_code == 200


@pytest.mark.today
def test_expiry_is_off_by_default(me, secretary_a):
    User.objects.filter(pk=secretary_a.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=3650))
    assert me.get("/").status_code == 200
