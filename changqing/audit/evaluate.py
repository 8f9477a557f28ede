"""Precision and recall of the audit per kind against a planted ground truth.

Two generators plant fakes: the demo's own (`audit.demo`, kept in PlantedFake) and the red team
(`audit.redteam`, returned as a set). Measured against the red team, a finding that is the other generator's
planted truth is not counted against precision (it is true, just not this set's).
"""
from __future__ import annotations

from django.db import transaction

from changqing.core.tree import in_subtree

from .engine import KINDS, PENDING_KINDS
from .models import PlantedFake


def normal_key(kind: str, key: str) -> str:
    if kind == "copied_minutes":
        prefix, a, b = key.split(":")
        a, b = sorted((int(a), int(b)))
        return f"{prefix}:{a}:{b}"
    return key


def _by_kind(pairs) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {k: set() for k in KINDS}
    for kind, key in pairs:
        out.setdefault(kind, set()).add(normal_key(kind, key))
    return out


def precision_recall(hits, root, planted=None) -> dict[str, dict]:
    """Per kind: planted, found, true positives, precision, recall, a few missed and false keys.

    `planted`: (kind, key) pairs of another generator (the red team); default: the demo's PlantedFake."""
    demo_truth = _by_kind(PlantedFake.objects.filter(in_subtree(root.path, "organization"))
                          .values_list("kind", "key"))
    truth = demo_truth if planted is None else _by_kind(planted)
    other = {k: set() for k in KINDS} if planted is None else demo_truth
    found = _by_kind((h.kind, h.key) for h in hits)
    out = {}
    for kind in KINDS:
        if kind in PENDING_KINDS:
            continue
        judged = found[kind] - (other[kind] - truth[kind])
        tp = len(truth[kind] & judged)
        if planted is not None and not truth[kind]:
            continue  # the red team plants no fake of this kind
        out[kind] = {
            "planted": len(truth[kind]), "found": len(judged), "true_positives": tp,
            "precision": tp / len(judged) if judged else 1.0,
            "recall": tp / len(truth[kind]) if truth[kind] else 1.0,
            "missed": sorted(truth[kind] - judged)[:10],
            "false": sorted(judged - truth[kind])[:10],
        }
    return out


def table(title: str, figures: dict[str, dict]) -> str:
    lines = [title]
    for kind, f in figures.items():
        lines.append(f"  {kind:24s} 埋设 {f['planted']:4d}  发现 {f['found']:4d}  命中 {f['true_positives']:4d}  "
                     f"精确率 {f['precision']:.3f}  召回率 {f['recall']:.3f}")
        if f["missed"]:
            lines.append(f"    漏报 {f['missed'][:5]}")
        if f["false"]:
            lines.append(f"    误报 {f['false'][:5]}")
    return "\n".join(lines)


class _Rollback(Exception):
    pass


def redteam_figures(root, year: int = 2025, seed: int = 424242, **audit_kwargs):
    """Plant the red team's fakes, audit, measure — and roll every write back. Returns (figures, set)."""
    from . import redteam
    from .services import run_integrity_audit

    result = {}
    try:
        with transaction.atomic():
            red = redteam.plant(root, year, seed)
            hits = run_integrity_audit(root=root, year=year, **audit_kwargs)
            result["figures"] = precision_recall(hits, root, planted=red.truth())
            result["set"] = red
            raise _Rollback
    except _Rollback:
        pass
    return result["figures"], result["set"]
