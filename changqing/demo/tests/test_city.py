"""The city demo reproduces seed 000 篇6 exactly (as of 2018-12-31).

Generating 33,226 people takes a while, so the city is built once for this
module inside a transaction that is rolled back at the end.
"""
import pytest
from django.db import transaction
from django.db.models import Count, Q

from changqing.demo.generator import CITY_AS_OF, DemoGenerator
from changqing.members.models import Membership, Retiree
from changqing.orgs.models import Organization, OrgKind

from .checks import assert_people_possible


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            gen = DemoGenerator(seed=0, log_history=False)
            gen.city()
            yield Organization.objects.get(code="BB")
            transaction.set_rollback(True)


def test_retiree_figures(city, db):
    retirees = Retiree.objects.filter(organization__path__startswith=city.path)
    figures = retirees.aggregate(
        total=Count("id"),
        lixiu=Count("id", filter=Q(retirement_kind="lixiu")),
        lixiu_members=Count("id", filter=Q(retirement_kind="lixiu", membership__isnull=False)),
        tuixiu=Count("id", filter=Q(retirement_kind="tuixiu")),
        tuixiu_members=Count("id", filter=Q(retirement_kind="tuixiu", membership__isnull=False)),
    )
    assert figures == {"total": 33226, "lixiu": 889, "lixiu_members": 613, "tuixiu": 32337, "tuixiu_members": 17768}
    # Every membership is active and held by an organisation of the city.
    assert Membership.objects.filter(organization__path__startswith=city.path, state="active").count() == 18381


def test_organisation_figures(city, db):
    orgs = Organization.objects.filter(path__startswith=city.path).exclude(kind=OrgKind.COMMITTEE)
    assert orgs.count() == 881
    assert orgs.filter(setup_kind="alone").count() == 234
    assert orgs.filter(setup_kind__in=["combined", "community"]).count() == 647
    # The district/county 党工委 and 机关工委 above them are not among the 881.
    committees = Organization.objects.filter(path__startswith=city.path, kind=OrgKind.COMMITTEE)
    assert committees.count() == 9
    assert set(committees.filter(depth=2).values_list("name", flat=True)) >= {
        "龙子湖区直机关离退休干部党工委", "蚌山区直机关离退休干部党工委", "禹会区直机关离退休干部党工委",
        "淮上区直机关离退休干部党工委", "五河县离退休干部党工委"}


def test_every_branch_is_viable(city, db):
    """≥3 full members (条例 Art. 4) and at most 50 in any branch; names unique."""
    branches = Organization.objects.filter(path__startswith=city.path, kind=OrgKind.BRANCH).annotate(
        n=Count("memberships", filter=Q(memberships__status="full")))
    sizes = [b.n for b in branches]
    assert min(sizes) >= 3 and max(sizes) <= 50
    names = list(Organization.objects.filter(path__startswith=city.path).values_list("name", flat=True))
    assert len(names) == len(set(names))
    # Members of a general branch sit in its branches, not in the 党总支 itself.
    assert not Membership.objects.filter(organization__kind=OrgKind.GENERAL_BRANCH).exists()


def test_people_and_party_dates_possible(city, db):
    assert_people_possible(city.path, CITY_AS_OF)


def test_statistics_command_gives_the_seed_figures(city, db):
    """`manage.py statistics` on the city as of 2018-12-31 prints exactly the figures of 篇6."""
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("statistics", "--date", "2018-12-31", "--org", city.code, "--format", "json", stdout=out)
    figures = json.loads(out.getvalue())
    assert {k: figures[k] for k in ("retirees", "lixiu", "lixiu_members", "tuixiu", "tuixiu_members",
                                    "organizations", "organizations_alone", "organizations_combined")} == {
        "retirees": 33226, "lixiu": 889, "lixiu_members": 613, "tuixiu": 32337, "tuixiu_members": 17768,
        "organizations": 881, "organizations_alone": 234, "organizations_combined": 647}
    assert figures["members"] == 18381
    assert figures["organizations_with_staff"] == 400 and figures["organizations_community"] == 247
    assert figures["distributions"]["age"]["total"] == 33226


def test_statistics_figures_have_their_records_on_the_city(city, db, django_assert_max_num_queries):
    """On 33,226 people: every figure's records count equals the figure, and the figures take two queries."""
    import datetime as dt

    from changqing.stats.selectors import FIGURES, annual_figures, figure_records

    on = dt.date(2018, 12, 31)
    with django_assert_max_num_queries(2):
        figures = annual_figures(org=city, on=on)
    for key, _ in FIGURES:
        assert figure_records(key, org=city, on=on).count() == figures[key], key
