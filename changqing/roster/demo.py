"""Demo: each branch's roster was first loaded by an import, kept in the import record."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from changqing.orgs.models import Organization, OrgKind
from changqing.core.tree import in_subtree

from .models import RosterUpload


def extend(ctx) -> None:
    branches = (Organization.objects.filter(in_subtree(ctx.root.path), kind=OrgKind.BRANCH)
                .annotate(people=Count("retirees")).filter(people__gt=0).order_by("path"))
    records = []
    for b in branches:
        day = ctx.today - dt.timedelta(days=ctx.rng.randint(200, 700))
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + ctx.rng.randint(0, 7), ctx.rng.randint(0, 59))))
        records.append(RosterUpload(
            owner=None, organization=b, org_path=b.path, original_name=f"{b.name}党员花名册.xlsx",
            status=RosterUpload.Status.IMPORTED, sheet="Sheet1", header_row=3, rows=b.people, created=b.people,
            report={"errors": [], "ignored": ["序号"], "samples": []}, imported_at=at,
        ))
    created = RosterUpload.objects.bulk_create(records, batch_size=2000)
    # uploaded_at is auto_now_add: set the historical times afterwards
    for r in created:
        r.uploaded_at = r.imported_at
    RosterUpload.objects.bulk_update(created, ["uploaded_at"], batch_size=2000)
    ctx.progress(f"名册导入记录 {len(created)} 条")
