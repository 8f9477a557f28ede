"""Writes of the upward tables: storing a produced report (the figures as they were)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from changqing.orgs.models import Organization

from . import selectors
from .models import ReportSnapshot


@transaction.atomic
def snapshot_produce(*, organization: Organization, on: dt.date, user=None) -> ReportSnapshot:
    """Count the tables for the subtree and date and keep them, so the next report can show what moved."""
    values = selectors.figures(org=organization, on=on)
    return ReportSnapshot.objects.create(organization=organization, on=on, figures=values, produced_by=user)
