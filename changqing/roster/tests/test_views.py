"""The pages: upload → preview → confirm, the error sheet, the template, the export and its round trip."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from changqing.core.roles import Role
from changqing.core.models import OperationLog
from changqing.members.models import Retiree
from changqing.roster.layout import COLUMNS, ERROR_HEADER
from changqing.roster.models import RosterUpload
from changqing.roster.services import roster_import_file

from .factory import person, simple_rows, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_sec(secretary_a):
    c = Client()
    c.force_login(secretary_a)
    return c


def _upload(client, path, org=None):
    with open(path, "rb") as fh:
        data = {"file": SimpleUploadedFile(path.name, fh.read())}
    if org is not None:
        data["organization"] = org.pk
    return client.post("/roster/import/", data)


def test_upload_preview_confirm(tree, client_sec, tmp_path):
    people = [person(i) for i in range(3)]
    path = write_xlsx(tmp_path / "名册.xlsx", simple_rows(people))
    response = _upload(client_sec, path, tree.a)
    upload = RosterUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == upload.get_absolute_url()
    assert upload.status == "previewed" and upload.created == 3
    page = client_sec.get(upload.get_absolute_url()).content.decode()
    assert "检查通过，尚未导入" in page and "确认导入" in page and people[0]["姓名"] in page
    assert not Retiree.objects.filter(id_number=people[0]["身份证号"]).exists()
    response = client_sec.post(f"/roster/import/{upload.pk}/confirm/")
    upload.refresh_from_db()
    assert upload.status == "imported" and not upload.file, "the file with personal data is deleted once imported"
    assert Retiree.objects.filter(id_number__in=[p["身份证号"] for p in people]).count() == 3
    assert OperationLog.objects.filter(event="import", user__username="sec_a").count() == 1
    assert "已导入" in client_sec.get(upload.get_absolute_url()).content.decode()
    # confirming twice does nothing
    client_sec.post(f"/roster/import/{upload.pk}/confirm/")
    assert OperationLog.objects.filter(event="import").count() == 1


def test_errors_on_the_page_and_in_the_downloaded_sheet(tree, client_sec, tmp_path):
    people = [person(i) for i in range(3)]
    people[1]["出生日期"] = "1948-13-01"
    path = write_xlsx(tmp_path / "有错.xlsx", [["甲支部名册"]] + simple_rows(people))
    _upload(client_sec, path, tree.a)
    upload = RosterUpload.objects.get()
    assert upload.status == "rejected" and upload.error_count == 1
    page = client_sec.get(upload.get_absolute_url()).content.decode()
    assert "第 4 行" in page and "出生日期" in page and "1948-13-01" in page and "月份 13 不存在" in page
    response = client_sec.get(f"/roster/import/{upload.pk}/errors.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "甲支部名册"
    assert rows[1][-1] == ERROR_HEADER
    assert "月份 13 不存在" in rows[3][-1] and rows[2][-1] is None
    assert ws.cell(row=4, column=4).fill.fgColor.rgb.endswith("FFE0E0")
    # the error sheet, once fixed, imports as is: the added column is ignored
    ws.cell(row=4, column=4).value = people[1]["身份证号"][6:14]
    fixed = tmp_path / "改好了.xlsx"
    ws.parent.save(fixed)
    report = roster_import_file(fixed, fixed.name, user=None, default_org=tree.a, dry_run=True)
    assert report.errors == [] and report.created == 3 and ERROR_HEADER not in report.ignored
    assert Retiree.objects.filter(id_number=people[0]["身份证号"]).count() == 0


def test_other_users_cannot_open_an_upload(tree, client_sec, bureau_admin, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", simple_rows([person(1)]))
    _upload(client_sec, path, tree.a)
    upload = RosterUpload.objects.get()
    other = Client()
    other.force_login(bureau_admin)
    assert other.get(upload.get_absolute_url()).status_code == 404
    assert other.get(f"/roster/import/{upload.pk}/errors.xlsx").status_code == 404
    assert other.post(f"/roster/import/{upload.pk}/confirm/").status_code == 404


def test_bad_upload_form(tree, client_sec):
    response = client_sec.post("/roster/import/", {"file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert "只能导入 Excel" in response.content.decode()
    response = client_sec.post("/roster/import/", {})
    assert "请选择要导入的文件" in response.content.decode()
    assert not RosterUpload.objects.exists()


def test_template_has_title_header_guide_and_validation(tree, client_sec):
    response = client_sec.get("/roster/template.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["名册"]
    assert "导入模板" in ws["A1"].value
    assert [c.value for c in ws[2]] == [c.header for c in COLUMNS]
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"男,女"' in formulas and '"预备党员,正式党员,非党员"' in formulas
    assert any("选项!" in f for f in formulas if f)
    guide = [r for r in wb["填写说明"].iter_rows(values_only=True)]
    assert any(r[0] == "身份证号" and r[1] == "是" for r in guide)
    assert ws["D2"].comment is not None and "文本" in ws["D2"].comment.text


def test_export_then_import_changes_nothing(tree, client_sec, tmp_path, secretary_a):
    people = [person(i) for i in range(5)]
    roster_import_file(write_xlsx(tmp_path / "a.xlsx", simple_rows(people)), "a.xlsx", user=secretary_a,
                       default_org=tree.a, dry_run=False)
    response = client_sec.get("/roster/export.xlsx")
    assert response.status_code == 200
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    report = roster_import_file(path, path.name, user=secretary_a, dry_run=False)
    n = Retiree.objects.filter(organization=tree.a).count()
    assert report.as_json() == {"created": 0, "updated": 0, "unchanged": n, "errors": []}
    assert OperationLog.objects.filter(event="export").exists() and OperationLog.objects.filter(event="unmask").exists()
    # the export keeps the /retirees/ filters
    response = client_sec.get("/roster/export.xlsx", {"q": people[0]["姓名"]})
    rows = list(load_workbook(io.BytesIO(response.content))["名册"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [people[0]["姓名"]]


def test_export_is_masked_without_unmask_and_refused_without_export(tree, tmp_path):
    from tests.factories import make_user

    watcher = make_user("gw", Role.COMMITTEE_MEMBER, organization=tree.root)
    c = Client()
    c.force_login(watcher)
    rows = list(load_workbook(io.BytesIO(c.get("/roster/export.xlsx").content))["名册"]
                .iter_rows(min_row=3, values_only=True))
    ids = {r[3] for r in rows}
    assert "110105********002X" in ids and "11010519491231002X" not in ids
    assert not OperationLog.objects.filter(event="unmask").exists()
    liaison = make_user("ll", Role.LIAISON, organization=tree.a)
    c.force_login(liaison)
    assert c.get("/roster/export.xlsx").status_code == 403
    assert c.get("/roster/import/").status_code == 200  # a liaison may change records, so may import


def test_member_cannot_import(tree):
    from tests.factories import make_user

    member = make_user("m1", Role.MEMBER)
    c = Client()
    c.force_login(member)
    assert c.get("/roster/import/").status_code == 403


def test_large_files_run_as_background_jobs(tree, client_sec, tmp_path, settings):
    from changqing.core.models import Job

    settings.CHANGQING = {**settings.CHANGQING, "ROSTER": {"background_bytes": 0, "background_rows": 0}}
    people = [person(i) for i in range(4)]
    path = write_xlsx(tmp_path / "大名册.xlsx", simple_rows(people))
    response = _upload(client_sec, path, tree.a)
    upload = RosterUpload.objects.get()
    assert response["Location"] == upload.get_absolute_url()
    check = Job.objects.get(pk=upload.job_id)
    assert check.kind == "roster.check" and check.status == "succeeded"
    assert check.result["url"] == upload.get_absolute_url() and "新增 4 人" in check.result["summary"]
    assert upload.status == "previewed"
    client_sec.post(f"/roster/import/{upload.pk}/confirm/")
    upload.refresh_from_db()
    job = Job.objects.get(pk=upload.job_id)
    assert job.kind == "roster.import" and job.status == "succeeded" and job.progress == 100
    assert upload.status == "imported"
    assert Retiree.objects.filter(id_number__in=[p["身份证号"] for p in people]).count() == 4


def test_carers_have_no_roster_to_import(tree):
    from tests.factories import make_user

    carer = make_user("carer1", Role.CARER)
    c = Client()
    c.force_login(carer)
    assert c.get("/roster/import/").status_code == 403
