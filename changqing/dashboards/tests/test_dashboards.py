"""Dashboards: figures on constructed data, every figure's records (and export) equal to it, query counts
that do not grow with the data, and scope."""
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from changqing.audit.models import Finding
from changqing.care.models import HardshipRecord, Visit
from changqing.dues.models import DuesBase, DuesMonth
from changqing.dues.rules import add_months, month_start
from changqing.life.tests.conftest import hold
from changqing.members.models import Membership
from changqing.orgs.models import Organization, OrgKind, Zone
from conftest import TEST_TODAY
from tests.factories import add_members

from changqing.dashboards import selectors
from changqing.life import engine

pytestmark = pytest.mark.today
TODAY = TEST_TODAY
THIS_MONTH = month_start(TODAY)
AS_OF = add_months(THIS_MONTH, -1)  # the last closed month
PAGES = ["/dashboards/", "/dashboards/compliance/", "/dashboards/dues/", "/dashboards/care/", "/dashboards/zones/",
         "/dashboards/screen/"]


def _branch(root, code, zone=None):
    return Organization.objects.create(code=code, name=f"支部{code}", kind=OrgKind.BRANCH, parent=root, zone=zone)


def populate(org, members: list[Membership], *, paid_upto: dict[int, dt.date], visited: set[int],
             hardship: set[int], meetings_every_month: bool, findings: int = 0):
    """Dues bases from two years ago; settled months up to paid_upto[i]; visits this year; hardship; meetings."""
    base_from = add_months(THIS_MONTH, -24)
    for i, m in enumerate(members):
        DuesBase.objects.create(membership=m, effective_from=base_from, pension_whole=Decimal("4000"))
        last = paid_upto.get(i)
        if last:
            DuesMonth.objects.bulk_create([
                DuesMonth(membership=m, month=add_months(base_from, k), amount_due=Decimal("20"))
                for k in range(25) if add_months(base_from, k) <= last])
        if i in visited:
            Visit.objects.create(retiree=m.retiree, visited_on=TODAY.replace(day=1), visitors="张三")
        if i in hardship:
            HardshipRecord.objects.create(retiree=m.retiree, reason="alone", since=dt.date(TODAY.year - 1, 5, 1))
    if meetings_every_month:
        for month in range(1, TODAY.month + 1):
            hold(org, "group_meeting", dt.date(TODAY.year, month, 3), members)
            hold(org, "study_day", dt.date(TODAY.year, month, 4), members)
    for k in range(findings):
        Finding.objects.create(kind="backfill", organization=org, key=f"{org.code}-{k}", period=TODAY.year,
                               evidence_digest="x")


def world(root, n_branches: int, per_branch: int = 4, prefix="W"):
    """n branches in two zones, each with members in every arrears band, some visits, hardship and findings."""
    zones = [Zone.objects.get_or_create(code=f"{prefix}-Z{z}", defaults={"name": f"{prefix}片组{z}",
                                                                           "organization": root})[0]
             for z in range(2)]
    for i in range(n_branches):
        b = _branch(root, f"{prefix}{i:03d}", zones[i % 2])
        members = add_members(b, per_branch)
        populate(b, members, paid_upto={0: THIS_MONTH, 1: add_months(AS_OF, -3), 2: add_months(AS_OF, -7)},
                 visited={0, 1}, hardship={1, 3}, meetings_every_month=i % 2 == 0, findings=1)


@pytest.fixture
def city(tree, bureau_admin):
    """Branch A with known numbers; B empty; nothing else."""
    members = add_members(tree.a, 5)
    # member 0 paid through this month, 1 three months behind (band 3), 2 five (band 5), 3 seven (band 6),
    # 4 never paid since the base (24 months: band 6).
    populate(tree.a, members, paid_upto={0: THIS_MONTH, 1: add_months(AS_OF, -3), 2: add_months(AS_OF, -5),
                                         3: add_months(AS_OF, -7)},
             visited={0, 2}, hardship={2, 4}, meetings_every_month=True, findings=2)
    return tree


def _fig(board, key):
    return next(f for f in board.figures if f.key == key)


def test_overview_figures_on_constructed_data(city, bureau_admin):
    board = selectors.overview(city.root, engine.parse_period(str(TODAY.year)), str(TODAY.year), user=bureau_admin,
                               today=TODAY)
    # tree: A has 张宏伟 + 5 members = 6 retirees, 6 members; B has one retiree and member.
    assert _fig(board, "stats.retirees").value == 7  # the statistics app's figures
    assert _fig(board, "stats.members").value == 7
    assert _fig(board, "stats.organizations").value == 2
    # arrears ≥1 month: members 1–4 of A (the tree's two members have no dues base: not counted).
    assert _fig(board, "dues.arrears").value == 4
    assert _fig(board, "dues.arrears6").value == 2
    assert _fig(board, "care.visited").value == 2
    assert _fig(board, "care.unvisited").value == 5
    assert _fig(board, "care.hardship").value == 2
    assert _fig(board, "care.hardship_unvisited").value == 1  # member 2 was visited, 4 was not
    assert _fig(board, "audit.open").value == 2
    # B held no meetings this year: overdue; A held the monthly ones (committee/general meetings may be overdue).
    assert 1 <= _fig(board, "life.overdue_branches").value <= 2


def test_dues_board_bands_and_month_rate(city, bureau_admin):
    board = selectors.dues_overview(city.root, engine.parse_period(str(TODAY.year)), str(TODAY.year),
                                    user=bureau_admin, today=TODAY)
    assert [f.value for f in board.figures] == [4, 1, 1, 2]  # ≥1, band 3, band 5, band 6
    months = board.tables[0]["rows"]
    assert months[-1]["month"] == THIS_MONTH and months[-1]["paid"] == 1 and months[-1]["roll"] == 7
    group_a = next(r for r in board.tables[1]["rows"] if r["org"].code == "T-A")
    assert group_a["roll"] == 6 and group_a["paid"] == 1


def _count_listed(client, url) -> int:
    html = client.get(url).content.decode()
    m = re.search(r"共 (\d+) 条", html)
    assert m, url
    return int(m[1])


def _exported(client, url) -> int:
    sep = "&" if "?" in url else "?"
    r = client.get(f"{url}{sep}export=xlsx")
    assert r.status_code == 200, url
    ws = load_workbook(io.BytesIO(r.content)).active
    return ws.max_row - 2  # title row and header row


def _figure_links(html: str):
    return re.findall(r'<a class="num" href="([^"]+)" data-figure="([^"]+)">(\d+)<small>', html)


def test_every_overview_figure_lists_and_exports_exactly_its_records(city, bureau_admin, client):
    world(city.root, 4, prefix="X")
    client.force_login(bureau_admin)
    html = client.get("/dashboards/?org=T").content.decode()
    links = _figure_links(html)
    assert len(links) >= 12
    for url, key, value in links:
        url = url.replace("&amp;", "&")
        if key == "life.overdue_items":  # life's overdue list: a computed list with its own export
            assert _exported(client, url) == int(value), key
            continue
        assert _count_listed(client, url) == int(value), (key, url)
        assert _exported(client, url) == int(value), (key, url)


def test_dues_arrears_links_export_exactly_the_figure(city, bureau_admin, client):
    world(city.root, 3, prefix="Y")
    client.force_login(bureau_admin)
    html = client.get("/dashboards/dues/?org=T").content.decode()
    links = _figure_links(html)
    assert {k for _, k, _ in links} == {"dues.arrears1", "dues.arrears3", "dues.arrears5", "dues.arrears6"}
    for url, key, value in links:
        url = url.replace("&amp;", "&")
        assert "/dues/members/" in url
        assert _count_listed(client, url) == _exported(client, url) == int(value) > 0, key


def _table_links(html: str, table_id: str):
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<td[^>]*><a href="([^"]+)"[^>]*>(\d+)</a>', body)
    return [(u.replace("&amp;", "&"), int(v)) for u, v in cells]


@pytest.mark.parametrize("page,table", [("/dashboards/dues/", "dues-groups"), ("/dashboards/dues/", "dues-months"),
                                        ("/dashboards/care/", "care-groups"), ("/dashboards/care/", "care-reasons"),
                                        ("/dashboards/zones/", "zones-table"),
                                        ("/dashboards/compliance/", "compliance-totals")])
def test_table_numbers_link_to_lists_of_that_many(city, bureau_admin, client, page, table):
    world(city.root, 3, prefix="V")
    client.force_login(bureau_admin)
    links = _table_links(client.get(f"{page}?org=T").content.decode(), table)
    assert links
    for url, value in links:
        assert _count_listed(client, url) == value, url


def test_screen_has_no_menu_and_refreshes(city, bureau_admin, client):
    client.force_login(bureau_admin)
    html = client.get("/dashboards/screen/?org=T").content.decode()
    assert 'class="mainnav"' not in html and 'data-refresh="300"' in html
    assert "vendor/echarts.min.js" in html and "http" not in html.split("<body", 1)[1].split("dash-charts")[0]
    assert len(_figure_links(html)) == 0 and html.count('data-figure="') >= 12


@pytest.mark.parametrize("path", PAGES + ["/dashboards/records/?figure=care.unvisited&org=T",
                                          "/dashboards/records/?figure=life.overdue_branches&org=T"])
def test_query_counts_do_not_grow_with_the_data(tree, bureau_admin, client, django_assert_max_num_queries, path):
    client.force_login(bureau_admin)
    world(tree.root, 2, prefix="S")
    client.get(path)  # warm caches (content types, rulesets)
    with django_assert_max_num_queries(200) as small:
        assert client.get(path).status_code == 200
    world(tree.root, 12, prefix="L")
    assert Organization.objects.filter(kind=OrgKind.BRANCH).count() == 16
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(path).status_code == 200


def test_secretary_sees_only_their_branch(city, secretary_a, client):
    client.force_login(secretary_a)
    assert client.get("/dashboards/?org=T-B").status_code == 404
    html = client.get("/dashboards/").content.decode()
    assert "乙支部专有名称" not in html and "乙支部专有人" not in html
    # Asking for the whole jurisdiction gives only what is in their scope.
    r = client.get("/dashboards/records/?figure=care.retirees&org=T")
    assert r.status_code in (200, 404)
    if r.status_code == 200:
        assert "乙支部专有人" not in r.content.decode()
    for p in PAGES:
        assert client.get(p).status_code == 200, p


def test_records_refuses_unknown_figure_and_other_subtrees(city, bureau_admin, client):
    other = Organization.objects.create(code="Q", name="别的党工委", kind=OrgKind.COMMITTEE)
    client.force_login(bureau_admin)
    assert client.get("/dashboards/records/?figure=nope&org=T").status_code == 404
    assert client.get("/dashboards/records/?figure=care.retirees&org=Q").status_code == 404
    assert client.get(f"/dashboards/?org={other.code}").status_code == 404
    assert client.get("/dashboards/?period=2025-13").status_code == 200  # a bad period falls back, with a message


def test_zone_lead_gets_figures_of_their_zone_only(city, client):
    from changqing.core.roles import Role
    from tests.factories import make_user

    lead = make_user("pianzu_a", Role.ZONE_LEAD, zone=city.zone_a)
    board = selectors.overview(city.root, engine.parse_period(str(TODAY.year)), str(TODAY.year), user=lead,
                               today=TODAY)
    # Not the whole 党工委: counted within the lead's scope (zone A = branch A), not by stats.
    assert _fig(board, "care.retirees").value == 6 and _fig(board, "orgs.branches").value == 1
    client.force_login(lead)
    html = client.get("/dashboards/?org=T").content.decode()
    assert "乙支部专有名称" not in html
    for url, key, value in _figure_links(html):
        if key != "life.overdue_items":
            assert _count_listed(client, url.replace("&amp;", "&")) == int(value), key


def test_arrears_bands_in_python_equal_the_dues_list_filters(tree):
    """Never-paid members whose base began k months ago, members without a base, payers k months behind:
    the board's per-member evaluation gives exactly the rows of dues' SQL filters (NULLs included)."""
    from changqing.dues.selectors import arrears_q, band_q, with_arrears

    members = add_members(tree.a, 24)
    for k, m in enumerate(members[:10]):  # never paid, base from k months before the last closed month
        DuesBase.objects.create(membership=m, effective_from=add_months(AS_OF, -k), pension_whole=Decimal("3000"))
    for k, m in enumerate(members[10:20]):  # paid up to k months before the last closed month
        DuesBase.objects.create(membership=m, effective_from=add_months(AS_OF, -30), pension_whole=Decimal("3000"))
        DuesMonth.objects.create(membership=m, month=add_months(AS_OF, -k), amount_due=Decimal("15"))
    # members[20:] have no base at all
    levels = {1: set(), 3: set(), 5: set(), 6: set()}
    for m in with_arrears(Membership.objects.filter(state="active"), AS_OF):
        for lv in selectors.arrears_levels(m.last_settled, m.first_base, AS_OF):
            levels[lv].add(m.pk)
    sub = selectors.subtree(tree.root)
    counts = selectors.dues_counts(sub, [AS_OF], AS_OF, engine.parse_period(str(TODAY.year)))["arrears"]
    qs = with_arrears(Membership.objects.filter(state="active"), AS_OF)
    for level in selectors.arrears_levels_of(selectors.warning_months(tree.root, AS_OF)):
        q = arrears_q(1, AS_OF) if level == 1 else band_q(level, AS_OF)
        expected = qs.filter(q).filter(organization=tree.a).count()
        assert counts[tree.a.pk][level] == expected, level
        assert levels[level] == set(qs.filter(q).values_list("pk", flat=True)), level
    assert counts[tree.a.pk][1] > counts[tree.a.pk][6] > 0


@pytest.mark.parametrize("page", ["/dashboards/compliance/", "/dashboards/dues/", "/dashboards/care/"])
def test_chart_bars_open_lists_of_their_value(city, bureau_admin, client, page):
    """A click on a bar navigates to its URL (charts.js): each count bar's URL lists that many records."""
    import json

    world(city.root, 2, prefix="C")
    client.force_login(bureau_admin)
    html = client.get(f"{page}?org=T").content.decode()
    charts = json.loads(re.search(r'<script id="dash-charts" type="application/json">(.*?)</script>', html, re.S)[1])
    checked = 0
    for chart in charts:
        if chart["type"] != "stack":
            continue  # rates (%) link to the people still missing, checked through the tables
        for series in chart["series"]:
            for value, url in zip(series["data"], series["urls"]):
                assert _count_listed(client, url) == value, (chart["id"], series["name"], url)
                checked += 1
    assert checked


@pytest.mark.parametrize("period_text", [str(TODAY.year), str(TODAY.year - 1), f"{TODAY.year}-Q1",
                                         f"{TODAY.year}-{TODAY.month:02d}", f"{TODAY.year - 1}-03..{TODAY.year}-02"])
def test_overdue_from_month_cells_equals_the_periods_own_run(city, bureau_admin, period_text):
    """The boards read overdue branches and items off the month cells they draw anyway; the records list
    (and life's overdue list) run the engine over the period. Both must give the same branches and count."""
    world(city.root, 6, prefix="Y")
    period = engine.parse_period(period_text)
    for today in (TODAY, period.start, period.end, dt.date(period.start.year, period.start.month, 15)):
        sub = selectors.subtree(city.root, bureau_admin)
        selectors.month_cells(sub, period, today, bureau_admin)  # as the overview does before its figures
        from_cells = selectors.overdue_in(sub, period, today, bureau_admin)
        own_run = selectors.overdue_branch_ids(city.root, period, user=bureau_admin, today=today)
        assert from_cells == own_run, (period_text, today)
        assert ("cells", period, today) in sub.cache
        if today == TODAY and period_text == str(TODAY.year):
            assert own_run[1] > 0  # the world has overdue branches: the comparison is not empty
