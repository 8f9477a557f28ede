"""Ranking and winners of one category: pure Python, tested without a database.

Candidates are ranked by total votes (online + paper). The top `quota` win,
except that a candidate needs at least one vote, and candidates tied across the
last winning place are neither in nor out: they are flagged and the organiser
decides among them (a `decision` per tied candidate). Ranks are competition
ranks (1, 2, 2, 4).
"""
from __future__ import annotations

from dataclasses import dataclass

WINNER = "winner"
TIE = "tie"
OUT = "out"


@dataclass(frozen=True)
class Candidate:
    id: int
    votes: int
    decision: str = ""  # "", "winner", "not_winner"


@dataclass(frozen=True)
class Placed:
    id: int
    votes: int
    rank: int
    status: str  # WINNER, TIE (undecided), OUT
    decided: bool = False  # the status comes from the organiser's decision on a tie


@dataclass(frozen=True)
class CategoryResult:
    rows: list[Placed]
    tie_seats: int  # winning places left for the tied group to fill
    tie_ids: list[int]  # the tied group (decided or not)
    unresolved: bool  # the organiser still has to decide

    @property
    def winner_ids(self) -> list[int]:
        return [r.id for r in self.rows if r.status == WINNER]


def rank(candidates: list[Candidate], quota: int) -> CategoryResult:
    ordered = sorted(candidates, key=lambda c: (-c.votes, c.id))
    ranks, prev, current = [], None, 0
    for i, c in enumerate(ordered, start=1):
        if c.votes != prev:
            current, prev = i, c.votes
        ranks.append(current)
    voted = [c for c in ordered if c.votes > 0]
    tie_ids: list[int] = []
    tie_seats = 0
    sure: set[int] = set()
    if len(voted) <= quota:
        sure = {c.id for c in voted}
    else:
        boundary = voted[quota - 1].votes
        above = [c for c in voted if c.votes > boundary]
        at = [c for c in voted if c.votes == boundary]
        sure = {c.id for c in above}
        if len(above) + len(at) <= quota:
            sure |= {c.id for c in at}
        else:
            tie_ids = [c.id for c in at]
            tie_seats = quota - len(above)
    tied = {c.id: c for c in ordered if c.id in tie_ids}
    decided_winners = [i for i, c in tied.items() if c.decision == "winner"]
    decided_losers = [i for i, c in tied.items() if c.decision == "not_winner"]
    resolved = bool(tie_ids) and len(decided_winners) == tie_seats and len(decided_winners) + len(decided_losers) == len(tie_ids)
    rows = []
    for c, r in zip(ordered, ranks):
        if c.id in sure:
            rows.append(Placed(c.id, c.votes, r, WINNER))
        elif c.id in tied:
            if resolved:
                rows.append(Placed(c.id, c.votes, r, WINNER if c.id in decided_winners else OUT, decided=True))
            else:
                rows.append(Placed(c.id, c.votes, r, TIE))
        else:
            rows.append(Placed(c.id, c.votes, r, OUT))
    rows.sort(key=lambda r: (r.rank, r.status != WINNER, r.id))  # within a decided tie, the winner first
    return CategoryResult(rows=rows, tie_seats=tie_seats, tie_ids=tie_ids, unresolved=bool(tie_ids) and not resolved)
