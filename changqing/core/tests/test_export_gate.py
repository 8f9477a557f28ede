"""The export gate: rows narrowed to the export scope before any hook, a hook cannot widen them, cap, log, 403."""
import io
import pathlib

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory, override_settings
from openpyxl import load_workbook

from changqing.core.export_gate import ExportGate
from changqing.accounts.models import RoleAssignment
from changqing.core.roles import Role
from changqing.core.lists import Column, ScopedListView
from changqing.core.models import OperationLog
from changqing.members.models import Retiree
from conftest import make_retiree, make_user


@pytest.fixture
def two_scopes(tree):
    """Views A (liaison) and B (committee member); exports only B."""
    user = make_user("two_scopes", Role.LIAISON, organization=tree.a)
    RoleAssignment.objects.create(user=user, role=Role.COMMITTEE_MEMBER, organization=tree.b)
    return type(user).objects.get(pk=user.pk)


def _export(view_class, user, **params):
    request = RequestFactory().get("/test-export/", {"export": "xlsx", **params})
    request.user = user
    return view_class.as_view()(request)


def _names(response) -> list[str]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]


class RetireeExport(ScopedListView):
    title = "测试名单"
    queryset = Retiree.objects.select_related("organization")
    default_ordering = "name_pinyin"
    columns = [Column("name", "姓名"), Column("organization.name", "所在组织")]


class WideningExport(RetireeExport):
    """Hooks that try to add rows: the queryset hook returns everyone, the chunk hook records what it is given."""

    prepared: list = []

    def export_queryset(self, rows):
        return Retiree.objects.all().select_related("organization")

    def export_prepare(self, chunk):
        WideningExport.prepared.extend(r.name for r in chunk)


def test_rows_are_narrowed_to_the_export_scope_not_the_view_scope(tree, two_scopes):
    viewed = RequestFactory().get("/test-export/")
    viewed.user = two_scopes
    assert "张宏伟" in RetireeExport.as_view()(viewed).rendered_content  # A may be viewed...
    assert _names(_export(RetireeExport, two_scopes)) == ["乙支部专有人"]  # ...but only B exported


def test_a_hook_cannot_widen_the_rows(tree, two_scopes):
    WideningExport.prepared = []
    assert _names(_export(WideningExport, two_scopes)) == ["乙支部专有人"]
    assert WideningExport.prepared == ["乙支部专有人"]
    # Nor the list's own filter: a hook sees and returns only rows the page listed.
    make_retiree(tree.b, "乙支部第二人", "440524188001010022")
    only_one = type("OneExport", (WideningExport,), {"get_rows": lambda self: super(WideningExport, self).get_rows()
                                                     .filter(name="乙支部专有人")})
    assert _names(_export(only_one, two_scopes)) == ["乙支部专有人"]


def test_a_list_cannot_replace_the_gated_export():
    with pytest.raises(TypeError, match="不能覆盖 export"):
        type("Bypass", (RetireeExport,), {"export": lambda self, rows: None})


def test_the_export_is_logged_with_its_row_count(tree, two_scopes):
    _export(RetireeExport, two_scopes)
    entry = OperationLog.objects.get(event=OperationLog.Event.EXPORT)
    assert entry.user == two_scopes and entry.data["rows"] == 1 and "测试名单" in entry.detail
    assert "truncated_at" not in entry.data


def test_rows_are_capped(tree, bureau_admin):
    for i in range(3):
        make_retiree(tree.a, f"加一{i}", f"44052418800101{i:03d}X")
    with override_settings(CHANGQING={**settings.CHANGQING, "EXPORT_MAX_ROWS": 2}):
        names = _names(_export(RetireeExport, bureau_admin))
    assert len(names) == 2
    entry = OperationLog.objects.get(event=OperationLog.Event.EXPORT)
    assert entry.data["rows"] == 2 and entry.data["truncated_at"] == 2


def test_an_empty_export_scope_is_refused_in_chinese(tree, client):
    liaison = make_user("liaison_only", Role.LIAISON, organization=tree.a)  # view + change, no export
    with pytest.raises(PermissionDenied, match="您没有导出权限"):
        _export(RetireeExport, liaison)
    client.force_login(liaison)
    for url in ("/retirees/", "/roster/export.xlsx", "/stats/", "/life/heatmap/"):
        response = client.get(url, {"export": "xlsx"})
        assert response.status_code == 403, url
        page = response.content.decode()  # the page says why, in Chinese, inside the shell
        assert "无权进行此操作" in page and "您没有导出权限" in page and "返回首页" in page, url
    assert not OperationLog.objects.filter(event=OperationLog.Event.EXPORT).exists()


def test_one_record_outside_the_export_scope_is_refused(tree, two_scopes):
    request = RequestFactory().get("/")
    request.user = two_scopes
    gate = ExportGate(request)
    assert gate.require(tree.b) == tree.b
    with pytest.raises(PermissionDenied, match="不在您可导出的范围内"):
        gate.require(tree.a)
    # An export about a subtree (a dashboard's root) needs some of it exportable: the root holds B, A holds none.
    assert gate.reach(tree.root) == tree.root
    with pytest.raises(PermissionDenied):
        gate.reach(tree.a)


def test_only_the_gate_writes_export_log_entries():
    """An export that skips the gate would also skip its log entry: no other module may write one."""
    root = pathlib.Path(__file__).resolve().parents[2]
    writers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if "tests" not in p.parts and "Event.EXPORT" in p.read_text(encoding="utf-8"))
    assert writers == ["core/export_gate.py"]
