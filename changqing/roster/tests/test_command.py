"""`manage.py import_roster`: exit status, the JSON shape, --org, --dry-run, --user scope."""
import json
from io import StringIO

import pytest
from django.core.management import call_command

from changqing.core.models import OperationLog
from changqing.members.models import Retiree

from .factory import person, simple_rows, write_xlsx

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    try:
        call_command("import_roster", *args, stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_json_shape_and_exit_codes(tree, tmp_path):
    people = [person(i) for i in range(3)]
    path = write_xlsx(tmp_path / "ok.xlsx", simple_rows(people))
    code, out = run(str(path), "--org", "T-A", "--dry-run", "--format", "json")
    assert code == 0
    assert json.loads(out) == {"created": 3, "updated": 0, "unchanged": 0, "errors": []}
    assert not Retiree.objects.filter(id_number=people[0]["身份证号"]).exists()
    code, out = run(str(path), "--org", "T-A", "--format", "json")
    assert code == 0 and json.loads(out)["created"] == 3
    assert Retiree.objects.filter(id_number__in=[p["身份证号"] for p in people]).count() == 3
    assert OperationLog.objects.filter(event="import", detail__contains="新增3人").exists()
    code, out = run(str(path), "--org", "T-A", "--format", "json")
    assert json.loads(out) == {"created": 0, "updated": 0, "unchanged": 3, "errors": []}

    people[1]["性别"] = "女"
    bad = write_xlsx(tmp_path / "bad.xlsx", [["名册"]] + simple_rows(people))
    code, out = run(str(bad), "--org", "T-A", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"created", "updated", "unchanged", "errors"}
    assert data["errors"] == [{"row": 4, "column": "性别", "value": "女", "message": "性别与身份证号不一致（身份证号为男）"}]
    code, _ = run(str(bad), "--org", "T-A", "--dry-run", "--format", "json")
    assert code == 1


def test_text_report_and_user_scope(tree, secretary_a, tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", simple_rows([person(1)]))
    code, out = run(str(path), "--org", "T-B", "--user", "sec_a")
    assert code == 1
    assert "未导入任何数据" in out and "不在您的管理范围内" in out
    code, out = run(str(path), "--org", "T-A", "--user", "sec_a")
    assert code == 0 and "已导入：新增 1 人" in out
    log = OperationLog.objects.get(event="import")
    assert log.user == secretary_a and log.org_path == tree.a.path


def test_unreadable_file(tree, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook")
    code, out = run(str(path), "--format", "json")
    assert code == 1 and "不是 Excel 文件" in json.loads(out)["errors"][0]["message"]
