"""Reading one cell of a real sheet: dates in every shape, full-width digits, stray spaces.

Pure functions, no database. Each parser returns the clean value or raises
CellError with a Chinese message the secretary can act on.
"""
from __future__ import annotations

import datetime as dt
import re

from changqing.core import idcard

from .layout import ETHNICITIES, Column, to_half_width


class CellError(ValueError):
    pass


EXCEL_EPOCH = dt.date(1899, 12, 30)


class MonthDate(dt.date):
    """A date written to the month only (1950.03, 1950年3月): stored as the 1st, compared by month."""

    month_only = True

    def plain(self) -> dt.date:
        return dt.date(self.year, self.month, self.day)

    def month_end(self) -> dt.date:
        nxt = dt.date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value) -> str:
    """A cell as text: numbers without '.0', full-width letters and digits made half-width, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    s = to_half_width(str(value)).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip()


# -- dates --------------------------------------------------------------------

_YMD = re.compile(r"^(\d{4})\s*[年./\-]?\s*(\d{1,2})\s*[月./\-]?\s*(\d{1,2})\s*[日号]?$")
_YMD_SEP = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?$")
_YM = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*月?$")
_YM_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _make(y: int, m: int, d: int, shown, *, month_only: bool = False) -> dt.date:
    if not 1 <= m <= 12:
        raise CellError(f"“{shown}”中的月份 {m} 不存在")
    try:
        return MonthDate(y, m, 1) if month_only else dt.date(y, m, d)
    except ValueError:
        raise CellError(f"日期“{shown}”不存在") from None


def parse_date(value) -> dt.date | None:
    """1950-3-1, 1950/3/1, 1950.03.01, 1950年3月1日, 19500301, 1950.03, 1950年3月, 195003,
    an Excel date cell, an Excel date serial (18323), or the number 1950.03 Excel made of “1950.03”.

    A date given to the month only is read as the 1st of that month.
    """
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError("不是日期")
    if isinstance(value, (int, float)):
        return _date_from_number(value)
    s = _TIME_TAIL.sub("", text(value))
    m = _YMD_SEP.match(s) or (_YMD.match(s) if len(s) == 8 and s.isdigit() else None)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]), s)
    m = _YM.match(s) or _YM_COMPACT.match(s)
    if m:
        return _make(int(m[1]), int(m[2]), 1, s, month_only=True)
    if re.fullmatch(r"\d{4}\s*年?", s):
        raise CellError(f"“{s}”只有年份，请至少写到月，如 {s[:4]}.03")
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return _date_from_number(float(s) if "." in s else int(s))
    raise CellError(f"无法识别的日期“{s}”，请写成 1950-03-01 或 1950.03")


def _date_from_number(n) -> dt.date:
    if isinstance(n, float) and not n.is_integer():
        whole = int(n)
        if 1880 <= whole <= 2100:
            # Excel turned “1950.03” (or “1950.10”) into a number; two decimals are the month.
            month = round((n - whole) * 100)
            return _make(whole, month, 1, f"{n}", month_only=True)
        n = int(n)  # a serial with a time of day
    n = int(n)
    if 10_000_000 <= n <= 29_991_231:
        s = str(n)
        return _make(int(s[:4]), int(s[4:6]), int(s[6:]), s)
    if 188_001 <= n <= 210_012:
        s = str(n)
        return _make(int(s[:4]), int(s[4:]), 1, s, month_only=True)
    if 1880 <= n <= 2100:
        raise CellError(f"“{n}”只有年份，请至少写到月，如 {n}.03")
    if 1 <= n <= 80_000:
        # Excel's serial day number; 60 is the 29 February 1900 that never was.
        return EXCEL_EPOCH + dt.timedelta(days=n if n > 60 else n + 1)
    raise CellError(f"无法识别的日期“{n}”，请写成 1950-03-01 或 1950.03")


# -- other kinds ----------------------------------------------------------------

_PHONE_CHARS = re.compile(r"^[0-9\-()+ ]+$")


def parse_phone(value) -> str:
    s = text(value).replace("—", "-").replace("－", "-")
    if not s:
        return ""
    if "*" in s:
        return s  # a masked number from an export; the importer compares it with the stored one
    if re.search(r"[,，、;；/]", s) or len(re.findall(r"1[3-9]\d{9}", s)) > 1:
        raise CellError("只能填写一个电话号码，其他号码请写在备注中")
    if not _PHONE_CHARS.match(s):
        raise CellError(f"电话号码“{s}”中有数字以外的字符")
    digits = re.sub(r"\D", "", s)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
        s = digits
    if digits.startswith("1"):
        if len(digits) != 11 or digits[1] not in "3456789":
            raise CellError(f"手机号应为11位（现为{len(digits)}位）")
        return digits
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        return s.replace(" ", "")
    if len(digits) in (7, 8) and not digits.startswith("0"):
        return s.replace(" ", "")
    raise CellError("电话号码应为11位手机号，或带区号的固定电话（如 0552-1234567）")


def parse_id_number(value) -> idcard.IdNumber:
    if isinstance(value, float) and value > 1e15:
        raise CellError("身份证号被 Excel 存成了数字，后几位已经丢失：请把这一列设为“文本”格式后重新填写")
    s = text(value)
    if "*" in s:
        raise CellError("身份证号被部分隐藏（含*），不能用于导入：请由有权查看完整身份证号的人员导出后再导入")
    try:
        return idcard.parse(s)
    except idcard.IdNumberError as exc:
        raise CellError(str(exc)) from None


_NAME_BAD = re.compile(r"[0-9A-Za-z!-/:-@\[-`{-~，。；：！？、（）]")


def parse_name(value) -> str:
    s = text(value)
    if re.fullmatch(r"[\u4e00-\u9fff\s]+", s):
        s = s.replace(" ", "")  # “张  三”: spaces that only align two-character names
    if _NAME_BAD.search(s):
        raise CellError(f"姓名“{s}”中不能有数字、字母或标点")
    if len(s) < 2:
        raise CellError("姓名至少两个字")
    return s


def parse_choice(column: Column, value) -> str:
    s = text(value)
    key = s.replace(" ", "").lower()
    for stored, label in column.choices:
        if key in (to_half_width(label).replace(" ", "").lower(), stored.lower()):
            return stored
    if key in column.synonyms:
        return column.synonyms[key]
    allowed = "、".join(column.labels())
    raise CellError(f"“{s}”不是可选的值，请填写：{allowed}")


def parse_bool(column: Column, value) -> bool:
    s = text(value).lower()
    if s in ("是", "1", "√", "✓", "✔", "y", "yes", "true", "有"):
        return True
    if s in ("否", "0", "×", "x", "n", "no", "false", "无"):
        return False
    raise CellError(f"“{text(value)}”请填写 是 或 否")


def parse_ethnicity(value) -> str:
    s = text(value).replace(" ", "")
    if s in ETHNICITIES:
        return s
    if s + "族" in ETHNICITIES:
        return s + "族"
    raise CellError(f"“{s}”不是民族名称，请写如 汉族、回族、蒙古族")


def parse_text(column: Column, value) -> str:
    s = text(value) if column.key != "note" else str(value).strip() if value is not None else ""
    if column.max_length and len(s) > column.max_length:
        raise CellError(f"内容过长：最多{column.max_length}个字，现有{len(s)}个字")
    return s


def parse_cell(column: Column, value):
    """Dispatch on the column's kind. Empty cells give None."""
    if is_empty(value):
        return None
    kind = column.kind
    if kind == "date":
        return parse_date(value)
    if kind == "idnumber":
        return parse_id_number(value)
    if kind == "name":
        return parse_name(value)
    if kind == "choice":
        return parse_choice(column, value)
    if kind == "bool":
        return parse_bool(column, value)
    if kind == "phone":
        return parse_phone(value)
    if kind == "ethnicity":
        return parse_ethnicity(value)
    return parse_text(column, value)

