"""Demo dues: bases for every member, payments 2024-01 to this month, arrears, hardship, branch funds.

Written with bulk_create in batches, so the city (18,381 members) is loaded in
bulk. Amounts are computed with the same rules.py the application uses.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connections, transaction
from django.utils import timezone

from changqing.demo.bulk import copy_insert, copy_rows, log_created
from changqing.members.models import Membership, MembershipState
from changqing.orgs.models import Organization, OrgKind
from changqing.policies.services import policy_versions_bulk_create
from changqing.core.tree import in_subtree

from . import rules
from .apps import DUES, DUES_QUARTERLY
from .models import (
    BranchFundEntry, DuesBase, DuesMonth, DuesPayment, FundKind, HardshipDecision, HardshipKind, Method,
    PaymentKind,
)

BATCH = 5000
MONTH_COLUMNS = ("created_at", "updated_at", "membership_id", "month", "amount_due", "payment_id", "hardship_id")
METHODS = list(Method.values)
FIRST = dt.date(2024, 1, 1)
COLLECTORS = ["组织委员", "支部书记", "党小组长"]
# purpose, lowest and highest amount, the month it happens in (None = any month from April)
SPENDING = [("购买学习资料和党报党刊", 300, 1200, None), ("春节走访慰问困难老党员", 800, 3000, 2),
            ("“七一”主题党日活动", 500, 2500, 6), ("重阳节慰问高龄党员", 600, 2500, 10),
            ("赴革命老区参观学习交通费", 1500, 5000, None), ("活动室水电及维护", 200, 900, None),
            ("生日政治关怀红色礼物", 300, 1200, None), ("送学上门资料打印", 100, 400, None)]


def _money(x) -> Decimal:
    return Decimal(x).quantize(rules.FEN)


def extend(ctx) -> None:
    rng = ctx.rng
    today = ctx.today
    this_month = rules.month_start(today)
    root = ctx.root

    defaults = rules.rules_to_data(rules.DEFAULT_RULES)
    policies = [(DUES, root, FIRST, defaults, "依据中组发〔2008〕3号")]
    branches = list(Organization.objects.filter(in_subtree(root.path), kind=OrgKind.BRANCH,
                                                memberships__isnull=False).distinct().order_by("path"))
    quarterly = {b.pk for b in branches if rng.random() < 0.2}
    policies += [(DUES_QUARTERLY, b, FIRST, {"allowed": True}, "支部党员大会同意按季度收缴")
                 for b in branches if b.pk in quarterly]
    whole_paths = []
    if ctx.scale != "county":
        # One district counts the whole pension (中组发〔2008〕3号 as first written), to show inheritance; the
        # default is the basic pension (组电明字〔2017〕5号, DOMAIN.md §5).
        district = Organization.objects.filter(parent=root, kind=OrgKind.COMMITTEE).order_by("-code").first()
        if district is not None:
            policies.append((DUES, district, FIRST, {**defaults, "pension_basis": rules.PENSION_WHOLE},
                             "依据中组发〔2008〕3号，以养老金全额为基数"))
            whole_paths.append(district.path)
    policy_versions_bulk_create(policies)

    members = (Membership.objects.filter(in_subtree(root.path, "organization"), state=MembershipState.ACTIVE)
               .select_related("organization", "retiree").order_by("pk"))
    # The first branch (the demo secretary's) always shows one member in each warning band: 3, 5, 6+ months.
    first_ids = list(members.filter(organization=branches[0]).values_list("pk", flat=True)[:3]) if branches else []
    showcase = dict(zip(first_ids, (4, 6, 8)))
    written = {"bases": 0, "payments": 0, "months": 0, "hardship": 0}
    batch: list[Membership] = []
    for m in members.iterator(chunk_size=BATCH):
        batch.append(m)
        if len(batch) >= BATCH:
            _write_members(batch, ctx, quarterly, whole_paths, this_month, written, showcase)
            batch = []
    _write_members(batch, ctx, quarterly, whole_paths, this_month, written, showcase)
    funds = _write_funds(branches, ctx)
    ctx.progress(f"党费演示数据：基数 {written['bases']} 条，缴纳 {written['payments']} 笔，"
                 f"困难减免 {written['hardship']} 项，经费 {funds} 笔")


def _write_members(batch, ctx, quarterly, whole_paths, this_month, written, showcase):
    if not batch:
        return
    rng = ctx.rng
    today = ctx.today
    bases, payments, months_by_payment, hardships, waived = [], [], [], [], []
    for m in batch:
        whole = _money(rng.uniform(2500, 9000))
        basic = _money(whole * Decimal(str(round(rng.uniform(0.62, 0.85), 3))))
        yearly = {}
        for year in (2024, 2025, 2026):
            if year > 2024:  # the yearly pension adjustment
                rise = Decimal(str(round(rng.uniform(1.015, 1.03), 4)))
                whole, basic = _money(whole * rise), _money(basic * rise)
            bases.append(DuesBase(membership=m, effective_from=dt.date(year, 1, 1), category=rules.RETIREE,
                                  pension_whole=whole, pension_basic=basic))
            rule = rules.DEFAULT_RULES.with_(pension_basis=rules.PENSION_WHOLE) if any(
                m.organization.path.startswith(p) for p in whole_paths) else rules.DEFAULT_RULES
            yearly[year] = rules.monthly_dues(rules.RETIREE, pension_whole=whole, pension_basic=basic,
                                              rules=rule).amount

        # How this member pays: most on time, some late, a handful stop (arrears 3, 5, 6+ months).
        r = rng.random()
        last_paid = this_month if rng.random() < 0.55 else rules.add_months(this_month, -1)
        if m.pk in showcase:
            last_paid = rules.add_months(this_month, -showcase[m.pk])
        elif r < 0.012:
            last_paid = rules.add_months(this_month, -rng.choice((4, 6, 7, 9)))  # 3, 5, 6, 8 months behind
        elif r < 0.03:
            last_paid = rules.add_months(this_month, -rng.choice((2, 3)))
        waiver = None
        if m.retiree.health == "bedridden" and rng.random() < 0.15 and m.pk not in showcase:
            start = rules.add_months(this_month, -rng.randint(3, 14))
            kind = HardshipKind.WAIVE if rng.random() < 0.5 else HardshipKind.REDUCE
            waiver = HardshipDecision(
                membership=m, kind=kind, first_month=start, last_month=dt.date(2026, 12, 1),
                monthly_amount=Decimal("1.00") if kind == HardshipKind.REDUCE else None,
                decided_on=start - dt.timedelta(days=rng.randint(3, 20)),
                meeting_reference=f"{start.year}年{start.month}月支部党员大会，会议记录第{rng.randint(2, 40)}页",
                reason="长期卧床，医疗支出大，家庭经济困难")
            hardships.append(waiver)
            if kind == HardshipKind.WAIVE:
                last_paid = min(last_paid, rules.add_months(start, -1))
        step = 3 if m.organization_id in quarterly and rng.random() < 0.7 else (6 if rng.random() < 0.08 else 1)
        month = FIRST
        late = rng.random() < 0.1  # pays a few months late, in one back-payment
        while month <= last_paid:
            count = min(step, rules.months_between(month, last_paid) + 1)
            if late and step == 1 and rng.random() < 0.15:
                count = min(rng.randint(2, 4), rules.months_between(month, last_paid) + 1)
            covered = rules.month_range(month, count)
            dues = []
            for c in covered:
                due = yearly[c.year]
                if waiver is not None and waiver.first_month <= c <= waiver.last_month:
                    due = Decimal("0.00") if waiver.kind == HardshipKind.WAIVE else waiver.monthly_amount
                dues.append(due)
            paid_on = covered[-1] if count > 1 and step == 1 else covered[0]
            paid_on = paid_on.replace(day=rng.randint(5, 25))
            if paid_on > today:
                paid_on = today
            payments.append(DuesPayment(
                membership=m, organization=m.organization, kind=PaymentKind.REGULAR, first_month=month, months=count,
                amount=sum(dues, Decimal("0.00")), method=rng.choices(METHODS, weights=(60, 15, 25))[0],
                paid_on=paid_on, collector=rng.choice(COLLECTORS),
                receipt_number=f"DF{paid_on:%Y%m}{rng.randint(1, 9999):04d}",
                payer_name=("家属代缴" if m.retiree.mobility_impaired and rng.random() < 0.5 else "")))
            months_by_payment.append(list(zip(covered, dues)))
            month = rules.add_months(month, count)
        if waiver is not None and waiver.kind == HardshipKind.WAIVE:
            waived.append((waiver, rules.month_range(waiver.first_month,
                                                     rules.months_between(waiver.first_month, waiver.last_month) + 1)))
        if rng.random() < 0.04:  # 自愿多交: a few large ones around 七一
            amount = _money(rng.choice((200, 500, 1000, 2000, 5000)))
            paid = dt.date(rng.choice((2024, 2025, 2026)), 7, 1)
            payments.append(DuesPayment(
                membership=m, organization=m.organization, kind=PaymentKind.VOLUNTARY, first_month=paid, months=1,
                amount=amount, method=Method.TRANSFER, paid_on=paid, collector="支部书记",
                receipt_number=f"ZY{paid:%Y}{rng.randint(1, 999):03d}", is_large=amount >= Decimal("1000"),
                note="自愿多交党费"))
            months_by_payment.append([])

    with transaction.atomic():
        copy_insert(DuesBase, bases)
        copy_insert(HardshipDecision, hardships)
        created = copy_insert(DuesPayment, payments)
        # DuesMonth is the biggest table (one row per member and month): plain tuples, no model instances.
        due = DuesMonth._meta.get_field("amount_due")
        conn = connections["default"]
        now = timezone.now()
        rows = [(now, now, p.membership_id, c, due.get_db_prep_save(d, conn), p.pk, None)
                for p, covered in zip(created, months_by_payment) for c, d in covered]
        taken = {(r[2], r[3]) for r in rows}
        zero = due.get_db_prep_save(Decimal("0.00"), conn)
        rows += [(now, now, h.membership_id, c, zero, None, h.pk)
                 for h, ms in waived for c in ms if (h.membership_id, c) not in taken]
        copy_rows(DuesMonth._meta.db_table, MONTH_COLUMNS, rows)
        if ctx.log_history:
            log_created(bases)
            log_created(hardships)
            log_created(created)
    written["bases"] += len(bases)
    written["payments"] += len(created)
    written["months"] += len(rows)
    written["hardship"] += len(hardships)


def _write_funds(branches, ctx) -> int:
    rng = ctx.rng
    entries = []
    for b in branches:
        balance = Decimal("0.00")
        for year in (2024, 2025, 2026):
            incomes = [
                BranchFundEntry(organization=b, kind=FundKind.REFUND, occurred_on=dt.date(year, 1, rng.randint(5, 28)),
                                amount=_money(rng.randint(300, 2500)), source="上级党委返还党费",
                                receipt_number=f"FH{year}{rng.randint(1, 999):03d}"),
            ]
            if b.setup_kind != "community" or rng.random() < 0.5:
                incomes.append(BranchFundEntry(
                    organization=b, kind=FundKind.ALLOCATION, occurred_on=dt.date(year, 1, rng.randint(5, 28)),
                    amount=_money(rng.randint(10, 20) * 1000), source="原单位专项经费",
                    receipt_number=f"BF{year}{rng.randint(1, 999):03d}"))
            income = sum((e.amount for e in incomes), Decimal("0.00"))
            balance += income
            entries += incomes
            budget = balance * Decimal(str(round(rng.uniform(0.55, 0.95), 2)))
            last_day = ctx.today if year == ctx.today.year else dt.date(year, 12, 31)
            for purpose, low, high, month in rng.sample(SPENDING, rng.randint(3, 7)):
                amount = _money(rng.randint(low, high))
                month = month or rng.randint(4, last_day.month if year == ctx.today.year else 12)
                day = dt.date(year, month, rng.randint(1, 28))
                if amount > budget or day > last_day:
                    continue
                budget -= amount
                balance -= amount
                entries.append(BranchFundEntry(organization=b, kind=FundKind.SPENDING, occurred_on=day,
                                               amount=amount, purpose=purpose,
                                               receipt_number=f"ZC{year}{rng.randint(1, 9999):04d}"))
    created = copy_insert(BranchFundEntry, entries)
    if ctx.log_history:
        log_created(created)
    return len(created)
