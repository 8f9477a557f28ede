"""Writes: validation in Chinese, overrides need reasons, reviewers only in scope, versions kept."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changqing.core.roles import Role
from changqing.evaluation import services
from changqing.evaluation.models import Assessment, Designation, ItemScore, Rubric, RubricVersion
from tests.factories import make_user

from .conftest import TODAY, YEAR, build_branch_year


@pytest.fixture
def star_a(tree):
    build_branch_year(tree.a)
    return services.assessment_compute(organization=tree.a, year=YEAR, rubric=Rubric.objects.get(code="star"),
                                       today=TODAY)


def _score(a, code):
    return ItemScore.objects.select_related("item").get(assessment=a, item__code=code)


def test_default_rubrics_from_the_migration(db):
    star = Rubric.objects.get(code="star")
    v = star.version_for(2025)
    assert [b["min"] for b in v.bands] == [90, 80, 70, 60, 0] and v.innovation_required
    assert v.total_weight == 100
    assert sum(i.weight for i in Rubric.objects.get(code="five_good").version_for(2025).items.all()) == 100
    assert {i.name[:4] for i in Rubric.objects.get(code="five_good").version_for(2025).items.all()} >= {"支部班子", "群众反映"}
    assert Rubric.objects.get(code="six_good").version_for(2025).items.count() == 6


def test_compute_draft_with_unscored_manual_items(star_a):
    assert star_a.state == "draft" and star_a.unscored == 3
    d1 = _score(star_a, "D1")
    assert d1.final_score == d1.computed_score and d1.figures["required"] > 0
    m1 = _score(star_a, "M1")
    assert m1.final_score is None and m1.computed_score is not None  # the related metric's reference
    assert star_a.total == sum(s.final_score or 0 for s in star_a.scores.all())


def test_reviewer_scores_manual_item_and_total_moves(star_a, reviewer):
    before = star_a.total
    services.item_score_set(score=_score(star_a, "M2"), value="8.5", reason="志愿服务经常", user=reviewer)
    star_a.refresh_from_db()
    assert star_a.total == before + Decimal("8.5") and star_a.unscored == 2


@pytest.mark.parametrize("value,reason,field,text", [
    ("", "理由", "value", "请填写得分"),
    ("abc", "理由", "value", "必须是数字"),
    ("11", "理由", "value", "0 到 10.0 分之间"),
    ("-1", "理由", "value", "0 到 10.0 分之间"),
    ("8.25", "理由", "value", "一位小数"),
    ("8", " ", "reason", "必须填写评分理由"),
])
def test_manual_score_validation_in_chinese(star_a, reviewer, value, reason, field, text):
    with pytest.raises(ValidationError) as exc:
        services.item_score_set(score=_score(star_a, "M2"), value=value, reason=reason, user=reviewer)
    assert text in " ".join(exc.value.message_dict[field])
    assert _score(star_a, "M2").reviewer_score is None


def test_override_of_data_item_needs_reason_and_keeps_computed(star_a, reviewer):
    d2 = _score(star_a, "D2")
    with pytest.raises(ValidationError) as exc:
        services.item_score_set(score=d2, value="15", reason="", user=reviewer)
    assert "调整数据计算的得分必须填写理由" in exc.value.message_dict["reason"][0]
    services.item_score_set(score=d2, value="15", reason="纸质签到补录", user=reviewer)
    d2.refresh_from_db()
    assert d2.final_score == Decimal("15.0") and d2.computed_score < Decimal("15") and d2.overridden
    # removing the override also needs a reason, then the computed score applies again
    with pytest.raises(ValidationError):
        services.item_score_set(score=d2, value="", reason="", user=reviewer)
    services.item_score_set(score=d2, value="", reason="补录材料不足", user=reviewer)
    d2.refresh_from_db()
    assert d2.reviewer_score is None and d2.final_score == d2.computed_score


def test_only_reviewers_in_scope_may_score(star_a, tree, secretary_a):
    other_root = type(tree.root).objects.create(code="OTHER", name="别的党工委", kind="committee")
    outsider = make_user("outsider", Role.BUREAU_ADMIN, organization=other_root)
    member_b = make_user("gw_b", Role.COMMITTEE_MEMBER, organization=tree.b)
    for user in (secretary_a, outsider, member_b):
        with pytest.raises(PermissionDenied):
            services.item_score_set(score=_score(star_a, "M2"), value="5", reason="x", user=user)
    gw = make_user("gw_a", Role.COMMITTEE_MEMBER, organization=tree.a)
    services.item_score_set(score=_score(star_a, "M2"), value="5", reason="走访了解", user=gw)


def test_confirm_needs_every_manual_item_and_locks(star_a, reviewer):
    with pytest.raises(ValidationError) as exc:
        services.assessment_confirm(assessment=star_a, user=reviewer)
    assert "3 个人工评分项未评分" in exc.value.messages[0]
    for code, v in (("M1", "9"), ("M2", "8"), ("M3", "0")):
        services.item_score_set(score=_score(star_a, code), value=v, reason="核实", user=reviewer)
    star_a.refresh_from_db()
    services.assessment_confirm(assessment=star_a, user=reviewer)
    with pytest.raises(ValidationError):
        services.item_score_set(score=_score(star_a, "M2"), value="1", reason="改", user=reviewer)
    with pytest.raises(ValidationError) as exc:
        services.assessment_compute(organization=star_a.organization, year=YEAR, rubric=star_a.rubric, today=TODAY)
    assert "已确认" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.assessment_reopen(assessment=star_a, user=reviewer, reason="")
    services.assessment_reopen(assessment=star_a, user=reviewer, reason="补充材料")
    back = Assessment.objects.get(pk=star_a.pk)
    assert back.state == "draft" and back.returned_reason == "补充材料"


def test_innovation_needed_for_five_stars(star_a, reviewer):
    # lift every item to full so the total is ≥90, innovation 0 → four stars
    for s in ItemScore.objects.filter(assessment=star_a).select_related("item"):
        if s.item.code != "M3":
            services.item_score_set(score=s, value=str(s.item.weight), reason="核实", user=reviewer)
    services.item_score_set(score=_score(star_a, "M3"), value="0", reason="无创新", user=reviewer)
    star_a.refresh_from_db()
    assert star_a.total == 95 and star_a.grade == "4"
    services.item_score_set(score=_score(star_a, "M3"), value="2", reason="口述史档案", user=reviewer)
    star_a.refresh_from_db()
    assert star_a.grade == "5" and star_a.grade_label == "五星级"


def test_recompute_keeps_reviewer_scores_and_version(star_a, reviewer, tree):
    services.item_score_set(score=_score(star_a, "M2"), value="7", reason="一般", user=reviewer)
    rubric = star_a.rubric
    own = services.rubric_copy(source=rubric, owner=tree.root, code="t-star", name="本县星级", user=reviewer)
    v1 = own.versions.get()
    items = [{"code": i.code, "name": i.name, "weight": i.weight, "source": i.source, "metric": i.metric,
              "related_metric": i.related_metric, "target": i.target, "is_innovation": i.is_innovation}
             for i in v1.items.all()]
    items[0]["weight"] = Decimal(20)
    with pytest.raises(ValidationError) as exc:
        services.rubric_revise(rubric=own, from_year=2026, bands_text="90 五星级 5\n0 一星级 1", items=items,
                               user=reviewer, innovation_required=True)
    assert "合计应为 100 分，现为 95" in " ".join(exc.value.message_dict["items"])
    with pytest.raises(ValidationError) as exc:
        services.rubric_revise(rubric=own, from_year=2026, bands_text="80 四星级\n90 五星级", items=items,
                               user=reviewer)
    assert "从高到低" in exc.value.message_dict["bands"][0]
    items[1]["weight"] = Decimal(20)
    v2 = services.rubric_revise(rubric=own, from_year=2026, bands_text="85 五星级 5\n0 一星级 1", items=items,
                                user=reviewer, innovation_required=True)
    assert own.version_for(2025) == v1 and own.version_for(2026) == v2
    with pytest.raises(PermissionDenied):
        services.rubric_revise(rubric=rubric, from_year=2026, bands_text="0 x", items=items, user=reviewer)
    # the existing assessment keeps its version when recomputed; the reviewer's score stays
    again = services.assessment_compute(organization=tree.a, year=YEAR, rubric=rubric, today=TODAY)
    assert again.pk == star_a.pk and again.version_id == star_a.version_id
    assert _score(again, "M2").reviewer_score == Decimal("7.0")
    assert RubricVersion.objects.filter(rubric=rubric).count() == 1


def test_designation_rules(tree, reviewer):
    build_branch_year(tree.a)
    five = Rubric.objects.get(code="five_good")
    a = services.assessment_compute(organization=tree.a, year=YEAR, rubric=five, today=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.designation_create(basis=a, user=reviewer)
    assert "尚未确认" in exc.value.messages[0]
    for s in a.scores.select_related("item"):
        services.item_score_set(score=s, value=str(s.item.weight - 1), reason="核实", user=reviewer)
    a.refresh_from_db()
    services.assessment_confirm(assessment=a, user=reviewer)
    d = services.designation_create(basis=a, user=reviewer, on=dt.date(2026, 1, 20))
    assert d.title == "五好支部" and d.active
    with pytest.raises(ValidationError):
        services.designation_create(basis=a, user=reviewer)
    with pytest.raises(ValidationError) as exc:
        services.assessment_reopen(assessment=a, user=reviewer, reason="复核")
    assert "先撤销命名" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.designation_revoke(designation=d, user=reviewer, reason=" ")
    services.designation_revoke(designation=d, user=reviewer, reason="班子不健全")
    assert not Designation.objects.get(pk=d.pk).active


def test_responsibility_scores_units_not_branches(tree):
    build_branch_year(tree.a)
    resp = Rubric.objects.get(code="responsibility")
    with pytest.raises(ValidationError) as exc:
        services.assessments_compute(orgs=[tree.a], year=YEAR, rubric=resp, today=TODAY)
    assert "不是支部" in exc.value.messages[0]
    [a] = services.assessments_compute(orgs=[tree.root], year=YEAR, rubric=resp, today=TODAY)
    assert a.unscored == 2 and a.kind == "responsibility"
    with pytest.raises(ValidationError):
        services.assessments_compute(orgs=[tree.a], year=TODAY.year + 1, rubric=Rubric.objects.get(code="star"),
                                     today=TODAY)


def test_one_star_rating_per_year_even_after_a_bureau_copies_the_rubric(star_a, tree, reviewer):
    own = services.rubric_copy(source=star_a.rubric, owner=tree.root, code="t-star2", name="本县星级",
                               user=reviewer)
    # the history page's button computes with the rubric the year was already scored with
    again = services.assessment_compute(organization=tree.a, year=YEAR, today=TODAY)
    assert again.pk == star_a.pk
    made = services.assessments_compute(orgs=[tree.a, tree.b], year=YEAR, rubric=own, today=TODAY)
    assert [a.organization_id for a in made] == [tree.b.pk]
    assert Assessment.objects.filter(organization=tree.a, year=YEAR, kind="star_rating").count() == 1
