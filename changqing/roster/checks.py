"""Checking one roster row on its own: every field, the fields against each other and against the ID number.

Pure Python, no database: the importer adds what needs the database
(organisations, scope, the person already on record). The thresholds are
settings (changqing.roster.rules), not constants here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .cells import CellError, MonthDate, parse_cell
from .layout import BY_KEY, NOT_MEMBER
from .rules import RosterRules

LIXIU_CUTOFF = dt.date(1949, 10, 1)  # 离休: joined the revolution before the founding (DOMAIN.md §2)


@dataclass
class RowResult:
    row: int
    values: dict = field(default_factory=dict)  # key -> clean value (None = empty cell)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key, message)

    def error(self, key: str, message: str):
        self.errors.append((key, message))

    def has_error(self, key: str) -> bool:
        return any(k == key for k, _ in self.errors)


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _fmt(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def check_row(row: int, raw: dict, *, today: dt.date, rules: RosterRules) -> RowResult:
    """raw: column key -> cell value as read from the file (only the columns the sheet has)."""
    result = RowResult(row=row)
    values = result.values
    for key, cell in raw.items():
        column = BY_KEY[key]
        try:
            values[key] = parse_cell(column, cell)
        except CellError as exc:
            values[key] = None
            result.error(key, str(exc))
    for key in ("name", "id_number"):
        if values.get(key) is None and not result.has_error(key):
            result.error(key, f"{BY_KEY[key].header}必须填写")

    parsed_id = values.get("id_number")
    birth = parsed_id.birth_date if parsed_id else None
    if parsed_id:
        values["id_number"] = parsed_id.value
        # What the ID number says fills a blank 性别 and 出生日期 (DOMAIN.md §8), as the form does; a value given
        # that contradicts it is still an error.
        if values.get("gender") is None and not result.has_error("gender"):
            values["gender"] = parsed_id.gender
        elif values.get("gender") and values["gender"] != parsed_id.gender:
            result.error("gender", f"性别与身份证号不一致（身份证号为{'男' if parsed_id.gender == 'male' else '女'}）")
        given = values.get("birth_date")
        if isinstance(given, MonthDate) and (given.year, given.month) != (birth.year, birth.month):
            result.error("birth_date", f"出生年月与身份证号不一致（身份证号为 {birth:%Y-%m-%d}）")
        elif given and not isinstance(given, MonthDate) and given != birth:
            result.error("birth_date", f"出生日期与身份证号不一致（身份证号为 {birth:%Y-%m-%d}）")
        age = age_on(birth, today)
        if birth > today:
            result.error("id_number", "身份证号中的出生日期晚于今天")
        elif age < rules.min_retiree_age:
            result.error("id_number", f"按身份证号此人现年{age}岁，不满{rules.min_retiree_age}岁，请核对身份证号")
        elif age > rules.max_age:
            result.error("id_number", f"按身份证号此人现年{age}岁，请核对身份证号")
        values["birth_date"] = birth

    _check_person(result, birth, today, rules)
    _check_membership(result, birth, today, rules)
    for key, value in values.items():
        if isinstance(value, MonthDate):
            values[key] = value.plain()
    return result


def _check_person(result: RowResult, birth, today, rules):
    v = result.values
    status, deceased_on = v.get("status"), v.get("deceased_on")
    if deceased_on:
        if deceased_on > today:
            result.error("deceased_on", "去世日期不能晚于今天")
        elif birth and deceased_on < birth:
            result.error("deceased_on", "去世日期早于出生日期")
        if status == "alive":
            result.error("status", "填写了去世日期，状态应为“已故”")
        elif status is None and "status" not in result.values:
            v["status"] = "deceased"  # the sheet has no 状态 column: a death date says it
    if v.get("status") == "deceased" and not deceased_on and not result.has_error("deceased_on"):
        result.error("deceased_on", "已故人员须填写去世日期")
    if birth and v.get("retirement_kind") == "lixiu" and birth >= LIXIU_CUTOFF:
        result.error("retirement_kind", f"离休干部须在1949年10月1日前参加革命工作，此人出生于{_fmt(birth)}")
    retired_on = v.get("retired_on")
    if retired_on:
        if retired_on > today:
            result.error("retired_on", "离退休日期不能晚于今天")
        elif birth and age_on(birth, retired_on) < rules.min_retirement_age:
            result.error("retired_on", f"按身份证号，离退休时只有{age_on(birth, retired_on)}岁，请核对")
        elif deceased_on and retired_on > deceased_on:
            result.error("retired_on", "离退休日期晚于去世日期")


def _check_membership(result: RowResult, birth, today, rules):
    v = result.values
    status = v.get("membership_status")
    joined, full = v.get("joined_on"), v.get("full_on")
    deceased_on = v.get("deceased_on")
    member_dates = [k for k in ("joined_on", "full_on") if v.get(k)]
    if status is None and member_dates and not result.has_error("membership_status"):
        # 党员类别 left empty but dates given: the dates say which kind of member
        status = v["membership_status"] = "full" if full else "probationary"
    if status == NOT_MEMBER or status is None:
        for key in member_dates:
            result.error(key, f"非党员不应填写{BY_KEY[key].header}；如是党员，请在“党员类别”中填写")
        if v.get("membership_state"):
            result.error("membership_state", "非党员不应填写党籍状态")
        return
    if not joined:
        if not result.has_error("joined_on"):
            result.error("joined_on", "党员须填写入党日期")
    else:
        if joined > today:
            result.error("joined_on", "入党日期不能晚于今天")
        elif birth and age_on(birth, joined) < rules.min_join_age:
            note = "（只写到月的日期按当月1日计算，请写出具体日期）" if isinstance(joined, MonthDate) else ""
            result.error("joined_on", f"按身份证号，入党时只有{age_on(birth, joined)}岁，"
                                      f"不满{rules.min_join_age}周岁{note}")
        elif deceased_on and joined > deceased_on:
            result.error("joined_on", "入党日期晚于去世日期")
    if status == "full" and not full and not result.has_error("full_on"):
        result.error("full_on", "正式党员须填写转正日期")
    if status == "probationary" and full:
        result.error("full_on", "预备党员尚未转正，转正日期请留空；如已转正，党员类别请填“正式党员”")
    if full and status == "full":
        if joined and full <= joined:
            result.error("full_on", "转正日期应晚于入党日期")
        elif full > today:
            result.error("full_on", "转正日期不能晚于今天")
        elif deceased_on and full > deceased_on:
            result.error("full_on", "转正日期晚于去世日期")
    if v.get("status") == "deceased" and v.get("membership_state") == "active":
        result.error("membership_state", "已故党员的党籍状态应为“已故”")
