"""The pure rules of DOMAIN.md §3, at their edges."""
import datetime as dt

import pytest

from changqing.orgs import rules as r

RULES = r.OrgRules()


def cand(key, votes, eligible=True):
    return r.Candidate(key=key, name=f"候选人{key}", votes=votes, eligible=eligible)


def check(seats=5, due=30, present=25, votes=(20, 20, 20, 20, 20, 3), basis=r.WIN_BASIS_DUE, eligible=30,
          rules=RULES, candidates=None):
    return r.check_election(seats=seats, due=due, present=present, eligible_voters=eligible,
                            candidates=candidates or [cand(i, v) for i, v in enumerate(votes)], basis=basis,
                            rules=rules)


@pytest.mark.parametrize("seats,needed", [(1, 2), (2, 3), (3, 4), (5, 6), (7, 9), (10, 12)])
def test_candidates_needed_is_seats_times_1_2_rounded_up(seats, needed):
    assert RULES.candidates_needed(seats) == needed


def test_five_seats_need_six_candidates():
    five = check(votes=(20, 20, 20, 20, 20))
    assert "candidates" in five.errors and "不少于6名" in five.errors["candidates"][0]
    assert check(votes=(20, 20, 20, 20, 20, 3)).ok


def test_exactly_four_fifths_present_is_not_enough():
    at = check(due=30, present=24)  # 24/30 = 4/5 exactly
    assert "present" in at.errors and "至少需要25人" in at.errors["present"][0]
    assert check(due=30, present=25).ok
    assert not RULES.quorum_met(5, 4) and RULES.quorum_met(5, 5)
    assert not RULES.quorum_met(10, 8) and RULES.quorum_met(10, 9)


def test_present_cannot_exceed_due_and_due_cannot_exceed_eligible():
    assert "present" in check(due=20, present=21).errors
    over = check(due=31, present=30, eligible=30)
    assert "due_to_attend" in over.errors and "预备党员没有选举权" in over.errors["due_to_attend"][0]


def test_winning_threshold_due_by_default_or_present_as_setting():
    # due 30 → 16 votes needed; present 25 → 13 needed.
    votes = (25, 24, 23, 15, 14, 2)
    by_due = check(votes=votes)
    assert by_due.votes_to_win == 16 and by_due.elected == [0, 1, 2]
    assert "少于应选5名" in by_due.notes[0]
    by_present = check(votes=votes, basis=r.WIN_BASIS_PRESENT)
    assert by_present.votes_to_win == 13 and by_present.elected == [0, 1, 2, 3, 4]
    assert by_present.notes == []


def test_win_basis_default_comes_from_settings(settings):
    settings.CHANGQING = {**settings.CHANGQING, "ORG_RULES": {"win_basis": "present", "candidate_ratio": "1.5"}}
    rules = r.current_rules()
    assert rules.win_basis == r.WIN_BASIS_PRESENT and rules.candidates_needed(4) == 6
    settings.CHANGQING = {**settings.CHANGQING, "ORG_RULES": {"win_basis": "nonsense"}}
    with pytest.raises(ValueError):
        r.current_rules()


def test_half_exactly_does_not_win():
    # due 20 → more than half is 11; 10 is exactly half.
    result = check(seats=1, due=20, present=17, eligible=20, votes=(10, 7))
    assert result.votes_to_win == 11 and result.elected == []


def test_tie_on_last_seat_is_reported_not_decided():
    result = check(seats=2, due=10, present=10, eligible=10, votes=(8, 6, 6))  # 20 ballots: 10 present × 2 seats
    assert result.elected == [0]
    assert "得票相同" in result.notes[0]


def test_only_full_members_stand_and_votes_bounded_by_present():
    c = [cand(0, 20), cand(1, 20), cand(2, 20, eligible=False), cand(3, 26)]
    result = check(seats=3, candidates=c)
    msgs = " ".join(result.errors["candidates"])
    assert "候选人2在选举日不是本支部正式党员" in msgs and "得票26，多于实到会人数25" in msgs


def test_duplicate_candidate_and_seat_limits():
    assert "重复" in " ".join(check(seats=1, candidates=[cand(1, 20), cand(1, 20)]).errors["candidates"])
    assert "seats" in check(seats=0).errors
    assert "最多7人" in check(seats=8).errors["seats"][0]


def test_term_states_at_90_and_30_days():
    today = dt.date(2026, 11, 24)
    assert r.term_state(today - dt.timedelta(days=1), today, RULES) == r.TERM_OVERDUE
    assert r.term_state(today, today, RULES) == r.TERM_DUE_SOON
    assert r.term_state(today + dt.timedelta(days=30), today, RULES) == r.TERM_DUE_SOON
    assert r.term_state(today + dt.timedelta(days=31), today, RULES) == r.TERM_DUE
    assert r.term_state(today + dt.timedelta(days=90), today, RULES) == r.TERM_DUE
    assert r.term_state(today + dt.timedelta(days=91), today, RULES) == r.TERM_OK


def test_add_years_handles_leap_day():
    assert r.add_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)
    assert r.add_years(dt.date(2023, 6, 1), 5) == dt.date(2028, 6, 1)


@pytest.mark.parametrize("full,members,committee,expected", [
    (2, 2, False, [r.SIZE_TOO_FEW]),
    (3, 3, False, []),
    (6, 50, False, []),
    (7, 51, False, [r.SIZE_TOO_MANY, r.SIZE_NEEDS_COMMITTEE]),
    (7, 7, True, []),
])
def test_size_warnings(full, members, committee, expected):
    assert r.size_warnings(full_members=full, members=members, has_committee=committee, rules=RULES) == expected


def test_temporary_branch_is_not_too_small():
    assert r.size_warnings(full_members=0, members=0, has_committee=False, rules=RULES, temporary=True) == []


def test_votes_in_all_cannot_exceed_present_times_seats():
    # Each within the present count, but 3 seats × 10 present = 30 ballots' worth at most.
    over = check(seats=3, due=12, present=10, eligible=12, votes=(10, 9, 8, 7))
    assert "合计34票，超过实到会10人×应选3名=30票" in " ".join(over.errors["candidates"])
    exact = check(seats=3, due=12, present=10, eligible=12, votes=(10, 10, 10, 0))
    assert "candidates" not in exact.errors
