"""Writes: every change to dues records goes through these functions (atomic, checked)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from changqing.core import conflicts
from changqing.members.models import Membership
from changqing.orgs.models import Organization

from . import rules
from .models import (
    BranchFundEntry, DuesBase, DuesMonth, DuesPayment, FundKind, HardshipDecision, HardshipKind,
    PaymentKind,
)
from .selectors import RulesResolver, compute, fund_balance, rules_for


def _runs(months: list[dt.date]) -> list[tuple[dt.date, int]]:
    """Contiguous runs of months: [Jan, Feb, Apr] → [(Jan, 2), (Apr, 1)]."""
    runs: list[tuple[dt.date, int]] = []
    for m in sorted(months):
        if runs and rules.add_months(runs[-1][0], runs[-1][1]) == m:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((m, 1))
    return runs


@transaction.atomic
def dues_base_record(*, membership: Membership, effective_from: dt.date, category: str, income=None,
                     pension_whole=None, pension_basic=None, note: str = "",
                     read_bases: dict[int, int] | None = None) -> DuesBase:
    """Record (or correct) a member's base from a month on.

    read_bases ({base pk: row_version}, from the form) are the bases the person saw: correcting one saved
    since, or one added since, raises core.conflicts.ConflictError and writes nothing."""
    effective_from = rules.month_start(effective_from)
    base = DuesBase.objects.filter(membership=membership, effective_from=effective_from).first() or DuesBase(
        membership=membership, effective_from=effective_from)
    if read_bases is not None and base.pk is not None:
        conflicts.expect(base, read_bases.get(base.pk, 0))
    base.category, base.income, base.pension_whole, base.pension_basic, base.note = (
        category, income, pension_whole, pension_basic, note)
    base.full_clean()
    base.save()
    return base


@dataclass
class PaymentLine:
    """One member's payment as entered on a form or a collection sheet."""

    membership_id: int
    months: list[dt.date]
    amount: Decimal
    method: str
    receipt_number: str = ""
    payer_name: str = ""


def dues_payments_record(*, organization: Organization, lines: list[PaymentLine], paid_on: dt.date,
                         collector: str, today: dt.date, note: str = "") -> list[DuesPayment]:
    """Record regular payments for several members at once, all or nothing.

    Raises ValidationError with a dict {membership_id: [messages]} so a sheet can
    put each message beside its row. An amount above what is due is recorded as
    a voluntary extra payment (自愿多交).
    """
    if not lines:
        return []
    rule = rules_for(organization)
    ids = [line.membership_id for line in lines]
    months = sorted({m for line in lines for m in line.months})
    members = Membership.objects.filter(pk__in=ids, organization=organization)
    dues = {d.membership_id: d for d in compute(members, months, as_of=months[-1],
                                                resolver=RulesResolver(root=organization, below=False))}
    # Each message carries the form field it is about as its code (months / amount / base), so a
    # one-member form can put it beside that field; the sheet reads the messages per member.
    errors: dict[int, list[ValidationError]] = {}
    plans = []
    for line in lines:
        md = dues.get(line.membership_id)
        if md is None:
            errors[line.membership_id] = [ValidationError("该党员不在本支部", code="membership")]
            continue
        problems = []
        for first, count in _runs(line.months):
            problems += [ValidationError(m, code="months")
                         for m in rules.check_payment_window(first, count, today, md.rules)]
        wanted = [md.months[m] for m in line.months]
        already = [x for x in wanted if x.settled in ("paid", "waived")]
        if already:
            problems.append(ValidationError("、".join(rules.month_label(x.month) for x in already)
                                            + "已缴或已免交，不能重复登记", code="months"))
        if any(x.due is None for x in wanted):
            problems.append(ValidationError("还没有核定党费基数，请先在党员党费页填写基数", code="base"))
        if not problems:
            due = sum((x.due for x in wanted), Decimal("0.00"))
            try:
                regular, extra = rules.split_payment(due, line.amount)
            except rules.RuleError as exc:
                problems.append(ValidationError(str(exc), code="amount"))
            else:
                plans.append((line, wanted, regular, extra))
        if problems:
            errors[line.membership_id] = problems
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        payments, month_rows, plan_of = [], [], []
        for line, wanted, regular, extra in plans:
            common = dict(membership_id=line.membership_id, organization=organization, method=line.method,
                          paid_on=paid_on, collector=collector, receipt_number=line.receipt_number,
                          payer_name=line.payer_name, note=note)
            for first, count in _runs(line.months):
                part = sum((md.due for md in wanted if first <= md.month < rules.add_months(first, count)),
                           Decimal("0.00"))
                payments.append(DuesPayment(kind=PaymentKind.REGULAR, first_month=first, months=count, amount=part,
                                            **common))
                plan_of.append([md for md in wanted if first <= md.month < rules.add_months(first, count)])
            if extra > 0:
                payments.append(DuesPayment(kind=PaymentKind.VOLUNTARY, first_month=rules.month_start(paid_on),
                                            months=1, amount=extra, is_large=extra >= rule.large_payment_threshold,
                                            **common))
                plan_of.append([])
        created = DuesPayment.objects.bulk_create(payments)
        for payment, covered in zip(created, plan_of):
            for md in covered:
                month_rows.append(DuesMonth(membership_id=payment.membership_id, month=md.month,
                                            amount_due=md.due, payment=payment))
        try:
            with transaction.atomic():
                DuesMonth.objects.bulk_create(month_rows)
        except IntegrityError:
            raise ValidationError({0: ["其他人刚刚登记了其中某些月份，请刷新后重试"]}) from None
    return created


@transaction.atomic
def dues_voluntary_record(*, membership: Membership, amount: Decimal, paid_on: dt.date, method: str,
                          collector: str = "", receipt_number: str = "", payer_name: str = "",
                          note: str = "") -> DuesPayment:
    """自愿多交党费: a single payment at or above the threshold is flagged to be listed apart."""
    if amount <= 0:
        raise ValidationError({"amount": "金额必须大于0"})
    rule = rules_for(membership.organization)
    payment = DuesPayment(membership=membership, organization=membership.organization, kind=PaymentKind.VOLUNTARY,
                          first_month=rules.month_start(paid_on), months=1, amount=amount, method=method,
                          paid_on=paid_on, collector=collector, receipt_number=receipt_number,
                          payer_name=payer_name, note=note, is_large=amount >= rule.large_payment_threshold)
    payment.save()
    return payment


@transaction.atomic
def dues_payment_delete(*, payment: DuesPayment) -> None:
    """Undo a wrong entry: the months it settled become unpaid again."""
    payment.settled_months.all().delete()
    payment.delete()


@transaction.atomic
def hardship_decision_record(*, membership: Membership, kind: str, first_month: dt.date, last_month: dt.date,
                             decided_on: dt.date, meeting_reference: str, reason: str,
                             monthly_amount: Decimal | None = None) -> HardshipDecision:
    """A branch decision to reduce or waive; a waiver settles its unpaid months at 0元."""
    decision = HardshipDecision(membership=membership, kind=kind, first_month=rules.month_start(first_month),
                                last_month=rules.month_start(last_month), decided_on=decided_on,
                                meeting_reference=meeting_reference.strip(), reason=reason.strip(),
                                monthly_amount=monthly_amount if kind == HardshipKind.REDUCE else None)
    errors = {}
    if decision.last_month < decision.first_month:
        errors["last_month"] = "截止月份不能早于起始月份"
    if kind == HardshipKind.REDUCE and monthly_amount is None:
        errors["monthly_amount"] = "减交需填写减交后的每月金额"
    if not decision.meeting_reference:
        errors["meeting_reference"] = "必须填写作出决定的支部会议及纪要"
    if errors:
        raise ValidationError(errors)
    decision.full_clean()
    decision.save()
    if kind == HardshipKind.WAIVE:
        months = rules.month_range(decision.first_month, rules.months_between(decision.first_month,
                                                                               decision.last_month) + 1)
        taken = set(DuesMonth.objects.filter(membership=membership, month__in=months).values_list("month", flat=True))
        DuesMonth.objects.bulk_create([
            DuesMonth(membership=membership, month=m, amount_due=Decimal("0.00"), hardship=decision)
            for m in months if m not in taken])
    return decision


@transaction.atomic
def fund_entry_record(*, organization: Organization, kind: str, occurred_on: dt.date, amount: Decimal,
                      source: str = "", purpose: str = "", receipt_number: str = "", note: str = "") -> BranchFundEntry:
    entry = BranchFundEntry(organization=organization, kind=kind, occurred_on=occurred_on, amount=amount,
                            source=source.strip(), purpose=purpose.strip(), receipt_number=receipt_number.strip(),
                            note=note)
    entry.full_clean()
    if kind == FundKind.SPENDING:
        # Lock the branch row so two spendings cannot both pass the balance check.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        balance = fund_balance(organization)
        if amount > balance:
            raise ValidationError({"amount": f"支出{amount}元超过当前经费余额{balance}元"})
    entry.save()
    return entry
