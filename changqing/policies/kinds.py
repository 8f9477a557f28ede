"""The registry of policy kinds: what a kind's values are, how they are checked, and the default.

An app that owns rules registers its kind in AppConfig.ready() (dues its brackets, life
which ruleset, evaluation which rubric, orgs the size and term thresholds). The policies
app knows no domain app: it stores, versions and resolves; the kind's form checks the
values (Chinese messages beside fields) and `parse` turns them into what the app computes
with. Without a policy up an organisation's path, the kind's `default()` applies.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Versions made from the rules kept before policies had versions: valid "always" (see migrations).
FAR_PAST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class PolicyKind:
    code: str
    label: str
    form: type  # a forms.PolicyValuesForm subclass: its cleaned data are the values
    default: Callable[[], dict]  # the values when nothing up the path sets this kind (DOMAIN.md defaults)
    parse: Callable[[dict], Any] = field(default=lambda values: values)  # values → what the app computes with
    describe: Callable[[dict], list[tuple[str, str]]] | None = None  # (label, text) rows for the pages
    help: str = ""
    order: int = 100
    # Who may set it on an organisation: "manage" (bureau admins) or "change" (e.g. a branch's own decision).
    action: str = "manage"
    branch_only: bool = False


_kinds: dict[str, PolicyKind] = {}


def register(kind: PolicyKind) -> PolicyKind:
    _kinds[kind.code] = kind
    return kind


def get(code: str) -> PolicyKind | None:
    return _kinds.get(code)


def all_kinds() -> list[PolicyKind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.code))
