"""The tables as a statistics workbook is submitted: one sheet per table — table number and title, the
reporting unit, the date and the unit of count, header rows merged, the section column merged down,
a totals row in bold, thin borders, A4 print set-up. Written through core.exports.new_workbook."""
from __future__ import annotations

import io

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from changqing.core.exports import date_label, mark_sheet, new_workbook

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _width(table: dict) -> int:
    return 2 + len(table["rows"][0]["cells"])


def workbook_bytes(tables: list[dict], *, unit_name: str, on, produced: str = "", watermark: str = "") -> bytes:
    wb = new_workbook(write_only=False)
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(title=t["number"])
        width = _width(t)
        last = get_column_letter(width)
        ws.append([f"{t['number']}  {t['title']}"])
        ws.merge_cells(f"A1:{last}1")
        ws["A1"].font = Font(bold=True, size=16)
        ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 30
        ws.append([f"填报单位：{unit_name}", None, f"统计截至：{date_label(on)}"] + [None] * (width - 4)
                  + [f"单位：{t['unit']}"] if width >= 4 else [f"填报单位：{unit_name}  统计截至：{date_label(on)}  单位：{t['unit']}"])
        # Header rows with their merges, as the table's `head` says (colspan/rowspan).
        top = 3
        taken: set[tuple[int, int]] = set()
        for r, head_row in enumerate(t["head"]):
            col = 1
            for h in head_row:
                while (top + r, col) in taken:
                    col += 1
                span_c, span_r = h.get("colspan", 1), h.get("rowspan", 1)
                cell = ws.cell(row=top + r, column=col, value=h["text"])
                for rr in range(span_r):
                    for cc in range(span_c):
                        taken.add((top + r + rr, col + cc))
                        ws.cell(row=top + r + rr, column=col + cc).border = BOX
                if span_c > 1 or span_r > 1:
                    ws.merge_cells(start_row=top + r, start_column=col, end_row=top + r + span_r - 1,
                                   end_column=col + span_c - 1)
                cell.font = Font(bold=True)
                cell.alignment = CENTER
                col += span_c
        row_no = top + len(t["head"])
        body_start = row_no
        for row in t["rows"]:
            ws.cell(row=row_no, column=1, value=row["section"] or None)
            ws.cell(row=row_no, column=2, value=row["label"])
            for i, c in enumerate(row["cells"]):
                ws.cell(row=row_no, column=3 + i, value=c["value"]).number_format = "0"
            for col in range(1, width + 1):
                ws.cell(row=row_no, column=col).border = BOX
                ws.cell(row=row_no, column=col).alignment = CENTER if col != 2 else Alignment(vertical="center")
            if not row.get("in_section"):  # a row of its own (合计, 党总支): its label across both label columns
                ws.cell(row=row_no, column=1, value=row["label"])
                ws.cell(row=row_no, column=2, value=None)
                ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=2)
            if row["indent"] == 0:  # totals and the year's start/end rows in bold
                for col in range(1, width + 1):
                    ws.cell(row=row_no, column=col).font = Font(bold=True)
            row_no += 1
        # The section column merged down over its rows.
        r = body_start
        for row in t["rows"]:
            if row["section"] and row["span"] > 1:
                ws.merge_cells(start_row=r, start_column=1, end_row=r + row["span"] - 1, end_column=1)
            r += 1
        ws.cell(row=row_no + 1, column=1, value=f"本表由系统根据名册和组织关系记录自动生成，不需手工填报。{produced}")
        ws.cell(row=row_no + 1, column=1).font = Font(size=10, color="555555")
        ws.column_dimensions["A"].width = 10
        ws.column_dimensions["B"].width = 26
        for i in range(3, width + 1):
            ws.column_dimensions[get_column_letter(i)].width = 14
        ws.page_setup.orientation = "landscape" if width > 5 else "portrait"
        ws.page_setup.paperSize = "9"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"1:{top + len(t['head']) - 1}"
        if watermark:
            mark_sheet(ws, watermark)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
