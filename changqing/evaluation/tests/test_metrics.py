"""The score formula and grade bands, without a database."""
from decimal import Decimal

from changqing.evaluation import metrics
from changqing.evaluation.defaults import STAR_BANDS


def test_ratio_score_capped_at_weight_and_target():
    f = {"participated": 68, "recorded": 100}
    assert metrics.ratio(metrics.ATTENDANCE_RATE, f) == Decimal("0.68")
    # 15 × 0.68 / 0.85 = 12.0
    assert metrics.score(metrics.ATTENDANCE_RATE, f, 15, Decimal("0.85")) == Decimal("12.0")
    assert metrics.score(metrics.ATTENDANCE_RATE, {"participated": 95, "recorded": 100}, 15, "0.85") == Decimal("15.0")
    # half up to a tenth: 25 × 73/78 = 23.397…
    assert metrics.score(metrics.MEETINGS_HELD, {"held": 73, "required": 78}, 25) == Decimal("23.4")


def test_not_applicable_scores_full_weight_and_says_so():
    assert metrics.score(metrics.HOME_DELIVERY, {"reached": 0, "immobile": 0}, 10) == Decimal("10.0")
    assert "不适用" in metrics.describe(metrics.HOME_DELIVERY, {"reached": 0, "immobile": 0})
    assert "3 / " in metrics.describe(metrics.HOME_DELIVERY, {"reached": 3, "immobile": 4})


def test_dues_and_term_are_ratios_of_counts():
    assert metrics.score(metrics.DUES_ARREARS, {"on_time": 3, "members": 4}, 10) == Decimal("7.5")
    assert metrics.score(metrics.TERM_ON_TIME, {"on_time": 0, "branches": 1}, 5) == Decimal("0.0")


def test_star_bands_and_innovation_rule():
    assert metrics.grade_for(Decimal("92"), STAR_BANDS, innovation_required=True,
                             innovation_score=Decimal("3")) == ("5", "五星级")
    # ≥90 without innovation → next band
    assert metrics.grade_for(Decimal("92"), STAR_BANDS, innovation_required=True,
                             innovation_score=Decimal("0")) == ("4", "四星级")
    assert metrics.grade_for(Decimal("90"), STAR_BANDS) == ("5", "五星级")
    assert metrics.grade_for(Decimal("89.9"), STAR_BANDS) == ("4", "四星级")
    assert metrics.grade_for(Decimal("70"), STAR_BANDS) == ("3", "三星级")
    assert metrics.grade_for(Decimal("59.9"), STAR_BANDS) == ("1", "一星级")


def test_add_sums_counts_only():
    agg = {}
    metrics.add(agg, {"held": 3, "required": 4, "rules": [1], "as_of": "2025-12-31"})
    metrics.add(agg, {"held": 1, "required": 4})
    assert agg == {"held": 4, "required": 8}
