"""The dues board over a past period: each month's roll is the members who owed dues for that month (dues'
own liability), not today's members, and every number opens a list of exactly that many."""
import datetime as dt
from decimal import Decimal

import pytest

from changqing.dashboards import selectors
from changqing.dues.models import DuesBase, DuesMonth
from changqing.life import engine
from changqing.members.models import Membership
from changqing.members.services import membership_transfer_out, retiree_record_death
from conftest import TEST_TODAY
from tests.factories import add_members

from .test_dashboards import _count_listed, _exported, _table_links

pytestmark = pytest.mark.today
TODAY = TEST_TODAY
YEAR = TODAY.year - 1  # a whole past year
M = {k: dt.date(YEAR, k, 1) for k in range(1, 13)}


def _settle(membership, *months):
    DuesMonth.objects.bulk_create([DuesMonth(membership=membership, month=m, amount_due=Decimal("20"))
                                   for m in months])


@pytest.fixture
def past_year(tree):
    """Branch A in the past year. Besides the tree's 张宏伟 (A) and 乙支部专有人 (B), members with no base, owing
    every month, unpaid:
    steady — base since two years before, paid every month;
    died — died on 15 March (owes January–March), paid January and, in advance, June;
    moved — transferred out on 1 April (owes January–March), paid nothing;
    joined — joined on 10 May with a base from May (owes May on), paid May;
    """
    steady, died, moved, joined = add_members(tree.a, 4)
    for m in (steady, died, moved):
        DuesBase.objects.create(membership=m, effective_from=dt.date(YEAR - 2, 1, 1), pension_whole=Decimal("4000"))
    Membership.objects.filter(pk=joined.pk).update(joined_on=dt.date(YEAR, 5, 10), status="probationary",
                                                  full_on=None)
    DuesBase.objects.create(membership=joined, effective_from=M[5], pension_whole=Decimal("4000"))
    _settle(steady, *M.values())
    _settle(died, M[1], M[6])
    _settle(joined, M[5])
    retiree_record_death(retiree=died.retiree, on=dt.date(YEAR, 3, 15))
    moved.refresh_from_db()
    membership_transfer_out(membership=moved, on=dt.date(YEAR, 4, 1), to_name="外省某党支部")
    tree.members = {"steady": steady, "died": died, "moved": moved, "joined": joined}
    return tree


def _board(tree, user, period):
    return selectors.dues_overview(tree.root, engine.parse_period(period), period, user=user, today=TODAY)


def test_each_months_roll_is_who_owed_that_month(past_year, bureau_admin):
    rows = {r["month"]: r for r in _board(past_year, bureau_admin, str(YEAR)).tables[0]["rows"]}
    assert len(rows) == 12
    # January–March: steady, died, moved and the tree's two members; joined not yet a member.
    for k in (1, 2, 3):
        assert rows[M[k]]["roll"] == 5, k
    assert (rows[M[1]]["paid"], rows[M[1]]["unpaid"]) == (2, 3)  # steady, died
    assert (rows[M[3]]["paid"], rows[M[3]]["unpaid"]) == (1, 4)
    # April: died (March) and moved (1 April) no longer owe; joined not yet.
    assert (rows[M[4]]["roll"], rows[M[4]]["paid"], rows[M[4]]["unpaid"]) == (3, 1, 2)
    # May on: joined owes; died's prepaid June is not a settled month of anyone on June's roll.
    assert (rows[M[5]]["roll"], rows[M[5]]["paid"], rows[M[5]]["unpaid"]) == (4, 2, 2)
    assert (rows[M[6]]["roll"], rows[M[6]]["paid"], rows[M[6]]["unpaid"]) == (4, 1, 3)
    assert rows[M[6]]["rate"] == 25.0
    assert rows[M[1]]["rate"] == 40.0


def test_group_rows_use_the_roll_of_the_last_month_shown(past_year, bureau_admin):
    march = _board(past_year, bureau_admin, f"{YEAR}-03").tables[1]
    a = next(r for r in march["rows"] if r["org"].code == "T-A")
    assert (a["roll"], a["paid"], a["unpaid"]) == (4, 1, 3)  # steady paid; died, moved, 张宏伟 not
    year = _board(past_year, bureau_admin, str(YEAR)).tables[1]  # last month shown: December
    a = next(r for r in year["rows"] if r["org"].code == "T-A")
    assert (a["roll"], a["paid"], a["unpaid"]) == (3, 1, 2)  # steady, joined, 张宏伟


def test_zone_rate_uses_the_roll_of_its_month(past_year, bureau_admin):
    board = selectors.zones_overview(past_year.root, engine.parse_period(f"{YEAR}-03"), f"{YEAR}-03",
                                     user=bureau_admin, today=TODAY)
    za = next(r for r in board.tables[0]["rows"] if r["zone"].code == "T-ZA")
    assert (za["roll"], za["paid"], za["unpaid"], za["dues_rate"]) == (4, 1, 3, 25.0)


def _listed_names(client, url) -> set[str]:
    import re

    return set(re.findall(r'data-label="姓名"><a href="[^"]+">([^<]+)</a>', client.get(url).content.decode()))


def test_month_lists_name_exactly_the_members_counted(past_year, bureau_admin, client):
    client.force_login(bureau_admin)
    links = _table_links(client.get(f"/dashboards/dues/?org=T&period={YEAR}").content.decode(), "dues-months")
    assert len(links) == 12 * 3  # roll, settled, unsettled per month
    for url, value in links:
        assert _count_listed(client, url) == _exported(client, url) == value, url
    names = {k: m.retiree.name for k, m in past_year.members.items()}
    jan = _listed_names(client, f"/dashboards/records/?figure=dues.unsettled&org=T&period={YEAR}&month={YEAR}-01")
    assert names["moved"] in jan and names["joined"] not in jan and names["died"] not in jan
    june = _listed_names(client, f"/dashboards/records/?figure=dues.unsettled&org=T&period={YEAR}&month={YEAR}-06")
    assert june == {names["joined"], "张宏伟", "乙支部专有人"}  # died and moved no longer owe
    june_paid = _listed_names(client, f"/dashboards/records/?figure=dues.settled&org=T&period={YEAR}&month={YEAR}-06")
    assert names["steady"] in june_paid and names["died"] not in june_paid  # a prepaid month after death


@pytest.mark.parametrize("page,table", [("/dashboards/dues/", "dues-groups"), ("/dashboards/zones/", "zones-table")])
def test_group_and_zone_numbers_list_that_many_for_a_past_month(past_year, bureau_admin, client, page, table):
    client.force_login(bureau_admin)
    links = _table_links(client.get(f"{page}?org=T&period={YEAR}-03").content.decode(), table)
    assert links
    for url, value in links:
        assert _count_listed(client, url) == value, url


def test_sql_liability_equals_the_engines_rule(tree):
    """rules.owes (compute, the board's roll), dues.selectors.owes_q (the records lists) and owed_month_q (the
    board's settled count) agree on every case: joined mid-month, ended on the 1st or mid-month, ended without
    a date, base later than joining, no base."""
    from changqing.dues import rules
    from changqing.dues.selectors import owed_month_q, owes_q, with_first_base

    cases = []
    for joined in (dt.date(YEAR - 5, 1, 1), dt.date(YEAR, 3, 1), dt.date(YEAR, 3, 31)):
        for ended, state in ((None, "active"), (dt.date(YEAR, 5, 1), "deceased"), (dt.date(YEAR, 5, 2), "left"),
                             (None, "transferred_out"), (dt.date(YEAR, 3, 20), "transferred_out")):
            for base in (None, dt.date(YEAR, 2, 1), dt.date(YEAR, 4, 1)):
                cases.append((joined, ended, state, base))
    members = add_members(tree.a, len(cases))
    for m, (joined, ended, state, base) in zip(members, cases):
        Membership.objects.filter(pk=m.pk).update(joined_on=joined, ended_on=ended, state=state)
        if base:
            DuesBase.objects.create(membership=m, effective_from=base, pension_whole=Decimal("3000"))
    ids = [m.pk for m in members]
    months = [dt.date(YEAR, k, 1) for k in range(1, 8)]
    for m in members:  # every month settled, owed or not
        _settle(m, *months)
    for month in months:
        in_sql = set(with_first_base(Membership.objects.filter(pk__in=ids)).filter(owes_q(month))
                     .values_list("pk", flat=True))
        in_python = {m.pk for m, (joined, ended, state, base) in zip(members, cases)
                     if rules.owes(month, joined_on=joined, ended_on=ended, active=state == "active",
                                   first_base=base)}
        assert in_sql == in_python, month
        settled_owed = set(DuesMonth.objects.filter(owed_month_q(months), month=month, membership__in=ids)
                           .values_list("membership_id", flat=True))
        assert settled_owed == in_python, month
        assert in_sql  # the grid is not trivially empty


def test_dues_page_queries_do_not_grow_with_members_or_months(tree, bureau_admin, client,
                                                               django_assert_max_num_queries):
    from .test_dashboards import world

    client.force_login(bureau_admin)
    world(tree.root, 2, prefix="S")
    path = f"/dashboards/dues/?org=T&period={YEAR}-01..{YEAR}-02"
    records = f"/dashboards/records/?figure=dues.unsettled&org=T&period={YEAR}&month={YEAR}-06"
    client.get(path)
    with django_assert_max_num_queries(200) as small:
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(200) as small_records:
        assert client.get(records).status_code == 200
    world(tree.root, 8, prefix="L")
    for m in Membership.objects.filter(organization__code__startswith="L")[:6]:
        retiree_record_death(retiree=m.retiree, on=dt.date(YEAR, 6, 15))
    with django_assert_max_num_queries(len(small.captured_queries)):  # twelve months, not two
        assert client.get(f"/dashboards/dues/?org=T&period={YEAR}").status_code == 200
    with django_assert_max_num_queries(len(small_records.captured_queries)):
        assert client.get(records).status_code == 200


def test_a_past_month_before_anyone_joined_shows_no_rate(tree, bureau_admin):
    """Nobody owed (the tree's members joined in 1975): a month before that has an empty roll, not 0 %."""
    rows = _board(tree, bureau_admin, "1970-03").tables[0]["rows"]
    assert rows[0]["roll"] == 0 and rows[0]["rate"] is None

