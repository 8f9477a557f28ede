"""The records behind a dashboard figure: one queryset per figure key, built with the same filters as the figure.

`/dashboards/records/?figure=<key>&org=<code>&period=<period>[&zone=][&month=][&level=][&reason=]`
is a ScopedListView over the queryset below, so it pages, sorts, restricts to
the user's scope and exports exactly those rows (`?export=xlsx`). Figures
computed by life's engine (overdue branches) are recomputed here with the same
function and become a list of organisations by id.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from django.db.models import Exists, OuterRef, Q

from changqing.core.masking import birth_column_kwargs
from changqing.core.tree import in_subtree
from changqing.care.models import Visit
from changqing.core.lists import Column
from changqing.dues.selectors import (
    active_memberships,
    arrears_q,
    band_q,
    death_month_owed,
    last_closed_month,
    owes_q,
    settled_q,
    with_arrears,
    with_first_base,
)
from changqing.life import engine
from changqing.members.models import Membership, PersonStatus, Retiree, RetirementKind
from changqing.orgs.models import Organization, OrgKind, Zone

from . import selectors


@dataclass
class Ask:
    """What the records view was asked for."""

    root: Organization
    period: engine.Period
    today: dt.date
    user: object
    zone: Zone | None = None
    month: dt.date | None = None
    level: int = 1
    reason: str = ""

    @property
    def path(self) -> str:
        return self.root.path

    def zone_q(self, org_field: str) -> Q:
        return Q(**{f"{org_field}__zone": self.zone}) if self.zone else Q()


@dataclass
class RecordSpec:
    title: str
    rows: Callable[[Ask], object]  # Ask -> queryset
    columns: list[Column]


ORG_COLUMNS = [
    Column("code", "编码", sort="code"),
    Column("name", "组织名称", sort="path", link=True),
    Column("parent.name", "上级组织"),
    Column("zone.name", "片组"),
]
RETIREE_COLUMNS = [
    Column("name", "姓名", sort="name_pinyin", link=True),
    Column("gender", "性别", value=lambda r: r.get_gender_display()),
    Column("birth_date", "出生日期", sort="birth_date", **birth_column_kwargs()),
    Column("retirement_kind", "类别", sort="retirement_kind", value=lambda r: r.get_retirement_kind_display()),
    Column("organization.name", "所在组织", sort="organization__path"),
    Column("health", "健康状况", value=lambda r: r.get_health_display()),
    Column("phone", "联系电话", value=lambda r: r.masked_phone),
]
MEMBERSHIP_COLUMNS = [
    Column("retiree.name", "姓名", sort="retiree__name_pinyin", link=True),
    Column("organization.name", "所在支部", sort="organization__path"),
    Column("status", "党员类别", value=lambda m: m.get_status_display()),
    Column("joined_on", "入党日期", sort="joined_on"),
]
# The dues lists of a month may hold members who have since died or transferred out: say so.
OWING_COLUMNS = MEMBERSHIP_COLUMNS + [
    Column("state", "党籍状态", sort="state", value=lambda m: m.get_state_display()),
    Column("ended_on", "党籍变动日期", sort="ended_on"),
]
VISIT_COLUMNS = [
    Column("visited_on", "走访日期", sort="visited_on", link=True),
    Column("retiree.name", "走访对象", sort="retiree__name_pinyin"),
    Column("retiree.organization.name", "所在组织"),
    Column("kind", "类型", value=lambda v: v.get_kind_display()),
    Column("visitors", "走访人"),
]
HARDSHIP_COLUMNS = [
    Column("retiree.name", "姓名", sort="retiree__name_pinyin"),
    Column("retiree.organization.name", "所在组织"),
    Column("reason", "困难类型", sort="reason", value=lambda h: h.get_reason_display()),
    Column("since", "登记日期", sort="since"),
    Column("note", "情况说明"),
]
FINDING_COLUMNS = [
    Column("kind", "问题类型", sort="kind", link=True, value=lambda f: f.get_kind_display()),
    Column("organization.name", "支部", sort="organization__path"),
    Column("severity", "严重程度", sort="severity", value=lambda f: f.get_severity_display()),
    Column("period", "审计年度", sort="period"),
    Column("status", "核实状态", value=lambda f: f.get_status_display()),
]


def _orgs(a: Ask):
    return Organization.objects.filter(in_subtree(a.path), Q(zone=a.zone) if a.zone else Q(),
                                       dissolved_on__isnull=True).select_related("parent", "zone")


def _branches(a: Ask):
    return _orgs(a).filter(kind=OrgKind.BRANCH)


def _overdue_ids(a: Ask) -> set[int]:
    ids, _ = selectors.overdue_branch_ids(a.root, a.period, user=a.user, today=a.today)
    return ids


def _month_status_ids(a: Ask, wanted) -> set[int]:
    """Branches whose worst status in the month (life's heat map cell) is one of `wanted`."""
    from changqing.life import selectors as life

    branches, months, cells = life.heat_map(a.root, a.period, user=a.user, today=a.today)
    return {b.id for b in branches
            if all(engine.worst_status(r.status for r in cells.get((b.id, m), [])) in wanted for m in months)}


def _retirees(a: Ask):
    return Retiree.objects.filter(in_subtree(a.path, "organization"), a.zone_q("organization"),
                                  status=PersonStatus.ALIVE).select_related("organization")


def _visits_in(a: Ask):
    return Visit.objects.filter(retiree=OuterRef("pk"), visited_on__gte=a.period.start, visited_on__lte=a.period.end)


def _members(a: Ask):
    return active_memberships().filter(in_subtree(a.path, "organization"), a.zone_q("organization")) \
        .select_related("retiree", "organization")


def _month(a: Ask) -> dt.date:
    return a.month or selectors.months_shown(a.period, a.today)[-1]


def _owing(a: Ask):
    """Members who owed dues for the month (dues.selectors.owes_q, the board's roll), wherever they are now."""
    qs = Membership.objects.filter(in_subtree(a.path, "organization"), a.zone_q("organization"))
    month = _month(a)
    return with_first_base(qs).filter(owes_q(month, death_month_owed(a.root, month))).select_related(
        "retiree", "organization")


def _arrears(a: Ask):
    as_of = last_closed_month(a.today)
    q = arrears_q(1, as_of) if a.level == 1 else band_q(a.level, as_of, selectors.warning_months(a.root, as_of))
    return with_arrears(_members(a), as_of).filter(q)


def _hardship(a: Ask):
    qs = selectors.hardship_records(a.path, a.today).filter(a.zone_q("retiree__organization")) \
        .select_related("retiree__organization")
    return qs.filter(reason=a.reason) if a.reason else qs


def _hardship_visits(a: Ask):
    return Visit.objects.filter(retiree=OuterRef("retiree"), visited_on__gte=a.period.start,
                                visited_on__lte=a.period.end)


def _hardship_unvisited(a: Ask):
    return _hardship(a).filter(~Exists(_hardship_visits(a)))


SPECS: dict[str, RecordSpec] = {
    "orgs.branches": RecordSpec("支部", _branches, ORG_COLUMNS),
    "members.members": RecordSpec("在册党员", _members, MEMBERSHIP_COLUMNS),
    "members.lixiu": RecordSpec("健在离休干部", lambda a: _retirees(a).filter(retirement_kind=RetirementKind.LIXIU),
                                RETIREE_COLUMNS),
    "life.overdue_branches": RecordSpec("组织生活有逾期的支部",
                                        lambda a: _branches(a).filter(pk__in=_overdue_ids(a)), ORG_COLUMNS),
    "life.compliant_branches": RecordSpec("组织生活无逾期的支部",
                                          lambda a: _branches(a).exclude(pk__in=_overdue_ids(a)), ORG_COLUMNS),
    "life.done_branches": RecordSpec("组织生活全部完成的支部", lambda a: _branches(a).filter(
        pk__in=_month_status_ids(a, {engine.DONE})), ORG_COLUMNS),
    "life.open_branches": RecordSpec("组织生活尚未到期或即将到期的支部", lambda a: _branches(a).filter(
        pk__in=_month_status_ids(a, {engine.PENDING, engine.DUE_SOON})), ORG_COLUMNS),
    "dues.owing": RecordSpec("当月应交党费的党员", _owing, OWING_COLUMNS),
    "dues.settled": RecordSpec("当月党费已缴（含减免）的党员", lambda a: _owing(a).filter(settled_q(_month(a))),
                               OWING_COLUMNS),
    "dues.unsettled": RecordSpec("当月党费未缴的党员", lambda a: _owing(a).exclude(settled_q(_month(a))),
                                 OWING_COLUMNS),
    "dues.arrears": RecordSpec("欠缴党费的党员", _arrears, MEMBERSHIP_COLUMNS),
    "care.retirees": RecordSpec("健在离退休干部", _retirees, RETIREE_COLUMNS),
    "care.visited": RecordSpec("期间走访到的离退休干部", lambda a: _retirees(a).filter(Exists(_visits_in(a))),
                               RETIREE_COLUMNS),
    "care.unvisited": RecordSpec("期间尚未走访的离退休干部", lambda a: _retirees(a).filter(~Exists(_visits_in(a))),
                                 RETIREE_COLUMNS),
    "care.visits": RecordSpec("期间的走访慰问记录", lambda a: Visit.objects.filter(
        in_subtree(a.path, "retiree__organization"), a.zone_q("retiree__organization"),
        retiree__status=PersonStatus.ALIVE, visited_on__gte=a.period.start, visited_on__lte=a.period.end)
        .select_related("retiree__organization"), VISIT_COLUMNS),
    "care.hardship": RecordSpec("在册困难对象", _hardship, HARDSHIP_COLUMNS),
    "care.hardship_visited": RecordSpec("期间已走访的困难对象", lambda a: _hardship(a).filter(
        Exists(_hardship_visits(a))), HARDSHIP_COLUMNS),
    "care.hardship_unvisited": RecordSpec("期间未走访的困难对象", _hardship_unvisited, HARDSHIP_COLUMNS),
    "care.birthdays": RecordSpec("本月过生日的离退休干部",
                                 lambda a: _retirees(a).filter(birth_date__month=a.today.month), RETIREE_COLUMNS),
    "audit.open": RecordSpec("待核实的审计问题", lambda a: selectors.open_findings(a.path)
                             .filter(a.zone_q("organization")).select_related("organization"), FINDING_COLUMNS),
}
DEFAULT = "care.retirees"
