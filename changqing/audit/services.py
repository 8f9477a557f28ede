"""Writes: run the audit over a subtree and year, keep reviewers' decisions, decide findings."""
from __future__ import annotations

import datetime as dt
import os
import tempfile

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import engine
from .conf import audit_settings
from .loader import load_audit_data, load_meetings, load_minutes, load_ratings, load_simultaneous, plan_shards
from .models import Finding, FindingStatus


def run_integrity_audit(*, root, year: int, progress=None, max_branches: int | None = None,
                        across_shards: bool = True) -> list[engine.Hit]:
    """Pure computation: load in bulk, run the engine, return hits (nothing written).

    The subtree is audited shard by shard (`loader.plan_shards`), so memory is bounded by the largest shard,
    not the province. Photo hashes (8 bytes each) are kept across shards, so a photo reused in two cities is
    still found. Minutes are compared within each shard, then across shards by their LSH band keys (8 bytes
    a band, spilled to a temporary file per shard), so a copy from another city is found too
    (`copied_across_shards`).
    """
    cfg = audit_settings(root, timezone.localdate())
    shards = plan_shards(root, max_branches or cfg["SHARD_MAX_BRANCHES"])
    local = [k for k in engine.KINDS if k not in engine.GLOBAL_KINDS]
    steps = len(shards) * len(local) + len(engine.GLOBAL_KINDS)
    done = 0
    hits: list[engine.Hit] = []
    whole = engine.AuditData(period=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    filters: list[engine.MinutesFilter] = []
    for shard in shards:
        data = load_audit_data(root, year, shard)
        whole.photos.extend(data.photos)
        whole.branch_codes.update(data.branch_codes)

        def shard_progress(n, total, kind, base=done):
            if progress:
                progress(base + n, steps, kind)

        hits.extend(engine.run(data, cfg, kinds=local, progress=shard_progress))
        done += len(local)
        if data.minutes_filter is not None:
            filters.append(data.minutes_filter)
        del data
    if len(shards) > 1 and across_shards:
        hits.extend(copied_across_shards(shards, whole.period, filters, cfg))
    whole.ratings = load_ratings(root, year)
    for kind in engine.GLOBAL_KINDS:
        hits.extend(engine.DETECTORS[kind](whole, cfg))
        done += 1
        if progress:
            progress(done, steps, kind)
    if len(shards) > 1:
        hits.extend(engine.detect_simultaneous_attendance(load_simultaneous(root, year), cfg, cross_only=True))
    return hits


def copied_across_shards(shards, period, filters: list[engine.MinutesFilter], cfg: dict) -> list[engine.Hit]:
    """Copied minutes between two shards, in bounded memory.

    Boilerplate is what any shard large enough to tell found to be boilerplate (a shard of three branches
    cannot tell a published work list from a copy). Each shard's minutes are read again, filtered by that,
    and reduced to LSH band keys (8 bytes a band) spilled to a temporary file; the keys are then compared a
    band at a time (`engine.cross_shard_candidates`), and only the candidate pairs' texts are read back to
    verify them. Pairs inside one shard were judged by the shard itself."""
    filt = engine.MinutesFilter.union(filters, cfg["BOILERPLATE_MIN_BRANCHES"])
    with tempfile.TemporaryDirectory(prefix="audit-minutes-") as spill:
        parts = []
        for k, shard in enumerate(shards):
            ids, keys = engine.minutes_band_keys(load_minutes(shard, period), filt, cfg)
            if not len(ids):
                continue
            path = os.path.join(spill, str(k))
            np.save(path + "-ids.npy", ids)
            np.save(path + "-keys.npy", keys)
            parts.append(path)
            del ids, keys
        pairs = engine.cross_shard_candidates(
            [(np.load(path + "-ids.npy"), np.load(path + "-keys.npy", mmap_mode="r")) for path in parts],
            cfg["LSH_BANDS"])
    if not pairs:
        return []
    rows = load_meetings({p[0] for p in pairs} | {p[2] for p in pairs})
    sets = {mid: engine.shingles(m.minutes, filt.boiler, cfg["SHINGLE_WORDS"]) - filt.common
            for mid, m in rows.items()}
    hits = []
    for i, _, j, _ in sorted(pairs):
        if i in rows and j in rows:
            hit = engine.copied_pair(rows[i], rows[j], sets[i], sets[j], cfg, filt.boiler)
            if hit is not None:
                hits.append(hit)
    return hits


@transaction.atomic
def findings_store(*, hits: list[engine.Hit], year: int) -> dict:
    """Upsert findings by (kind, key). A dismissed or confirmed finding keeps its decision unless its
    evidence changed; then it is reopened (the change history keeps the old decision)."""
    now = timezone.now()
    existing = {(f.kind, f.key): f for f in Finding.objects.filter(kind__in={h.kind for h in hits},
                                                                    key__in={h.key for h in hits})}
    new, changed, seen, reopened = [], [], [], 0
    for h in hits:
        digest = h.digest()
        f = existing.get((h.kind, h.key))
        if f is None:
            new.append(Finding(kind=h.kind, organization_id=h.org_id, key=h.key, period=year,
                               record_ids=h.record_ids, score=h.score, severity=h.severity, evidence=h.evidence,
                               evidence_digest=digest, last_seen_at=now))
            continue
        if f.evidence_digest != digest:
            if f.status != FindingStatus.OPEN:
                f.status, reopened = FindingStatus.OPEN, reopened + 1
                f.reason = f"证据已变化，重新打开（原结论：{f.reason}）"[:300]
            f.record_ids, f.score, f.severity, f.evidence, f.evidence_digest = (
                h.record_ids, h.score, h.severity, h.evidence, digest)
            f.last_seen_at = now
            f.save()  # logged in the change history
            changed.append(f)
        else:
            f.last_seen_at = now
            seen.append(f.pk)
    Finding.objects.filter(pk__in=seen).update(last_seen_at=now)
    Finding.objects.bulk_create(new, batch_size=1000)
    return {"new": len(new), "changed": len(changed), "reopened": reopened}


@transaction.atomic
def finding_decide(*, finding: Finding, user, status: str, reason: str) -> Finding:
    errors = {}
    if status not in (FindingStatus.CONFIRMED, FindingStatus.DISMISSED):
        errors["status"] = "请选择“确认属实”或“排除”"
    if not (reason or "").strip():
        errors["reason"] = "请填写核实说明"
    elif len(reason.strip()) > 300:
        errors["reason"] = "核实说明不能超过300字"
    if errors:
        raise ValidationError(errors)
    finding.status = status
    finding.reason = reason.strip()
    finding.decided_by = user
    finding.decided_at = timezone.now()
    finding.save()
    return finding
