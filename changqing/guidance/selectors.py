"""Reads for the guidance stations: statistics, quarterly evaluation, monthly notice.

Each function takes an already scope-restricted queryset of stations (or
records), so the figures match what the user may open; all are a fixed
number of aggregate queries, whatever the data size.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q

from .models import (
    Guide, GuideEvaluation, GuideVisit, HelpRequest, ItemCompletion, ListItem, NewOrg, OrgSatisfaction,
    StationMeeting,
)


@dataclass
class AreaRow:
    area: str
    orgs: int = 0
    with_party_org: int = 0

    @property
    def rate(self) -> float:
        return round(100 * self.with_party_org / self.orgs, 1) if self.orgs else 0.0


@dataclass
class Statistics:
    stations: int = 0
    chiefs: int = 0
    deputies: int = 0
    guides: int = 0
    orgs: int = 0
    enterprises: int = 0
    social: int = 0
    party_orgs: int = 0
    orgs_with_party_org: int = 0
    orgs_alone: int = 0
    orgs_joint: int = 0
    employees: int = 0
    party_members: int = 0
    areas: list[AreaRow] = field(default_factory=list)


def statistics(stations) -> Statistics:
    """In the form seed 001 reports them: stations, chief/deputy, guides, party orgs served, orgs covered."""
    station_ids = list(stations.values_list("pk", flat=True))
    s = Statistics(stations=len(station_ids))
    roles = dict(Guide.objects.filter(station_id__in=station_ids, status=Guide.Status.ACTIVE)
                 .values_list("role").annotate(n=Count("id")))
    s.chiefs, s.deputies, s.guides = roles.get("chief", 0), roles.get("deputy", 0), roles.get("guide", 0)
    orgs = NewOrg.objects.filter(station_id__in=station_ids, active=True)
    agg = orgs.aggregate(
        orgs=Count("id"),
        enterprises=Count("id", filter=Q(kind=NewOrg.Kind.ENTERPRISE)),
        social=Count("id", filter=Q(kind=NewOrg.Kind.SOCIAL)),
        party_orgs=Count("party_org", distinct=True),
        with_party=Count("id", filter=~Q(party_org_status=NewOrg.PartyOrgStatus.NONE)),
        alone=Count("id", filter=Q(party_org_status=NewOrg.PartyOrgStatus.ALONE)),
        joint=Count("id", filter=Q(party_org_status=NewOrg.PartyOrgStatus.JOINT)),
    )
    s.orgs, s.enterprises, s.social = agg["orgs"], agg["enterprises"], agg["social"]
    s.party_orgs, s.orgs_with_party_org = agg["party_orgs"], agg["with_party"]
    s.orgs_alone, s.orgs_joint = agg["alone"], agg["joint"]
    from django.db.models import Sum

    sums = orgs.aggregate(e=Sum("employees"), p=Sum("party_members"))
    s.employees, s.party_members = sums["e"] or 0, sums["p"] or 0
    for row in (orgs.values("area").annotate(n=Count("id"), w=Count(
            "id", filter=~Q(party_org_status=NewOrg.PartyOrgStatus.NONE))).order_by("area")):
        s.areas.append(AreaRow(area=row["area"] or "（未填片区）", orgs=row["n"], with_party_org=row["w"]))
    return s


@dataclass
class GuideQuarter:
    guide: Guide
    visits: int
    answered: int
    orgs: int
    satisfaction: Decimal | None
    ratings: int
    evaluation: GuideEvaluation | None

    @property
    def suggest_recommend(self) -> bool:
        """Outstanding: a score of 90+ and the organisations served very satisfied (≥4.5 of 5)."""
        ev = self.evaluation
        return bool(ev and ev.score >= 90 and self.satisfaction is not None and self.satisfaction >= Decimal("4.5"))


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarter_evaluation(guides, year: int, quarter: int) -> list[GuideQuarter]:
    """Per guide: visits and answers in the quarter, organisations served, satisfaction, the recorded score."""
    start, end = quarter_bounds(year, quarter)
    guides = list(guides.select_related("station").order_by("station__code", "name"))
    ids = [g.pk for g in guides]
    visits = dict(GuideVisit.objects.filter(guide_id__in=ids, visited_on__range=(start, end))
                  .values_list("guide").annotate(n=Count("id")))
    answered = dict(HelpRequest.objects.filter(guide_id__in=ids, answered_on__range=(start, end))
                    .values_list("guide").annotate(n=Count("id")))
    orgs = dict(NewOrg.objects.filter(guide_id__in=ids, active=True).values_list("guide").annotate(n=Count("id")))
    sat = {row["guide"]: row for row in OrgSatisfaction.objects.filter(guide_id__in=ids, year=year, quarter=quarter)
           .values("guide").annotate(avg=Avg("rating"), n=Count("id"))}
    evals = {e.guide_id: e for e in GuideEvaluation.objects.filter(guide_id__in=ids, year=year, quarter=quarter)}
    rows = []
    for g in guides:
        s = sat.get(g.pk)
        avg = Decimal(str(round(s["avg"], 2))) if s else None
        rows.append(GuideQuarter(guide=g, visits=visits.get(g.pk, 0), answered=answered.get(g.pk, 0),
                                 orgs=orgs.get(g.pk, 0), satisfaction=avg, ratings=s["n"] if s else 0,
                                 evaluation=evals.get(g.pk)))
    rows.sort(key=lambda r: (-(r.evaluation.score if r.evaluation else -1), r.guide.name))
    return rows


@dataclass
class NoticeRow:
    new_org: NewOrg
    done: int
    total: int
    missing: list[str]


def monthly_notice(station, month: dt.date) -> dict:
    """月通报: completion of the month's lists by each organisation, meetings held, requests, visits."""
    month = month.replace(day=1)
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    items = list(ListItem.objects.filter(monthly_list__station=station, monthly_list__month=month)
                 .select_related("monthly_list").order_by("monthly_list__kind", "due_on", "id"))
    orgs = list(NewOrg.objects.filter(station=station, active=True).order_by("name"))
    done = defaultdict(set)
    for item_id, org_id in ItemCompletion.objects.filter(item__in=items).values_list("item_id", "new_org_id"):
        done[org_id].add(item_id)
    rows = [NoticeRow(new_org=o, done=len(done[o.pk]), total=len(items),
                      missing=[i.title for i in items if i.pk not in done[o.pk]]) for o in orgs]
    rows.sort(key=lambda r: (-r.done, r.new_org.name))
    meeting = StationMeeting.objects.filter(station=station, held_on__gte=month, held_on__lt=nxt).first()
    return {
        "station": station, "month": month, "items": items, "rows": rows,
        "complete": [r for r in rows if items and r.done == r.total],
        "incomplete": [r for r in rows if r.done < r.total],
        "meeting": meeting,
        "visits": GuideVisit.objects.filter(new_org__station=station, visited_on__gte=month, visited_on__lt=nxt).count(),
        "requests_raised": HelpRequest.objects.filter(new_org__station=station, raised_on__gte=month,
                                                      raised_on__lt=nxt).count(),
        "requests_open": HelpRequest.objects.filter(new_org__station=station).exclude(
            status=HelpRequest.Status.CLOSED).count(),
    }
