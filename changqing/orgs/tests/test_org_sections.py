"""Sections other apps add to an organisation's page: its grades and 示范支部 titles (evaluation) and the
honours it won as an organisation (honours); scoped with the page, and only what was published."""
import datetime as dt
import random

from django.test import Client

from changqing.demo.extend import DemoContext
from changqing.evaluation import demo as evaluation_demo
from changqing.evaluation.models import Assessment, Designation
from changqing.evaluation.tests.conftest import build_branch_year
from changqing.honours.models import Category, Nomination, NomineeRule, Phase
from changqing.honours.tests.conftest import REASONS
from changqing.orgs.selectors import org_sections


def _page(user, org) -> str:
    c = Client()
    c.force_login(user)
    response = c.get(org.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_org_page_shows_grades_designations_and_won_honours(tree, bureau_admin, rf):
    build_branch_year(tree.a)
    build_branch_year(tree.b)
    evaluation_demo.extend(DemoContext(scale="county", seed=1, root=tree.root, today=dt.date(2026, 11, 24),
                                       log_history=False, progress=lambda m: None,
                                       rng=random.Random("1:evaluation")))
    star = Assessment.objects.get(organization=tree.a, year=2025, kind="star_rating")
    html = _page(bureau_admin, tree.a)
    assert "考核评价" in html and star.get_absolute_url() in html
    assert f"{'★' * int(star.grade)}" in html and star.grade_label in html
    assert "<h2>评选表彰</h2>" not in html  # nothing won yet: no empty section

    basis = Assessment.objects.get(organization=tree.a, year=2025, kind="model_branch")
    d = Designation.objects.create(organization=tree.a, year=2025, title="五好支部", basis=basis,
                                   designated_on=dt.date(2026, 1, 10))
    from changqing.honours.models import Campaign

    campaign = Campaign.objects.create(organization=tree.root, year=2025, title="2025年度评选", phase=Phase.PUBLISHED,
                                       nomination_ends_on=dt.date(2025, 10, 1), review_ends_on=dt.date(2025, 10, 15),
                                       voting_starts_on=dt.date(2025, 11, 1), voting_ends_on=dt.date(2025, 11, 30))
    cat = Category.objects.create(campaign=campaign, name="示范离退休干部党支部", nominee_rule=NomineeRule.ORGANIZATION,
                                  quota=1)
    Nomination.objects.create(campaign=campaign, category=cat, nominee_org=tree.a, reasons=REASONS, is_winner=True)
    Nomination.objects.create(campaign=campaign, category=cat, nominee_org=tree.b, reasons=REASONS, is_winner=False)
    html = _page(bureau_admin, tree.a)
    assert "2025年度命名" in html and d.get_absolute_url() in html
    assert "示范离退休干部党支部（2025年度评选）" in html
    assert "示范离退休干部党支部（2025年度评选）" not in _page(bureau_admin, tree.b)  # B was not elected

    d.revoked_on, d.revoke_reason = dt.date(2026, 3, 1), "整改不到位"
    d.save()
    campaign.phase = Phase.COUNTING
    campaign.save()
    request = rf.get("/")
    request.user = bureau_admin
    titles = {s["title"]: s for s in org_sections(request, tree.a)}
    assert "评选表彰" not in titles  # results not published yet
    assert not any("命名" in i["label"] for i in titles["考核评价"]["items"])  # a revoked title is not shown


def test_org_page_query_count_does_not_grow_with_grades_titles_and_wins(tree, bureau_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from changqing.evaluation.models import Rubric
    from changqing.honours.models import Campaign

    c = Client()
    c.force_login(bureau_admin)

    def queries() -> int:
        c.get(tree.a.get_absolute_url())  # warm the per-process caches
        with CaptureQueriesContext(connection) as q:
            assert c.get(tree.a.get_absolute_url()).status_code == 200
        return len(q)

    def add_year(year):
        rubric = Rubric.objects.filter(kind="star_rating").first()
        a = Assessment.objects.create(organization=tree.a, year=year, kind="star_rating", rubric=rubric,
                                      version=rubric.versions.first(), grade="4", grade_label="四星级")
        Designation.objects.create(organization=tree.a, year=year, title="五好支部", basis=a,
                                   designated_on=dt.date(year + 1, 1, 10))
        campaign = Campaign.objects.create(organization=tree.root, year=year, title=f"{year}年度评选",
                                           phase=Phase.PUBLISHED, nomination_ends_on=dt.date(year, 10, 1),
                                           review_ends_on=dt.date(year, 10, 15),
                                           voting_starts_on=dt.date(year, 11, 1), voting_ends_on=dt.date(year, 11, 30))
        cat = Category.objects.create(campaign=campaign, name="示范离退休干部党支部",
                                      nominee_rule=NomineeRule.ORGANIZATION, quota=1)
        Nomination.objects.create(campaign=campaign, category=cat, nominee_org=tree.a, reasons=REASONS, is_winner=True)

    add_year(2020)
    few = queries()
    for year in range(2021, 2026):
        add_year(year)
    html = c.get(tree.a.get_absolute_url()).content.decode()
    assert "2025年度评选" in html and "2020年度评选" in html
    assert queries() == few
