"""Forms: validate input in Chinese beside each field; services do the writing."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from changqing.core.conflicts import VersionedFormMixin
from changqing.policies.forms import PolicyValuesForm

from . import rules
from .models import (
    Assessment, BranchFundEntry, DuesBase, HardshipDecision, HardshipKind, Method, PensionBasis, Rounding,
)

MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonthField(forms.DateField):
    """A month typed as 2025-03 (the browser's month picker) or a full date."""

    widget = MONTH_INPUT
    input_formats = ["%Y-%m", "%Y-%m-%d", "%Y/%m", "%Y年%m月"]
    default_error_messages = {"invalid": "请按“年-月”填写月份，如 2025-03"}

    def to_python(self, value):
        d = super().to_python(value)
        return rules.month_start(d) if d else d


def money_field(label, required=True, **kw):
    return forms.DecimalField(label=label, required=required, max_digits=12, decimal_places=2, min_value=Decimal("0"),
                              error_messages={"invalid": "请填写金额（数字，最多两位小数）",
                                              "max_decimal_places": "金额最多两位小数（精确到分）",
                                              "min_value": "金额不能为负数", "required": "请填写金额",
                                              "max_digits": "金额过大"}, **kw)


class DuesBaseForm(VersionedFormMixin, forms.ModelForm):
    """A member's base from a month on: a new month adds one, a month already set corrects it.

    Which month is chosen on the form, so the form carries the version of every base of the member it was
    read with (`read_bases`, "pk:version,…"): correcting a base someone saved since, or one someone added
    since, is a conflict (dues.services.dues_base_record)."""

    effective_from = MonthField(label="起始月份", help_text="从该月起按此基数计算；年初核定时以1月的基数计全年")
    read_bases = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, bases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["read_bases"].initial = read_versions_token(bases)
        self._bases_of = bases

    def clean_read_bases(self):
        value = self.cleaned_data.get("read_bases") or ""
        try:
            return {int(pk): int(v) for pk, v in (item.split(":") for item in value.split(",") if item)}
        except ValueError:
            raise ValidationError("页面已过期，请刷新后重新填写") from None

    def refresh_read_versions(self, data):
        """After a refused save: the versions as they are now, so a knowing second 保存 goes through."""
        data[self.add_prefix("read_bases")] = read_versions_token(self._bases_of.all() if hasattr(self._bases_of, "all") else ())

    class Meta:
        model = DuesBase
        fields = ["effective_from", "category", "income", "pension_whole", "pension_basic", "note"]
        error_messages = {
            f: {"invalid": "请填写金额（数字，最多两位小数）", "max_decimal_places": "金额最多两位小数（精确到分）"}
            for f in ("income", "pension_whole", "pension_basic")
        }


def read_versions_token(records) -> str:
    return ",".join(f"{r.pk}:{r.row_version}" for r in records)


class PaymentForm(forms.Form):
    first_month = MonthField(label="起始月份")
    months = forms.IntegerField(label="缴纳月数", min_value=1, max_value=12, initial=1,
                                error_messages={"min_value": "缴纳月数至少为1", "max_value": "一次最多登记12个月",
                                                "invalid": "请填写整数", "required": "请填写缴纳月数"})
    amount = money_field("实缴金额（元）", help_text="超出应缴的部分记为自愿多交党费")
    method = forms.ChoiceField(label="缴纳方式", choices=Method.choices)
    paid_on = forms.DateField(label="缴纳日期", widget=DATE_INPUT, error_messages={"invalid": "请填写正确的日期"})
    collector = forms.CharField(label="收款人", max_length=50, required=False)
    receipt_number = forms.CharField(label="收据号", max_length=50, required=False)
    payer_name = forms.CharField(label="代缴人", max_length=50, required=False, help_text="由家属等代缴时填写")

    def __init__(self, *args, today=None, rule: rules.Rules = rules.DEFAULT_RULES, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.rule = today, rule

    def clean(self):
        data = super().clean()
        if self.today and data.get("paid_on") and data["paid_on"] > self.today:
            self.add_error("paid_on", "缴纳日期不能晚于今天")
        if data.get("first_month") and data.get("months"):
            first, count = data["first_month"], data["months"]
            for msg in rules.check_payment_window(first, count, self.today, self.rule):
                self.add_error("first_month" if msg.startswith("补缴") else "months", msg)
        return data


class VoluntaryForm(forms.Form):
    amount = money_field("金额（元）", help_text="单笔1000元及以上单独列账")
    method = forms.ChoiceField(label="缴纳方式", choices=Method.choices)
    paid_on = forms.DateField(label="缴纳日期", widget=DATE_INPUT, error_messages={"invalid": "请填写正确的日期"})
    collector = forms.CharField(label="收款人", max_length=50, required=False)
    receipt_number = forms.CharField(label="收据号", max_length=50, required=False)
    payer_name = forms.CharField(label="代缴人", max_length=50, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError("金额必须大于0")
        return amount

    def clean_paid_on(self):
        d = self.cleaned_data["paid_on"]
        if self.today and d > self.today:
            raise ValidationError("缴纳日期不能晚于今天")
        return d


class HardshipForm(VersionedFormMixin, forms.ModelForm):
    first_month = MonthField(label="起始月份")
    last_month = MonthField(label="截止月份")

    class Meta:
        model = HardshipDecision
        fields = ["kind", "monthly_amount", "first_month", "last_month", "decided_on", "meeting_reference", "reason"]
        widgets = {"decided_on": DATE_INPUT}
        error_messages = {"meeting_reference": {"required": "必须填写作出决定的支部会议及纪要，没有支部决定不能减免"},
                          "decided_on": {"required": "请填写支部作出决定的日期", "invalid": "请填写正确的日期"},
                          "reason": {"required": "请写明困难情况"}}

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        if data.get("kind") == HardshipKind.REDUCE and data.get("monthly_amount") is None:
            self.add_error("monthly_amount", "减交需填写减交后的每月金额")
        if data.get("first_month") and data.get("last_month") and data["last_month"] < data["first_month"]:
            self.add_error("last_month", "截止月份不能早于起始月份")
        if self.today and data.get("decided_on") and data["decided_on"] > self.today:
            self.add_error("decided_on", "决定日期不能晚于今天")
        return data


class FundEntryForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = BranchFundEntry
        fields = ["kind", "occurred_on", "amount", "source", "purpose", "receipt_number", "note"]
        widgets = {"occurred_on": DATE_INPUT}
        error_messages = {"amount": {"invalid": "请填写金额（数字，最多两位小数）", "required": "请填写金额",
                                     "max_decimal_places": "金额最多两位小数（精确到分）"},
                          "occurred_on": {"invalid": "请填写正确的日期", "required": "请填写日期"}}

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_occurred_on(self):
        d = self.cleaned_data["occurred_on"]
        if self.today and d > self.today:
            raise ValidationError("日期不能晚于今天")
        return d


def _brackets_text(data: list[dict]) -> str:
    return "\n".join(f"{row['upto'] or ''},{row['rate']}" for row in data)


class BracketsField(forms.CharField):
    """Brackets typed one per line as "上限,比例"; the last line has no upper bound: ",0.02"."""

    widget = forms.Textarea(attrs={"rows": 5})

    def clean(self, value):
        value = super().clean(value)
        rows = []
        for n, line in enumerate([x for x in value.replace("，", ",").splitlines() if x.strip()], start=1):
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 2:
                raise ValidationError(f"第{n}行应为“上限,比例”，如 3000,0.005")
            try:
                upto = Decimal(parts[0]) if parts[0] else None
                rate = Decimal(parts[1])
            except InvalidOperation:
                raise ValidationError(f"第{n}行的数字无法识别：{line}") from None
            rows.append({"upto": None if upto is None else str(upto), "rate": str(rate)})
        try:
            rules.brackets_from_data(rows)
        except rules.RuleError as exc:
            raise ValidationError(str(exc)) from None
        return rows


class DuesRulesForm(PolicyValuesForm):
    """The values of a dues policy version (kind "dues")."""

    working_brackets = BracketsField(label="在职党员档次（每行：月收入上限,比例）",
                                     help_text="比例按全部基数计算（非超额累进）。如 3000,0.005 表示3000元及以下交0.5%")
    retiree_brackets = BracketsField(label="离退休党员档次（每行：养老金上限,比例）")
    pension_basis = forms.ChoiceField(
        label="离退休党员基数", choices=PensionBasis.choices,
        help_text="默认：基本养老金（不含津补贴，组电明字〔2017〕5号）；选“养老金全额”即按中组发〔2008〕3号原文")
    death_month_owed = forms.BooleanField(
        label="去世当月仍应交纳党费", required=False,
        help_text="默认：应交（当月有一天是党员即应交纳该月党费，入党当月同理）；不勾选则去世当月起不再计应交")
    farmer_amount = money_field("农民党员每月（元）")
    student_amount = money_field("学生/下岗失业/低保党员每月（元）")
    rounding = forms.ChoiceField(label="舍入方式", choices=Rounding.choices)
    assessment = forms.ChoiceField(label="核定方式", choices=Assessment.choices)
    advance_max_months = forms.IntegerField(label="最多预缴月数", error_messages={"required": "请填写月数",
                                                                               "invalid": "请填写整数月数"})
    backpay_max_months = forms.IntegerField(label="最多补缴月数", error_messages={"required": "请填写月数",
                                                                                "invalid": "请填写整数月数"})
    large_payment_threshold = money_field("大额自愿多交单独列账起点（元）")

    @classmethod
    def initial_for(cls, values: dict) -> dict:
        v = rules.rules_to_data(rules.rules_from_data(values))
        return {**v, "working_brackets": _brackets_text(v["working_brackets"]),
                "retiree_brackets": _brackets_text(v["retiree_brackets"])}

    @classmethod
    def describe(cls, values: dict) -> list[tuple[str, str]]:
        r = rules.rules_from_data(values)
        return [("在职党员（按税后月工资全额）", _brackets_words(r.working_brackets)),
                ("离退休党员", _brackets_words(r.retiree_brackets)),
                ("离退休党员基数", PensionBasis(r.pension_basis).label
                 + ("（默认）" if r.pension_basis == rules.PENSION_BASIC else "")),
                ("农民党员", f"每月 {r.farmer_amount} 元"), ("学生/下岗失业/低保党员", f"每月 {r.student_amount} 元"),
                ("舍入方式", Rounding(r.rounding).label), ("核定方式", Assessment(r.assessment).label),
                ("补缴 / 预缴上限", f"{r.backpay_max_months} 个月 / {r.advance_max_months} 个月"),
                ("大额单独列账起点", f"{r.large_payment_threshold} 元"),
                ("去世当月", "应交纳（默认）" if r.death_month_owed else "不再计应交")]

    def clean_advance_max_months(self):
        return _limit(self.cleaned_data["advance_max_months"])

    def clean_backpay_max_months(self):
        return _limit(self.cleaned_data["backpay_max_months"])

    def clean_farmer_amount(self):
        v = self.cleaned_data["farmer_amount"]
        if not Decimal("0.20") <= v <= Decimal("1.00"):
            raise ValidationError("农民党员每月应在0.2元至1元之间（中组发〔2008〕3号）")
        return v


class QuarterlyForm(PolicyValuesForm):
    """Kind "dues.quarterly": the branch's own decision to collect dues by quarter."""

    allowed = forms.BooleanField(label="经支部同意按季度收缴", required=False)


def _brackets_words(brackets) -> str:
    def pct(rate):
        return f"{(rate * 100).normalize():f}%"

    return "；".join(f"{b.upto}元及以下 {pct(b.rate)}" if b.upto is not None else f"以上 {pct(b.rate)}"
                    for b in brackets)


def _limit(v):
    if v is None or not 0 <= v <= 6:
        raise ValidationError("补缴、预缴均不得超过6个月")
    return v


class CollectionSheetForm(forms.Form):
    """收缴登记表: one row per member, ticked and saved at once."""

    paid_on = forms.DateField(label="收缴日期", widget=DATE_INPUT, error_messages={
        "required": "请填写收缴日期", "invalid": "请填写正确的日期"})
    collector = forms.CharField(label="收款人", max_length=50, error_messages={"required": "请填写收款人"})

    def __init__(self, *args, rows=(), today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = [r for r in rows if r.unsettled]
        self.today = today
        for r in self.rows:
            mid = r.membership_id
            due = r.unsettled_due
            self.fields[f"pay_{mid}"] = forms.BooleanField(
                label=f"{r.name} 已缴", required=False, widget=forms.CheckboxInput(attrs={"aria-label": f"{r.name} 已缴"}))
            self.fields[f"amount_{mid}"] = money_field(f"{r.name} 实缴金额", required=False, initial=due,
                                                       widget=forms.NumberInput(attrs={
                                                           "aria-label": f"{r.name} 实缴金额", "step": "0.01",
                                                           "inputmode": "decimal"}))
            self.fields[f"method_{mid}"] = forms.ChoiceField(
                label=f"{r.name} 缴纳方式", choices=Method.choices, initial=Method.CASH, required=False,
                widget=forms.Select(attrs={"aria-label": f"{r.name} 缴纳方式"}))
            self.fields[f"receipt_{mid}"] = forms.CharField(
                label=f"{r.name} 收据号", max_length=50, required=False,
                widget=forms.TextInput(attrs={"aria-label": f"{r.name} 收据号"}))
            self.fields[f"payer_{mid}"] = forms.CharField(
                label=f"{r.name} 代缴人", max_length=50, required=False,
                widget=forms.TextInput(attrs={"aria-label": f"{r.name} 代缴人（由他人代缴时填写）"}))

    def clean_paid_on(self):
        d = self.cleaned_data["paid_on"]
        if self.today and d > self.today:
            raise ValidationError("收缴日期不能晚于今天")
        return d

    def clean(self):
        data = super().clean()
        ticked = 0
        for r in self.rows:
            mid = r.membership_id
            if not data.get(f"pay_{mid}"):
                continue
            ticked += 1
            if r.unsettled_due is None:
                self.add_error(f"pay_{mid}", "还没有核定党费基数，请先填写基数")
            elif data.get(f"amount_{mid}") is None and f"amount_{mid}" not in self.errors:
                self.add_error(f"amount_{mid}", "请填写实缴金额")
            if not data.get(f"method_{mid}") and f"method_{mid}" not in self.errors:
                self.add_error(f"method_{mid}", "请选择缴纳方式")
        if not ticked and not self.errors:
            raise ValidationError("没有勾选任何党员：请在已缴的党员前打勾后再保存")
        return data

    def lines(self):
        from .services import PaymentLine

        out = []
        for r in self.rows:
            mid = r.membership_id
            if self.cleaned_data.get(f"pay_{mid}"):
                out.append(PaymentLine(
                    membership_id=mid, months=[m.month for m in r.unsettled], amount=self.cleaned_data[f"amount_{mid}"],
                    method=self.cleaned_data[f"method_{mid}"], receipt_number=self.cleaned_data[f"receipt_{mid}"],
                    payer_name=self.cleaned_data[f"payer_{mid}"]))
        return out

    def row_fields(self, r):
        mid = r.membership_id
        return {k: self[f"{k}_{mid}"] for k in ("pay", "amount", "method", "receipt", "payer")}

