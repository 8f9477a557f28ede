"""Figures counted from constructed records; query counts that do not grow; the audit's comparison feed."""
import datetime as dt
from decimal import Decimal

from changqing.evaluation import metrics, selectors, services
from changqing.evaluation.models import ItemScore, Rubric
from changqing.orgs.models import Organization, OrgKind

from .conftest import TODAY, YEAR, build_branch_year


def test_figures_of_a_constructed_branch(tree):
    build_branch_year(tree.a)  # 4 new members + the fixture's one = 5 members
    f = selectors.collect([tree.a], YEAR, today=TODAY)[tree.a.pk]
    rules = {r["kind"]: r for r in f[metrics.MEETINGS_HELD]["rules"]}
    assert (rules["group_meeting"]["required"], rules["group_meeting"]["held"]) == (12, 10)
    assert (rules["theme_day"]["required"], rules["theme_day"]["held"]) == (12, 12)
    assert len(rules["group_meeting"]["ids"]) == 10
    assert f[metrics.MEETINGS_HELD]["required"] == sum(r["required"] for r in rules.values())
    # attendance: 10 meetings × 4 rows; absent 10, excused 1 → 29 of 40
    assert f[metrics.ATTENDANCE_RATE] == {"participated": 29, "recorded": 40, "meetings": 10}
    # the immobile member was excused in March without a delivery that month
    assert f[metrics.HOME_DELIVERY] == {"reached": 0, "immobile": 1}
    # two of five living retirees visited in 2025 (the 2024 visit does not count)
    assert f[metrics.CARE_VISITS] == {"visited": 2, "retirees": 5}
    # one member paid only to August: ≥3 months behind at December; the fixture member has no base
    assert (f[metrics.DUES_ARREARS]["members"], f[metrics.DUES_ARREARS]["arrears"]) == (5, 1)
    assert f[metrics.TERM_ON_TIME]["on_time"] == 1


def test_overdue_term_and_no_term(tree):
    build_branch_year(tree.a, term_end=dt.date(2025, 6, 30))
    f = selectors.collect([tree.a, tree.b], YEAR, today=TODAY)
    assert f[tree.a.pk][metrics.TERM_ON_TIME]["on_time"] == 0
    assert f[tree.a.pk][metrics.TERM_ON_TIME]["days_overdue"] == 184
    assert f[tree.b.pk][metrics.TERM_ON_TIME] ["on_time"] == 0 and f[tree.b.pk][metrics.TERM_ON_TIME]["term_end"] == ""


def _count(func, *args, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        func(*args, **kwargs)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_branches(tree, django_assert_max_num_queries):
    build_branch_year(tree.a)
    star = Rubric.objects.get(code="star")
    one = _count(selectors.collect, [tree.a], YEAR, today=TODAY)
    one_compute = _count(services.assessments_compute, orgs=[tree.a], year=YEAR, rubric=star, today=TODAY)
    more = []
    for i in range(4):
        b = Organization.objects.create(code=f"T-X{i}", name=f"新支部{i}", kind=OrgKind.BRANCH, parent=tree.root)
        build_branch_year(b)
        more.append(b)
    many = _count(selectors.collect, [tree.a, tree.b] + more, YEAR, today=TODAY)
    assert many <= one + 1  # +1: finding the common root of several branches; never per branch
    # the first branch is recomputed (update), the others are new (create): still no per-branch queries
    # (+6: the update path, and the history of its scores: their before-state read and its INSERT)
    many_compute = _count(services.assessments_compute, orgs=[tree.a, tree.b] + more, year=YEAR, rubric=star,
                          today=TODAY)
    assert many_compute <= one_compute + 6


def test_units_sum_their_branches(tree):
    build_branch_year(tree.a)
    build_branch_year(tree.b)
    units, led = selectors.responsibility_units(tree.root)
    assert [u.code for u in units] == ["T"] and {b.code for b in led[tree.root.pk]} == {"T-A", "T-B"}
    f = selectors.collect_units(units, YEAR, today=TODAY, led=led)[tree.root.pk]
    per = selectors.collect([tree.a, tree.b], YEAR, today=TODAY)
    assert f[metrics.ATTENDANCE_RATE]["recorded"] == sum(per[b][metrics.ATTENDANCE_RATE]["recorded"] for b in per)
    assert f[metrics.TERM_ON_TIME]["branches"] == 2


def test_manual_vs_data_feed(tree, reviewer):
    build_branch_year(tree.a)
    services.assessments_compute(orgs=[tree.a, tree.b], year=YEAR, rubric=Rubric.objects.get(code="star"),
                                 today=TODAY)
    scores = {s.item.code: s for s in ItemScore.objects.filter(assessment__organization=tree.a).select_related("item")}
    # M1 relates to meetings_held: the reviewer's 10 against a data-derived reference
    services.item_score_set(score=scores["M1"], value="10", reason="记录完整", user=reviewer)
    # M3 (innovation) has no related metric: not comparable
    services.item_score_set(score=scores["M3"], value="5", reason="有特色品牌", user=reviewer)
    # D2 overridden
    services.item_score_set(score=scores["D2"], value="15", reason="线下补登的出席", user=reviewer)
    rows = list(selectors.manual_vs_data(org_path=tree.root.path, year=YEAR))
    by_code = {r["item_code"]: r for r in rows}
    assert set(by_code) == {"M1", "D2"}
    m1 = by_code["M1"]
    assert m1["metric"] == metrics.MEETINGS_HELD and m1["reviewer_score"] == Decimal("10.0")
    assert m1["data_score"] == metrics.score(metrics.MEETINGS_HELD, m1["metric_figures"], 10)
    assert set(m1["metric_figures"]) >= {"held", "required"} and m1["reviewer"] == "reviewer"
    assert m1["reason"] == "记录完整" and m1["organization_id"] == tree.a.pk and m1["weight"] == Decimal("10.0")
    assert by_code["D2"]["data_score"] == scores["D2"].computed_score
    assert list(selectors.manual_vs_data(org_path=tree.b.path, year=YEAR)) == []
    assert list(selectors.manual_vs_data(org_path=tree.root.path, year=YEAR - 1)) == []


def test_manual_vs_data_query_count_is_bounded(tree, reviewer, django_assert_max_num_queries):
    build_branch_year(tree.a)
    build_branch_year(tree.b)
    services.assessments_compute(orgs=[tree.a, tree.b], year=YEAR, rubric=Rubric.objects.get(code="star"),
                                 today=TODAY)
    for s in ItemScore.objects.filter(item__code="M1"):
        services.item_score_set(score=s, value="8", reason="一般", user=reviewer)
    with django_assert_max_num_queries(2):
        rows = list(selectors.manual_vs_data(org_path=tree.root.path, year=YEAR))
    assert len(rows) == 2
