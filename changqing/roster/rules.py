"""Roster thresholds and sizes: settings with defaults, never constants buried in the importer.

Override any of them in settings.CHANGQING["ROSTER"].
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings


@dataclass(frozen=True)
class RosterRules:
    min_join_age: int = 18  # 党章第一条: 年满十八岁
    min_retiree_age: int = 40  # younger than this is almost surely a wrong ID number
    max_age: int = 120
    min_retirement_age: int = 30
    batch_size: int = 1000  # rows validated and written per database round
    background_rows: int = 2000  # larger imports run as a background job with progress
    background_bytes: int = 1_000_000  # larger files are also checked in the background
    max_upload_bytes: int = 50_000_000
    max_errors: int = 20000  # errors kept for the report; counting goes on past it
    header_scan_rows: int = 30  # how far down a sheet the header row is looked for
    keep_upload_days: int = 3  # uploaded files (personal data) are deleted after this


def current() -> RosterRules:
    overrides = settings.CHANGQING.get("ROSTER", {}) if hasattr(settings, "CHANGQING") else {}
    known = {f.name for f in fields(RosterRules)}
    return RosterRules(**{k: v for k, v in overrides.items() if k in known})
