"""core/params.py and the validated filters: the one way to read numbers, years and dates from a query string."""
import datetime as dt

import pytest
from django.test import RequestFactory

from changqing.core.filters import IdFilter, YearFilter
from changqing.core.params import (
    parse_date, parse_id, parse_int, parse_month, parse_year, parse_year_month, query_year,
)

BAD = ["abc", "", "²", "٣", "１２", "1\x00", "x" * 5000, "2026.0", " ", None]


@pytest.mark.parametrize("value", BAD)
def test_bad_values_give_the_default(value):
    assert parse_int(value, "d") == "d"
    assert parse_year(value, 2026) == 2026
    assert parse_id(value) is None
    assert parse_date(value, "d") == "d"


def test_bounds():
    assert parse_year("2026") == 2026 and parse_year("99999") is None and parse_year("-1") is None
    assert parse_month("12") == 12 and parse_month("13") is None and parse_month("0") is None
    assert parse_id("9223372036854775807") == 2**63 - 1
    assert parse_id("9223372036854775808") is None and parse_id("99999999999999999999999") is None
    assert parse_id("0") is None and parse_id("-3") is None
    assert parse_int(" 42 ") == 42


def test_dates_and_months():
    assert parse_date("2026-11-24") == dt.date(2026, 11, 24)
    assert parse_date("2026-1-5") == dt.date(2026, 1, 5)
    assert parse_date("2026-13-45") is None and parse_date("0001-01-01") is None and parse_date("٢٠٢٦-01-01") is None
    assert parse_year_month("2026-11") == (2026, 11)
    assert parse_year_month("2026-13") is None and parse_year_month("99999-01") is None


def test_query_helpers_read_request_get():
    request = RequestFactory().get("/", {"year": "99999"})
    assert query_year(request, default=2026) == 2026
    assert query_year(RequestFactory().get("/", {"year": "2024"})) == 2024


@pytest.mark.parametrize("value, ok", [("2026", True), ("99999", False), ("-1", False), ("٣", False), ("²", False),
                                        ("99999999999999999999999", False), ("", True)])
def test_year_filter_validates(value, ok):
    field = YearFilter().field
    if ok:
        field.clean(value)
    else:
        with pytest.raises(Exception) as caught:
            field.clean(value)
        assert type(caught.value).__name__ == "ValidationError"


def test_id_filter_refuses_out_of_range_and_non_ascii():
    field = IdFilter().field
    assert field.clean("17") == 17
    for bad in ("0", "１２", "9223372036854775808"):
        with pytest.raises(Exception):
            field.clean(bad)
