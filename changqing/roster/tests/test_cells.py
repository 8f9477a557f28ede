"""Reading cells of real sheets: pure functions, no database."""
import datetime as dt

import pytest

from changqing.roster.cells import CellError, parse_cell, parse_date, parse_id_number, parse_name, parse_phone
from changqing.roster.layout import BY_KEY, column_for, normalize_header

D = dt.date(1950, 3, 1)


@pytest.mark.parametrize("raw", [
    "1950-3-1", "1950-03-01", "1950/3/1", "1950.03.01", "1950年3月1日", "1950年03月01日", "19500301", 19500301,
    "1950.03", "1950.3", "1950年3月", "1950-03", "195003", 195003, 1950.03, 18323, 18323.0, "18323",
    dt.datetime(1950, 3, 1), D, "１９５０－０３－０１", " 1950-03-01 ", "1950-03-01 00:00:00",
])
def test_dates_in_every_shape(raw):
    assert parse_date(raw) == D


def test_excel_number_with_two_decimals_is_year_and_month():
    assert parse_date(1950.1) == dt.date(1950, 10, 1)  # Excel keeps “1950.10” as 1950.1
    assert parse_date(1950.12) == dt.date(1950, 12, 1)


@pytest.mark.parametrize("raw,fragment", [
    ("1950", "只有年份"), (1950, "只有年份"), ("1950-13-01", "月份 13 不存在"), ("1950-02-30", "不存在"),
    ("去年三月", "无法识别"), ("1950.13", "月份 13"),
])
def test_bad_dates_say_why(raw, fragment):
    with pytest.raises(CellError) as exc:
        parse_date(raw)
    assert fragment in str(exc.value)


def test_id_number_full_width_and_lowercase_x():
    assert parse_id_number("１１０１０５１９４９１２３１００２ｘ").value == "11010519491231002X"
    assert parse_id_number(" 11010519491231002x ").value == "11010519491231002X"


@pytest.mark.parametrize("raw,fragment", [
    (1.10105194912310e17, "存成了数字"), ("110105********002X", "部分隐藏"), ("11010519491231002", "18位"),
    ("110105194912310021", "校验位"),
])
def test_id_number_errors(raw, fragment):
    with pytest.raises(CellError) as exc:
        parse_id_number(raw)
    assert fragment in str(exc.value)


def test_phones():
    assert parse_phone(13800001234) == "13800001234"
    assert parse_phone(13800001234.0) == "13800001234"
    assert parse_phone("138 0000 1234") == "13800001234"
    assert parse_phone("１３８００００１２３４") == "13800001234"
    assert parse_phone("0552-1234567") == "0552-1234567"
    assert parse_phone("+86 13800001234") == "13800001234"
    for bad in ("1380000123", "13800001234、13900001234", "电话13800001234", "12345"):
        with pytest.raises(CellError):
            parse_phone(bad)


def test_names():
    assert parse_name(" 张  三 ") == "张三"
    assert parse_name("阿依古丽·买买提") == "阿依古丽·买买提"
    with pytest.raises(CellError):
        parse_name("张三1")
    with pytest.raises(CellError):
        parse_name("张")


def test_choices_and_synonyms():
    assert parse_cell(BY_KEY["gender"], " 男 ") == "male"
    assert parse_cell(BY_KEY["membership_status"], "中共党员") == "full"
    assert parse_cell(BY_KEY["membership_status"], "群众") == "none"
    assert parse_cell(BY_KEY["living"], "空巢") == "empty_nest"
    assert parse_cell(BY_KEY["living"], "空巢（与配偶同住）") == "empty_nest"
    assert parse_cell(BY_KEY["mobility_impaired"], "√") is True
    assert parse_cell(BY_KEY["ethnicity"], "回") == "回族"
    with pytest.raises(CellError) as exc:
        parse_cell(BY_KEY["health"], "很好")
    assert "良好、一般、较差、卧床" in str(exc.value)


@pytest.mark.parametrize("written,key", [
    ("身份证号", "id_number"), ("公民身份号码", "id_number"), ("身份证号码", "id_number"), ("身份证", "id_number"),
    ("身份证号码\n（18位）", "id_number"), ("*姓 名", "name"), ("名字", "name"), ("出生年月", "birth_date"),
    ("入党时间", "joined_on"), ("入党日期", "joined_on"), ("转正时间", "full_on"), ("手机", "phone"),
    ("联系电话", "phone"), ("电话", "phone"), ("政治面貌", "membership_status"), ("所在党支部", "org_name"),
])
def test_header_variants(written, key):
    assert column_for(written).key == key


def test_normalize_header_strips_marks():
    assert normalize_header(" 出生日期（YYYY-MM-DD）* ") == "出生日期"


def test_month_only_birth_date_is_compared_by_month():
    from changqing.roster.checks import check_row
    from changqing.roster.rules import RosterRules

    raw = {"name": "王建国", "gender": "男", "id_number": "110105194912310011", "birth_date": "1949.12"}
    result = check_row(5, raw, today=dt.date(2026, 11, 24), rules=RosterRules())
    assert result.errors == [] and result.values["birth_date"] == dt.date(1949, 12, 31)
    raw["birth_date"] = "1949.11"
    result = check_row(5, raw, today=dt.date(2026, 11, 24), rules=RosterRules())
    assert result.errors == [("birth_date", "出生年月与身份证号不一致（身份证号为 1949-12-31）")]
