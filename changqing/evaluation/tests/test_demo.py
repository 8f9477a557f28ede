"""The demo extender: both years for every branch, honest manual scores, a unit ranking, idempotent."""
import datetime as dt
import random

from changqing.demo.extend import DemoContext
from changqing.evaluation import demo, selectors
from changqing.evaluation.models import Assessment, ItemScore

from .conftest import build_branch_year


def _ctx(tree, scale="county"):
    return DemoContext(scale=scale, seed=1, root=tree.root, today=dt.date(2026, 11, 24), log_history=False,
                       progress=lambda m: None, rng=random.Random("1:evaluation"))


def test_county_extender(tree):
    build_branch_year(tree.a)
    build_branch_year(tree.b)
    demo.extend(_ctx(tree))
    for year in (2024, 2025):
        for org in (tree.a, tree.b):
            kinds = set(Assessment.objects.filter(organization=org, year=year).values_list("kind", flat=True))
            assert kinds == {"star_rating", "model_branch"}
        assert Assessment.objects.filter(organization=tree.root, year=year, kind="responsibility").exists()
        # no contradictions between manual and data scores: within half a point
        rows = list(selectors.manual_vs_data(org_path=tree.root.path, year=year))
        assert rows and all(abs(r["reviewer_score"] - r["data_score"]) <= 0.5 for r in rows)
    assert not Assessment.objects.filter(year=2024).exclude(state="confirmed").exists()
    confirmed = Assessment.objects.filter(state="confirmed")
    assert not confirmed.filter(unscored__gt=0).exists()
    assert not ItemScore.objects.filter(assessment__in=confirmed, final_score__isnull=True).exists()
    n = Assessment.objects.count()
    demo.extend(_ctx(tree))
    assert Assessment.objects.count() == n


def test_province_is_skipped(tree):
    demo.extend(_ctx(tree, "province"))
    assert not Assessment.objects.exists()
