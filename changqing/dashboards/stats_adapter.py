"""The overview's headline figures about people and organisations.

They are the statistics app's figures (`changqing.stats.selectors`) when it
provides them; until then, and for the few the dashboards need, they are
counted here with the same definitions the records view lists
(records.py: orgs.branches, care.retirees, members.lixiu, members.members).
"""
from __future__ import annotations

from . import selectors


def headline_figures(sub, period, period_text, *, user=None, today) -> list:
    people = selectors.people_counts(sub)
    ids = list(sub.orgs)
    link = lambda key: selectors.records_url(key, org=sub.root.code, period=period_text)  # noqa: E731
    return [
        selectors.Figure("orgs.branches", "党支部", len(sub.branch_ids), link("orgs.branches"), "个"),
        selectors.Figure("care.retirees", "健在离退休干部", selectors._sum(people, ids, "retirees"),
                         link("care.retirees"), "人"),
        selectors.Figure("members.lixiu", "其中离休干部", selectors._sum(people, ids, "lixiu"), link("members.lixiu"),
                         "人"),
        selectors.Figure("members.members", "在册党员", selectors._sum(people, ids, "members"),
                         link("members.members"), "人"),
    ]
