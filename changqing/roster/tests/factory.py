"""Messy roster sheets, generated in the tests: title rows, merged headings, header variants, serial dates…"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from changqing.core.idcard import check_char


def make_id(birth: dt.date, *, male: bool = True, seq: int = 1, region: str = "340302") -> str:
    """A valid 18-character ID number."""
    s = seq * 2 + (1 if male else 0)
    first17 = f"{region}{birth:%Y%m%d}{s % 1000:03d}"
    return first17 + check_char(first17)


def person(i: int, *, birth=dt.date(1948, 3, 15), male=True, member=True):
    """One person's canonical field values (as the template writes them)."""
    return {
        "姓名": f"测试{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'一二三四五六七八九十'[(i // 10) % 10]}{'东南西北中'[(i // 100) % 5]}",
        "性别": "男" if male else "女",
        "身份证号": make_id(birth, male=male, seq=i),
        "出生日期": birth,
        "党员类别": "正式党员" if member else "非党员",
        "入党日期": dt.date(birth.year + 22, 7, 1) if member else None,
        "转正日期": dt.date(birth.year + 23, 7, 1) if member else None,
        "联系电话": f"139{i:08d}",
    }


def write_xlsx(path: Path, rows: list[list], *, title_rows: list[list] | None = None, merges: list[str] = ()):
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for r in (title_rows or []):
        ws.append(r)
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8"):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def simple_rows(people: list[dict], headers=("姓名", "性别", "身份证号", "出生日期", "党员类别", "入党日期", "转正日期", "联系电话")):
    return [list(headers)] + [[p.get(h) for h in headers] for p in people]
