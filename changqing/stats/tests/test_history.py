"""Statistics on a past date, per organisation: people count where their membership was that day."""
import datetime as dt

import pytest

from changqing.members import services
from changqing.stats import selectors
from tests.factories import make_retiree

BEFORE = dt.date(2019, 12, 31)
AFTER = dt.date(2021, 12, 31)


@pytest.fixture
def moved(tree):
    """A member of A since 1975 who moved to B on 2020-06-10 (the service organisation follows)."""
    m = make_retiree(tree.a, "调往乙支部", history=True, retirement_kind="lixiu").membership
    services.membership_move(membership=m, to_org=tree.b, on=dt.date(2020, 6, 10), reason="搬家")
    m.retiree.refresh_from_db()
    assert m.retiree.organization_id == tree.b.pk
    return m


def test_a_member_counts_in_the_branch_that_held_them_that_day(tree, moved):
    a_before = selectors.annual_figures(org=tree.a, on=BEFORE)
    b_before = selectors.annual_figures(org=tree.b, on=BEFORE)
    a_after = selectors.annual_figures(org=tree.a, on=AFTER)
    b_after = selectors.annual_figures(org=tree.b, on=AFTER)
    # tree.ra is A's member, tree.rb B's; the moved member is A's in 2019 and B's in 2021.
    assert (a_before["members"], b_before["members"]) == (2, 1)
    assert (a_after["members"], b_after["members"]) == (1, 2)
    assert (a_before["lixiu_members"], b_after["lixiu_members"]) == (1, 1)
    assert (a_before["retirees"], b_before["retirees"]) == (2, 1)
    # The totals do not depend on placement.
    for on in (BEFORE, AFTER):
        total = selectors.annual_figures(org=None, on=on)
        assert total["members"] == 3 == selectors.annual_figures(org=tree.root, on=on)["members"]
    # The records behind a figure are the same people.
    assert moved.retiree in selectors.figure_records("members", org=tree.a, on=BEFORE)
    assert moved.retiree not in selectors.figure_records("members", org=tree.b, on=BEFORE)
    assert selectors.figure_records("members", org=tree.a, on=BEFORE).count() == 2
    # The yearly trend places by each year's history too, and agrees with annual_figures.
    trend = {t["year"]: t["figures"] for t in selectors.trend(org=tree.a, years=[2019, 2021])}
    assert trend[2019] == a_before and trend[2021] == a_after
    # Party-age distribution follows the same people.
    assert selectors.distributions(org=tree.a, on=BEFORE)["party_age"]["total"] == 2


def test_an_organisation_counts_nobody_before_it_existed(tree):
    tree.b.established_on = dt.date(2015, 3, 1)
    tree.b.save()
    early = selectors.annual_figures(org=tree.b, on=dt.date(2014, 12, 31))
    assert early["retirees"] == 0 and early["members"] == 0 and early["organizations"] == 0
    assert selectors.figure_records("retirees", org=tree.b, on=dt.date(2014, 12, 31)).count() == 0
    assert selectors.distributions(org=tree.b, on=dt.date(2014, 12, 31))["age"]["total"] == 0
    later = selectors.annual_figures(org=tree.b, on=dt.date(2015, 12, 31))
    assert later["retirees"] == 1 and later["organizations"] == 1
    # The whole tree still counts the retiree (where they were served before B existed is not recorded).
    assert selectors.annual_figures(org=None, on=dt.date(2014, 12, 31))["retirees"] == 2


def test_query_count_does_not_grow_with_history(tree, moved, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        selectors.annual_figures(org=tree.a, on=BEFORE)
    with django_assert_max_num_queries(2):
        selectors.trend(org=tree.a, years=list(range(2010, 2022)))
