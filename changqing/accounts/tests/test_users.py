"""User management in the product's own pages: a bureau admin creates users and roles in their subtree."""
import re

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection

from changqing.accounts.models import RoleAssignment, User
from changqing.core.roles import Role
from changqing.orgs.models import Organization, OrgKind
from tests.factories import make_user

GOOD = {"username": "new_sec", "full_name": "新书记", "phone": "13900000000", "password": "Qingshan-2026",
        "role-role": Role.BRANCH_SECRETARY, "role-note": ""}


@pytest.fixture
def admin_client(client, bureau_admin):
    client.force_login(bureau_admin)
    return client


def _errors_beside(html: str, field_id: str) -> str:
    """The error list rendered right after the field with this id."""
    m = re.search(rf'id="{field_id}".*?<ul class="errorlist"[^>]*>(.*?)</ul>', html, re.S)
    return m.group(1) if m else ""


def test_bureau_admin_creates_user_with_role_in_subtree(admin_client, tree):
    response = admin_client.post("/accounts/users/new/", {**GOOD, "role-organization": tree.a.pk})
    user = User.objects.get(username="new_sec")
    assert response.status_code == 302 and response["Location"] == f"/accounts/users/{user.pk}/"
    assert user.check_password("Qingshan-2026")
    assignment = user.role_assignments.get()
    assert (assignment.role, assignment.organization) == (Role.BRANCH_SECRETARY, tree.a)
    assert user.must_change_password  # the administrator knows the password: the user must choose their own
    # The new user logs in, is sent to change the password first, and then sees their branch only.
    from django.test import Client

    c = Client()
    assert c.post("/accounts/login/", {"username": "new_sec", "password": "Qingshan-2026"})["Location"] == "/"
    assert c.get("/orgs/")["Location"] == "/accounts/password/"
    c.post("/accounts/password/", {"old_password": "Qingshan-2026", "new_password1": "Songbai#1949",
                                   "new_password2": "Songbai#1949"})
    assert "甲支部" in c.get("/orgs/").content.decode() and "乙支部专有名称" not in c.get("/orgs/").content.decode()


def test_zone_lead_and_member_users_are_listed_for_their_admin(admin_client, tree):
    admin_client.post("/accounts/users/new/", {**GOOD, "username": "lead", "role-role": Role.ZONE_LEAD,
                                               "role-zone": tree.zone_b.pk})
    lead = User.objects.get(username="lead")
    member = make_user("self_member")
    member.retiree = tree.rb
    member.save()
    RoleAssignment.objects.create(user=member, role=Role.MEMBER)
    page = admin_client.get("/accounts/users/").content.decode()
    assert "lead" in page and "self_member" in page
    assert admin_client.get(f"/accounts/users/{lead.pk}/").status_code == 200
    # …and the admin can remove the zone role they gave.
    ra = lead.role_assignments.get()
    assert admin_client.post(f"/accounts/roles/{ra.pk}/remove/", {"confirm": "1"}).status_code == 302
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()


@pytest.mark.parametrize("change, field_id, message", [
    ({"username": "sec_a"}, "id_username", "已存在"),
    ({"password": "12345678"}, "id_password", "至少 3 种"),
    ({"password": "abc"}, "id_password", "至少需要 10 位"),
    ({"role-organization": ""}, "id_role-organization", "需要指定所管理的组织"),
    ({"role-role": Role.ZONE_LEAD, "role-organization": ""}, "id_role-zone", "片组长角色需要指定片组"),
    ({"role-role": Role.MEMBER, "role-organization": ""}, "id_role-role", "离退休干部档案"),
])
def test_bad_input_is_explained_beside_the_field_and_nothing_is_created(admin_client, tree, secretary_a, change,
                                                                       field_id, message):
    users_before, roles_before = User.objects.count(), RoleAssignment.objects.count()
    response = admin_client.post("/accounts/users/new/", {**GOOD, "role-organization": tree.a.pk, **change})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in _errors_beside(html, field_id), html
    assert User.objects.count() == users_before and RoleAssignment.objects.count() == roles_before


def test_errors_of_both_parts_show_at_once(admin_client, tree):
    response = admin_client.post("/accounts/users/new/", {**GOOD, "password": "123", "role-organization": ""})
    html = response.content.decode()
    assert _errors_beside(html, "id_password") and _errors_beside(html, "id_role-organization")
    assert not User.objects.filter(username="new_sec").exists()


def test_cannot_assign_an_organisation_outside_the_subtree(client, tree):
    other_root = Organization.objects.create(code="X", name="外县党工委", kind=OrgKind.COMMITTEE)
    admin_a = make_user("admin_a", Role.BUREAU_ADMIN, organization=tree.a)
    client.force_login(admin_a)
    form_page = client.get("/accounts/users/new/").content.decode()
    assert "甲支部" in form_page and "乙支部专有名称" not in form_page and "外县党工委" not in form_page
    for org in (tree.b, other_root):
        response = client.post("/accounts/users/new/", {**GOOD, "role-organization": org.pk})
        assert "选择一个有效的选项" in _errors_beside(response.content.decode(), "id_role-organization")
    assert not User.objects.filter(username="new_sec").exists()


def test_admin_of_a_branch_cannot_reach_users_of_another(client, tree):
    admin_a = make_user("admin_a", Role.BUREAU_ADMIN, organization=tree.a)
    sec_b = make_user("sec_b", Role.BRANCH_SECRETARY, organization=tree.b)
    client.force_login(admin_a)
    assert "sec_b" not in client.get("/accounts/users/").content.decode()
    assert client.get(f"/accounts/users/{sec_b.pk}/").status_code == 404
    ra = sec_b.role_assignments.get()
    assert client.post(f"/accounts/roles/{ra.pk}/remove/").status_code == 404
    assert client.post(f"/accounts/users/{sec_b.pk}/", {"user-full_name": "改名", "save_user": "1"}).status_code == 404
    sec_b.refresh_from_db()
    assert sec_b.full_name == "sec_b" and RoleAssignment.objects.filter(pk=ra.pk).exists()


def test_user_page_hides_roles_outside_the_admins_subtree(client, tree):
    admin_a = make_user("admin_a", Role.BUREAU_ADMIN, organization=tree.a)
    both = make_user("both", Role.BRANCH_SECRETARY, organization=tree.a)
    RoleAssignment.objects.create(user=both, role=Role.LIAISON, organization=tree.b)
    client.force_login(admin_a)
    page = client.get(f"/accounts/users/{both.pk}/").content.decode()
    assert "甲支部" in page and "乙支部专有名称" not in page


def test_secretary_cannot_manage_users(client, secretary_a):
    client.force_login(secretary_a)
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/accounts/users/new/").status_code == 403
    assert client.post("/accounts/users/new/", {**GOOD, "role-organization": secretary_a.pk}).status_code == 403
    assert not User.objects.filter(username="new_sec").exists()


def test_admin_adds_a_role_and_role_change_is_logged(admin_client, tree, secretary_a):
    from changqing.core.models import OperationLog

    response = admin_client.post(f"/accounts/users/{secretary_a.pk}/", {
        "add_role": "1", "role-role": Role.LIAISON, "role-organization": tree.b.pk})
    assert response.status_code == 302
    assert secretary_a.role_assignments.filter(role=Role.LIAISON, organization=tree.b).exists()
    entry = OperationLog.objects.get(event=OperationLog.Event.ROLE_CHANGE)
    assert "sec_a" in entry.detail and entry.username == "bureau"


def test_users_list_queries_do_not_grow(admin_client, tree):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get("/accounts/users/").status_code == 200
        return len(ctx.captured_queries)

    def add_users(start, stop):  # no password hashing: only the list is measured
        users = User.objects.bulk_create([User(username=f"u{i}", full_name=f"用户{i}") for i in range(start, stop)])
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=u, role=Role.BRANCH_SECRETARY, organization=tree.a) for u in users]
            + [RoleAssignment(user=u, role=Role.ZONE_LEAD, zone=tree.zone_a) for u in users])

    add_users(0, 3)
    small = count()
    add_users(3, 40)
    assert count() == small


def test_large_text_is_remembered_per_user(client, secretary_a):
    client.force_login(secretary_a)
    assert 'class=""' in client.get("/").content.decode() or "large-text" not in client.get("/").content.decode()
    response = client.post("/accounts/large-text/", {"next": "/orgs/"})
    assert response.status_code == 302 and response["Location"] == "/orgs/"
    secretary_a.refresh_from_db()
    assert secretary_a.large_text
    assert '<html lang="zh-Hans" class="large-text">' in client.get("/").content.decode()
    # Remembered across sessions: a new login on another browser gets it too.
    from django.test import Client

    other = Client()
    other.force_login(secretary_a)
    assert 'class="large-text"' in other.get("/").content.decode()
    client.post("/accounts/large-text/", {"next": "/"})
    secretary_a.refresh_from_db()
    assert not secretary_a.large_text


def test_large_text_before_login_uses_a_cookie_and_refuses_foreign_redirects(client, db):
    response = client.post("/accounts/large-text/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert response.cookies["large_text"].value == "1"
    assert 'class="large-text"' in client.get("/accounts/login/").content.decode()
    client.post("/accounts/large-text/", {"next": "/accounts/login/"})
    assert 'class="large-text"' not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/large-text/").status_code == 405
