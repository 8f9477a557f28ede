"""xlsx exports with a Chinese title row, frozen header and sensible widths.

`write_xlsx(title, headers, rows)` writes one sheet: the title (row 1), an
optional subtitle (row 2), the header row (frozen) and the rows. Column widths
come from the content (a CJK character counts double, capped), dates and times
stay real dates with a date format, Decimal amounts keep two decimals.

`LedgerExportMixin` turns a `ScopedListView`'s `?export=xlsx` into a ledger
(台账): the title names the ledger, the organisation and the period
("XX支部 会议记录台账（2025年）"), values keep their type; the rows are the
filtered list as the export gate (core/export_gate.py) narrowed, capped and
logged them.

Every workbook the platform writes is a `SafeWorkbook` (`new_workbook()`): a
text cell starting with =, +, -, @, a tab or a carriage return is written as
text, never as a formula (the OWASP CSV-injection rule), and a CSV value gets
a leading apostrophe (`csv_value`). A test fails when a module outside this one
opens an openpyxl Workbook or a csv writer. An export of records carries a
watermark (`watermark_text`): who exported it and when, on screen (the subtitle
row, or the right end of the title row) and on every printed page (the sheet's header).
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "0.00"
MIN_WIDTH, MAX_WIDTH = 6, 50
HEADER_MAX_WIDTH = 16  # a longer header wraps onto two lines instead of widening its column
WIDTH_SAMPLE = 1000  # rows read ahead to size the columns; the rest is streamed


# -- the formula guard (OWASP CSV injection) -------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    """A text a spreadsheet would read as a formula (or a DDE payload) if written as it is."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def _as_text(cell):
    cell.data_type = "s"  # the value unchanged (the import reads it back as written), never a formula
    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def guard_value(ws, value):
    """A value for a write-only sheet's row: formula-like text becomes a text cell; anything else as is."""
    if isinstance(value, Cell):  # WriteOnlyCell() makes a Cell
        return _as_text(value) if formula_like(value.value) else value
    if formula_like(value):
        return _as_text(WriteOnlyCell(ws, value=value))
    return value


def csv_value(value):
    """A CSV field: formula-like text gets a leading apostrophe (OWASP), so no spreadsheet evaluates it."""
    return "'" + value if formula_like(value) else value


def csv_writer(fh, **kwargs):
    """csv.writer whose rows pass `csv_value` (the only csv writer of the platform)."""
    import csv

    writer = csv.writer(fh, **kwargs)

    class _Guarded:
        def writerow(self, row):
            return writer.writerow([csv_value(v) for v in row])

        def writerows(self, rows):
            for row in rows:
                self.writerow(row)

    return _Guarded()


class SafeWorkbook(Workbook):
    """openpyxl's Workbook whose every sheet writes formula-like text as text.

    Write-only sheets are guarded as rows are appended; ordinary sheets when the workbook is saved.
    """

    def create_sheet(self, title=None, index=None):
        ws = super().create_sheet(title, index)
        if self.write_only:
            append = ws.append

            def guarded_append(row):
                return append([guard_value(ws, v) for v in row])

            ws.append = guarded_append
        return ws

    def save(self, filename):
        if not self.write_only:
            for ws in self.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        if formula_like(cell.value):
                            _as_text(cell)
        return super().save(filename)


def new_workbook(*, write_only: bool = True) -> SafeWorkbook:
    return SafeWorkbook(write_only=write_only)


# -- the watermark --------------------------------------------------------------------------------

def watermark_text(user, when: dt.datetime | None = None) -> str:
    """Who exported, when: on every export of records, on screen and on each printed page."""
    who = (getattr(user, "display_name", "") or getattr(user, "full_name", "") or user.get_username()) \
        if user is not None else "系统"
    login = user.get_username() if user is not None else ""
    when = timezone.localtime(when or timezone.now())
    name = f"{who}（{login}）" if login and login != who else who
    return f"导出人：{name} · 导出时间：{when:%Y-%m-%d %H:%M} · 内部资料，注意保密"


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")  # "&" starts a code in Excel's header/footer language


def mark_sheet(ws, watermark: str) -> None:
    """The watermark in the sheet's header (every printed page) and the footer with the page number."""
    for hf in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
        hf.center.text = _escape_header(watermark)
        hf.center.size = 9
    for hf in (ws.oddFooter, ws.evenFooter, ws.firstFooter):
        hf.center.text = "第 &P 页，共 &N 页"
        hf.center.size = 9


def text_width(value) -> int:
    """Display width of a value in a spreadsheet: CJK (wide) characters count double."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, Decimal):
        value = f"{value:.2f}"
    text = str(value)
    longest = 0
    for line in text.splitlines() or [""]:
        longest = max(longest, sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line))
    return longest


def column_widths(headers: list[str], rows: list[list]) -> list[float]:
    widths = [min(text_width(h), HEADER_MAX_WIDTH) for h in headers]
    for row in rows:
        for i, v in enumerate(row[: len(widths)]):
            w = text_width(v)
            if w > widths[i]:
                widths[i] = w
    return [max(MIN_WIDTH, min(MAX_WIDTH, w + 2)) for w in widths]


def _cell(ws, value, number_format: str | None = None):
    """A plain value, or a styled cell for dates, times and money."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(timezone.localtime(value))
        c = WriteOnlyCell(ws, value=value)
        c.number_format = number_format or DATETIME_FORMAT
        return c
    if isinstance(value, dt.date):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = number_format or DATE_FORMAT
        return c
    if isinstance(value, Decimal):
        c = WriteOnlyCell(ws, value=float(value))
        c.number_format = number_format or MONEY_FORMAT
        return c
    if number_format and isinstance(value, (int, float)) and not isinstance(value, bool):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = number_format
        return c
    return value


def write_xlsx(title: str, headers: list[str], rows: Iterable[list], *, subtitle: str = "",
               number_formats: dict[int, str] | None = None, sheet_name: str = "", watermark: str = "") -> bytes:
    """One sheet: title row, optional subtitle row, frozen header, the rows.

    `number_formats` maps a column index to an Excel number format (e.g. "0.0"
    for hours); dates, times and Decimals get theirs without being named.
    `watermark` (who exported, when) goes into the subtitle row (or the title row's right end when there is
    no subtitle) and every printed page's header.
    """
    number_formats = number_formats or {}
    # On screen the watermark joins the subtitle row, or (no subtitle) sits at the right end of the title row:
    # either way the header and the rows stay where readers and re-imports expect them.
    title_mark = ""
    if watermark:
        if subtitle:
            subtitle = f"{subtitle} · {watermark}"
        else:
            title_mark = watermark
    wb = new_workbook()
    ws = wb.create_sheet(title=_sheet_title(sheet_name or title))
    rows = iter(rows)
    head = [list(r) for r in itertools.islice(rows, WIDTH_SAMPLE)]
    for i, w in enumerate(column_widths(headers, head)):
        ws.column_dimensions[_col(i)].width = w
    header_row = 3 if subtitle else 2
    ws.freeze_panes = f"A{header_row + 1}"
    # Printed as a ledger: landscape A4, all columns on one page width, header repeated, grid lines.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.print_title_rows = f"1:{header_row}"
    if watermark:
        mark_sheet(ws, watermark)
    title_cell = WriteOnlyCell(ws, value=title)
    title_cell.font = Font(bold=True, size=14)
    if title_mark:
        mark = WriteOnlyCell(ws, value=title_mark)
        mark.font = Font(size=10, color="555555")
        mark.alignment = Alignment(horizontal="right")
        ws.append([title_cell] + [None] * max(len(headers) - 2, 0) + [mark])
    else:
        ws.append([title_cell])
    if subtitle:
        sub = WriteOnlyCell(ws, value=subtitle)
        sub.font = Font(size=10, color="555555")
        ws.append([sub])
    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(c)
    ws.append(header_cells)
    for row in itertools.chain(head, rows):
        ws.append([_cell(ws, v, number_formats.get(i)) for i, v in enumerate(row)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(title: str) -> str:
    for ch in '[]:*?/\\':
        title = title.replace(ch, " ")
    return title[:31].strip() or "Sheet1"


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _filename(title: str) -> str:
    for ch in '/\\:*?"<>|':
        title = title.replace(ch, "_")
    return f"{title}_{timezone.localdate():%Y%m%d}.xlsx"


def xlsx_response(title: str, headers: list[str], rows: Iterable[list], *, subtitle: str = "",
                  number_formats: dict[int, str] | None = None, sheet_name: str = "",
                  filename: str = "", watermark: str = "") -> HttpResponse:
    data = write_xlsx(title, headers, rows, subtitle=subtitle, number_formats=number_formats, sheet_name=sheet_name,
                      watermark=watermark)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename or _filename(title))}"
    return response


# -- ledgers ----------------------------------------------------------------------------------

def date_label(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def period_label(start: dt.date | None, end: dt.date | None) -> str:
    """"2025年" for a whole year, "2024—2025年" for whole years, else the dates."""
    if start is None and end is None:
        return ""
    if start is None:
        return f"截至{date_label(end)}"
    if end is None:
        return f"{date_label(start)}起"
    if (start.month, start.day) == (1, 1) and (end.month, end.day) == (12, 31):
        return f"{start.year}年" if start.year == end.year else f"{start.year}—{end.year}年"
    return f"{date_label(start)}至{date_label(end)}"


def export_value(value):
    """A cell value that keeps its type: dates, numbers and money stay what they are."""
    from .lists import display

    if isinstance(value, (dt.date, Decimal)) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    return display(value)


class LedgerExportMixin:
    """For a `ScopedListView`: `?export=xlsx` writes a ledger (台账).

    Declare `ledger_name` ("会议记录台账"), `ledger_org_params` (GET parameters
    naming an organisation code, e.g. ("org",)), `ledger_date_field` (the ORM
    date the period is read from) and `ledger_date_params` (the GET parameters
    of the date filter, (from, to)). A view whose rows carry personal data it
    may unmask overrides `ledger_row` and `ledger_log_unmask`.
    """

    ledger_name = ""
    ledger_org_params: tuple[str, ...] = ("org", "under")
    ledger_date_field: str | None = None
    ledger_date_params: tuple[str, str] | None = None
    ledger_number_formats: dict[int, str] = {}

    # -- title --------------------------------------------------------------------------------
    def ledger_org_name(self) -> str:
        from django.apps import apps

        from changqing.core.scope import home_path, restrict, scope_for

        Organization = apps.get_model("orgs", "Organization")
        for param in self.ledger_org_params:
            code = self.request.GET.get(param, "").strip()
            if code:
                # Named only when the user may export it: another code falls back to the user's own.
                org = restrict(Organization.objects.filter(code=code), self.request.user, "export").only("name").first()
                if org:
                    return org.name
        scope = scope_for(self.request.user, "export")
        if scope.everything:
            return "全部组织"
        path = home_path(self.request.user)
        org = Organization.objects.filter(path=path).only("name").first() if path else None
        if org:
            return org.name
        # Roles in several subtrees (a bureau admin of the county and of its 两新工委): name them.
        tops = [p for p in scope.org_paths if not any(p != q and p.startswith(q) for q in scope.org_paths)]
        names = list(Organization.objects.filter(path__in=tops).order_by("path").values_list("name", flat=True)[:4])
        if names and len(names) <= 3:
            return "、".join(names)
        return "本人管辖范围"

    def _param_date(self, name: str) -> dt.date | None:
        from .params import parse_date

        return parse_date(self.request.GET.get(name, ""))

    def ledger_period(self, rows) -> str:
        if not self.ledger_date_field:
            return f"截至{date_label(timezone.localdate())}"
        start = end = None
        if self.ledger_date_params:
            start, end = (self._param_date(p) for p in self.ledger_date_params)
        if start is None or end is None:
            from django.db.models import Max, Min

            span = rows.order_by().aggregate(lo=Min(self.ledger_date_field), hi=Max(self.ledger_date_field))
            if span["lo"] is None:
                return period_label(start, end) or "无记录"
            # The data's own span, as whole years unless the filter says otherwise.
            start = start or dt.date(span["lo"].year, 1, 1)
            end = end or dt.date(span["hi"].year, 12, 31)
        return period_label(start, end)

    def ledger_title(self, rows) -> str:
        return f"{self.ledger_org_name()} {self.ledger_name}（{self.ledger_period(rows)}）"

    def ledger_subtitle(self, count: int) -> str:
        return f"共 {count} 条"  # the gate's watermark adds who exported it and when

    # -- rows ---------------------------------------------------------------------------------
    def ledger_columns(self):
        return [c for c in self.shown_columns() if c.export]

    def ledger_row(self, row, columns) -> list:
        return [export_value(self.cell(c, row)) for c in columns]

    def ledger_log_unmask(self, title: str) -> None:
        """Called after the rows are written: a view that unmasked personal data logs it here."""

    def write_export(self, gate, rows):
        """The ledger of the gated rows: title, subtitle with the count, typed cells, capped and logged by the gate."""
        count = min(rows.count(), gate.limit)
        title = self.ledger_title(rows)
        columns = self.ledger_columns()
        body = (self.ledger_row(r, columns) for r in gate.objects(rows, self.export_prepare))
        response = gate.xlsx(title, [c.label for c in columns], body, subtitle=self.ledger_subtitle(count),
                             number_formats=self.ledger_number_formats, sheet_name=self.ledger_name,
                             data={"ledger": self.ledger_name})
        self.ledger_log_unmask(title)
        return response
