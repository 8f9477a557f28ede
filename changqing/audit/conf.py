"""Audit thresholds: defaults in engine.DEFAULTS, overridable in settings.CHANGQING["AUDIT"]."""
from django.conf import settings

from .engine import DEFAULTS


def audit_settings() -> dict:
    return {**DEFAULTS, **getattr(settings, "CHANGQING", {}).get("AUDIT", {})}
