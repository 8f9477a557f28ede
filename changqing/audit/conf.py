"""Audit thresholds: engine.DEFAULTS, overridden by settings.CHANGQING["AUDIT"] (the installation), overridden by the
"audit.thresholds" policy of the organisation an audit is run for (changqing.policies), in force on the day it runs.

Only the thresholds a bureau judges by are in the policy (how late is a back-fill, when is the assessment, how
similar is copied); the algorithm's own parameters (MinHash permutations, LSH bands, shard size) stay settings.
"""
import datetime as dt

from django.conf import settings

from changqing.policies.selectors import policy_for

from .engine import DEFAULTS

AUDIT_THRESHOLDS = "audit.thresholds"  # policy kind
POLICY_KEYS = ("BACKFILL_LAG_DAYS", "ASSESSMENT_DATES", "RUSH_WINDOW_DAYS", "RUSH_MIN_ENTRIES", "RUSH_RATIO",
               "NEAR_DUPLICATE_JACCARD", "MEETING_HOURS", "ELECTION_CANDIDATE_RATIO", "PHOTO_HAMMING", "RATING_GAP")


def installation_settings() -> dict:
    return {**DEFAULTS, **getattr(settings, "CHANGQING", {}).get("AUDIT", {})}


def policy_default() -> dict:
    return {k: installation_settings()[k] for k in POLICY_KEYS}


def audit_settings(root=None, on: dt.date | None = None) -> dict:
    """The thresholds for an audit of `root`'s subtree on a day (the installation's when no root)."""
    cfg = installation_settings()
    if root is not None:
        cfg.update(policy_for(AUDIT_THRESHOLDS, root, on or dt.date.today()))
    return cfg
