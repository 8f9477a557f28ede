"""Reads: dues computed in bulk for any set of members and months.

`compute(memberships, months, as_of)` answers "what is due, what is paid, how
many months behind" for a whole subtree in a fixed number of queries (members,
bases, hardship decisions, settled months, policies), whatever the number of
members: the bases are fetched once and applied in Python with rules.py. Each month is
computed with the rules in force on its last day (a bracket changed from 2027
leaves 2026 as it was).
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from changqing.core.tree import in_subtree
from changqing.members.models import Membership, MembershipPeriod, MembershipState
from changqing.orgs.models import Organization

from . import rules
from changqing.policies.apps import WARNING_MONTHS
from changqing.orgs.selectors import scope_root
from changqing.policies.selectors import Resolver, policy_for

from .apps import DUES, DUES_QUARTERLY
from .models import INCOME_KINDS, BranchFundEntry, DuesBase, DuesMonth, FundKind, HardshipDecision

ZERO = Decimal("0.00")


class RulesResolver:
    """The dues rules for an organisation path in a month: the policies in force on the month's last day (so a
    version from the 1st of a month, or from a day within it, governs that month).

    Three policy kinds make one `Rules`: "dues" (brackets, amounts, limits), "dues.quarterly" (the branch's
    consent) and "warning_months" (the six-month rule). One query for the whole subtree under `root`
    (everything when None), whatever the number of branches and months; a `Rules` is built once per
    combination of versions and shared.
    """

    def __init__(self, root=None, below: bool = True):
        self._policies = Resolver(DUES, DUES_QUARTERLY, WARNING_MONTHS, root=root, below=below)
        self._combined: dict[tuple, rules.Rules] = {}

    def for_path(self, path: str, month: dt.date | None = None) -> rules.Rules:
        on = _month_last_day(month or timezone.localdate())
        p = self._policies
        key = tuple(getattr(p.version(k, path, on), "pk", None) for k in (DUES, DUES_QUARTERLY, WARNING_MONTHS))
        if key not in self._combined:
            self._combined[key] = p.value(DUES, path, on).with_(
                quarterly_allowed=p.value(DUES_QUARTERLY, path, on), warning_months=p.value(WARNING_MONTHS, path, on))
        return self._combined[key]

    def source(self, path: str, month: dt.date | None = None):
        """The dues policy version in force (None: the DOMAIN.md defaults)."""
        return self._policies.version(DUES, path, _month_last_day(month or timezone.localdate()))


def _month_last_day(day: dt.date) -> dt.date:
    return rules.add_months(rules.month_start(day), 1) - dt.timedelta(days=1)


def rules_for(org: Organization, month: dt.date | None = None) -> rules.Rules:
    """One query: the rules in force for the organisation in a month (this month by default)."""
    return RulesResolver(root=org, below=False).for_path(org.path, month)


def active_memberships(qs: QuerySet | None = None) -> QuerySet:
    qs = Membership.objects.all() if qs is None else qs
    return qs.filter(state=MembershipState.ACTIVE)


@dataclass
class MonthDues:
    month: dt.date
    assessment: rules.Assessment | None  # None: no base recorded yet
    due: Decimal | None
    settled: str | None = None  # "paid" | "waived" | None
    paid: Decimal = ZERO
    reduced: bool = False


@dataclass
class MemberDues:
    membership_id: int
    retiree_id: int
    name: str
    branch_code: str
    branch_name: str
    branch_path: str
    rules: rules.Rules
    start: dt.date | None
    last_settled: dt.date | None
    arrears_months: int
    months: dict[dt.date, MonthDues] = field(default_factory=dict)
    end: dt.date | None = None  # the last month owed (rules.last_month_owed); None while the membership lasts

    def owes(self, m: dt.date) -> bool:
        return m in self.months and self.months[m].settled != "not_due"

    @property
    def warning_level(self) -> int:
        return rules.warning_level(self.arrears_months, self.rules)

    @property
    def warning_text(self) -> str:
        return rules.warning_text(self.arrears_months, self.rules)

    def month(self, m: dt.date) -> MonthDues:
        return self.months[m]

    @property
    def unsettled(self) -> list[MonthDues]:
        return [md for md in self.months.values() if md.settled is None]

    @property
    def due_total(self) -> Decimal | None:
        dues = [md.due for md in self.months.values()]
        return None if any(d is None for d in dues) else sum(dues, ZERO)

    @property
    def unsettled_due(self) -> Decimal | None:
        dues = [md.due for md in self.unsettled]
        return None if any(d is None for d in dues) else sum(dues, ZERO)

    @property
    def paid_total(self) -> Decimal:
        return sum((md.paid for md in self.months.values()), ZERO)


def compute(memberships: QuerySet, months: list[dt.date], *, as_of: dt.date,
            resolver: RulesResolver | None = None) -> list[MemberDues]:
    """Dues of every membership in the queryset for the given months; arrears counted up to as_of."""
    months = sorted({rules.month_start(m) for m in months})
    as_of = rules.month_start(as_of)
    last_needed = max(months[-1], as_of)
    ids = memberships.values("pk")
    rows = list(memberships.annotate(
        last_settled=Subquery(DuesMonth.objects.filter(membership=OuterRef("pk"), month__lte=as_of)
                              .values("membership").annotate(m=Max("month")).values("m")[:1]),
        first_base=_first_base(),
    ).values("pk", "retiree_id", "retiree__name", "organization__code", "organization__name", "organization__path",
             "joined_on", "ended_on", "state", "last_settled", "first_base")
        .order_by("organization__path", "retiree__name_pinyin", "pk"))

    bases: dict[int, list[dict]] = defaultdict(list)
    for b in (DuesBase.objects.filter(membership__in=ids, effective_from__lte=last_needed)
              .order_by("membership_id", "effective_from")
              .values("membership_id", "effective_from", "category", "income", "pension_whole", "pension_basic")):
        bases[b["membership_id"]].append(b)
    hardships: dict[int, list[HardshipDecision]] = defaultdict(list)
    for h in HardshipDecision.objects.filter(membership__in=ids, first_month__lte=months[-1],
                                             last_month__gte=months[0]).only(
            "membership_id", "kind", "monthly_amount", "first_month", "last_month"):
        hardships[h.membership_id].append(h)
    settled: dict[tuple[int, dt.date], dict] = {}
    for s in DuesMonth.objects.filter(membership__in=ids, month__in=months).values(
            "membership_id", "month", "amount_due", "payment_id", "hardship_id"):
        settled[(s["membership_id"], s["month"])] = s

    resolver = resolver or RulesResolver()
    out = []
    for r in rows:
        mid = r["pk"]
        path = r["organization__path"]
        rule = resolver.for_path(path, as_of)  # limits and warnings: the rules of the month arrears count to
        member_bases = bases.get(mid, [])
        start = _dues_start(r["first_base"], r["joined_on"])
        active = r["state"] == MembershipState.ACTIVE
        deceased = r["state"] == MembershipState.DECEASED
        end = rules.last_month_owed(r["ended_on"], active, deceased=deceased, death_month_owed=rule.death_month_owed)
        md = MemberDues(
            membership_id=mid, retiree_id=r["retiree_id"], name=r["retiree__name"],
            branch_code=r["organization__code"], branch_name=r["organization__name"],
            branch_path=r["organization__path"], rules=rule, start=start, last_settled=r["last_settled"],
            # arrears stop with the membership: a member who died owes nothing after the month of death
            arrears_months=rules.consecutive_unpaid(r["last_settled"], start, min(as_of, end) if end else as_of),
            end=end,
        )
        keys = [b["effective_from"] for b in member_bases]
        # One assessment per base row and rules, reused across months (a Rules is shared per policy version).
        assessed: dict[tuple[int, int], rules.Assessment] = {}
        member_hardships = hardships.get(mid, ())
        for m in months:
            if not rules.owes(m, joined_on=r["joined_on"], ended_on=r["ended_on"], active=active,
                              first_base=r["first_base"], deceased=deceased, death_month_owed=rule.death_month_owed):
                md.months[m] = MonthDues(m, None, ZERO, settled="not_due")
                continue
            md.months[m] = _month_dues(m, member_bases, keys, assessed, member_hardships, settled.get((mid, m)),
                                       resolver.for_path(path, m))
        out.append(md)
    return out


def _dues_start(first_base: dt.date | None, joined_on: dt.date | None) -> dt.date | None:
    if first_base is None:
        return None
    joined = rules.month_start(joined_on) if joined_on else first_base
    return max(first_base, joined)


def _base_index(keys: list[dt.date], month: dt.date, rule: rules.Rules) -> int | None:
    """Which base row fixes `month`'s dues: January's under 年初核定 (or the first one later in the year
    for a member who started mid-year), the month's own otherwise."""
    if not keys:
        return None
    i = bisect.bisect_right(keys, rules.assessment_month(month, rule)) - 1
    if i >= 0:
        return i
    # Nothing in force at the assessment month: the first base recorded up to this month.
    return 0 if keys[0] <= month else None


def _month_dues(month, bases, keys, assessed, hardships, settled, rule) -> MonthDues:
    """A month the member owes (rules.owes): its amount, and whether it was paid or waived."""
    i = _base_index(keys, month, rule)
    assessment = None
    due = None
    if i is not None:
        assessment = assessed.get((i, id(rule)))
        if assessment is None:
            b = bases[i]
            assessment = assessed[(i, id(rule))] = rules.monthly_dues(
                b["category"], income=b["income"], pension_whole=b["pension_whole"],
                pension_basic=b["pension_basic"], rules=rule)
        due = assessment.amount
    reduced = False
    for h in hardships:
        if h.first_month <= month <= h.last_month:
            reduced = True
            due = ZERO if h.kind == "waive" else h.monthly_amount
    result = MonthDues(month, assessment, due, reduced=reduced)
    if settled is not None:
        if settled["payment_id"]:
            result.settled, result.paid = "paid", settled["amount_due"]
        else:
            result.settled = "waived"
        result.due = settled["amount_due"] if settled["payment_id"] else ZERO
    return result


def month_list(first: dt.date, last: dt.date) -> list[dt.date]:
    return rules.month_range(first, rules.months_between(first, last) + 1)


# -- queryset annotations for list pages (filter and sort in the database) ---

def _first_base() -> Subquery:
    return Subquery(DuesBase.objects.filter(membership=OuterRef("pk"))
                    .values("membership").annotate(m=Min("effective_from")).values("m")[:1])


def with_arrears(qs: QuerySet, as_of: dt.date) -> QuerySet:
    """Annotate last settled month and dues start, so lists can filter by arrears in SQL."""
    return qs.annotate(
        last_settled=Subquery(DuesMonth.objects.filter(membership=OuterRef("pk"), month__lte=as_of)
                              .values("membership").annotate(m=Max("month")).values("m")[:1]),
        first_base=_first_base(),
    )


def with_first_base(qs: QuerySet) -> QuerySet:
    """Annotate the month of the first dues base, which owes_q needs."""
    return qs.annotate(first_base=_first_base())


def _held_q(first: dt.date, last: dt.date, prefix: str = "", death_month_owed: bool = True) -> Q:
    """A member on at least one day from the first day of month `first` to the last day of month `last`
    (rules.last_month_owed: without the month of death when the policy does not ask it)."""
    held = (Q(**{f"{prefix}joined_on__lt": rules.add_months(last, 1)})
            & (Q(**{f"{prefix}ended_on__gt": rules.month_start(first)})
               | Q(**{f"{prefix}ended_on__isnull": True, f"{prefix}state": MembershipState.ACTIVE})))
    if not death_month_owed:
        held &= ~Q(**{f"{prefix}state": MembershipState.DECEASED,
                      f"{prefix}ended_on__lt": rules.add_months(rules.month_start(first), 1)})
    return held


def death_month_owed(org: Organization | None, month: dt.date | None = None) -> bool:
    """The dues policy's answer for the subtree of `org` (its root's policy: lists and counts of a whole subtree
    use one answer; compute() reads each member's own branch)."""
    return rules_for(org, month).death_month_owed if org is not None else rules.DEFAULT_RULES.death_month_owed


def owes_span_q(first: dt.date, last: dt.date, death_month_owed: bool = True) -> Q:
    """Memberships that may owe dues for a month from `first` to `last`: members on some day of the span with a
    base begun by its end, or none (needs with_first_base). A filter before rules.owes decides month by month:
    it also keeps the rare member whose base begins after they left, who owes none of the months."""
    return (_held_q(first, last, death_month_owed=death_month_owed)
            & (Q(first_base__isnull=True) | Q(first_base__lte=rules.month_start(last))))


def owes_q(month: dt.date, death_month_owed: bool = True) -> Q:
    """Memberships that owe dues for `month`: rules.owes in SQL (needs with_first_base or with_arrears).

    The roll of a month. The dashboards count it and list it with this condition, and the yearly summary
    reads the members who owed a month of the year, so a member who died, transferred out or joined during
    a period counts exactly for the months they owed, whatever the roll is today."""
    return owes_span_q(month, month, death_month_owed)


def owing_in(qs: QuerySet, months: list[dt.date], death_month_owed: bool = True) -> QuerySet:
    """The memberships of qs that may owe dues for a month from the first to the last of `months` (owes_span_q)."""
    return with_first_base(qs).filter(owes_span_q(min(months), max(months), death_month_owed))


def held_in_q(path: str, first: dt.date, last: dt.date) -> Q:
    """Memberships held in the subtree at `path` on some day of the months `first`..`last`, by the membership's
    history (MembershipPeriod): a member who has since moved, transferred out, died or left still belongs to the
    branch that held them then. A membership entered without any period counts where it is now."""
    periods = MembershipPeriod.objects.filter(membership=OuterRef("pk"))
    overlapping = periods.filter(start_on__lt=rules.add_months(rules.month_start(last), 1)).filter(
        Q(end_on__isnull=True) | Q(end_on__gt=rules.month_start(first)))
    return (Exists(overlapping.filter(in_subtree(path, "organization")))
            | (~Exists(periods) & in_subtree(path, "organization")))


def month_roll(months: list[dt.date], *, org: Organization | None = None) -> QuerySet:
    """Everyone who owed dues for a month of `months` (rules.owes: a member on at least one day of it), in the
    subtree of `org` as it was then: today's members, and those who have since died, transferred out or left,
    with what they owed and paid then (compute). The roll of a past month never loses anyone."""
    months = [rules.month_start(m) for m in months]
    qs = owing_in(Membership.objects.all(), months, death_month_owed(org, max(months)))
    if org is not None:
        qs = qs.filter(held_in_q(org.path, min(months), max(months)))
    return qs


def branches_in_month(membership_ids, month: dt.date) -> dict[int, dict]:
    """{membership id: {"code", "name", "path"}} of the organisation that held each membership in `month`
    (its last period overlapping the month); memberships without a period are left out (they are where they are)."""
    month = rules.month_start(month)
    out: dict[int, dict] = {}
    for p in (MembershipPeriod.objects.filter(membership_id__in=list(membership_ids),
                                              start_on__lt=rules.add_months(month, 1))
              .filter(Q(end_on__isnull=True) | Q(end_on__gt=month))
              .order_by("membership_id", "start_on", "pk")
              .values("membership_id", "organization__code", "organization__name", "organization__path")):
        out[p["membership_id"]] = {"code": p["organization__code"], "name": p["organization__name"],
                                   "path": p["organization__path"]}
    return out


def month_roll_rows(month: dt.date, membership_ids: list[int]) -> list[dict]:
    """One row per membership of a month's roll, in the order given: what was owed and paid that month, under the
    branch that held the member then (the `dues` command and /api/v1/dues-months/). Money and rates are strings so
    no precision is lost; base and rate are None for fixed amounts and for a member without a base."""
    month = rules.month_start(month)
    then = branches_in_month(membership_ids, month)
    computed = {md.membership_id: md for md in compute(Membership.objects.filter(pk__in=membership_ids), [month],
                                                       as_of=month)}
    states = dict(Membership.objects.filter(pk__in=membership_ids).values_list("pk", "state"))

    def s(v):
        return None if v is None else str(v)

    rows = []
    for mid in membership_ids:
        md = computed.get(mid)
        if md is None:
            continue
        m = md.months[month]
        a = m.assessment
        rows.append({
            "member_id": mid, "name": md.name, "branch_code": then.get(mid, {}).get("code", md.branch_code),
            "state": states.get(mid), "category": a.category if a else None, "base": s(a.base) if a else None,
            "rate": s(a.rate) if a else None, "amount_due": s(m.due), "paid": s(m.paid),
            "arrears_months": md.arrears_months,
        })
    return rows


def owed_month_q(months: list[dt.date], death_month_owed: bool = True) -> Q:
    """DuesMonth rows, of these months, for a month their member owed (owes_q of the row's own month).

    A month paid in advance or waived beyond the death or transfer of its member is settled but was never
    owed: it counts for nobody's roll."""
    held = Q()
    for m in months:
        held |= Q(month=m) & _held_q(m, m, prefix="membership__", death_month_owed=death_month_owed)
    bases = DuesBase.objects.filter(membership=OuterRef("membership_id"))
    return held & (Exists(bases.filter(effective_from__lte=OuterRef("month"))) | ~Exists(bases))


def settled_q(month: dt.date) -> Q:
    """Memberships with `month` paid or waived (a DuesMonth row)."""
    return Q(Exists(DuesMonth.objects.filter(membership=OuterRef("pk"), month=rules.month_start(month))))


def arrears_q(months: int, as_of: dt.date) -> Q:
    """Members with at least `months` consecutive unpaid months up to as_of (needs with_arrears)."""
    as_of = rules.month_start(as_of)
    return (Q(last_settled__lte=rules.add_months(as_of, -months))
            | Q(last_settled__isnull=True, first_base__lte=rules.add_months(as_of, -(months - 1))))


def warning_months_for(user, on: dt.date) -> tuple[int, ...]:
    """The warning months of the root of the user's scope ("warning_months" policy): the bands a list of the
    whole jurisdiction counts by. A member's own page uses their branch's (MemberDues.rules)."""
    root = scope_root(user)
    return policy_for(WARNING_MONTHS, root, on) if root is not None else rules.DEFAULT_RULES.warning_months


def band_q(level: int, as_of: dt.date, thresholds=rules.DEFAULT_RULES.warning_months) -> Q:
    """Members whose highest warning reached is `level` (3 → 3–4 months, 5 → 5, 6 → 6 and more)."""
    higher = [t for t in sorted(thresholds) if t > level]
    q = arrears_q(level, as_of)
    return q & ~arrears_q(higher[0], as_of) if higher else q


def warning_counts(qs: QuerySet, as_of: dt.date, thresholds=rules.DEFAULT_RULES.warning_months) -> dict[int, int]:
    """How many members sit in each warning band (one query per band)."""
    annotated = with_arrears(active_memberships(qs), as_of)
    return {t: annotated.filter(band_q(t, as_of, thresholds)).count() for t in thresholds}


def last_closed_month(today: dt.date) -> dt.date:
    """Dues for a month may be paid during that month: warnings count up to the previous one."""
    return rules.add_months(rules.month_start(today), -1)


# -- branch fund ----------------------------------------------------------

def fund_totals(qs: QuerySet) -> dict[str, Decimal]:
    """Income by kind, spending and balance of the entries in qs (one query)."""
    agg = qs.aggregate(**{k: Coalesce(Sum("amount", filter=Q(kind=k)), ZERO) for k in FundKind.values})
    income = sum((agg[k] for k in INCOME_KINDS), ZERO)
    return {**agg, "income": income, "balance": income - agg[FundKind.SPENDING]}


def fund_balance(org: Organization) -> Decimal:
    return fund_totals(BranchFundEntry.objects.filter(organization=org))["balance"]


def fund_annotations(prefix: str = "fund_entries__", date_q: Q | None = None) -> dict:
    base = date_q or Q()
    income = Q(**{f"{prefix}kind__in": INCOME_KINDS})
    return {
        "refund": Coalesce(Sum(f"{prefix}amount", filter=base & Q(**{f"{prefix}kind": FundKind.REFUND})), ZERO),
        "allocation": Coalesce(Sum(f"{prefix}amount", filter=base & Q(**{f"{prefix}kind": FundKind.ALLOCATION})),
                               ZERO),
        "income": Coalesce(Sum(f"{prefix}amount", filter=base & income), ZERO),
        "spending": Coalesce(Sum(f"{prefix}amount", filter=base & Q(**{f"{prefix}kind": FundKind.SPENDING})), ZERO),
    }
