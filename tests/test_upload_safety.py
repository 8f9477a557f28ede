"""Uploads safe to take: spreadsheets capped before any parser opens them, files parsed for what they claim
to be, and refused uploads leave nothing behind in the media folder."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from changqing.core.uploads import SpreadsheetRefused, check_content, spreadsheet_guard
from changqing.roster.models import RosterUpload


def _zip_bomb(unzipped_mb: int) -> bytes:
    """A valid-looking .xlsx whose one sheet unzips to `unzipped_mb` MB of zeros (a few KB on disk)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(unzipped_mb):
                part.write(block)
    return buf.getvalue()


def _xlsx(rows: int) -> bytes:
    from changqing.core.exports import new_workbook

    wb = new_workbook()
    ws = wb.create_sheet("名册")
    ws.append(["姓名", "身份证号"])
    for i in range(rows):
        ws.append([f"人{i}", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def caps(settings):
    settings.CHANGQING = {**settings.CHANGQING, "UPLOAD_MAX_UNZIPPED_BYTES": 5_000_000, "UPLOAD_MAX_ROWS": 100}
    return settings


@pytest.fixture
def no_parsers(monkeypatch):
    """Any parser opening the file fails the test: the caps must refuse it before."""
    import openpyxl
    import xlrd

    def refuse(*args, **kwargs):
        raise AssertionError("解析器不应打开被拒绝的文件")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(xlrd, "open_workbook", refuse)


def _media(tmp_path) -> list:
    return sorted(p for p in tmp_path.rglob("*") if p.is_file())


def test_a_zip_bomb_is_refused_from_its_directory(caps, no_parsers):
    bomb = _zip_bomb(60)
    assert len(bomb) < 200_000
    with pytest.raises(SpreadsheetRefused, match="解压后的大小"):
        spreadsheet_guard(io.BytesIO(bomb), count_rows=False)


def test_too_many_rows_are_refused_without_a_parser(caps, no_parsers):
    spreadsheet_guard(io.BytesIO(_xlsx(99)))  # header + 99 rows = 100
    with pytest.raises(SpreadsheetRefused, match="超过一次导入的上限 100 行"):
        spreadsheet_guard(io.BytesIO(_xlsx(150)))
    csv = ("姓名,身份证号\n" + "张三,\n" * 150).encode()
    with pytest.raises(SpreadsheetRefused, match="行"):
        spreadsheet_guard(io.BytesIO(csv))


def test_the_roster_import_refuses_a_zip_bomb_and_keeps_nothing(tree, secretary_a, client, caps, no_parsers,
                                                                 tmp_path):
    caps.MEDIA_ROOT = tmp_path
    client.force_login(secretary_a)
    r = client.post(reverse("roster:import"), {"file": SimpleUploadedFile("名册.xlsx", _zip_bomb(60))})
    assert r.status_code == 200
    assert "解压后的大小" in r.content.decode()
    assert not RosterUpload.objects.exists()
    assert _media(tmp_path) == []


def test_a_large_files_rows_are_counted_in_the_check_and_the_refused_file_deleted(tree, secretary_a, caps,
                                                                                   tmp_path, no_parsers):
    from django.core.files.base import ContentFile

    from changqing.roster import services

    caps.MEDIA_ROOT = tmp_path
    upload = RosterUpload.objects.create(owner=secretary_a, original_name="大名册.xlsx", org_path=tree.a.path)
    upload.file.save("大名册.xlsx", ContentFile(_xlsx(500)))
    assert len(_media(tmp_path)) == 1
    services.roster_upload_check(upload=upload, user=secretary_a)
    upload.refresh_from_db()
    assert upload.status == RosterUpload.Status.REJECTED
    assert "超过一次导入的上限" in upload.errors[0]["message"]
    assert not upload.file and _media(tmp_path) == []  # refused: deleted at once


def test_a_refused_photo_leaves_nothing_in_the_media_folder(tree, client, bureau_admin, settings, tmp_path):
    from changqing.members.tests.test_forms import retiree_data

    settings.MEDIA_ROOT = tmp_path
    client.force_login(bureau_admin)
    r = client.post("/retirees/new/", {**retiree_data(tree),
                                       "photo": SimpleUploadedFile("a.png", b"just text", "image/png")})
    assert r.status_code == 200
    assert _media(tmp_path) == []


def test_a_refused_meeting_attachment_leaves_nothing(tree, secretary_a, client, settings, tmp_path):
    from changqing.life.tests.conftest import hold

    settings.MEDIA_ROOT = tmp_path
    m = hold(tree.a, "group_meeting", dt.date(2025, 3, 1))
    client.force_login(secretary_a)
    r = client.post(f"/life/meetings/{m.pk}/attachments/",
                    {"file": SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 only pretending\n", "application/pdf")})
    assert "PDF 文件已损坏或不是真正的 PDF" in r.content.decode()
    assert _media(tmp_path) == []


def _real_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize("name,data,message", [
    ("纪要.pdf", b"a text file renamed\n", "不是有效的 PDF 文件"),
    ("纪要.pdf", b"%PDF-1.7\nnot really\n", "PDF 文件已损坏"),
    ("照片.jpg", b"a text file renamed\n", "不是图片"),
    ("照片.png", b"\x89PNG\r\n\x1a\n broken", "不是图片"),
    ("材料.docx", b"a text file renamed\n", "Office"),
])
def test_a_file_claiming_to_be_a_pdf_or_image_is_parsed(name, data, message):
    with pytest.raises(ValidationError) as exc:
        check_content(SimpleUploadedFile(name, data))
    assert message in exc.value.messages[0]


def test_real_files_pass():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG")
    check_content(SimpleUploadedFile("照片.jpg", buf.getvalue()))
    check_content(SimpleUploadedFile("纪要.pdf", _real_pdf()))
    check_content(SimpleUploadedFile("名册.xlsx", _xlsx(3)))
    check_content(SimpleUploadedFile("录音.mp3", b"ID3 whatever"))  # kinds not parsed pass untouched


def test_a_roster_refused_for_its_rows_keeps_only_the_error_sheet(tree, secretary_a, client, settings, tmp_path):
    from openpyxl import load_workbook

    from changqing.roster.sheets import roster_workbook

    settings.MEDIA_ROOT = tmp_path
    data = roster_workbook([{"name": "张三", "id_number": "123", "org_code": tree.a.code}])
    client.force_login(secretary_a)
    r = client.post(reverse("roster:import"), {"file": SimpleUploadedFile("我的名册.xlsx", data)})
    upload = RosterUpload.objects.get()
    assert r.status_code == 302 and upload.status == RosterUpload.Status.REJECTED
    files = _media(tmp_path)
    assert len(files) == 1 and files[0].read_bytes() != data  # the upload is gone, the error sheet is kept
    r = client.get(reverse("roster:upload_errors", args=[upload.pk]))
    body = r.content
    assert "%E9%94%99%E8%AF%AF%E8%AF%B4%E6%98%8E" in r["Content-Disposition"]  # 错误说明
    cells = [c.value for row in load_workbook(io.BytesIO(body)).worksheets[0].iter_rows() for c in row]
    assert "张三" in cells and any("身份证号" in str(v) for v in cells if v)


def test_a_new_upload_abandons_the_previous_preview_and_its_file(tree, secretary_a, client, settings, tmp_path):
    from changqing.roster.tests.factory import person, simple_rows, write_xlsx

    settings.MEDIA_ROOT = tmp_path / "media"
    good = write_xlsx(tmp_path / "名册.xlsx", simple_rows([person(i) for i in range(2)])).read_bytes()
    client.force_login(secretary_a)
    client.post(reverse("roster:import"), {"file": SimpleUploadedFile("第一份.xlsx", good), "organization": tree.a.pk})
    first = RosterUpload.objects.get()
    assert first.status == RosterUpload.Status.PREVIEWED, first.errors[:1]
    assert first.file and len(_media(tmp_path / "media")) == 1
    client.post(reverse("roster:import"), {"file": SimpleUploadedFile("第二份.xlsx", good), "organization": tree.a.pk})
    first.refresh_from_db()
    assert not first.file  # abandoned: deleted at once, not after keep_upload_days
    assert len(_media(tmp_path / "media")) == 1
    r = client.post(reverse("roster:upload_confirm", args=[first.pk]))
    assert r.status_code == 302 and not RosterUpload.objects.filter(status=RosterUpload.Status.IMPORTED).exists()
