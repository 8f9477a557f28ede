"""Party dues and the branch fund (DOMAIN.md §5).

- The dues rules of a jurisdiction are a policy (changqing.policies, kind "dues"):
  versioned from a date, the nearest up a branch's path, or the DOMAIN.md defaults
  (rules.DEFAULT_RULES); the choices below name their values.
- DuesBase: a member's category and income/pension from a month on (history).
- DuesPayment: money received (regular dues for some months, or voluntary extra).
- DuesMonth: one member-month settled, by a payment or by a hardship waiver.
  Arrears are "months after the last settled month", so one MAX query answers
  them for a whole subtree.
- HardshipDecision: a branch decision reducing or waiving dues for a period.
- BranchFundEntry: income (refunds of dues, unit allocations) and spending.
"""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from changqing.core.scope import ScopeSpec
from changqing.core.changelog import ChangeLoggedModel

from . import rules

MONEY = {"max_digits": 12, "decimal_places": 2}
_POSITIVE = [MinValueValidator(Decimal("0.00"), "金额不能为负数")]


class Category(models.TextChoices):
    WORKING = rules.WORKING, "在职"
    RETIREE = rules.RETIREE, "离退休"
    FARMER = rules.FARMER, "农民"
    STUDENT = rules.STUDENT, "学生/下岗失业/低保"


class Rounding(models.TextChoices):
    HALF_UP = "half_up", "四舍五入（到分）"
    HALF_EVEN = "half_even", "银行家舍入（四舍六入五成双）"
    DOWN = "down", "舍去（分以下不计）"


class PensionBasis(models.TextChoices):
    WHOLE = rules.PENSION_WHOLE, "养老金全额（中组发〔2008〕3号）"
    BASIC = rules.PENSION_BASIC, "基本养老金（不含津补贴，组电明字〔2017〕5号）"


class Assessment(models.TextChoices):
    YEARLY = rules.ASSESS_YEARLY, "年初核定（全年按1月基数）"
    MONTHLY = rules.ASSESS_MONTHLY, "按月核定（基数变化当月起调整）"


class DuesBase(ChangeLoggedModel):
    """A member's category and the figures dues are computed from, in effect from a month on."""

    membership = models.ForeignKey("members.Membership", verbose_name="党员", on_delete=models.CASCADE,
                                   related_name="dues_bases")
    effective_from = models.DateField("起始月份", help_text="从该月起按此基数计算")
    category = models.CharField("党员类别", max_length=10, choices=Category.choices, default=Category.RETIREE)
    income = models.DecimalField("在职月工资收入（税后，元）", null=True, blank=True, validators=_POSITIVE, **MONEY)
    pension_whole = models.DecimalField("养老金全额（元/月）", null=True, blank=True, validators=_POSITIVE, **MONEY)
    pension_basic = models.DecimalField("基本养老金（元/月）", null=True, blank=True, validators=_POSITIVE, **MONEY)
    note = models.CharField("备注", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="membership__organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "党费基数"
        verbose_name_plural = "党费基数"
        ordering = ["membership_id", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["membership", "effective_from"], name="dues_base_one_per_month")]

    def __str__(self):
        return f"{self.membership.retiree.name} {rules.month_label(self.effective_from)}起"

    def clean(self):
        errors = {}
        if self.effective_from:
            self.effective_from = rules.month_start(self.effective_from)
        if self.category == Category.WORKING and self.income is None:
            errors["income"] = "在职党员需填写月工资收入"
        if self.category == Category.RETIREE:
            if self.pension_whole is None:
                errors["pension_whole"] = "离退休党员需填写养老金全额"
            if self.pension_basic is None:
                errors["pension_basic"] = "离退休党员需填写基本养老金"
            if (self.pension_whole is not None and self.pension_basic is not None
                    and self.pension_basic > self.pension_whole):
                errors["pension_basic"] = "基本养老金不能大于养老金全额"
        if errors:
            raise ValidationError(errors)


class Method(models.TextChoices):
    CASH = "cash", "现金"
    TRANSFER = "transfer", "转账"
    ONLINE = "online", "线上缴纳"


class PaymentKind(models.TextChoices):
    REGULAR = "regular", "按月党费"
    VOLUNTARY = "voluntary", "自愿多交党费"


class DuesPayment(ChangeLoggedModel):
    membership = models.ForeignKey("members.Membership", verbose_name="党员", on_delete=models.PROTECT,
                                   related_name="dues_payments")
    organization = models.ForeignKey("orgs.Organization", verbose_name="收缴支部", on_delete=models.PROTECT,
                                     related_name="dues_payments")
    kind = models.CharField("类型", max_length=10, choices=PaymentKind.choices, default=PaymentKind.REGULAR)
    first_month = models.DateField("起始月份")
    months = models.PositiveSmallIntegerField("缴纳月数", default=1)
    amount = models.DecimalField("金额（元）", validators=_POSITIVE, **MONEY)
    method = models.CharField("缴纳方式", max_length=10, choices=Method.choices, default=Method.CASH)
    paid_on = models.DateField("缴纳日期")
    collector = models.CharField("收款人", max_length=50, blank=True)
    receipt_number = models.CharField("收据号", max_length=50, blank=True)
    payer_name = models.CharField("代缴人", max_length=50, blank=True, help_text="由他人代缴时填写")
    is_large = models.BooleanField("大额单独列账", default=False, editable=False)
    note = models.CharField("备注", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "党费缴纳"
        verbose_name_plural = "党费缴纳"
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["organization", "first_month"], name="dues_payment_org_month_idx")]

    def __str__(self):
        return f"{self.membership.retiree.name} {self.amount}元"

    @property
    def last_month(self):
        return rules.add_months(self.first_month, self.months - 1)

    @property
    def months_label(self) -> str:
        if self.kind == PaymentKind.VOLUNTARY:
            return rules.month_label(self.first_month)
        if self.months == 1:
            return rules.month_label(self.first_month)
        return f"{rules.month_label(self.first_month)}至{rules.month_label(self.last_month)}"

    def get_absolute_url(self):
        return reverse("dues:member", args=[self.membership_id])


class DuesMonth(ChangeLoggedModel):
    """One member-month settled: paid by `payment`, or waived by `hardship` (amount 0)."""

    membership = models.ForeignKey("members.Membership", verbose_name="党员", on_delete=models.CASCADE,
                                   related_name="dues_months")
    month = models.DateField("月份")
    amount_due = models.DecimalField("应缴（元）", **MONEY)
    payment = models.ForeignKey(DuesPayment, verbose_name="缴纳记录", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="settled_months")
    hardship = models.ForeignKey("HardshipDecision", verbose_name="困难减免决定", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="settled_months")

    scope_spec = ScopeSpec(org="membership__organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "党费月份"
        verbose_name_plural = "党费月份"
        ordering = ["membership_id", "month"]
        constraints = [models.UniqueConstraint(fields=["membership", "month"], name="dues_month_once")]

    def __str__(self):
        return f"{self.membership_id} {rules.month_label(self.month)}"


class HardshipKind(models.TextChoices):
    REDUCE = "reduce", "减交"
    WAIVE = "waive", "免交"


class HardshipDecision(ChangeLoggedModel):
    """困难减免: only with a recorded branch decision (date and meeting/minutes reference)."""

    membership = models.ForeignKey("members.Membership", verbose_name="党员", on_delete=models.CASCADE,
                                   related_name="hardship_decisions")
    kind = models.CharField("减免方式", max_length=10, choices=HardshipKind.choices)
    monthly_amount = models.DecimalField("减交后每月金额（元）", null=True, blank=True, validators=_POSITIVE, **MONEY)
    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份")
    decided_on = models.DateField("支部决定日期")
    meeting_reference = models.CharField("会议及纪要", max_length=200,
                                         help_text="如：2025年3月支部党员大会，会议记录第12页")
    reason = models.CharField("困难情况", max_length=300)

    scope_spec = ScopeSpec(org="membership__organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "困难减免决定"
        verbose_name_plural = "困难减免决定"
        ordering = ["-decided_on", "-id"]

    def __str__(self):
        return f"{self.membership.retiree.name} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("dues:member", args=[self.membership_id])

    @property
    def period_label(self) -> str:
        return f"{rules.month_label(self.first_month)}至{rules.month_label(self.last_month)}"

    def covers(self, month) -> bool:
        return self.first_month <= month <= self.last_month


class FundKind(models.TextChoices):
    REFUND = "refund", "返缴党费"
    ALLOCATION = "allocation", "单位拨付经费"
    OTHER_INCOME = "other_income", "其他收入"
    SPENDING = "spending", "支出"


INCOME_KINDS = (FundKind.REFUND, FundKind.ALLOCATION, FundKind.OTHER_INCOME)


class BranchFundEntry(ChangeLoggedModel):
    organization = models.ForeignKey("orgs.Organization", verbose_name="支部", on_delete=models.PROTECT,
                                     related_name="fund_entries")
    kind = models.CharField("类别", max_length=15, choices=FundKind.choices)
    occurred_on = models.DateField("日期")
    amount = models.DecimalField("金额（元）", validators=[MinValueValidator(Decimal("0.01"), "金额必须大于0")], **MONEY)
    source = models.CharField("来源单位", max_length=100, blank=True, help_text="收入填写：如上级党委、原单位")
    purpose = models.CharField("用途", max_length=200, blank=True, help_text="支出必填：如购买学习资料、走访慰问")
    receipt_number = models.CharField("票据号", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "支部经费"
        verbose_name_plural = "支部经费"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["organization", "occurred_on"], name="dues_fund_org_date_idx")]

    def __str__(self):
        return f"{self.organization} {self.get_kind_display()} {self.amount}元"

    def get_absolute_url(self):
        return reverse("dues:fund", args=[self.organization.code])

    @property
    def is_income(self) -> bool:
        return self.kind in INCOME_KINDS

    def clean(self):
        errors = {}
        if self.kind == FundKind.SPENDING:
            if not self.purpose.strip():
                errors["purpose"] = "支出必须写明用途"
            if not self.receipt_number.strip():
                errors["receipt_number"] = "支出必须填写票据号"
        elif self.kind and not self.source.strip():
            errors["source"] = "收入需填写来源单位"
        if errors:
            raise ValidationError(errors)
