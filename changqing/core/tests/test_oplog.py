"""Operation log (操作日志): logins, failed logins, logouts, exports and unmasked views, seen by the right admins."""
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from changqing.core.roles import Role
from changqing.core.models import OperationLog
from tests.factories import make_retiree, make_user

Event = OperationLog.Event


def _events(**filters):
    return list(OperationLog.objects.filter(**filters).order_by("id").values_list("event", flat=True))


def test_login_failed_login_and_logout_are_logged(client, tree, secretary_a):
    response = client.post("/accounts/login/", {"username": "sec_a", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()
    client.post("/accounts/login/", {"username": "nobody-here", "password": "x"})
    assert client.post("/accounts/login/", {"username": "sec_a", "password": "pw-for-tests-1"}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert _events(username="sec_a") == [Event.LOGIN_FAILED, Event.LOGIN, Event.LOGOUT]
    failed = OperationLog.objects.get(event=Event.LOGIN_FAILED, username="sec_a")
    assert failed.user is None and failed.ip == "127.0.0.1" and "sec_a" in failed.detail
    # Filed under the person's branch, so their administrators see them; unknown names only for superusers.
    assert set(OperationLog.objects.filter(username="sec_a").values_list("org_path", flat=True)) == {tree.a.path}
    assert OperationLog.objects.get(username="nobody-here").org_path == ""


def test_export_is_logged_and_contains_only_the_scope(client, tree, secretary_a):
    client.force_login(secretary_a)
    response = client.get("/retirees/", {"export": "xlsx"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [c for row in wb.active.iter_rows(values_only=True) for c in row if c]
    assert "张宏伟" in cells and "乙支部专有人" not in cells
    assert "11010519491231002X" not in cells  # masked in exports too
    entry = OperationLog.objects.get(event=Event.EXPORT)
    assert entry.username == "sec_a" and entry.org_path == tree.a.path and entry.data["rows"] == 1


def test_export_needs_the_export_right_and_covers_only_its_scope(client, tree):
    liaison = make_user("liaison", Role.LIAISON, organization=tree.a)  # view + change, no export
    client.force_login(liaison)
    assert "导出 Excel" not in client.get("/retirees/").content.decode()
    assert client.get("/retirees/", {"export": "xlsx"}).status_code == 403
    assert not OperationLog.objects.filter(event=Event.EXPORT).exists()
    # Export right in branch B only: the export holds B's people, not A's, although both are viewable.
    from changqing.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=liaison, role=Role.COMMITTEE_MEMBER, organization=tree.b)
    liaison = type(liaison).objects.get(pk=liaison.pk)
    client.force_login(liaison)
    response = client.get("/retirees/", {"export": "xlsx"})
    cells = [c for row in load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(
        values_only=True) for c in row if c]
    assert "乙支部专有人" in cells and "张宏伟" not in cells


def test_unmasked_view_is_logged_only_when_allowed(client, tree, secretary_a):
    client.force_login(secretary_a)
    page = client.get(f"/retirees/{tree.ra.pk}/").content.decode()
    assert "11010519491231002X" not in page and not OperationLog.objects.filter(event=Event.UNMASK).exists()
    page = client.post(f"/retirees/{tree.ra.pk}/reveal/").content.decode()
    assert "11010519491231002X" in page
    entry = OperationLog.objects.get(event=Event.UNMASK)
    assert entry.data["retiree_id"] == tree.ra.pk and entry.org_path == tree.a.path
    committee = make_user("cm", Role.COMMITTEE_MEMBER, organization=tree.a)  # may view, not unmask
    client.force_login(committee)
    response = client.post(f"/retirees/{tree.ra.pk}/reveal/")
    assert response.status_code == 403 and "11010519491231002X" not in response.content.decode()
    assert OperationLog.objects.filter(event=Event.UNMASK).count() == 1


def test_oplog_page_is_scoped_to_the_admins_subtree(client, tree, secretary_a):
    sec_b = make_user("sec_b", Role.BRANCH_SECRETARY, organization=tree.b)
    for user in (secretary_a, sec_b):
        client.force_login(user)
        client.get("/retirees/", {"export": "xlsx"})
    admin_a = make_user("admin_a", Role.BUREAU_ADMIN, organization=tree.a)
    root_admin = make_user("root_admin", Role.BUREAU_ADMIN, organization=tree.root)
    client.force_login(admin_a)
    page = client.get("/oplog/", {"event": "export"}).content.decode()
    assert "sec_a" in page and "sec_b" not in page and "共 1 条" in page
    client.force_login(root_admin)
    page = client.get("/oplog/", {"event": "export"}).content.decode()
    assert "sec_a" in page and "sec_b" in page and "共 2 条" in page
    client.force_login(secretary_a)
    assert client.get("/oplog/").status_code == 403


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_oplog_list_queries_do_not_grow(client, tree):
    root_admin = make_user("root_admin", Role.BUREAU_ADMIN, organization=tree.root)
    client.force_login(root_admin)

    def add(n):
        OperationLog.objects.bulk_create([OperationLog(username=f"u{i}", event=Event.LOGIN, org_path=tree.a.path)
                                          for i in range(n)])

    add(3)
    small = _queries(client, "/oplog/")
    add(80)
    assert _queries(client, "/oplog/") == small


def test_org_retiree_and_change_lists_queries_do_not_grow(client, tree):
    """Counted with a few records, then with many more: the number of queries stays the same."""
    from changqing.core.idcard import check_char
    from changqing.orgs.models import Organization, OrgKind

    root_admin = make_user("root_admin", Role.BUREAU_ADMIN, organization=tree.root)
    client.force_login(root_admin)
    urls = ("/orgs/", "/retirees/", "/changes/")

    def add(start, stop):
        for i in range(start, stop):
            org = Organization.objects.create(code=f"T-X{i}", name=f"新支部{i}", kind=OrgKind.BRANCH,
                                              parent=tree.root, zone=tree.zone_a if i % 2 else None)
            body = f"32010219500101{i:03d}"
            make_retiree(org, f"某{i}", body + check_char(body), member=i % 2 == 0)

    add(0, 2)
    for url in urls:  # warm per-process caches (content types) so both counts are like for like
        client.get(url)
    small = {url: _queries(client, url) for url in urls}
    add(2, 40)
    assert {url: _queries(client, url) for url in urls} == small
