"""The absence rule engine: pure, no database."""
import datetime as dt

import pytest

from changqing.members.rules import AbsenceRule, Due, add_months, assess

D = dt.date
RULE = AbsenceRule()


def run(start, today, end=None, expected=None, hosted=False, reported=None, rule=RULE):
    return assess(start_on=start, end_on=end, expected_end_on=expected, hosted=hosted, last_report_on=reported,
                  today=today, rule=rule)


def test_add_months_clamps_to_month_end():
    assert add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert add_months(D(2027, 11, 30), 3) == D(2028, 2, 29)
    assert add_months(D(2026, 5, 15), -6) == D(2025, 11, 15)


def test_over_six_months_needs_temporary_relationship():
    a = run(D(2026, 5, 1), D(2026, 11, 1))
    assert a.due == Due.LONG_OVERDUE and "转临时组织关系" in a.message and a.limit_on == D(2026, 11, 1)
    assert run(D(2026, 5, 1), D(2026, 10, 31), reported=D(2026, 10, 20)).due == Due.LONG_SOON


def test_hosted_or_returned_needs_nothing():
    assert run(D(2026, 1, 1), D(2026, 11, 1), hosted=True).due == Due.HOSTED
    assert run(D(2026, 1, 1), D(2026, 11, 1), end=D(2026, 9, 1)).due == Due.RETURNED


def test_planned_long_stay_is_flagged_before_the_limit():
    a = run(D(2026, 11, 1), D(2026, 11, 10), expected=D(2027, 6, 1), reported=D(2026, 11, 5))
    assert a.due == Due.LONG_PLANNED and "2027年05月01日前" in a.message


def test_short_stay_reports_to_branch():
    assert run(D(2026, 11, 1), D(2026, 11, 20), expected=D(2027, 2, 1)).due == Due.NONE
    a = run(D(2026, 10, 1), D(2026, 11, 20), expected=D(2027, 2, 1))
    assert a.due == Due.REPORT and "向支部说明情况" in a.message
    assert run(D(2026, 10, 1), D(2026, 11, 20), expected=D(2027, 2, 1), reported=D(2026, 11, 1)).due == Due.NONE


def test_passed_expected_return_does_not_hide_the_limit():
    # expected back in March, still away in late April: the limit (May 1) is near.
    assert run(D(2025, 11, 1), D(2026, 4, 20), expected=D(2026, 3, 1), reported=D(2026, 4, 1)).due == Due.LONG_SOON


def test_rule_is_configurable():
    strict = AbsenceRule(limit_months=3, long_stay="transfer", short_stay="temporary_relationship")
    a = run(D(2026, 7, 1), D(2026, 10, 2), rule=strict)
    assert a.due == Due.LONG_OVERDUE and "转接正式组织关系" in a.message
    with pytest.raises(ValueError):
        AbsenceRule(long_stay="nonsense")


def test_setting_overrides_default(settings):
    from changqing.members.rules import current_rule

    settings.CHANGQING = {**settings.CHANGQING, "ABSENCE_RULE": {"limit_months": 4}}
    assert current_rule().limit_months == 4 and current_rule().short_stay == "report_to_branch"


def test_exactly_the_limit_is_long_by_default_and_a_policy_may_say_otherwise():
    """DOMAIN.md §6: away exactly six months counts as a long stay (the general rule's ≥6)."""
    start, limit = D(2026, 5, 1), D(2026, 11, 1)
    assert run(start, limit, reported=D(2026, 10, 25)).due == Due.LONG_OVERDUE
    beyond_only = AbsenceRule(exact_limit_is_long=False)
    assert run(start, limit, reported=D(2026, 10, 25), rule=beyond_only).due != Due.LONG_OVERDUE
    assert run(start, D(2026, 11, 2), reported=D(2026, 10, 25), rule=beyond_only).due == Due.LONG_OVERDUE
    # Planned to return exactly at the limit: a long stay coming (default) or nothing to transfer (the policy).
    assert run(start, D(2026, 10, 20), expected=limit, reported=D(2026, 10, 15)).due == Due.LONG_SOON
    assert run(start, D(2026, 10, 20), expected=limit, reported=D(2026, 10, 15), rule=beyond_only).due == Due.NONE
