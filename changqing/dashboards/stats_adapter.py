"""The overview's headline figures about people and organisations.

They are the statistics app's figures (`changqing.stats.selectors`: the
definitions of 篇6, as of the end of the period or today, linking to
stats:records) when the user's scope covers the whole chosen organisation:
stats counts a subtree by path, not through the user's scope. A user who sees
only part of it (a 片组长 looking at the 党工委) gets the same kinds of figures
counted here within their scope, linking to the dashboards' own records view
(records.py: orgs.branches, care.retirees, members.lixiu, members.members).
"""
from __future__ import annotations

from changqing.core.scope import scope_for

from . import selectors

STATS_HEADLINES = [("retirees", "离退休干部", "人"), ("members", "其中党员", "人"), ("lixiu", "离休干部", "人"),
                   ("organizations", "离退休干部党组织", "个")]


def headline_figures(sub, period, period_text, *, user=None, today) -> list:
    root = sub.root
    if user is None or scope_for(user).covers_path(root.path):
        from changqing.stats import selectors as stats

        on = min(today, period.end)
        figures = stats.annual_figures(org=root, on=on)
        note = f"截至{on.year}年{on.month}月{on.day}日"
        return [selectors.Figure(f"stats.{key}", label, figures[key], stats.records_url(key, org=root, on=on), unit,
                                 note) for key, label, unit in STATS_HEADLINES]
    return local_figures(sub, period_text)


def local_figures(sub, period_text) -> list:
    people = selectors.people_counts(sub)
    ids = list(sub.orgs)
    link = lambda key: selectors.records_url(key, org=sub.root.code, period=period_text)  # noqa: E731
    return [
        selectors.Figure("care.retirees", "健在离退休干部", selectors._sum(people, ids, "retirees"),
                         link("care.retirees"), "人"),
        selectors.Figure("members.members", "在册党员", selectors._sum(people, ids, "members"),
                         link("members.members"), "人"),
        selectors.Figure("members.lixiu", "其中离休干部", selectors._sum(people, ids, "lixiu"), link("members.lixiu"),
                         "人"),
        selectors.Figure("orgs.branches", "党支部", len(sub.branch_ids), link("orgs.branches"), "个"),
    ]
