"""The yearly statistics of seed 000 篇6, as of any date, for any subtree.

Every figure is a condition on one model (Retiree or Organization), written
once as a Q object for a date. `annual_figures` aggregates those conditions in
one query per model; `figure_records` filters with the very same Q, so the
list behind a figure always has exactly as many rows as the figure.

"As of `on`" means the state at the END of that day (截至某日):
- a retiree counts when retired on or before `on` (no date recorded: counted)
  and not deceased on or before `on`;
- a party member is a counted retiree whose membership began on or before `on`
  and had not ended by `on` (an ended membership without a date never counts);
- an organisation counts when established on or before `on` (no date: counted)
  and not dissolved on or before `on`. 党工委/党委 (kind committee) are the
  bodies above the retired cadres' organisations and 党小组 are not 党组织, so
  neither is counted; everything else in the subtree (党总支 and 党支部) is.

The subtree is `in_subtree(org.path)` of the organisation itself for
organisation figures. A person counts where they were on that date: a party
member in the organisation their membership was in that day (MembershipPeriod,
so a member who moved in 2020 counts in the old branch for 2019), anyone else
(and a membership entered without history) in their service organisation.
An organisation counts nobody before it was established. org=None means the
whole tree, where placement does not matter: the totals are the same either way.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse

from changqing.core.tree import in_subtree
from changqing.members.models import (
    Absence,
    Health,
    Living,
    MembershipPeriod,
    MembershipState,
    PersonStatus,
    Retiree,
    RetirementKind,
)
from changqing.orgs.models import Organization, OrgKind, SetupKind

# (key, Chinese label), in the order of the table of 篇6.
FIGURES: list[tuple[str, str]] = [
    ("retirees", "离退休干部"),
    ("members", "其中党员"),
    ("lixiu", "离休干部"),
    ("lixiu_members", "离休干部党员"),
    ("tuixiu", "退休干部"),
    ("tuixiu_members", "退休干部党员"),
    ("organizations", "离退休干部党组织"),
    ("organizations_alone", "单独设置"),
    ("organizations_combined", "与在职人员合编或编入社区"),
    ("organizations_with_staff", "与在职人员合编"),
    ("organizations_community", "编入社区"),
    ("organizations_other", "其他（老年大学临时、流动）"),
]
FIGURE_LABELS = dict(FIGURES)
ORG_FIGURES = {k for k, _ in FIGURES if k.startswith("organizations")}


def years_before(on: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


# -- the conditions ---------------------------------------------------------------------


def _retiree_q(on: dt.date) -> Q:
    retired = Q(retired_on__lte=on) | Q(retired_on__isnull=True)
    alive = Q(deceased_on__gt=on) | Q(deceased_on__isnull=True, status=PersonStatus.ALIVE)
    return retired & alive


def _member_q(on: dt.date) -> Q:
    held = Q(membership__ended_on__gt=on) | Q(membership__ended_on__isnull=True,
                                               membership__state=MembershipState.ACTIVE)
    return _retiree_q(on) & Q(membership__joined_on__lte=on) & held


def _org_q(on: dt.date) -> Q:
    exists = (Q(established_on__lte=on) | Q(established_on__isnull=True)) & (
        Q(dissolved_on__gt=on) | Q(dissolved_on__isnull=True))
    return exists & ~Q(kind__in=[OrgKind.COMMITTEE, OrgKind.GROUP])


_FIGURE_Q: dict[str, Callable[[dt.date], Q]] = {
    "retirees": _retiree_q,
    "members": _member_q,
    "lixiu": lambda on: _retiree_q(on) & Q(retirement_kind=RetirementKind.LIXIU),
    "lixiu_members": lambda on: _member_q(on) & Q(retirement_kind=RetirementKind.LIXIU),
    "tuixiu": lambda on: _retiree_q(on) & Q(retirement_kind=RetirementKind.TUIXIU),
    "tuixiu_members": lambda on: _member_q(on) & Q(retirement_kind=RetirementKind.TUIXIU),
    "organizations": _org_q,
    "organizations_alone": lambda on: _org_q(on) & Q(setup_kind__in=[SetupKind.ALONE, SetupKind.JOINT]),  # 单独设置
    "organizations_combined": lambda on: _org_q(on) & Q(setup_kind__in=[SetupKind.COMBINED, SetupKind.COMMUNITY]),
    "organizations_with_staff": lambda on: _org_q(on) & Q(setup_kind=SetupKind.COMBINED),
    "organizations_community": lambda on: _org_q(on) & Q(setup_kind=SetupKind.COMMUNITY),
    "organizations_other": lambda on: _org_q(on) & Q(setup_kind__in=[SetupKind.SENIOR_UNIVERSITY, SetupKind.MOBILE]),
}
assert set(_FIGURE_Q) == set(FIGURE_LABELS)


def _subtree(org: Organization | None, prefix: str) -> Q:
    return in_subtree(org.path, prefix.removesuffix("__")) if org is not None else Q()


def _retirees(org) -> QuerySet:
    """Everyone who may be placed in the subtree on some date: served there now, or a membership held there once.
    Which of them count on a date is _placed_q's (inside each Count, so several dates share one query)."""
    if org is None:
        return Retiree.objects.all()
    ever = MembershipPeriod.objects.filter(in_subtree(org.path, "organization")).values("membership__retiree_id")
    return Retiree.objects.filter(in_subtree(org.path, "organization") | Q(pk__in=ever))


def _existed(org: Organization | None, on: dt.date) -> bool:
    return org is None or org.established_on is None or org.established_on <= on


def _placed_q(org, on: dt.date) -> Q:
    """People placed in the subtree of `org` at the end of `on`: by the membership period covering that day, else
    (not a member then, or a membership without history) by the service organisation. Nobody before the
    organisation existed."""
    if org is None:
        return Q()
    if not _existed(org, on):
        return Q(pk__in=[])
    # Uncorrelated INs (each hashed once by PostgreSQL), not EXISTS per row: a trend asks this for many dates.
    covering = MembershipPeriod.objects.filter(start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gt=on))
    held_here = covering.filter(in_subtree(org.path, "organization")).values("membership__retiree_id")
    held_anywhere = covering.values("membership__retiree_id")
    return Q(pk__in=held_here) | (in_subtree(org.path, "organization") & ~Q(pk__in=held_anywhere))


def _organizations(org) -> QuerySet:
    return Organization.objects.filter(_subtree(org, ""))


def _org_existed_q(org, on: dt.date) -> Q:
    return Q() if _existed(org, on) else Q(pk__in=[])


# -- figures -----------------------------------------------------------------------------


def annual_figures(*, org: Organization | None, on: dt.date) -> dict[str, int]:
    """Every figure of FIGURES for the subtree of `org` as of `on`: two queries whatever the size."""
    return _figures_at(org, {on: ""})[on]


def _figures_at(org, dates: dict[dt.date, str]) -> dict[dt.date, dict[str, int]]:
    """The figures at several dates in two aggregate queries (one per model)."""
    people, orgs = {}, {}
    for on, tag in dates.items():
        for key, _ in FIGURES:
            if key in ORG_FIGURES:
                orgs[f"{key}{tag}"] = Count("pk", filter=_FIGURE_Q[key](on) & _org_existed_q(org, on))
            else:
                people[f"{key}{tag}"] = Count("pk", filter=_FIGURE_Q[key](on) & _placed_q(org, on))
    counted = {**_retirees(org).aggregate(**people), **_organizations(org).aggregate(**orgs)}
    return {on: {key: counted[f"{key}{tag}"] for key, _ in FIGURES} for on, tag in dates.items()}


def trend(*, org: Organization | None, years: list[int]) -> list[dict]:
    """[{"year", "on" (that year's 12-31), "figures": {key: n}}] for each year, in two queries.

    People: for each retiree, SQL works out the index of the first year-end by which they had
    retired, died, joined and left the party, and groups by those indexes (at most
    2 x (years+1)^4 groups, whatever the number of people); the figures of each year follow
    from the groups in Python with the same end-of-day rules as annual_figures (tested equal).
    """
    ons = sorted(dt.date(y, 12, 31) for y in set(years))
    if not ons:
        return []
    if org is not None:
        # A subtree places people by each date's membership history: one aggregate per model for all the dates.
        at = _figures_at(org, {on: f"__{i}" for i, on in enumerate(ons)})
        return [{"year": on.year, "on": on, "figures": at[on]} for on in ons]
    n = len(ons)

    def first_by(field: str, *, null_when: list[tuple[Q, int]] = ()) -> Case:
        whens = [When(cond, then=Value(v)) for cond, v in null_when]
        whens += [When(**{f"{field}__lte": on, "then": Value(i)}) for i, on in enumerate(ons)]
        return Case(*whens, default=Value(n), output_field=IntegerField())

    alive = PersonStatus.ALIVE
    groups = (_retirees(org).values("retirement_kind").annotate(
        retired=first_by("retired_on", null_when=[(Q(retired_on__isnull=True), 0)]),
        died=first_by("deceased_on", null_when=[(Q(deceased_on__isnull=True, status=alive), n),
                                                (Q(deceased_on__isnull=True), 0)]),
        joined=first_by("membership__joined_on", null_when=[(Q(membership__isnull=True), n)]),
        left=first_by("membership__ended_on", null_when=[
            (Q(membership__isnull=True), n),
            (Q(membership__ended_on__isnull=True, membership__state=MembershipState.ACTIVE), n),
            (Q(membership__ended_on__isnull=True), 0)]),
    ).values_list("retirement_kind", "retired", "died", "joined", "left").annotate(count=Count("pk")).order_by())
    people = [{key: 0 for key in ("retirees", "members", "lixiu", "lixiu_members", "tuixiu", "tuixiu_members")}
              for _ in ons]
    for kind, retired, died, joined, left, count in groups:
        for i in range(retired, min(died, n)):
            people[i]["retirees"] += count
            people[i][kind] += count
            if joined <= i < left:
                people[i]["members"] += count
                people[i][f"{kind}_members"] += count
    orgs = _organizations(org).aggregate(**{f"{key}__{i}": Count("pk", filter=_FIGURE_Q[key](on))
                                            for i, on in enumerate(ons) for key in ORG_FIGURES})
    return [{"year": on.year, "on": on,
             "figures": {key: people[i][key] if key in people[i] else orgs[f"{key}__{i}"] for key, _ in FIGURES}}
            for i, on in enumerate(ons)]


# -- distributions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    q: Callable[[dt.date], Q]


def _age_band(low: int | None, high: int | None, field: str) -> Callable[[dt.date], Q]:
    """Completed years at `on` in [low, high] on a date field (birth date, date joined)."""

    def q(on):
        cond = Q()
        if low is not None:
            cond &= Q(**{f"{field}__lte": years_before(on, low)})
        if high is not None:
            cond &= Q(**{f"{field}__gt": years_before(on, high + 1)})
        return cond

    return q


def _away(on: dt.date) -> Q:
    """Away on `on`: an absence begun by then and not yet over (an uncorrelated IN, hashed once by PostgreSQL)."""
    away = Absence.objects.filter(start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gt=on))
    return Q(pk__in=away.values("retiree_id"))


def _away_temporary(on: dt.date) -> Q:
    away = Absence.objects.filter(start_on__lte=on, host_since__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gt=on))
    return Q(pk__in=away.values("retiree_id"))


@dataclass(frozen=True)
class Distribution:
    key: str
    label: str
    figure: str  # the population: the records of this figure are split into the buckets
    buckets: tuple[Bucket, ...]


DISTRIBUTIONS: list[Distribution] = [
    Distribution("age", "年龄结构", "retirees", (
        Bucket("under-60", "60岁以下", _age_band(None, 59, "birth_date")),
        Bucket("60-69", "60—69岁", _age_band(60, 69, "birth_date")),
        Bucket("70-79", "70—79岁", _age_band(70, 79, "birth_date")),
        Bucket("80-89", "80—89岁", _age_band(80, 89, "birth_date")),
        Bucket("90-", "90岁及以上", _age_band(90, None, "birth_date")),
    )),
    Distribution("party_age", "党龄结构（党员）", "members", (
        Bucket("under-30", "不满30年", _age_band(None, 29, "membership__joined_on")),
        Bucket("30-39", "30—39年", _age_band(30, 39, "membership__joined_on")),
        Bucket("40-49", "40—49年", _age_band(40, 49, "membership__joined_on")),
        Bucket("50-59", "50—59年", _age_band(50, 59, "membership__joined_on")),
        Bucket("60-", "60年及以上", _age_band(60, None, "membership__joined_on")),
    )),
    Distribution("health", "健康状况", "retirees", tuple(
        Bucket(value, label, (lambda v: lambda on: Q(health=v))(value)) for value, label in Health.choices)),
    Distribution("living", "居住情况", "retirees", tuple(
        Bucket(value, label, (lambda v: lambda on: Q(living=v))(value)) for value, label in Living.choices)),
    Distribution("absence", "外出流动", "retirees", (
        Bucket("home", "未外出", lambda on: ~_away(on)),
        Bucket("away", "外出，未转临时组织关系", lambda on: _away(on) & ~_away_temporary(on)),
        Bucket("temporary", "外出，已转临时组织关系", _away_temporary),
    )),
    # Buckets are the zones found in the data (zone code), plus "none" (see distributions()).
    Distribution("zone", "片组分布", "retirees", ()),
]
DISTRIBUTION_BY_KEY = {d.key: d for d in DISTRIBUTIONS}
NO_ZONE = "none"


def _bucket_q(dist: str, bucket: str, on: dt.date) -> Q:
    d = DISTRIBUTION_BY_KEY.get(dist)
    if d is None:
        raise ValueError(f"未知的分布：{dist}")
    if d.key == "zone":
        return Q(organization__zone__isnull=True) if bucket == NO_ZONE else Q(organization__zone__code=bucket)
    for b in d.buckets:
        if b.key == bucket:
            return b.q(on)
    raise ValueError(f"未知的分组：{bucket}")


def figure_records(key: str, *, org: Organization | None, on: dt.date, dist: str | None = None,
                   bucket: str | None = None) -> QuerySet:
    """Exactly the records a figure (or one bucket of a distribution, when dist and bucket are given) counts."""
    if key not in _FIGURE_Q:
        raise ValueError(f"未知的统计项：{key}")
    if key in ORG_FIGURES:
        qs = _organizations(org).filter(_FIGURE_Q[key](on) & _org_existed_q(org, on))
    else:
        qs = _retirees(org).filter(_FIGURE_Q[key](on) & _placed_q(org, on))
    if dist:
        if DISTRIBUTION_BY_KEY.get(dist) is None or DISTRIBUTION_BY_KEY[dist].figure != key:
            raise ValueError(f"分布「{dist}」不属于统计项「{key}」")
        qs = qs.filter(_bucket_q(dist, bucket or "", on))
    return qs


def records_url(key: str, *, org: Organization | None, on: dt.date, **bucket) -> str:
    """/stats/records/?org=CODE&on=YYYY-MM-DD&figure=KEY[&dist=…&bucket=…]."""
    params = {"org": org.code} if org is not None else {}
    params.update(on=on.isoformat(), figure=key, **bucket)
    return f"{reverse('stats:records')}?{urlencode(params)}"


def _percent(n: int, total: int) -> float:
    return round(100 * n / total, 1) if total else 0.0


def distributions(*, org: Organization | None, on: dt.date) -> dict:
    """{dist key: {"label", "figure", "total", "buckets": [{"key", "label", "count", "percent", "params", "url"}]}}.

    Two queries: one aggregate for the fixed buckets, one GROUP BY for zones.
    """
    # Every population is a subset of the counted retirees: that condition goes into WHERE once,
    # the member condition only into the party-age counts.
    extra = {"retirees": Q(), "members": _member_q(on)}
    aggregates = {}
    for d in DISTRIBUTIONS:
        base = extra[d.figure]
        aggregates[f"{d.key}__total"] = Count("pk", filter=base) if base else Count("pk")
        for b in d.buckets:
            aggregates[f"{d.key}__{b.key}"] = Count("pk", filter=base & b.q(on))
    placed = _retirees(org).filter(_retiree_q(on) & _placed_q(org, on))
    counted = placed.aggregate(**aggregates)
    zones = list(placed.values("organization__zone__code", "organization__zone__name")
                 .annotate(n=Count("pk")).order_by("organization__zone__code"))
    result = {}
    for d in DISTRIBUTIONS:
        total = counted[f"{d.key}__total"]
        if d.key == "zone":
            rows = [(z["organization__zone__code"] or NO_ZONE, z["organization__zone__name"] or "未划片组", z["n"])
                    for z in zones]
            rows.sort(key=lambda r: (r[0] == NO_ZONE, r[0]))
        else:
            rows = [(b.key, b.label, counted[f"{d.key}__{b.key}"]) for b in d.buckets]
        buckets = []
        for key, label, n in rows:
            params = {"figure": d.figure, "dist": d.key, "bucket": key}
            buckets.append({"key": key, "label": label, "count": n, "percent": _percent(n, total),
                            "params": {**({"org": org.code} if org is not None else {}), "on": on.isoformat(),
                                       **params},
                            "url": records_url(d.figure, org=org, on=on, dist=d.key, bucket=key)})
        result[d.key] = {"label": d.label, "figure": d.figure, "total": total, "buckets": buckets}
    return result

