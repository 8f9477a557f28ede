"""The engine on hand-checked cases from DOMAIN.md §4 and §6; no database."""
import datetime as dt

import pytest

from changqing.life import engine
from changqing.life.defaults import RETIRED_RULES, STANDARD_RULES
from changqing.life.engine import AttendanceFact, Branch, MeetingFact, Member, RuleSpec, RulesetSpec

NAMES = {"general_meeting": "党员大会", "committee_meeting": "支委会", "group_meeting": "党小组会",
         "party_lecture": "党课", "theme_day": "主题党日", "review_meeting": "组织生活会",
         "member_appraisal": "民主评议党员", "heart_talk": "谈心谈话", "study_day": "集中学习日"}


def spec(rules, code):
    return RulesetSpec(code, code, tuple(RuleSpec(k, NAMES[k], n, p, pm) for k, n, p, pm in rules))


RETIRED = spec(RETIRED_RULES, "retired")
STANDARD = spec(STANDARD_RULES, "standard")
B = Branch(1, "B1", "一支部")


def by_kind(results):
    return {r.rule.kind: r for r in results}


def test_parse_period_forms():
    assert engine.parse_period("2025") == engine.Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025年")
    q = engine.parse_period("2025-Q1")
    assert (q.start, q.end) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    m = engine.parse_period("2024-02")
    assert (m.start, m.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    r = engine.parse_period("2025-01..2025-06")
    assert (r.start, r.end) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30)) and len(r.months) == 6


@pytest.mark.parametrize("bad", ["", "2025-13", "2025-Q5", "25", "2025-06..2025-01", "abc"])
def test_parse_period_rejects_in_chinese(bad):
    with pytest.raises(engine.PeriodError) as exc:
        engine.parse_period(bad)
    assert "期间" in str(exc.value) or "月份" in str(exc.value)


def test_retired_year_hand_checked():
    """A retired branch in 2025: 党小组会 in 11 months (March missed), 支委会 in Q1-Q3 only,
    one 党员大会; asked on 2025-12-20 (Q4 still open, 11 days left)."""
    meetings = []
    n = 0
    for month in range(1, 13):
        if month != 3:
            n += 1
            meetings.append(MeetingFact(n, 1, "group_meeting", dt.date(2025, month, 8)))
    for month in (2, 5, 8):
        n += 1
        meetings.append(MeetingFact(n, 1, "committee_meeting", dt.date(2025, month, 3)))
    meetings.append(MeetingFact(99, 1, "general_meeting", dt.date(2025, 6, 30)))
    res = by_kind(engine.compliance([B], {1: RETIRED}, meetings, engine.parse_period("2025"), dt.date(2025, 12, 20)))
    g = res["group_meeting"]
    assert (g.required, g.held, g.status) == (12, 11, engine.OVERDUE)
    assert g.due_on == dt.date(2025, 3, 31)  # the first missed month
    c = res["committee_meeting"]
    assert (c.required, c.held, c.status, c.days_left) == (4, 3, engine.DUE_SOON, 11)
    gm = res["general_meeting"]
    assert (gm.required, gm.held, gm.status, gm.record_ids) == (1, 1, engine.DONE, [99])
    assert res["review_meeting"].status == engine.DUE_SOON  # yearly, 11 days left, not held


def test_standard_needs_more_than_retired():
    """The same year under the standard ruleset: 党员大会 per quarter, 支委会 per month."""
    meetings = [MeetingFact(1, 1, "general_meeting", dt.date(2025, 6, 30)),
                MeetingFact(2, 1, "committee_meeting", dt.date(2025, 2, 3))]
    res = by_kind(engine.compliance([B], {1: STANDARD}, meetings, engine.parse_period("2025"), dt.date(2026, 1, 5)))
    assert (res["general_meeting"].required, res["general_meeting"].held) == (4, 1)
    assert (res["committee_meeting"].required, res["committee_meeting"].held) == (12, 1)
    assert res["general_meeting"].status == engine.OVERDUE
    assert "study_day" not in res  # standard has no study rule


def test_month_view_judges_quarter_rule_on_its_quarter():
    """Asked about 2025-03 on 2025-03-19, a quarterly 支委会 held in January is done;
    if not held, it is due in 12 days (the branch page's sentence)."""
    held = [MeetingFact(1, 1, "committee_meeting", dt.date(2025, 1, 10))]
    march = engine.parse_period("2025-03")
    today = dt.date(2025, 3, 19)
    assert by_kind(engine.compliance([B], {1: RETIRED}, held, march, today))["committee_meeting"].status == engine.DONE
    r = by_kind(engine.compliance([B], {1: RETIRED}, [], march, today))["committee_meeting"]
    assert (r.status, r.days_left, r.due_on) == (engine.DUE_SOON, 12, dt.date(2025, 3, 31))


def test_future_window_is_pending_and_branch_lifetime_respected():
    late = Branch(2, "B2", "新支部", established_on=dt.date(2025, 7, 1))
    res = engine.compliance([late], {2: RETIRED}, [], engine.parse_period("2025"), dt.date(2025, 5, 1))
    g = by_kind(res)["group_meeting"]
    assert (g.required, g.status) == (6, engine.PENDING)  # July..December, none begun


def test_per_member_heart_talk_counts_distinct_members():
    members = [Member(10, 1, "甲"), Member(11, 1, "乙"), Member(12, 1, "丙")]
    meetings = [MeetingFact(1, 1, "heart_talk", dt.date(2025, 4, 1)), MeetingFact(2, 1, "heart_talk", dt.date(2025, 5, 1))]
    att = [AttendanceFact(1, 10, "present"), AttendanceFact(2, 10, "present"), AttendanceFact(2, 11, "home_delivery"),
           AttendanceFact(2, 12, "absent")]
    r = by_kind(engine.compliance([B], {1: RETIRED}, meetings, engine.parse_period("2025"), dt.date(2026, 1, 2),
                                  att, members))["heart_talk"]
    assert (r.required, r.held, r.status) == (3, 2, engine.OVERDUE)


def test_home_delivery_counts_and_excused_immobile_without_it_is_flagged():
    members = [Member(10, 1, "行动不便甲", immobile=True), Member(11, 1, "行动不便乙", immobile=True),
               Member(12, 1, "健康丙")]
    meetings = [MeetingFact(1, 1, "group_meeting", dt.date(2025, 3, 8))]
    att = [AttendanceFact(1, 10, "home_delivery"), AttendanceFact(1, 11, "excused"), AttendanceFact(1, 12, "present")]
    res = {r.member.id: r for r in engine.participation(members, meetings, att, engine.parse_period("2025-03"),
                                                          dt.date(2025, 3, 20))}
    assert res[10].participations == 1 and res[10].excused_unreached == []
    assert res[11].participations == 0 and res[11].excused_unreached == [1]
    # A 送学上门 study record later that month reaches member 11.
    res = {r.member.id: r for r in engine.participation(members, meetings, att, engine.parse_period("2025-03"),
                                                          dt.date(2025, 3, 20), deliveries=[(11, dt.date(2025, 3, 15))])}
    assert res[11].participations == 1 and res[11].excused_unreached == []


@pytest.mark.parametrize("last,expect", [
    (dt.date(2025, 4, 10), None),  # 2 months
    (dt.date(2025, 3, 10), 3),
    (dt.date(2025, 1, 11), 3),  # 01-11 → 06-10 is 4 whole months: the 3-month warning
    (dt.date(2025, 1, 10), 5),
    (dt.date(2024, 12, 10), 6),
    (dt.date(2023, 1, 1), 6),
])
def test_six_month_rule_warnings(last, expect):
    m = Member(10, 1, "甲")
    r = engine.participation([m], [], [], engine.parse_period("2025-06"), dt.date(2025, 6, 10),
                             last_before={10: last})[0]
    assert r.warning == expect


def test_vote_quorum_and_majority_of_due():
    assert not engine.check_vote(due=20, present=10, votes_for=10).quorum  # not more than half
    v = engine.check_vote(due=20, present=11, votes_for=10)
    assert v.quorum and not v.passed  # 10 of 20 due is not more than half
    assert engine.check_vote(due=20, present=11, votes_for=11).passed
    assert engine.check_vote(due=20, present=11, votes_for=6, base="present").passed
