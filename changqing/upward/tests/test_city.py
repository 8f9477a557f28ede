"""The demo city on 2018-12-31: the upward tables agree with `manage.py statistics` and with seed 000 篇6
(33,226 retirees, 18,381 members, 234 单独设置, 647 与在职人员合编或编入社区党组织).

The city (33,226 people) is generated once for this module inside a transaction rolled back at the end,
as demo/tests/test_city.py does.
"""
import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from changqing.demo.generator import DemoGenerator
from changqing.orgs.models import Organization
from changqing.upward import selectors

ON = dt.date(2018, 12, 31)


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            DemoGenerator(seed=0, log_history=False).city()
            yield Organization.objects.get(code="BB")
            transaction.set_rollback(True)


def test_city_tables_agree_with_statistics_and_the_seed(city, db, capsys, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        v = selectors.figures(org=city, on=ON)
    call_command("statistics", "--date", "2018-12-31", "--org", "BB", "--format", "json")
    s = json.loads(capsys.readouterr().out)
    assert v["people.retirees.all.all"] == s["retirees"] == 33226
    assert v["people.members.all.all"] == s["members"] == 18381
    assert v["org.all.alone"] == s["organizations_alone"] == 234
    assert v["org.all.combined"] + v["org.all.community"] == s["organizations_combined"] == 647
    assert v["org.all.all"] == s["organizations"]
    for kind in ("lixiu", "tuixiu"):
        assert v[f"people.retirees.kind.{kind}"] == s[kind]
        assert v[f"people.members.kind.{kind}"] == s[f"{kind}_members"]
    # The splits add up, and every cell is exactly its records.
    assert v["people.retirees.gender.male"] + v["people.retirees.gender.female"] == 33226
    assert sum(v[k] for k in v if k.startswith("party_age.")) == 18381
    for key in ("people.members.gender.female", "people.retirees.age.80-89", "party_age.60-", "org.branch.community"):
        assert selectors.cell_records(key, org=city, on=ON).count() == v[key], key
