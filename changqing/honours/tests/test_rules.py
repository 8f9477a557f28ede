"""The ranking rule without a database."""
from changqing.honours.rules import OUT, TIE, WINNER, Candidate, rank


def statuses(result):
    return {r.id: r.status for r in result.rows}


def test_top_quota_win_and_ranks_are_competition_ranks():
    r = rank([Candidate(1, 10), Candidate(2, 30), Candidate(3, 20), Candidate(4, 20), Candidate(5, 5)], quota=3)
    assert [(p.id, p.rank) for p in r.rows] == [(2, 1), (3, 2), (4, 2), (1, 4), (5, 5)]
    assert r.winner_ids == [2, 3, 4] and not r.unresolved


def test_tie_across_the_last_place_is_flagged_not_decided():
    r = rank([Candidate(1, 30), Candidate(2, 20), Candidate(3, 20), Candidate(4, 5)], quota=2)
    assert statuses(r) == {1: WINNER, 2: TIE, 3: TIE, 4: OUT}
    assert r.unresolved and r.tie_seats == 1 and sorted(r.tie_ids) == [2, 3]


def test_organiser_decision_resolves_the_tie_only_when_complete():
    half = rank([Candidate(1, 30), Candidate(2, 20, "winner"), Candidate(3, 20)], quota=2)
    assert half.unresolved and statuses(half)[2] == TIE
    both = rank([Candidate(1, 30), Candidate(2, 20, "not_winner"), Candidate(3, 20, "winner")], quota=2)
    assert not both.unresolved and statuses(both) == {1: WINNER, 2: OUT, 3: WINNER}
    assert [r.id for r in both.rows] == [1, 3, 2]  # the decided winner first within the tie
    too_many = rank([Candidate(1, 30), Candidate(2, 20, "winner"), Candidate(3, 20, "winner")], quota=2)
    assert too_many.unresolved


def test_no_votes_no_win_and_fewer_candidates_than_quota():
    r = rank([Candidate(1, 3), Candidate(2, 0)], quota=3)
    assert statuses(r) == {1: WINNER, 2: OUT} and not r.unresolved
    assert rank([], quota=3).rows == []


def test_whole_field_tied_for_one_place():
    r = rank([Candidate(1, 4), Candidate(2, 4), Candidate(3, 4)], quota=1)
    assert r.tie_seats == 1 and r.unresolved and set(statuses(r).values()) == {TIE}
