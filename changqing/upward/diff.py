"""'Changed since the last report': the figures that moved between two produced reports, and the records
behind each move with the reason read from the membership history (joined, transferred, died) or from
the person's record (retired, reclassified)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q

from changqing.members.models import MembershipEvent, Retiree
from changqing.orgs.models import Organization

from . import selectors
from .models import ReportSnapshot

RECORDS_PER_FIGURE = 30
PEOPLE_PREFIXES = ("people.", "party_age.", "change.")


def previous(snapshot: ReportSnapshot) -> ReportSnapshot | None:
    return (ReportSnapshot.objects.filter(organization=snapshot.organization, produced_at__lt=snapshot.produced_at)
            .order_by("-produced_at", "-id").first())


def _reasons(org: Organization, ids: set[int], start: dt.date, end: dt.date) -> dict[int, str]:
    """Why each person moved between `start` (exclusive) and `end`: their events, else death or retirement."""
    if not ids:
        return {}
    reasons: dict[int, list[str]] = {}
    lo, hi = min(start, end), max(start, end)
    for rid, kind, on in (MembershipEvent.objects.filter(membership__retiree_id__in=ids, on__gt=lo, on__lte=hi)
                          .values_list("membership__retiree_id", "kind", "on").order_by("on", "id")):
        reasons.setdefault(rid, []).append(f"{on:%Y-%m-%d} {MembershipEvent.Kind(kind).label}")
    for r in Retiree.objects.filter(pk__in=ids).filter(
            Q(deceased_on__gt=lo, deceased_on__lte=hi) | Q(retired_on__gt=lo, retired_on__lte=hi)).only(
            "id", "deceased_on", "retired_on"):
        if r.deceased_on and lo < r.deceased_on <= hi and not any("去世" in x for x in reasons.get(r.pk, [])):
            reasons.setdefault(r.pk, []).append(f"{r.deceased_on:%Y-%m-%d} 去世")
        if r.retired_on and lo < r.retired_on <= hi:
            reasons.setdefault(r.pk, []).append(f"{r.retired_on:%Y-%m-%d} 离退休")
    return {rid: "；".join(v) for rid, v in reasons.items()}


def changes(snapshot: ReportSnapshot, before: ReportSnapshot | None) -> list[dict]:
    """[{"key", "label", "before", "after", "delta", "url", "records": [{"name", "direction", "why", "url"}]}]
    for every figure that differs; people figures list up to RECORDS_PER_FIGURE records that entered or left."""
    if before is None:
        return []
    org, on = snapshot.organization, snapshot.on
    names = selectors.labels(selectors.tables(snapshot.figures, org=org, on=on, links=False))
    out = []
    for key, after in snapshot.figures.items():
        was = before.figures.get(key, 0)
        if was == after:
            continue
        out.append({"key": key, "label": names.get(key, key), "before": was, "after": after, "delta": after - was,
                    "url": selectors.cell_url(key, org=org, on=on), "records": []})
    moved_all: set[int] = set()
    for row in out:
        if not row["key"].startswith(PEOPLE_PREFIXES) or before.on == on:
            continue
        now = set(selectors.cell_records(row["key"], org=org, on=on).values_list("pk", flat=True))
        then = set(selectors.cell_records(row["key"], org=org, on=before.on).values_list("pk", flat=True))
        entered, left = sorted(now - then)[:RECORDS_PER_FIGURE], sorted(then - now)[:RECORDS_PER_FIGURE]
        row["moved"] = [(pk, "增加") for pk in entered] + [(pk, "减少") for pk in left]
        moved_all.update(entered + left)
    people = {r.pk: r for r in Retiree.objects.filter(pk__in=moved_all).only("id", "name")}
    why = _reasons(org, moved_all, before.on, on)
    for row in out:
        row["records"] = [{"name": people[pk].name if pk in people else str(pk), "direction": d,
                           "why": why.get(pk, "信息更正或重新归类（如民族、类别、年龄段变化）"),
                           "url": people[pk].get_absolute_url() if pk in people else ""}
                          for pk, d in row.pop("moved", [])]
    return out
