import datetime as dt
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook

from changqing.core.roles import Role
from changqing.core.models import OperationLog
from changqing.stats.selectors import FIGURES, annual_figures, distributions, records_url
from tests.factories import make_user

from .factories import jurisdiction, people_bulk, person

ON = dt.date(2018, 12, 31)


@pytest.fixture
def j(db):
    j = jurisdiction()
    people_bulk(j.alone, 24)
    people_bulk(j.community, 9, start=24)
    person(j.sub, kind="lixiu", birth=dt.date(1929, 1, 1), retired_on=dt.date(1989, 1, 1), joined_on=dt.date(1947, 1, 1),
           phone="13912345678")
    return j


@pytest.fixture
def admin(j):
    return make_user("stats_admin", Role.BUREAU_ADMIN, organization=j.root)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def _count(response) -> int:
    return int(re.search(r"共\s*(\d+)\s*条", response.content.decode()).group(1))


def _sheet_rows(response) -> list[tuple]:
    ws = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] in ("姓名", "组织编码", "类别"))
    return [r for r in rows[header + 1:] if any(v not in (None, "") for v in r)]


def test_page_shows_every_figure_as_a_link(admin_client, j):
    response = admin_client.get("/stats/", {"org": "S", "on": "2018-12-31"})
    assert response.status_code == 200
    html = response.content.decode()
    figures = annual_figures(org=j.root, on=ON)
    links = {m.group(1): (unescape(m.group(2)), int(m.group(3)))
             for m in re.finditer(r'<a data-figure="(\w+)" href="([^"]+)"[^>]*>(\d+)</a>', html)}
    assert set(links) == {k for k, _ in FIGURES}
    for key, (url, shown) in links.items():
        assert shown == figures[key]
        assert url == records_url(key, org=j.root, on=ON)
    # The seed-style sentence links the same figures.
    summary = re.search(r'<p class="summary".*?</p>', html, re.S).group(0)
    assert f'>{figures["retirees"]}</a>人' in summary
    # Every bucket is a link to its records.
    dists = distributions(org=j.root, on=ON)
    for key, d in dists.items():
        for b in d["buckets"]:
            assert f'data-dist="{key}" data-bucket="{b["key"]}" href="{b["url"].replace("&", "&amp;")}">{b["count"]}<' in html
    assert "trend-data" in html and "vendor/echarts.min.js" in html


def test_every_figure_link_lists_exactly_its_records_and_exports_them(admin_client, j):
    figures = annual_figures(org=j.root, on=ON)
    for key, _ in FIGURES:
        url = records_url(key, org=j.root, on=ON)
        response = admin_client.get(url)
        assert response.status_code == 200
        assert _count(response) == figures[key], key
        export = admin_client.get(url + "&export=xlsx")
        assert export.status_code == 200
        assert len(_sheet_rows(export)) == figures[key], key
    assert OperationLog.objects.filter(event="export").count() == len(FIGURES)


def test_bucket_links_list_their_records(admin_client, j):
    for key, d in distributions(org=j.root, on=ON).items():
        for b in d["buckets"]:
            response = admin_client.get(b["url"])
            assert _count(response) == b["count"], (key, b["key"])


def test_organisation_list_opens_each_organisations_statistics(admin_client, j):
    html = admin_client.get(records_url("organizations", org=j.root, on=ON)).content.decode()
    assert '<a href="/stats/?org=S-G1&amp;on=2018-12-31">S-G1</a>' in html


def test_records_are_masked_like_the_roster(admin_client, j):
    response = admin_client.get(records_url("lixiu_members", org=j.sub, on=ON))
    html = response.content.decode()
    assert "13912345678" not in html and "139****5678" in html
    export = admin_client.get(records_url("lixiu_members", org=j.sub, on=ON) + "&export=xlsx")
    (row,) = _sheet_rows(export)
    assert "139****5678" in row and not any("13912345678" == v for v in row)


def test_secretary_sees_only_their_branch(client, j, today):
    sec = make_user("stats_sec", Role.BRANCH_SECRETARY, organization=j.alone)
    client.force_login(sec)
    response = client.get("/stats/")
    assert response.status_code == 200
    assert response.context["org"] == j.alone
    assert [o.code for o in response.context["org_choices"]] == ["S-A"]
    assert client.get("/stats/", {"org": "S"}).status_code == 404
    assert client.get("/stats/", {"org": "S-M"}).status_code == 404
    assert client.get(records_url("retirees", org=j.community, on=ON)).status_code == 404
    assert client.get(records_url("retirees", org=j.root, on=ON) + "&export=xlsx").status_code == 404
    # Their own records, by default.
    response = client.get("/stats/records/")
    assert _count(response) == annual_figures(org=j.alone, on=today)["retirees"]


def test_member_role_may_not_see_statistics(client, j):
    r = person(j.alone)
    user = make_user("stats_member", Role.MEMBER)
    user.retiree = r
    user.save()
    client.force_login(user)
    assert client.get("/stats/").status_code == 403
    assert client.get("/stats/records/").status_code == 403


def test_bad_input_is_said_in_chinese(admin_client, j):
    response = admin_client.get("/stats/", {"org": "S", "on": "2018-13-45"})
    assert response.status_code == 200
    assert "日期“2018-13-45”格式不正确" in response.content.decode()
    assert admin_client.get("/stats/", {"org": "NOPE"}).status_code == 404
    assert admin_client.get("/stats/records/", {"org": "S", "figure": "nope"}).status_code == 400
    assert admin_client.get("/stats/records/", {"org": "S", "figure": "organizations", "dist": "age",
                                                "bucket": "80-89"}).status_code == 400
    assert admin_client.get("/stats/records/", {"org": "S", "on": "31.12.2018"}).status_code == 400


def test_statistics_export(admin_client, j):
    response = admin_client.get("/stats/", {"org": "S", "on": "2018-12-31", "export": "xlsx"})
    assert response.status_code == 200
    rows = _sheet_rows(response)
    figures = annual_figures(org=j.root, on=ON)
    basic = {r[1]: r[2] for r in rows if r[0] == "基本情况"}
    assert basic == {label: figures[key] for key, label in FIGURES}
    assert OperationLog.objects.filter(event="export", detail__contains="统计").exists()


def test_trend_covers_the_last_eight_year_ends(admin_client, j):
    response = admin_client.get("/stats/", {"org": "S", "on": "2018-12-31"})
    assert [t["year"] for t in response.context["trend"]] == list(range(2011, 2019))
    response = admin_client.get("/stats/", {"org": "S", "on": "2018-06-30"})
    assert [t["year"] for t in response.context["trend"]] == list(range(2010, 2018))
    chart = response.context["chart"]
    first = urlparse(chart["series"][0]["urls"][0])
    assert parse_qs(first.query)["on"] == ["2010-12-31"]


@pytest.mark.parametrize("n", [5, 150])
def test_query_counts_do_not_grow(admin_client, j, n, django_assert_max_num_queries):
    people_bulk(j.combined, n, start=1000)
    with django_assert_max_num_queries(16):
        assert admin_client.get("/stats/", {"org": "S", "on": "2018-12-31"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert admin_client.get(records_url("members", org=j.root, on=ON)).status_code == 200
