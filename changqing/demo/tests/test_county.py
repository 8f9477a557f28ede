"""The county demo is modelled on seed 003 (永顺县) and looks like real people."""
import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count, Q

from changqing.demo.generator import TODAY, DemoGenerator
from changqing.members.models import Absence, Membership, Retiree
from changqing.orgs.models import Organization, OrgKind, SetupKind, Zone

from .checks import age_on, assert_people_possible


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            DemoGenerator(seed=3, log_history=False).county()
            yield Organization.objects.get(code="YS")
            transaction.set_rollback(True)


def test_structure_of_seed_003(county, db):
    retired = Organization.objects.filter(path__startswith=county.path, kind=OrgKind.BRANCH, zone__isnull=False)
    assert retired.count() == 52
    assert Zone.objects.filter(organization=county).count() == 12
    assert retired.values("zone").distinct().count() == 12
    for zone in Zone.objects.filter(organization=county):
        assert zone.lead_org.zone_id == zone.pk and zone.deputy_org.zone_id == zone.pk
    university = Organization.objects.get(path__startswith=county.path, kind=OrgKind.GENERAL_BRANCH)
    assert university.setup_kind == SetupKind.SENIOR_UNIVERSITY
    temporary = Organization.objects.filter(parent=university, kind=OrgKind.BRANCH)
    assert temporary.count() == 15
    assert all(name.endswith("临时党支部") for name in temporary.values_list("name", flat=True))
    names = set(retired.values_list("name", flat=True))
    assert {"县政府办老干党支部", "天鹅湖社区退休党支部"} <= names  # seed 003's own names
    assert Organization.objects.get(code="YS-B001").name == "县政府办老干党支部"
    assert retired.filter(setup_kind=SetupKind.COMMUNITY).count() >= 8


def test_retirees_of_seed_003(county, db):
    retirees = Retiree.objects.filter(organization__path__startswith=county.path)
    assert retirees.count() == 1491
    lixiu = retirees.filter(retirement_kind="lixiu")
    assert 200 <= lixiu.count() <= 400  # "a few hundred"
    births = lixiu.values_list("birth_date", flat=True)
    assert min(births) >= dt.date(1925, 1, 1) and max(births) <= dt.date(1935, 12, 31)
    # Not every retiree is a party member; every branch has at least 3 full members.
    members = Membership.objects.filter(organization__path__startswith=county.path)
    assert 0.6 * 1491 < members.count() < 0.9 * 1491
    sizes = Organization.objects.filter(path__startswith=county.path, zone__isnull=False).annotate(
        n=Count("memberships", filter=Q(memberships__status="full"))).values_list("n", flat=True)
    assert min(sizes) >= 3 and max(sizes) <= 50


def test_people_and_party_dates_possible(county, db):
    assert_people_possible(county.path, TODAY)


def test_people_look_like_their_branch(county, db):
    """A school's branch holds its teachers; a community branch its residents."""
    school = Organization.objects.get(name="县第一中学退休教师党支部")
    assert set(school.retirees.values_list("former_unit", flat=True)) == {"县第一中学"}
    community = Organization.objects.get(name="天鹅湖社区退休党支部")
    assert set(community.retirees.values_list("community", flat=True)) == {"天鹅湖社区"}
    names = list(Retiree.objects.filter(organization__path__startswith=county.path).values_list("name", flat=True))
    assert all(2 <= len(n) <= 3 for n in names)
    # 永顺 is in 湘西: 彭、向、田 are among the commonest surnames, most people are 土家族.
    surnames = Counter(n[0] for n in names)
    assert {"彭", "向", "田"} & {s for s, _ in surnames.most_common(8)}
    ethnicity = Counter(Retiree.objects.filter(organization__path__startswith=county.path)
                        .values_list("ethnicity", flat=True))
    assert ethnicity.most_common(1)[0][0] == "土家族"


def test_health_and_living_follow_age(county, db):
    people = list(Retiree.objects.filter(organization__path__startswith=county.path)
                  .values_list("birth_date", "health", "living", "mobility_impaired", "family_contact",
                               "family_relation"))
    old = [p for p in people if age_on(p[0], TODAY) >= 90]
    young = [p for p in people if age_on(p[0], TODAY) < 70]
    assert old and young

    def share(group, test):
        return sum(1 for p in group if test(p)) / len(group)

    frail = lambda p: p[1] in ("poor", "bedridden")  # noqa: E731
    assert share(old, frail) > 2 * share(young, frail)
    assert share(old, lambda p: p[3]) > share(young, lambda p: p[3])
    # Every bedridden person is marked as unable to move; everyone has a family contact.
    assert all(p[3] for p in people if p[1] == "bedridden")
    assert all(p[4] and p[5] for p in people)
    assert {p[2] for p in people} == {"with_family", "empty_nest", "alone", "care_home"}


def test_seasonal_absences(county, db):
    absences = Absence.objects.filter(retiree__organization__path__startswith=county.path)
    assert absences.count() > 50
    # Winters in the south, starting in November, over several years; this winter's still under way.
    assert set(absences.values_list("start_on__month", flat=True)) == {11}
    assert set(absences.values_list("start_on__year", flat=True)) == {2023, 2024, 2025, 2026}
    current = absences.filter(end_on__isnull=True)
    assert current.exists() and all(a.start_on <= TODAY < a.expected_end_on for a in current)
    assert all("海南" in p or "广西" in p or "云南" in p for p in absences.values_list("place", flat=True))
    # Stays over six months have a temporary relationship at the host (mostly); short ones report.
    long_stays = [a for a in absences if (a.expected_end_on - a.start_on).days > 183]
    assert long_stays and sum(1 for a in long_stays if a.host_org_name) >= 0.7 * len(long_stays)
    short = [a for a in absences if (a.expected_end_on - a.start_on).days <= 183]
    assert short and all(not a.host_org_name for a in short)
    assert any(a.last_report_on for a in short) and any(not a.last_report_on for a in short)
    # Only party members who can travel go south.
    assert not absences.filter(retiree__membership__isnull=True).exists()
    assert not absences.filter(retiree__health="bedridden").exists()
