"""Writing roster workbooks: the blank template, the export (same layout), and the error sheet.

All three are written with openpyxl's write-only mode, so an export of a
whole county or an error sheet of a 50,000-row file streams row by row.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from changqing.core import idcard
from changqing.core.exports import mark_sheet, new_workbook

from .layout import COLUMNS, ERROR_HEADER, ETHNICITIES, NOT_MEMBER
from .reader import SheetReader

TEMPLATE_TITLE = "离退休干部名册"
VALIDATION_ROWS = 60000
RED = "C00000"
_ERROR_FILL = PatternFill("solid", fgColor="FFE0E0")


def _header_cells(ws) -> list:
    cells = []
    for col in COLUMNS:
        c = WriteOnlyCell(ws, value=col.header)
        c.font = Font(bold=True, color=RED if col.required else None)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        note = (col.hint or "") + (f"\n例：{col.example}" if col.example else "")
        if note.strip():
            c.comment = Comment(note.strip(), "常青", width=240, height=110)
        cells.append(c)
    return cells


def _validations(ws, first_row: int):
    """Drop-down lists for the choice columns; 民族 refers to the hidden 选项 sheet."""
    for index, col in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        ref = f"{letter}{first_row}:{letter}{VALIDATION_ROWS}"
        if col.key == "ethnicity":
            formula = f"选项!$A$1:$A${len(ETHNICITIES)}"
        elif col.kind in ("choice", "bool"):
            formula = '"' + ",".join(col.labels()) + '"'
        else:
            continue
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                            errorTitle="请从列表中选择", error=f"{col.header}请从下拉列表中选择")
        dv.add(ref)
        ws.data_validations.append(dv)
    dv = DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True, showErrorMessage=True,
                        errorTitle="身份证号", error="身份证号应为18位")
    id_col = get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.key == "id_number"))
    dv.add(f"{id_col}{first_row}:{id_col}{VALIDATION_ROWS}")
    ws.data_validations.append(dv)


def _guide_sheets(wb):
    guide = wb.create_sheet("填写说明")
    for width, letter in ((16, "A"), (8, "B"), (60, "C"), (24, "D")):
        guide.column_dimensions[letter].width = width
    title = WriteOnlyCell(guide, value="填写说明：第一张表“名册”从第3行起每行填一人；红色列名为必填项。示例见最后一列。")
    title.font = Font(bold=True, size=13)
    guide.append([title])
    head = []
    for h in ("列名", "必填", "怎么填", "示例"):
        c = WriteOnlyCell(guide, value=h)
        c.font = Font(bold=True)
        head.append(c)
    guide.append(head)
    for col in COLUMNS:
        choices = f"可选：{'、'.join(col.labels())}。" if col.kind in ("choice", "bool") else ""
        guide.append([col.header, "是" if col.required else "", (col.hint + " " + choices).strip(), col.example])
    guide.append([])
    guide.append(["示例行（整行）："])
    guide.append([c.header for c in COLUMNS])
    guide.append([c.example for c in COLUMNS])
    options = wb.create_sheet("选项")
    options.sheet_state = "hidden"
    for name in ETHNICITIES:
        options.append([name])


def _text_cell(ws, value) -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=value)
    c.number_format = "@"
    return c


def _date_cell(ws, value) -> WriteOnlyCell | None:
    c = WriteOnlyCell(ws, value=value)
    c.number_format = "yyyy-mm-dd"
    return c


def roster_workbook(rows: Iterable[dict], *, title: str = TEMPLATE_TITLE, watermark: str = "") -> bytes:
    """The template (no rows) or an export: title row, header row, one row per person.

    An export's `watermark` (who, when) follows the title (the import skips that row) and heads every printed page.
    """
    wb = new_workbook()
    ws = wb.create_sheet("名册")
    if watermark:
        title = f"{title}　{watermark}"
        mark_sheet(ws, watermark)
    for index, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = col.width
    ws.freeze_panes = "C3"
    _validations(ws, 3)
    title_cell = WriteOnlyCell(ws, value=title)
    title_cell.font = Font(bold=True, size=16)
    ws.append([title_cell])
    ws.append(_header_cells(ws))
    for values in rows:
        cells = []
        for col in COLUMNS:
            value = values.get(col.key)
            if col.kind == "date":
                cells.append(_date_cell(ws, value) if value else None)
            elif col.kind in ("idnumber", "phone", "org_code"):
                cells.append(_text_cell(ws, value) if value else None)
            else:
                cells.append(value if value not in ("", None) else None)
        ws.append(cells)
    _guide_sheets(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def retiree_row(r, *, unmask: bool) -> dict:
    """One person as the sheet writes them; the import reads this back unchanged."""
    m = getattr(r, "membership", None)
    active = m is not None and m.state == "active"
    org = m.organization if active else r.organization
    by_key = {c.key: c for c in COLUMNS}
    row = {
        "name": r.name, "gender": r.get_gender_display(), "ethnicity": r.ethnicity,
        "id_number": r.id_number if unmask else idcard.mask(r.id_number),
        # The birth date is what the mask hides (core.masking), and retirement starts the month after a
        # statutory birthday: both left empty where the ID number is masked.
        "birth_date": r.birth_date if unmask else None,
        "org_code": org.code, "org_name": org.name, "retirement_kind": r.get_retirement_kind_display(),
        "retired_on": r.retired_on if unmask else None, "former_unit": r.former_unit, "former_post": r.former_post, "rank": r.rank,
        "membership_status": m.get_status_display() if m else by_key["membership_status"].label_of(NOT_MEMBER),
        "joined_on": m.joined_on if m else None, "full_on": m.full_on if m else None,
        "joined_org_name": m.joined_org_name if m else "", "membership_state": m.get_state_display() if m else "",
        "phone": r.phone if unmask else idcard.mask_phone(r.phone), "address": r.address, "community": r.community,
        "health": r.get_health_display(), "mobility_impaired": "是" if r.mobility_impaired else "否",
        "living": r.get_living_display(), "family_contact": r.family_contact, "family_relation": r.family_relation,
        "family_phone": r.family_phone if unmask else idcard.mask_phone(r.family_phone),
        "specialties": r.specialties, "service_needs": r.service_needs, "status": r.get_status_display(),
        "deceased_on": r.deceased_on, "note": r.note,
    }
    return row


def error_workbook(path, name: str, errors: list[dict], header_scan_rows: int = 30, *, watermark: str = "") -> bytes:
    """The uploaded sheet as it was, with a 错误说明 column and the bad cells shaded.

    After fixing the rows, the secretary can upload this very file again: the
    added column is ignored by the importer.
    """
    by_row: dict[int, list[dict]] = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(e)
    reader = SheetReader(path, name, header_scan_rows)
    try:
        header, rows = reader.open(from_top=True)
        index_of = {written: i for i, written in header.written.items()}
        wb = new_workbook()
        ws = wb.create_sheet((reader.sheet_title or "名册")[:31])
        if watermark:
            mark_sheet(ws, watermark)  # on each printed page; the rows stay as uploaded, to be uploaded again
        width = header.width
        ws.column_dimensions[get_column_letter(width + 1)].width = 60
        for number, values in rows:
            values = [v.date() if isinstance(v, dt.datetime) and v.time() == dt.time() else v for v in values]
            values = list(values) + [None] * max(0, width - len(values))
            problems = by_row.get(number, [])
            bad_cols = {index_of.get(e["column"]) for e in problems}
            cells = []
            for i, v in enumerate(values):
                c = WriteOnlyCell(ws, value=v)
                if isinstance(v, dt.date):
                    c.number_format = "yyyy-mm-dd"
                if i in bad_cols:
                    c.fill = _ERROR_FILL
                cells.append(c)
            if number == header.row:
                c = WriteOnlyCell(ws, value=ERROR_HEADER)
                c.font = Font(bold=True, color=RED)
                cells = cells[:width] + [c]
            elif problems:
                text = "；".join(f"{e['column']}：{e['message']}" for e in problems)
                c = WriteOnlyCell(ws, value=text)
                c.font = Font(color=RED)
                cells = cells[:width] + [c]
            ws.append(cells)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    finally:
        reader.close()

