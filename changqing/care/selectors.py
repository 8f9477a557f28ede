"""Reads for care and service. Every function takes already scope-restricted querysets."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q, Sum

from changqing.core.masking import Reveal

from .models import Pairing, Participation, TeamMember, Visit


def care_settings() -> dict:
    defaults = {"BIRTHDAY_REMINDER_DAYS": 7, "BIRTHDAY_MILESTONES": (80, 90, 100),
                "PARTY_AGE_MILESTONES": (50, 60, 70)}
    return {**defaults, **settings.CHANGQING.get("CARE", {})}


@dataclass
class Anniversary:
    retiree_id: int
    name: str
    organization: str
    kind: str  # "birthday" | "party_birthday"
    on: dt.date
    years: int | None  # None: a birthday whose age the viewer may not know (core.masking)
    milestone: bool

    @property
    def label(self) -> str:
        if self.kind == "birthday":
            if self.years is None:
                return "生日"
            return f"{self.years}岁生日" + ("（逢十大寿）" if self.milestone else "")
        return f"政治生日：入党{self.years}周年" + ("（光荣在党50年）" if self.years == 50 else
                                                   ("（党龄整十）" if self.milestone else ""))


def _this_year(d: dt.date, year: int) -> dt.date:
    try:
        return d.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 3, 1)


def anniversaries(retirees, start: dt.date, end: dt.date, reveal: Reveal | None = None) -> list[Anniversary]:
    """Birthdays and political birthdays falling in [start, end], alive people only; two queries.

    With `reveal`, a birthday of someone the viewer may not reveal says the day (the visit needs it)
    but not the age: the day and the age together are the birth date the masked ID number hides.
    """
    cfg = care_settings()
    rows = retirees.filter(status="alive").values_list("pk", "name", "birth_date", "organization__name",
                                                       "membership__joined_on", "membership__state",
                                                       "organization__path")
    out = []
    for pk, name, birth, org, joined, state, path in rows:
        age_hidden = reveal is not None and not reveal.may_at(path, pk)
        for kind, base in (("birthday", birth), ("party_birthday", joined if state == "active" else None)):
            if base is None:
                continue
            for year in range(start.year, end.year + 1):
                day = _this_year(base, year)
                if start <= day <= end:
                    years = year - base.year
                    milestones = cfg["BIRTHDAY_MILESTONES"] if kind == "birthday" else cfg["PARTY_AGE_MILESTONES"]
                    if kind == "birthday" and age_hidden:
                        out.append(Anniversary(pk, name, org, kind, day, None, False))
                        continue
                    out.append(Anniversary(pk, name, org, kind, day, years,
                                           years in milestones or (kind == "birthday" and years >= 100)))
    out.sort(key=lambda a: (a.on, a.kind, a.name))
    return out


@dataclass
class PairStatus:
    pairing: Pairing
    last_visit: dt.date | None
    due_on: dt.date
    overdue: bool
    visits_this_year: int


def pairing_status(pairings, today: dt.date) -> list[PairStatus]:
    pairings = list(pairings.select_related("retiree__organization", "carer"))
    ids = [p.pk for p in pairings]
    stats = {r["pairing"]: r for r in Visit.objects.filter(pairing_id__in=ids).values("pairing").annotate(
        last=Max("visited_on"), year=Count("id", filter=Q(visited_on__year=today.year)))}
    out = []
    for p in pairings:
        s = stats.get(p.pk, {})
        last = s.get("last")
        due = (last or p.started_on) + dt.timedelta(days=p.cadence_days)
        out.append(PairStatus(p, last, due, p.ended_on is None and due < today, s.get("year", 0)))
    out.sort(key=lambda s: (not s.overdue, s.due_on))
    return out


def volunteer_totals(teams, year: int | None = None):
    """Per team: members, activities, person-hours (optionally in one year); one query each."""
    activity_filter = Q(activities__held_on__year=year) if year else Q()
    teams = teams.annotate(
        member_count=Count("members", distinct=True),
        activity_count=Count("activities", filter=activity_filter, distinct=True),
    )
    hours = dict(Participation.objects.filter(activity__team__in=teams, **(
        {"activity__held_on__year": year} if year else {})).values_list("activity__team").annotate(h=Sum("hours")))
    return [(t, hours.get(t.pk, 0) or 0) for t in teams]


def match_helpers(retirees, need: str, limit: int = 50):
    """Who can offer what is asked: team members' stated skills, their team's services, or their specialties."""
    need = need.strip()
    if not need:
        return []
    members = (TeamMember.objects.filter(retiree__in=retirees.filter(status="alive"))
               .filter(Q(skills__icontains=need) | Q(team__services__icontains=need))
               .select_related("retiree__organization", "team")[:limit])
    seen, out = set(), []
    for m in members:
        seen.add(m.retiree_id)
        out.append({"retiree": m.retiree, "team": m.team, "offer": m.skills or m.team.services})
    for r in retirees.filter(status="alive", specialties__icontains=need).exclude(pk__in=seen).select_related(
            "organization")[: max(0, limit - len(out))]:
        out.append({"retiree": r, "team": None, "offer": r.specialties})
    return out
