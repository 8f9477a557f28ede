import datetime as dt

import pytest

from changqing.stats import selectors
from changqing.stats.selectors import FIGURES, annual_figures, distributions, figure_records, records_url, trend

from .factories import jurisdiction, people_bulk, person

ON = dt.date(2018, 12, 31)


@pytest.fixture
def j(db):
    return jurisdiction()


def test_figures_follow_the_dates(j):
    person(j.alone, kind="lixiu", birth=dt.date(1928, 3, 1), retired_on=dt.date(1988, 3, 1), joined_on=dt.date(1946, 7, 1))
    person(j.alone, kind="lixiu", birth=dt.date(1929, 3, 1), retired_on=dt.date(1989, 3, 1))  # not a member
    person(j.combined, joined_on=dt.date(1975, 7, 1))
    person(j.sub, joined_on=dt.date(1975, 7, 1), retired_on=None)  # no date recorded: counted
    # Not counted at all at ON:
    person(j.combined, retired_on=dt.date(2019, 1, 1), joined_on=dt.date(1975, 7, 1))  # retired after ON
    person(j.community, deceased_on=dt.date(2018, 12, 31), joined_on=dt.date(1975, 7, 1),
           ended_on=dt.date(2018, 12, 31), state="deceased")  # died on ON: gone by the end of the day
    # Counted as retirees, not as members:
    person(j.community, joined_on=dt.date(1975, 7, 1), ended_on=dt.date(2018, 5, 1), state="transferred_out")
    person(j.community, joined_on=dt.date(2019, 3, 1))  # joined after ON
    person(j.community, joined_on=dt.date(1975, 7, 1), state="left")  # ended without a date: never counted
    # Counted: died after ON, membership ended after ON.
    person(j.community, deceased_on=dt.date(2019, 2, 1), joined_on=dt.date(1975, 7, 1),
           ended_on=dt.date(2019, 2, 1), state="deceased")

    f = annual_figures(org=j.root, on=ON)
    assert f["retirees"] == 8
    assert f["lixiu"] == 2 and f["lixiu_members"] == 1
    assert f["tuixiu"] == 6 and f["tuixiu_members"] == 3
    assert f["members"] == 4
    # Organisations: alone, combined, community, 党总支, its branch; not the 党工委, the group or the dissolved one.
    assert f["organizations"] == 5
    assert f["organizations_alone"] == 3
    assert f["organizations_combined"] == 2
    assert f["organizations_with_staff"] == 1 and f["organizations_community"] == 1
    assert f["organizations_other"] == 0
    # Before the community branch was established and while the dissolved one still existed:
    f2011 = annual_figures(org=j.root, on=dt.date(2011, 12, 31))
    assert f2011["organizations"] == 5 and f2011["organizations_community"] == 0
    assert f2011["organizations_with_staff"] == 2
    # A dissolved branch is gone from the day it was dissolved.
    assert annual_figures(org=j.root, on=dt.date(2016, 6, 30))["organizations_with_staff"] == 1
    assert annual_figures(org=j.root, on=dt.date(2016, 6, 29))["organizations_with_staff"] == 2
    # The subtree of one branch only.
    assert annual_figures(org=j.sub, on=ON)["retirees"] == 1
    assert annual_figures(org=j.general, on=ON)["organizations"] == 2
    assert annual_figures(org=j.sub, on=ON)["organizations"] == 1
    # org=None: the whole tree.
    assert annual_figures(org=None, on=ON) == f


def test_every_figure_has_its_records(j):
    people_bulk(j.alone, 30)
    people_bulk(j.community, 20, start=30)
    person(j.combined, deceased_on=dt.date(2015, 1, 1))
    for org in (j.root, j.alone, j.general, None):
        f = annual_figures(org=org, on=ON)
        assert [k for k, _ in FIGURES] == list(f)
        for key, _ in FIGURES:
            assert figure_records(key, org=org, on=ON).count() == f[key], key


def test_every_bucket_has_its_records(j):
    people_bulk(j.alone, 40)
    people_bulk(j.combined, 12, start=40)
    dists = distributions(org=j.root, on=ON)
    assert set(dists) == {"age", "party_age", "health", "living", "absence", "zone"}
    f = annual_figures(org=j.root, on=ON)
    for key, d in dists.items():
        assert d["total"] == f[d["figure"]]
        # Every bucketing covers its population exactly once.
        assert sum(b["count"] for b in d["buckets"]) == d["total"], key
        for b in d["buckets"]:
            qs = figure_records(d["figure"], org=j.root, on=ON, dist=key, bucket=b["key"])
            assert qs.count() == b["count"], (key, b["key"])
            assert b["params"] == {"org": "S", "on": "2018-12-31", "figure": d["figure"], "dist": key,
                                   "bucket": b["key"]}
            assert b["url"] == records_url(d["figure"], org=j.root, on=ON, dist=key, bucket=b["key"])
    zone = {b["key"]: b["count"] for b in dists["zone"]["buckets"]}
    # Two of the 40 in the zone's branch retire only in 2019 (retired_on 2000 + i % 20).
    assert zone == {"S-Z1": 38, "none": 12}
    absence = {b["key"]: b["count"] for b in dists["absence"]["buckets"]}
    assert absence["temporary"] > 0 and absence["away"] > 0 and absence["home"] > 0
    # Away from 2018-11-01: nobody away a year earlier.
    earlier = distributions(org=j.root, on=dt.date(2017, 12, 31))
    assert {b["key"]: b["count"] for b in earlier["absence"]["buckets"]}["home"] == earlier["absence"]["total"]


def test_age_bands_at_the_birthday(j):
    person(j.alone, birth=dt.date(1938, 12, 31))  # 80 on ON
    person(j.alone, birth=dt.date(1939, 1, 1))  # still 79
    ages = {b["key"]: b["count"] for b in distributions(org=j.root, on=ON)["age"]["buckets"]}
    assert ages["80-89"] == 1 and ages["70-79"] == 1
    assert selectors.years_before(dt.date(2020, 2, 29), 1) == dt.date(2019, 2, 28)


def test_trend_is_the_figures_at_each_year_end(j):
    person(j.alone, retired_on=dt.date(2015, 3, 1), joined_on=dt.date(1970, 1, 1))
    person(j.alone, retired_on=dt.date(2017, 3, 1), deceased_on=dt.date(2018, 4, 1))
    rows = trend(org=j.root, years=[2014, 2015, 2016, 2017, 2018])
    assert [r["year"] for r in rows] == [2014, 2015, 2016, 2017, 2018]
    assert [r["on"] for r in rows] == [dt.date(y, 12, 31) for y in range(2014, 2019)]
    assert [r["figures"]["retirees"] for r in rows] == [0, 1, 1, 2, 1]
    for r in rows:
        assert r["figures"] == annual_figures(org=j.root, on=r["on"])
    assert trend(org=j.root, years=[]) == []


def test_records_url(j):
    assert records_url("lixiu", org=j.root, on=ON) == "/stats/records/?org=S&on=2018-12-31&figure=lixiu"
    assert records_url("retirees", org=j.root, on=ON, dist="age", bucket="80-89") == (
        "/stats/records/?org=S&on=2018-12-31&figure=retirees&dist=age&bucket=80-89")


def test_bad_keys_are_refused(j):
    with pytest.raises(ValueError):
        figure_records("nope", org=j.root, on=ON)
    with pytest.raises(ValueError):
        figure_records("organizations", org=j.root, on=ON, dist="age", bucket="80-89")
    with pytest.raises(ValueError):
        figure_records("retirees", org=j.root, on=ON, dist="age", bucket="nope")


@pytest.mark.parametrize("n", [6, 120])
def test_query_counts_do_not_grow(j, n, django_assert_max_num_queries):
    people_bulk(j.alone, n)
    people_bulk(j.community, n, start=n)
    with django_assert_max_num_queries(2):
        annual_figures(org=j.root, on=ON)
    with django_assert_max_num_queries(2):
        distributions(org=j.root, on=ON)
    with django_assert_max_num_queries(2):
        trend(org=j.root, years=list(range(2011, 2019)))


def test_trend_agrees_with_annual_figures_on_mixed_histories(j):
    people_bulk(j.alone, 60)
    for year in (2012, 2014, 2016, 2018):
        person(j.combined, retired_on=dt.date(year, 12, 31), joined_on=dt.date(year - 30, 1, 1),
               ended_on=dt.date(year + 2, 12, 31), state="transferred_out")
        person(j.combined, kind="lixiu", retired_on=dt.date(1990, 1, 1), deceased_on=dt.date(year, 12, 31),
               joined_on=dt.date(1946, 1, 1), ended_on=dt.date(year, 12, 31), state="deceased")
        person(j.community, joined_on=dt.date(year, 12, 31))
    person(j.community, status="deceased")  # deceased without a date: never counted
    person(j.community, retired_on=None, joined_on=dt.date(1970, 1, 1), state="left")  # ended without a date
    years = list(range(2010, 2021))
    for row in trend(org=j.root, years=years):
        assert row["figures"] == annual_figures(org=j.root, on=row["on"]), row["year"]
        for key, _ in FIGURES:
            assert figure_records(key, org=j.root, on=row["on"]).count() == row["figures"][key]
