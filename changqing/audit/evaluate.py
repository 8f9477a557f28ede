"""Precision and recall of the audit against the demo's planted ground truth (PlantedFake)."""
from __future__ import annotations

from changqing.core.tree import in_subtree

from .engine import KINDS, PENDING_KINDS
from .models import PlantedFake


def normal_key(kind: str, key: str) -> str:
    if kind == "copied_minutes":
        prefix, a, b = key.split(":")
        a, b = sorted((int(a), int(b)))
        return f"{prefix}:{a}:{b}"
    return key


def precision_recall(hits, root) -> dict[str, dict]:
    truth: dict[str, set[str]] = {k: set() for k in KINDS}
    for kind, key in PlantedFake.objects.filter(in_subtree(root.path, "organization")).values_list("kind", "key"):
        truth[kind].add(normal_key(kind, key))
    found: dict[str, set[str]] = {k: set() for k in KINDS}
    for h in hits:
        found[h.kind].add(normal_key(h.kind, h.key))
    out = {}
    for kind in KINDS:
        if kind in PENDING_KINDS:
            continue
        tp = len(truth[kind] & found[kind])
        out[kind] = {
            "planted": len(truth[kind]), "found": len(found[kind]), "true_positives": tp,
            "precision": tp / len(found[kind]) if found[kind] else 1.0,
            "recall": tp / len(truth[kind]) if truth[kind] else 1.0,
            "missed": sorted(truth[kind] - found[kind])[:10],
            "false": sorted(found[kind] - truth[kind])[:10],
        }
    return out
