"""Exports safe to open: formula-like text is written as text (OWASP), every export carries a watermark,
and no module writes a workbook or a CSV without going through core/exports.py."""
from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from changqing.core.exports import csv_value, csv_writer, formula_like, new_workbook, write_xlsx
from tests.factories import make_retiree

PACKAGE = Path(__file__).resolve().parent.parent / "changqing"
EVIL = ["=HYPERLINK(\"http://evil\",\"点我\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)", "\tTAB", "\rCR"]


def _cells(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_the_rule():
    assert all(formula_like(v) for v in EVIL)
    assert not any(formula_like(v) for v in ["张三", "1-2", "a=b", "", None, 5, -3])
    assert csv_value("=1+1") == "'=1+1" and csv_value("张三") == "张三" and csv_value(-3) == -3


def test_write_xlsx_writes_formula_like_text_as_text():
    data = write_xlsx("标题", ["姓名", "数"], [[v, -5] for v in EVIL])
    cells = {c.value: c for c in _cells(data)}
    for v in EVIL:
        assert cells[v].data_type == "s", v  # read back as the same text, not a formula
        assert cells[v].quotePrefix
    assert cells[-5].data_type == "n"  # numbers stay numbers
    raw = _sheet_xml(data)
    assert "<f>" not in raw


def _sheet_xml(data: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_an_ordinary_workbook_is_guarded_when_saved():
    wb = new_workbook(write_only=False)
    ws = wb.active
    ws["A1"] = "=1+1"
    ws["A2"] = "正常"
    buf = io.BytesIO()
    wb.save(buf)
    assert "<f>" not in _sheet_xml(buf.getvalue())
    assert load_workbook(io.BytesIO(buf.getvalue())).active["A1"].value == "=1+1"


def test_csv_writer_prefixes_an_apostrophe():
    out = io.StringIO()
    csv_writer(out).writerow(["=1+1", "张三", 3])
    assert out.getvalue().strip() == "'=1+1,张三,3"


def test_care_list_export_with_a_name_and_gifts_starting_with_equals(tree, bureau_admin, secretary_a, client):
    from changqing.care.models import Campaign

    evil = make_retiree(tree.a, "=HYPERLINK(\"http://x\",\"张\")", "11010519400101001X", birth=dt.date(1940, 1, 1),
                        member=False)
    client.force_login(bureau_admin)
    client.post(reverse("care:campaign_create"), {
        "name": "重阳慰问", "festival": "chongyang", "organization": tree.root.pk, "starts_on": "2026-10-01",
        "due_on": "2026-11-30", "include_lixiu": "on", "min_age": 80})
    campaign = Campaign.objects.get()
    client.force_login(secretary_a)
    r = client.post(reverse("care:visit_create") + f"?campaign={campaign.pk}", {
        "retiree": evil.pk, "visited_on": "2026-10-20", "kind": "festival", "visitors": "书记",
        "gifts": "=1+2+cmd|' /C calc'!A0"})
    assert r.status_code == 302
    r = client.get(reverse("care:campaign_detail", args=[campaign.pk]) + "?export=xlsx")
    data = b"".join(r.streaming_content) if r.streaming else r.content
    cells = {c.value: c for c in _cells(data)}
    for v in (evil.name, "=1+2+cmd|' /C calc'!A0"):
        assert v in cells, v
        assert cells[v].data_type == "s"
    assert "<f>" not in _sheet_xml(data)
    _assert_watermarked(data, "sec_a")


def test_roster_export_with_a_formula_name_reads_back_as_text(tree, secretary_a, client):
    make_retiree(tree.a, "=cmd|' /C calc'!A0", "110105194001010027", birth=dt.date(1940, 1, 1))
    client.force_login(secretary_a)
    data = client.get(reverse("roster:export")).content
    assert "<f>" not in _sheet_xml(data)
    assert "=cmd|' /C calc'!A0" in {c.value for c in _cells(data)}
    _assert_watermarked(data, "sec_a")


def _assert_watermarked(data: bytes, username: str):
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    on_screen = " ".join(str(c.value) for row in ws.iter_rows(max_row=3) for c in row if c.value)
    assert "导出人" in on_screen and username in on_screen and "导出时间" in on_screen
    assert "导出人" in ws.oddHeader.center.text and username in ws.oddHeader.center.text
    assert "&P" in ws.oddFooter.center.text


def test_a_ledger_carries_the_watermark_in_its_subtitle_and_page_header(tree, secretary_a, client):
    client.force_login(secretary_a)
    r = client.get(reverse("members:retirees") + "?export=xlsx")
    _assert_watermarked(r.content, "sec_a")


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or parts == ("core", "exports.py"):
            continue
        yield path, parts


WRITERS = re.compile(r"\bWorkbook\s*\(|from openpyxl import[^\n]*\bWorkbook\b|openpyxl\.Workbook|csv\.(writer|DictWriter)\b"
                     r"|xlsxwriter|import xlwt")


def test_no_module_writes_a_workbook_or_csv_without_the_guard():
    stray = [f"{'/'.join(parts)}:{n}: {line.strip()}" for path, parts in _sources()
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if WRITERS.search(line)]
    assert not stray, ("表格和 CSV 只能经 changqing.core.exports 写出（new_workbook / write_xlsx / csv_writer），"
                       "以防公式注入：\n" + "\n".join(stray))


@pytest.mark.parametrize("line", ["wb = Workbook(write_only=True)", "from openpyxl import Workbook",
                                  "w = csv.writer(fh)", "import openpyxl; openpyxl.Workbook()"])
def test_the_grep_catches_a_raw_writer(line):
    assert WRITERS.search(line)


def test_a_generated_document_carries_a_header_line_on_every_page(tree, secretary_a, settings, tmp_path,
                                                                   monkeypatch):
    from docx import Document

    from changqing.core import documents
    from changqing.life import bulletin

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(bulletin, "docx_to_pdf", lambda docx: None)  # LibreOffice is not needed for the header
    b = bulletin.bulletin_generate(organization=tree.root, month=dt.date(2026, 10, 1), user=secretary_a)
    doc = Document(io.BytesIO(b.docx.open("rb").read()))
    for section in doc.sections:
        for header in (section.header, section.first_page_header, section.even_page_header):
            text = header.paragraphs[0].text
            assert "生成人：sec_a" in text and "生成时间：" in text
    marked = documents.mark_document(documents.to_bytes(documents.new_document()), "生成人：某人")
    assert Document(io.BytesIO(marked)).sections[0].header.paragraphs[0].text == "生成人：某人"
