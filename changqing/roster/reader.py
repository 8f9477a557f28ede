"""Streaming the rows of an uploaded sheet (.xlsx, .xls, .csv in UTF-8 or GBK) and finding its header row.

Real 台账 put a title, a unit and a date above the header, merge a group
heading ("党员信息") over some columns, leave blank rows and sign-off lines.
The header row is the row (or pair of rows, for merged headings) in which the
most cells name a known column; everything above it is ignored. Rows are
streamed one at a time (openpyxl read_only), so a 50,000-row file is never
held in memory.
"""
from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from changqing.core.uploads import SpreadsheetRefused, spreadsheet_guard

from .cells import CellError, is_empty, parse_id_number, text
from .layout import ERROR_HEADER, Column, column_for, normalize_header

SKIPPED_SHEETS = {"填写说明", "选项", "说明"}
FOOTER_WORDS = ("填表", "制表", "合计", "总计", "审核", "负责人", "注:", "注：", "说明")


class SheetError(ValueError):
    """The file cannot be read as a roster at all (not a row's fault)."""


@dataclass
class Header:
    row: int  # Excel row number of the (last) header row
    columns: dict[int, Column]  # cell index -> column
    written: dict[int, str]  # cell index -> header text as written in the file
    ignored: list[str] = field(default_factory=list)  # headers we do not import
    problems: list[tuple[str, str]] = field(default_factory=list)  # (header, message)
    width: int = 0

    def header_of(self, key: str) -> str:
        for i, c in self.columns.items():
            if c.key == key:
                return self.written[i]
        from .layout import BY_KEY

        return BY_KEY[key].header

    def keys(self) -> set[str]:
        return {c.key for c in self.columns.values()}


def detect_format(path: Path, name: str) -> str:
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"PK"):
        return "xlsx"
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise SheetError("文件已损坏或不是 Excel 文件，请在 Excel 中另存为 .xlsx 后再上传")
    raise SheetError("只能导入 Excel（.xlsx、.xls）或 CSV 文件")


def _sniff_encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        sample = fh.read(256 * 1024)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"  # a superset of GBK and GB2312: what Excel in Chinese Windows writes


class SheetReader:
    """Rows of the first sheet that has a roster header, numbered as Excel numbers them."""

    def __init__(self, path, name: str, header_scan_rows: int = 30):
        self.path = Path(path)
        self.name = name
        self.format = detect_format(self.path, name)
        try:  # sizes and rows capped before openpyxl, xlrd or csv read a byte of it
            spreadsheet_guard(self.path)
        except SpreadsheetRefused as exc:
            raise SheetError(str(exc)) from None
        self.scan = header_scan_rows
        self.sheet_title = ""
        self.estimated_rows = 0
        self._wb = None

    # -- raw rows ---------------------------------------------------------------

    def _raw_sheets(self) -> Iterator[tuple[str, int, Iterator[tuple[int, list]]]]:
        """(title, estimated rows, iterator of (row number, values)) per sheet."""
        if self.format == "csv":
            yield "CSV", 0, self._csv_rows()
        elif self.format == "xls":
            yield from self._xls_sheets()
        else:
            yield from self._xlsx_sheets()

    def _csv_rows(self):
        encoding = _sniff_encoding(self.path)
        with open(self.path, encoding=encoding, newline="", errors="strict") as fh:
            sample = fh.read(64 * 1024)
            fh.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
            except csv.Error:
                dialect = csv.excel
            try:
                for i, row in enumerate(csv.reader(fh, dialect), start=1):
                    yield i, row
            except UnicodeDecodeError:
                raise SheetError("CSV 文件的编码无法识别，请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再上传") from None

    def _xlsx_sheets(self):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(self.path, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any parse failure is the same thing to the user
            raise SheetError("文件已损坏或不是 Excel 文件，请在 Excel 中另存为 .xlsx 后再上传") from None
        self._wb = wb
        for ws in wb.worksheets:
            if ws.title in SKIPPED_SHEETS or getattr(ws, "sheet_state", "visible") != "visible":
                continue
            estimated = ws.max_row or 0
            ws.reset_dimensions()  # files from some programs state a wrong size; read what is there

            def rows(ws=ws):
                for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    yield i, list(values)

            yield ws.title, estimated, rows()

    def _xls_sheets(self):
        import xlrd

        try:
            book = xlrd.open_workbook(str(self.path), on_demand=True)
        except Exception:  # noqa: BLE001
            raise SheetError("无法读取这个 .xls 文件，请在 Excel 中另存为 .xlsx 后再上传") from None
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.name in SKIPPED_SHEETS or getattr(sheet, "visibility", 0) != 0:
                continue

            def rows(sheet=sheet):
                for r in range(sheet.nrows):
                    values = []
                    for cell in sheet.row(r):
                        if cell.ctype == xlrd.XL_CELL_DATE:
                            try:
                                values.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                                values.append(cell.value)
                        elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                            values.append(None)
                        else:
                            values.append(cell.value)
                    yield r + 1, values

            yield sheet.name, sheet.nrows, rows()

    def close(self):
        if self._wb is not None:
            self._wb.close()

    # -- header and data ----------------------------------------------------------

    def open(self, *, from_top: bool = False) -> tuple[Header, Iterator[tuple[int, list]]]:
        """Find the header; return it and an iterator over the data rows below it (or every row, from_top)."""
        for title, estimated, rows in self._raw_sheets():
            head = []
            for item in rows:
                head.append(item)
                if len(head) >= self.scan:
                    break
            header = find_header(head)
            if header is None:
                continue
            self.sheet_title = title
            start = header.row
            self.estimated_rows = max(0, estimated - start)
            data = chain((item for item in head if from_top or item[0] > start), rows)
            return header, data
        raise SheetError("找不到表头：表中应有一行写着“姓名”“身份证号”等列名（可参照下载的模板）")


def _recognized(values: list) -> dict[int, Column]:
    found = {}
    for i, v in enumerate(values):
        if isinstance(v, str) and v.strip():
            col = column_for(v)
            if col is not None:
                found[i] = col
    return found


def _has_id_number(values: list) -> bool:
    for v in values:
        if is_empty(v):
            continue
        try:
            parse_id_number(v)
            return True
        except CellError:
            continue
    return False


def find_header(rows: list[tuple[int, list]]) -> Header | None:
    best = None
    for index, (number, values) in enumerate(rows):
        own = _recognized(values)
        if not own:
            continue
        merged = dict(own)
        used = {i: (number, values[i]) for i in own}
        below_used = False
        # A heading merged over several columns ("党员信息") leaves the real names one row down…
        if index + 1 < len(rows) and not _has_id_number(rows[index + 1][1]):
            below_no, below = rows[index + 1]
            for i, col in _recognized(below).items():
                if i not in merged:
                    merged[i], used[i] = col, (below_no, below[i])
                    below_used = True
        # …and a name merged down two rows leaves its lower cell empty.
        if index > 0:
            above_no, above = rows[index - 1]
            for i, col in _recognized(above).items():
                if i not in merged and (i >= len(values) or is_empty(values[i])):
                    merged[i], used[i] = col, (above_no, above[i])
        keys = {c.key for c in merged.values()}
        if "id_number" not in keys or "name" not in keys:
            continue
        score = len(keys)
        if best is None or score > best[0]:
            last_row = rows[index + 1][0] if below_used else number
            width = max(len(values), len(rows[index + 1][1]) if below_used else 0)
            best = (score, last_row, merged, used, width, [values] + ([rows[index + 1][1]] if below_used else []))
    if best is None:
        return None
    _, last_row, merged, used, width, header_rows = best
    header = Header(row=last_row, columns={}, written={}, width=width)
    seen: dict[str, str] = {}
    for i in sorted(merged):
        col = merged[i]
        written = text(used[i][1])
        if col.key in seen:
            header.problems.append((written, f"“{written}”与“{seen[col.key]}”是同一项（{col.header}），请删去其中一列"))
            continue
        seen[col.key] = written
        header.columns[i] = col
        header.written[i] = written
    for values in header_rows:
        for i, v in enumerate(values):
            if i not in header.columns and not is_empty(v) and normalize_header(v) != normalize_header(ERROR_HEADER):
                header.ignored.append(text(v))
    return header


def is_footer(values: list) -> bool:
    """A sign-off line under the table (“填表人：… 日期：…”), not a person."""
    filled = [text(v) for v in values if not is_empty(v)]
    return (0 < len(filled) <= 3 and any(w in s for s in filled for w in FOOTER_WORDS)
            and not _has_id_number(values))  # a person with a remark that says 说明 is still a person


def is_repeated_header(values: list, header: Header) -> bool:
    """Printed 台账 repeat the header on every page."""
    hits = sum(1 for i, col in header.columns.items() if i < len(values) and isinstance(values[i], str)
               and column_for(values[i]) is col)
    return hits >= max(2, len(header.columns) // 2)

