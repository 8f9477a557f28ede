"""Reads: "the policy of this kind for this organisation on this date", one or many at a time.

Resolution: walk up the organisation's path from itself; the first organisation with a
version of the kind valid on the date wins; none → the kind's default. A nearer
organisation whose version starts later does not hide the ancestor's before that date.

`Resolver` answers any number of (organisation, date) pairs after ONE query (the kind's
versions on the root's ancestors and in its subtree, or all of them), so the compliance
engine, dues and evaluation resolve every branch × every month without a query each.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q

from changqing.core.tree import in_subtree

from . import kinds
from .models import PolicyVersion


def path_ancestors(path: str) -> list[str]:
    """"/A/B/C/" → ["/A/", "/A/B/"] (from the top)."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1)]


def _up(path: str) -> list[str]:
    """The path itself, then each ancestor, nearest first."""
    return [path, *reversed(path_ancestors(path))]


def _path(org_or_path) -> str:
    return org_or_path if isinstance(org_or_path, str) else org_or_path.path


class Resolver:
    """Policies of several kinds for a subtree, loaded once; `version()` and `value()` resolve in memory."""

    def __init__(self, *kind_codes: str, root=None, below: bool = True):
        self.kinds = {c: kinds.get(c) for c in kind_codes}
        if None in self.kinds.values():
            raise KeyError(f"unknown policy kind in {kind_codes}")
        qs = PolicyVersion.objects.filter(policy__kind__in=kind_codes)
        if root is not None:
            path = _path(root)
            up = Q(policy__organization__path__in=[*path_ancestors(path), path])
            qs = qs.filter(up | in_subtree(path, "policy__organization") if below else up)
        self._versions: dict[tuple[str, str], list[PolicyVersion]] = defaultdict(list)
        for v in (qs.select_related("policy__organization")
                  .only("id", "valid_from", "valid_to", "values", "note", "policy__kind",
                        "policy__organization__path", "policy__organization__name",
                        "policy__organization__code")
                  .order_by("valid_from")):
            self._versions[(v.policy.kind, v.policy.organization.path)].append(v)
        self._starts = {k: [v.valid_from for v in vs] for k, vs in self._versions.items()}
        self._parsed: dict[tuple[str, int | None], Any] = {}
        self._memo: dict[tuple[str, str, dt.date], PolicyVersion | None] = {}

    def version(self, kind: str, org_or_path, on: dt.date) -> PolicyVersion | None:
        """The version in force, or None when the kind's default applies."""
        path = _path(org_or_path)
        key = (kind, path, on)
        if key not in self._memo:
            found = None
            for p in _up(path):
                starts = self._starts.get((kind, p))
                if not starts:
                    continue
                i = bisect.bisect_right(starts, on) - 1
                if i >= 0 and self._versions[(kind, p)][i].covers(on):
                    found = self._versions[(kind, p)][i]
                    break
            self._memo[key] = found
        return self._memo[key]

    def value(self, kind: str, org_or_path, on: dt.date) -> Any:
        """The parsed value (the app's own type); parsed once per version and shared."""
        v = self.version(kind, org_or_path, on)
        key = (kind, v.pk if v is not None else None)
        if key not in self._parsed:
            self._parsed[key] = self.kinds[kind].parse(v.values if v is not None else self.kinds[kind].default())
        return self._parsed[key]

    def setters(self, kind: str, on: dt.date) -> list[str]:
        """Paths of the organisations whose own version of the kind is in force on the date, shallowest first."""
        return sorted((p for (k, p), vs in self._versions.items() if k == kind and any(v.covers(on) for v in vs)),
                      key=lambda p: (p.count("/"), p))


def subtree_q(kind: str, on: dt.date, make_q, *, root=None, path_field: str = "path") -> Q:
    """A filter that applies each organisation's own policy in SQL: `make_q(value)` on every part of the subtree
    that follows one version, OR-ed. One query to build it; as many terms as organisations that set the kind.

    For list filters and counts over a whole subtree ("branches with fewer full members than their rules
    ask"), where resolving row by row in Python would not let the database filter and page."""
    r = Resolver(kind, root=root)
    base = _path(root) if root is not None else ""
    setters = [p for p in r.setters(kind, on) if p.startswith(base) and p != base]
    parts = [(base, r.value(kind, base, on) if base else r.kinds[kind].parse(r.kinds[kind].default()))]
    parts += [(p, r.value(kind, p, on)) for p in setters]
    q = Q(pk__in=[])
    for p, value in parts:
        part = in_subtree(p, path_field=path_field)
        for deeper in setters:
            if deeper != p and deeper.startswith(p):
                part &= ~in_subtree(deeper, path_field=path_field)
        q |= part & make_q(value)
    return q


def policy_for(kind: str, org, on: dt.date) -> Any:
    """The parsed policy of a kind for one organisation on a date (one query)."""
    return Resolver(kind, root=org, below=False).value(kind, org, on)


def version_for(kind: str, org, on: dt.date) -> PolicyVersion | None:
    """The version in force (with its organisation), or None when the default applies (one query)."""
    return Resolver(kind, root=org, below=False).version(kind, org, on)


def policies_for(kind: str, orgs, dates) -> dict[tuple[int, dt.date], Any]:
    """(org id, date) → parsed policy, for every pair; one query whatever the number of orgs and dates."""
    orgs = list(orgs)
    r = Resolver(kind, root=_common_root(orgs))
    return {(o.pk, d): r.value(kind, o, d) for o in orgs for d in dates}


def _common_root(orgs) -> str | None:
    """The longest whole-code prefix of the organisations' paths (orgs cannot be imported here: it uses us)."""
    paths = [o.path for o in orgs]
    if not paths:
        return None
    parts = [p.strip("/").split("/") for p in paths]
    common = []
    for segs in zip(*parts):
        if len(set(segs)) != 1:
            break
        common.append(segs[0])
    return "/" + "/".join(common) + "/" if common else None
