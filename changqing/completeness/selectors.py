"""The completeness board: per rule and per organisation, how many records miss a required field.

One aggregate query per rule, grouped by the records' organisation, whatever the number of
branches; the organisations are read once and each record's organisation is rolled up to its
"unit" (a 党小组's records count for its branch). Counting is by subtree, like the statistics;
the units a user is shown are narrowed to their view scope by the caller.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from changqing.core.tree import in_subtree
from changqing.orgs.models import Organization, OrgKind

from .rules import Rule, available_rules


@dataclass
class Cell:
    total: int = 0
    missing: int = 0

    @property
    def done(self) -> int:
        return self.total - self.missing

    @property
    def percent(self) -> float | None:
        """Percent complete, None when the rule applies to nothing here."""
        return round(100 * self.done / self.total, 1) if self.total else None


@dataclass
class UnitRow:
    org: Organization
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.cells.values())

    @property
    def missing(self) -> int:
        return sum(c.missing for c in self.cells.values())

    @property
    def percent(self) -> float | None:
        t = self.total
        return round(100 * (t - self.missing) / t, 1) if t else None


def _subtree_orgs(root: Organization) -> list[Organization]:
    return list(Organization.objects.filter(in_subtree(root.path)).only(
        "id", "path", "name", "code", "kind", "parent_id", "depth").order_by("path"))


def _unit_of(orgs: list[Organization], root: Organization) -> dict[int, Organization]:
    """Each organisation's unit on the board: itself, or for a 党小组 the organisation above it."""
    by_id = {o.pk: o for o in orgs}
    units = {}
    for o in orgs:
        unit = o
        while unit.kind == OrgKind.GROUP and unit.parent_id in by_id and unit.pk != root.pk:
            unit = by_id[unit.parent_id]
        units[o.pk] = unit
    return units


def rule_counts(rule: Rule, root: Organization) -> dict[int, Cell]:
    """{organisation id: Cell} of one rule under `root`: one query."""
    model = rule.model_class()
    rows = (model._default_manager.filter(in_subtree(root.path, rule.org)).filter(rule.applies())
            .values_list(f"{rule.org}_id").annotate(total=Count("pk"), missing=Count("pk", filter=rule.missing()))
            .order_by())
    return {org_id: Cell(total, missing) for org_id, total, missing in rows}


def board(root: Organization, *, rules: list[Rule] | None = None, visible: set[int] | None = None) -> dict:
    """The board under `root`: {"rules", "totals": {rule key: Cell}, "units": [UnitRow]}.

    Units are the root's 党支部 and 党总支 (and any other organisation holding records itself),
    ranked by what is missing (most first, then lowest percent). `visible`: the organisation ids the
    user may view; units outside it are left out, and so are their records from the totals.
    Queries: one for the organisations, one per rule.
    """
    rules = rules if rules is not None else available_rules()
    orgs = _subtree_orgs(root)
    unit_of = _unit_of(orgs, root)
    rows: dict[int, UnitRow] = {}
    for o in orgs:
        if o.kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH) and (visible is None or o.pk in visible):
            rows[o.pk] = UnitRow(o, {r.key: Cell() for r in rules})
    totals = {r.key: Cell() for r in rules}
    for rule in rules:
        for org_id, cell in rule_counts(rule, root).items():
            unit = unit_of.get(org_id)
            if unit is None or (visible is not None and unit.pk not in visible):
                continue
            row = rows.setdefault(unit.pk, UnitRow(unit, {r.key: Cell() for r in rules}))
            row.cells[rule.key].total += cell.total
            row.cells[rule.key].missing += cell.missing
            totals[rule.key].total += cell.total
            totals[rule.key].missing += cell.missing
    units = sorted(rows.values(), key=lambda u: (-u.missing, u.percent if u.percent is not None else 101, u.org.path))
    return {"rules": rules, "totals": totals, "units": units}


def missing_records(rule: Rule, org: Organization):
    """The records of `org`'s subtree that miss the rule's field (the to-fix list; scope is applied by the caller)."""
    model = rule.model_class()
    return (model._default_manager.filter(in_subtree(org.path, rule.org)).filter(rule.applies())
            .filter(rule.missing()).select_related(*rule.select_related).order_by(*rule.order_by))
