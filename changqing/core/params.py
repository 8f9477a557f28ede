"""Reading numbers, years, months and dates out of query strings: the one way (issue 17).

A query string is typed, bookmarked, truncated and mangled: ``?year=99999``, ``?plan=abc``,
``?page=²``, a NUL byte. A view never calls ``int()`` or ``date()`` on ``request.GET`` itself;
it asks here, and gets the value, or the default when the value is missing or bad:

    year = query_year(request, default=today.year)        # 1900..2100, ASCII digits only
    month = query_int(request, "month", default=None, min_value=1, max_value=12)
    plan = query_int(request, "plan")                     # a positive database id, or None
    on = query_date(request, "on", default=today)

Only ASCII digits count: Python's ``int()`` also reads "٣" and "１２", which no user meant and
which then travel into the database. Ids are bounded to a 63-bit integer, so the database never
sees a value out of its range. FilterSets use the validated filters of core/filters.py
(``YearFilter``, ``IdFilter``) for the same rules.

``BadQueryMiddleware`` answers a query string or path with a NUL byte with a 400 before any
view runs: PostgreSQL cannot store or compare one.
"""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import BadRequest

MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_ID = 2**63 - 1
_ASCII_INT = re.compile(r"-?[0-9]{1,19}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


def parse_int(value, default=None, *, min_value: int | None = None, max_value: int | None = None):
    """An int of ASCII digits within the bounds, else `default`."""
    if value is None:
        return default
    text = str(value).strip()
    if not _ASCII_INT.fullmatch(text):
        return default
    number = int(text)
    if min_value is not None and number < min_value:
        return default
    if max_value is not None and number > max_value:
        return default
    return number


def parse_id(value, default=None):
    """A database id (1 .. 2**63-1), else `default`."""
    return parse_int(value, default, min_value=1, max_value=MAX_ID)


def parse_year(value, default=None):
    return parse_int(value, default, min_value=MIN_YEAR, max_value=MAX_YEAR)


def parse_month(value, default=None):
    return parse_int(value, default, min_value=1, max_value=12)


def parse_date(value, default=None):
    """An ISO date (2026-11-24) with a year in range, else `default`."""
    text = str(value or "").strip()
    if not _ISO_DATE.fullmatch(text):
        return default
    try:
        day = dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return default
    return day if MIN_YEAR <= day.year <= MAX_YEAR else default


def parse_year_month(value, default=None):
    """'2026-11' as (2026, 11), else `default`."""
    match = _YEAR_MONTH.fullmatch(str(value or "").strip())
    if not match:
        return default
    year, month = parse_year(match[1]), parse_month(match[2])
    return (year, month) if year and month else default


def query_int(request, name: str, default=None, **bounds):
    return parse_int(request.GET.get(name), default, **bounds)


def query_id(request, name: str, default=None):
    return parse_id(request.GET.get(name), default)


def query_year(request, name: str = "year", default=None):
    return parse_year(request.GET.get(name), default)


def query_month(request, name: str = "month", default=None):
    return parse_month(request.GET.get(name), default)


def query_date(request, name: str, default=None):
    return parse_date(request.GET.get(name), default)


def query_text(request, name: str, default: str = "", max_length: int = 200) -> str:
    """A text parameter, stripped and cut to a sane length."""
    return str(request.GET.get(name, default) or default).strip()[:max_length]


class BadQueryMiddleware:
    """400 for a NUL byte anywhere in the path or query string; no view ever wants one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, values in request.GET.lists()
                                        for v in values):
            raise BadRequest("网址中含有无效字符，请检查后重试。")  # the 400 page (handler400)
        return self.get_response(request)
