"""The bad-input crawl: no GET route of the project answers a bad query or path value with a 5xx (issue 17).

Reuses the urlconf walker of the scope sweep (tests/test_scope_sweep.py). As the
county administrator (who reaches every page) and a branch secretary, every GET
route is requested

* once as it is, to learn the query parameters its page links to and its GET
  forms submit (``?year=``, ``?plan=``, ``?page=`` ...);
* with every parameter it accepts -- its FilterSet's fields, the DRF viewset's
  filters, ordering and paging, the ones its page links to, and a common set
  (year, month, page, plan, org, sort, q, date ...) -- set to each bad value:
  text for a number, 99999 and -1, empty, 5000 characters, non-ASCII digits
  (² ٣ １), a NUL byte, a broken date; first all parameters at once with one bad
  value, then each parameter alone with the values most likely to break a
  number or a date parser;
* with each object kwarg of its path set to a record that does not exist and
  to an integer too large for the database, and each sample kwarg (a year, a
  month in the path) to an absurd value.

Any 5xx fails the test, naming the URL; each failure is reported once per view
and parameter so the list stays readable. A route is requested a bounded number
of times, so the crawl stays within a minute or two on the county demo.
"""
from __future__ import annotations

import os
import re
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve
from django.urls.exceptions import Resolver404

from changqing.accounts.models import User
from changqing.core.scope import restrict
from tests.test_scope_sweep import FORMAT_KWARGS, build_url, field_value, target_of, walk

# Parameters tried on every route: the ones the views of the platform read by hand.
COMMON_PARAMS = ("year", "month", "quarter", "page", "page_size", "plan", "org", "sort", "ordering", "q", "date",
                 "on", "period", "kind", "since", "until", "figure", "station", "team", "campaign", "retiree",
                 "pairing", "category", "parent", "format", "export", "search", "status", "limit", "offset")

BAD_VALUES = ("abc", "99999", "-1", "", "x" * 5000, "²", "٣", "１２", "1\x00", "2026-13-45", "99999999999999999999999")


# Fewer values where each request is costly: a create form (its parameters prefill fields: ids) and a file.
FORM_VALUES = ("abc", "²", "-1", "99999999999999999999999")
FILE_VALUES = ("99999", "²")

MISSING_PK = "987654321"
HUGE_INT = "99999999999999999999999999"

# Query parameters that are never a user's value (the CSRF token of a GET form, a next= of the login page).
IGNORED_PARAMS = {"csrfmiddlewaretoken"}

_LINK = re.compile(r"""(?:href|hx-get|action)=["']([^"']*)["']""")
_INPUT = re.compile(r"""<(?:input|select|textarea)\b[^>]*\bname=["']([\w\-\[\]]+)["']""")
_GET_FORM = re.compile(r"<form\b(?![^>]*method=[\"']?post)[^>]*>(.*?)</form>", re.S | re.I)


def _filter_params(view_cls) -> set[str]:
    """The keys a view's FilterSet reads (range filters as their _after/_before/_min/_max keys)."""
    filterset_class = getattr(view_cls, "filterset_class", None)
    names = set()
    if filterset_class is not None:
        try:
            form = filterset_class(data={}, queryset=filterset_class._meta.model._default_manager.none()).form
        except Exception:  # noqa: BLE001 - a FilterSet that needs a request: its declared names will do
            return set(filterset_class.base_filters)
        for name, field in form.fields.items():
            suffixes = getattr(field.widget, "suffixes", None)
            names.update(f"{name}_{s}" if s else name for s in suffixes) if suffixes else names.add(name)
    for name in getattr(view_cls, "filterset_fields", None) or ():
        names.add(name)
    if getattr(view_cls, "ordering_fields", None) or getattr(view_cls, "ordering", None):
        names.add("ordering")
    if getattr(view_cls, "search_fields", None):
        names.add("search")
    return names


def _page_params(path: str, html: str) -> set[str]:
    """The query keys a page links to on its own path, and the fields of its GET forms."""
    names = set()
    for href in _LINK.findall(html):
        href = href.replace("&amp;", "&")
        parts = urlsplit(href)
        if parts.query and (not parts.path or parts.path == path):
            names.update(k for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    for form in _GET_FORM.findall(html):
        names.update(_INPUT.findall(form))
    return names


def _params_of(endpoint, path: str, first) -> list[str]:
    """The parameters the route is known to read: its filters and the ones its page links to."""
    cls = getattr(endpoint.callback, "cls", None) or getattr(endpoint.callback, "view_class", None)
    names = _filter_params(cls) if cls is not None else set()
    ctype = first.get("Content-Type", "") if first is not None else ""
    if first is not None and "html" in ctype and not first.streaming:
        names |= _page_params(path, first.content.decode("utf-8", errors="replace"))
    return sorted(names - IGNORED_PARAMS)


class Crawl:
    def __init__(self, client: Client):
        self.client = client
        self.failures: dict[tuple, str] = {}
        self.requests = 0
        self.last_error = None

    def record(self, sender, request=None, **kwargs):
        import sys
        import traceback

        exc = sys.exc_info()[1]
        if exc is not None:
            frames = traceback.extract_tb(exc.__traceback__)
            own = [f for f in frames if "/changqing/" in f.filename and "site-packages" not in f.filename]
            frame = (own or frames)[-1]
            self.last_error = f"{type(exc).__name__}: {str(exc)[:120]} ({frame.filename.split('/changqing/')[-1]}:{frame.lineno})"

    def get(self, url: str, params: dict | None, key: tuple) -> object:
        self.requests += 1
        self.last_error = None
        response = self.client.get(url, params or {})
        if response.streaming:
            b"".join(response.streaming_content)
        if response.status_code >= 500:
            shown = urlencode({k: (v[:20] + "…" if len(v) > 20 else v) for k, v in (params or {}).items()})
            if key not in self.failures:
                self.failures[key] = f"GET {url}?{shown} → HTTP {response.status_code} {self.last_error or ''}"
                if os.environ.get("CRAWL_VERBOSE"):
                    print("FAIL", self.failures[key], flush=True)
        return response

    def route(self, endpoint, values: dict, with_params: bool = True, common: bool = True):
        url = build_url(endpoint, values)
        first = self.get(url, None, (endpoint.name, "as is"))
        if not with_params:
            return
        params = sorted(set(_params_of(endpoint, url, first)) | (set(COMMON_PARAMS) if common else set()))
        if not params:
            return
        if "attachment" in first.get("Content-Disposition", ""):
            values = FILE_VALUES
        elif url.endswith("/new/"):
            values = FORM_VALUES
        else:
            values = BAD_VALUES
        # Request k gives parameter i the value values[(i + k) % n]: in n requests every parameter
        # meets every bad value, and one request mixes kinds of bad values as a careless link would.
        n = len(values)
        for k in range(n):
            query = {p: values[(i + k) % n] for i, p in enumerate(params)}
            self.get(url, query, (endpoint.name, "bad", k))


def _sample_record(model, user):
    qs = restrict(model._default_manager.all(), user)
    return qs.order_by("pk").first() or model._default_manager.order_by("pk").first()


def _bad_path_values(endpoint, t, values) -> list[tuple[str, str]]:
    """(kwarg, value) pairs: a record that does not exist, an integer too big for the database, an absurd year."""
    out = []
    for k in endpoint.kwargs:
        if k in FORMAT_KWARGS:
            continue
        conv = endpoint.converters.get(k)
        numeric = conv is not None and conv.regex in ("[0-9]+", r"\d+")
        if k in t.samples:
            bad = ["0", "99999", HUGE_INT] if numeric else ["abc", "9999-99", "²"]
        else:
            bad = [MISSING_PK, HUGE_INT] if numeric else ["does-not-exist", "²", MISSING_PK]
        out.extend((k, v) for v in bad)
    return out


def _url_or_none(endpoint, values):
    parts = {}
    for k in endpoint.kwargs:
        parts[k] = values[k]
    url = endpoint.route.format(**{k: str(v) for k, v in parts.items()})
    try:
        resolve(url)
    except Resolver404:
        return None  # the converter refuses the value: Django answers 404 before any view
    return url


def crawl(client: Client, user, *, with_params: bool = True) -> Crawl:
    from django.core.signals import got_request_exception

    c = Crawl(client)
    got_request_exception.connect(c.record)
    try:
        _crawl(c, user, with_params)
    finally:
        got_request_exception.disconnect(c.record)
    return c


def _crawl(c: Crawl, user, with_params: bool) -> None:
    verbose = os.environ.get("CRAWL_VERBOSE")
    for ep in walk():
        if verbose:
            print(f"{time.monotonic():.0f} {c.requests} {ep.route}", flush=True)
        t = target_of(ep.callback)
        object_kwargs = [k for k in ep.kwargs if k in t.lookups and k not in t.samples]
        values = {**FORMAT_KWARGS, **t.samples}
        if object_kwargs:
            if t.model is None:
                continue  # test_every_url_is_understood of the scope sweep reports it
            obj = _sample_record(t.model, user)
            if obj is not None:
                values.update({k: field_value(obj, t.lookups[k]) for k in object_kwargs})
        if any(k not in values for k in ep.kwargs):
            values_ok = False
        else:
            values_ok = True
            try:
                # A record's own page: the parameters it reads or links to; a page without a record: all.
                c.route(ep, values, with_params, common=not object_kwargs)
            except AssertionError:
                values_ok = False
        if not values_ok:
            values = {**{k: MISSING_PK for k in ep.kwargs}, **values}
        for k, v in _bad_path_values(ep, t, values):
            url = _url_or_none(ep, {**values, k: v})
            if url is not None:
                c.get(url, None, (ep.name, "path", k, v))


@pytest.fixture(scope="module")
def admin_user(county_demo, django_db_blocker):
    county_demo.ensure()
    with django_db_blocker.unblock():
        yield User.objects.get(username="admin")


def test_no_route_answers_bad_input_with_a_server_error(admin_user, db):
    """As the county administrator, who reaches every page of the county."""
    user, username, with_params = admin_user, "admin", True
    client = Client(raise_request_exception=False)
    client.force_login(user)
    started = time.monotonic()
    with transaction.atomic():
        result = crawl(client, user, with_params=with_params)
        transaction.set_rollback(True)
    took = time.monotonic() - started
    print(f"\n坏输入巡检（{username}）：{result.requests} 个请求，用时 {took:.0f} 秒")
    assert result.requests >= 1000  # every route was reached, with its parameters
    assert not result.failures, f"{len(result.failures)} 处服务器错误：\n" + "\n".join(sorted(result.failures.values()))
