"""The life-events policy, pure (no database)."""
import datetime as dt

import pytest

from changqing.lifeevents import rules


def test_defaults_parse_to_the_issue_values():
    r = rules.parse({})
    assert (r.visit_days, r.long_stay_days, r.repeat_count, r.repeat_months) == (3, 30, 3, 12)
    assert [s[0] for s in r.steps] == ["慰问家属", "送别/追思", "抚恤金与遗属补助申请", "档案移交"]


def test_visit_due_and_care_level_reason():
    r = rules.parse({})
    assert rules.visit_due(dt.date(2026, 11, 20), r) == dt.date(2026, 11, 23)
    assert rules.care_level_reason(stay_days=30, stays_in_window=1, rules=r) == ""
    assert "超过30天" in rules.care_level_reason(stay_days=31, stays_in_window=1, rules=r)
    assert "第3次" in rules.care_level_reason(stay_days=2, stays_in_window=3, rules=r)


def test_months_back_clamps_the_day():
    assert rules.months_back(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert rules.months_back(dt.date(2026, 11, 24), 12) == dt.date(2025, 11, 24)


def test_steps_text_round_trip_and_chinese_errors():
    text = rules.steps_text(rules.DEFAULTS["steps"])
    assert rules.parse_steps(text) == rules.DEFAULTS["steps"]
    with pytest.raises(ValueError, match="第1行格式"):
        rules.parse_steps("慰问家属")
    with pytest.raises(ValueError, match="整数"):
        rules.parse_steps("慰问家属|三|支部书记")
    with pytest.raises(ValueError, match="负责角色"):
        rules.parse_steps("慰问家属|3|街道")
    with pytest.raises(ValueError, match="至少"):
        rules.parse_steps("  \n")
