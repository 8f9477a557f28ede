"""Demo histories for the registry: branch periods, status changes, transfers, deaths, current absences.

The generator writes people and memberships; this adds what happened to
them: every membership gets its first period (and, county and city, its
入党/转正 events); some branches lose a member who died, receive one from
outside, send one away, or get one moved in from a neighbouring branch; the
county also has a few probationary members; and this winter's stays in the
south are under way, some past the six-month limit without a temporary
relationship, so the reminders have something to say.
"""
from __future__ import annotations

import datetime as dt

from changqing.demo.bulk import copy_insert, log_created
from changqing.orgs.models import Organization, OrgKind
from changqing.core.tree import in_subtree

from .models import (
    Absence, Membership, MembershipEvent, MembershipPeriod, MembershipState, MembershipStatus, PersonStatus, Retiree,
    Transfer, TransferDirection,
)
from .rules import add_months

BATCH = 5000
Kind = MembershipEvent.Kind
OUTSIDE = ["长沙市芙蓉区定王台街道社区党委", "湘西州吉首市乾州街道党工委", "张家界市永定区机关工委",
           "广州市天河区离退休干部党支部", "怀化市鹤城区老干部党支部", "常德市武陵区城东街道党工委"]
SOUTH = ["海南省三亚市吉阳区", "海南省海口市美兰区", "广西北海市银海区", "云南省西双版纳州景洪市"]
HOSTS = {"海南省三亚市吉阳区": "三亚市吉阳区候鸟老人临时党支部", "海南省海口市美兰区": "海口市美兰区流动党员党支部",
         "广西北海市银海区": "北海市银海区流动党员党总支", "云南省西双版纳州景洪市": "景洪市允景洪街道临时党支部"}


def _letter(rng, year: int) -> str:
    return f"{rng.choice(['湘', '永', '组'])}组转〔{year}〕{rng.randint(1, 300)}号"


def _date(rng, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def extend(ctx):
    rng, today, root = ctx.rng, ctx.today, ctx.root
    members = Membership.objects.filter(in_subtree(root.path, "organization"))
    _first_periods(ctx, members, with_events=ctx.scale in ("county", "city"))
    if ctx.scale == "province":
        return
    branches = list(Organization.objects.filter(in_subtree(root.path), kind=OrgKind.BRANCH).order_by("path"))
    by_branch: dict[int, list[Membership]] = {}
    for m in members.select_related("retiree").order_by("id"):
        by_branch.setdefault(m.organization_id, []).append(m)
    events, transfers, closed = [], [], []
    changed_members, changed_retirees = [], []
    for i, branch in enumerate(branches):
        pool = [m for m in by_branch.get(branch.pk, []) if m.state == MembershipState.ACTIVE]
        rng.shuffle(pool)
        if len(pool) < 5:
            continue
        # A death in about a third of the branches.
        retired_long = [m for m in pool if (m.retiree.retired_on or m.retiree.birth_date) < dt.date(2018, 1, 1)]
        if rng.random() < 0.35 and retired_long:
            m = retired_long[0]
            pool.remove(m)
            earliest = max(dt.date(2019, 1, 1), (m.retiree.retired_on or m.retiree.birth_date) + dt.timedelta(days=400))
            on = _date(rng, earliest, today - dt.timedelta(days=20))
            m.state, m.ended_on = MembershipState.DECEASED, on
            m.retiree.status, m.retiree.deceased_on = PersonStatus.DECEASED, on
            closed.append((m, on, MembershipPeriod.End.DECEASED))
            events.append(MembershipEvent(membership=m, kind=Kind.DECEASED, on=on, organization=branch,
                                          status=m.status, state=m.state))
            changed_members.append(m)
            changed_retirees.append(m.retiree)
        # Transferred in from outside the county.
        if rng.random() < 0.25:
            m = pool.pop()
            on = _date(rng, max(m.joined_on + dt.timedelta(days=400), dt.date(2008, 1, 1)), today - dt.timedelta(days=60))
            t = Transfer(membership=m, direction=TransferDirection.IN, organization=branch, to_org=branch,
                         from_name=rng.choice(OUTSIDE), letter_no=_letter(rng, on.year), letter_on=on - dt.timedelta(days=7),
                         transferred_on=on, reason=rng.choice(["随子女回乡居住", "退休后回原籍", "居住地变化"]))
            transfers.append(t)
            m._demo_start = (on, MembershipPeriod.Start.TRANSFER_IN)
            events.append(MembershipEvent(membership=m, kind=Kind.TRANSFERRED_IN, on=on, organization=branch, transfer=t,
                                          status=m.status, state=m.state, note=f"由{t.from_name}转入"))
        # Transferred out of the county.
        if rng.random() < 0.2:
            m = pool.pop()
            on = _date(rng, dt.date(2020, 1, 1), today - dt.timedelta(days=30))
            t = Transfer(membership=m, direction=TransferDirection.OUT, organization=branch, from_org=branch,
                         to_name=rng.choice(OUTSIDE + ["海南省三亚市吉阳区红沙社区党委"]), letter_no=_letter(rng, on.year),
                         letter_on=on - dt.timedelta(days=3), transferred_on=on, reason="随子女异地定居")
            transfers.append(t)
            m.state, m.ended_on = MembershipState.TRANSFERRED_OUT, on
            closed.append((m, on, MembershipPeriod.End.TRANSFER_OUT))
            events.append(MembershipEvent(membership=m, kind=Kind.TRANSFERRED_OUT, on=on, organization=branch,
                                          transfer=t, status=m.status, state=m.state, note=f"转往{t.to_name}"))
            changed_members.append(m)
        # Moved in from the neighbouring branch: the earlier period stays with that branch.
        if rng.random() < 0.2 and len(branches) > 1:
            m = pool.pop()
            source = branches[i - 1]
            on = _date(rng, dt.date(2016, 1, 1), today - dt.timedelta(days=90))
            t = Transfer(membership=m, direction=TransferDirection.MOVE, organization=branch, from_org=source,
                         to_org=branch, letter_no=_letter(rng, on.year), transferred_on=on, reason="居住地变化，就近参加组织生活")
            transfers.append(t)
            m._demo_move = (source, on)
            events.append(MembershipEvent(membership=m, kind=Kind.MOVED, on=on, organization=branch, transfer=t,
                                          status=m.status, state=m.state, note=f"由{source.name}转入{branch.name}"))
    copy_insert(Transfer, transfers)
    _rewrite_periods(ctx, by_branch, closed)
    Membership.objects.bulk_update(changed_members, ["state", "ended_on"], batch_size=BATCH)
    Retiree.objects.bulk_update(changed_retirees, ["status", "deceased_on"], batch_size=BATCH)
    for e in events:  # the transfer got its id on bulk_create
        e.transfer_id = e.transfer.pk if e.transfer else None
    copy_insert(MembershipEvent, events)
    probationary = _probationary(ctx, branches) if ctx.scale == "county" else []
    absences = _current_winter(ctx)
    if ctx.log_history:
        for objs in (transfers, events, probationary):
            log_created(objs)
        log_created(absences, "retiree__organization")
    ctx.progress(f"党员历史：转接 {len(transfers)} 条，党籍变动 {len(events)} 条，预备党员 {len(probationary)} 名，"
                 f"本冬外出 {len(absences)} 条")


def _first_periods(ctx, members, with_events: bool):
    """Every membership starts with a period in its branch (and its 入党/转正 events)."""
    rows = members.filter(periods__isnull=True).values_list("id", "organization_id", "joined_on", "full_on", "status",
                                                            "state")
    periods, events = [], []

    def flush():
        copy_insert(MembershipPeriod, periods)
        copy_insert(MembershipEvent, events)
        if ctx.log_history:
            log_created(periods, "membership__retiree", "organization")
        periods.clear()
        events.clear()

    for pk, org_id, joined, full, status, state in rows.iterator(chunk_size=BATCH):
        periods.append(MembershipPeriod(membership_id=pk, organization_id=org_id, start_on=joined,
                                        start_reason=MembershipPeriod.Start.JOINED))
        if with_events:
            events.append(MembershipEvent(membership_id=pk, kind=Kind.JOINED, on=joined, organization_id=org_id,
                                          status=MembershipStatus.PROBATIONARY, state=state))
            if full:
                events.append(MembershipEvent(membership_id=pk, kind=Kind.BECAME_FULL, on=full, organization_id=org_id,
                                              status=status, state=state))
        if len(periods) >= BATCH:
            flush()
    flush()


def _rewrite_periods(ctx, by_branch, closed):
    """Apply moves, transfers in and closings to the first periods written above."""
    ids = [m.pk for ms in by_branch.values() for m in ms
           if hasattr(m, "_demo_move") or hasattr(m, "_demo_start")] + [m.pk for m, _, _ in closed]
    periods = {p.membership_id: p for p in MembershipPeriod.objects.filter(membership_id__in=ids)}
    update, create = [], []
    for ms in by_branch.values():
        for m in ms:
            p = periods.get(m.pk)
            if p is None:
                continue
            if hasattr(m, "_demo_start"):
                p.start_on, p.start_reason = m._demo_start
                update.append(p)
            if hasattr(m, "_demo_move"):
                source, on = m._demo_move
                p.organization_id, p.end_on, p.end_reason = source.pk, on, MembershipPeriod.End.MOVE
                update.append(p)
                create.append(MembershipPeriod(membership=m, organization_id=m.organization_id, start_on=on,
                                               start_reason=MembershipPeriod.Start.MOVE))
                MembershipEvent.objects.filter(membership=m, kind__in=[Kind.JOINED, Kind.BECAME_FULL]).update(
                    organization=source)
    for m, on, reason in closed:
        p = periods.get(m.pk)
        if p is not None:
            p.end_on, p.end_reason = on, reason
            update.append(p)
    MembershipPeriod.objects.bulk_update(update, ["start_on", "start_reason", "organization", "end_on", "end_reason"],
                                         batch_size=BATCH)
    copy_insert(MembershipPeriod, create)


def _probationary(ctx, branches) -> list[Membership]:
    """A few retirees admitted lately: still probationary, two of them past their year."""
    rng, today = ctx.rng, ctx.today
    candidates = list(Retiree.objects.select_related("organization").filter(organization__in=branches, membership__isnull=True, status="alive",
                                             birth_date__gte=dt.date(1955, 1, 1)).order_by("id")[:400])
    rng.shuffle(candidates)
    created = []
    for n, r in enumerate(candidates[:6]):
        joined = today - dt.timedelta(days=rng.randint(380, 420) if n < 2 else rng.randint(40, 300))
        created.append(Membership(retiree=r, organization=r.organization, status=MembershipStatus.PROBATIONARY,
                                  state=MembershipState.ACTIVE, joined_on=joined,
                                  joined_org_name=r.organization.name))
    copy_insert(Membership, created)
    MembershipPeriod.objects.bulk_create([MembershipPeriod(membership=m, organization_id=m.organization_id,
                                                           start_on=m.joined_on) for m in created])
    MembershipEvent.objects.bulk_create([MembershipEvent(membership=m, kind=Kind.JOINED, on=m.joined_on,
                                                         organization_id=m.organization_id,
                                                         status=MembershipStatus.PROBATIONARY,
                                                         state=MembershipState.ACTIVE) for m in created])
    return created


def _current_winter(ctx) -> list[Absence]:
    """Past long stays mostly got a temporary relationship; this winter is under way, a few overdue."""
    rng, today = ctx.rng, ctx.today
    # Only stays the generator left without either (older generators did not fill these fields).
    past = list(Absence.objects.filter(in_subtree(ctx.root.path, "retiree__organization"), end_on__lt=today,
                                       host_org_name="", last_report_on__isnull=True)
                .only("id", "start_on", "end_on", "place"))
    hosted = []
    for a in past:
        if a.end_on > add_months(a.start_on, 6) and rng.random() < 0.8:
            a.host_org_name = HOSTS.get(a.place, f"{a.place}流动党员党支部")
            a.host_since = a.start_on + dt.timedelta(days=rng.randint(20, 60))
            hosted.append(a)
        elif rng.random() < 0.7:
            a.last_report_on = a.start_on + dt.timedelta(days=rng.randint(15, 45))
            hosted.append(a)
    Absence.objects.bulk_update(hosted, ["host_org_name", "host_since", "last_report_on"], batch_size=BATCH)
    members = list(Membership.objects.filter(in_subtree(ctx.root.path, "organization"),
                                             state=MembershipState.ACTIVE, retiree__mobility_impaired=False)
                   .values_list("retiree_id", flat=True).order_by("retiree_id"))
    away = rng.sample(members, k=min(len(members), max(8, len(members) // 25)))
    # The demo secretary's branch (the first by path) gets one overdue stay and one due report, so
    # the reminders show on that login too.
    first = (Organization.objects.filter(in_subtree(ctx.root.path), kind=OrgKind.BRANCH,
                                         memberships__isnull=False).order_by("path").first())
    if first is not None:
        busy = Absence.objects.filter(end_on__isnull=True).values("retiree_id")
        own = list(Membership.objects.filter(organization=first, state=MembershipState.ACTIVE)
                   .exclude(retiree_id__in=busy).order_by("id").values_list("retiree_id", flat=True)[1:3])
        away = [r for r in away if r not in own]
        for retiree_id, slot in zip(own, (0, 2)):
            away.insert(slot, retiree_id)
    taken = set(Absence.objects.filter(retiree_id__in=away, end_on__isnull=True).values_list("retiree_id", flat=True))
    created = []
    for n, retiree_id in enumerate(away):
        if retiree_id in taken:
            continue
        place = rng.choice(SOUTH)
        if n % 6 == 0:  # left in spring and still away: past the limit
            start = _date(rng, add_months(today, -9), add_months(today, -7))
        elif n % 6 == 1:  # will cross the limit within the month
            start = add_months(today, -6) + dt.timedelta(days=rng.randint(3, 25))
        else:  # this winter
            start = _date(rng, add_months(today, -2), today - dt.timedelta(days=3))
        expected = add_months(start, 7 if n % 6 == 1 else rng.choice((4, 5, 7)))
        a = Absence(retiree_id=retiree_id, start_on=start, expected_end_on=expected, place=place,
                    reason=rng.choice(["冬季异地居住", "随子女居住", "异地疗养"]),
                    contact_phone=f"139{rng.randint(10000000, 99999999)}")
        if expected > add_months(start, 6) and n % 6 not in (0, 1) and rng.random() < 0.5:
            a.host_org_name, a.host_since = HOSTS[place], start + dt.timedelta(days=rng.randint(7, 30))
            if a.host_since > today:
                a.host_since = today
        elif rng.random() < 0.6:
            a.last_report_on = min(today, start + dt.timedelta(days=rng.randint(5, 40)))
        created.append(a)
    copy_insert(Absence, created)
    return created
