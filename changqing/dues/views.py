"""Dues pages: thin views over selectors (reads) and services (writes)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from changqing.core.confirm import confirm_step
from changqing.core.export_gate import ExportGate
from changqing.core.scope import (
    can,
    get_scoped_object_or_404,
    object_view,
    restrict,
)
from changqing.core.exports import LedgerExportMixin
from changqing.core.forms import apply_errors, form_page
from changqing.core.lists import Column, ScopedListView, display
from changqing.members.models import Membership
from changqing.orgs.models import Organization, OrgKind
from changqing.policies.services import policy_version_create
from changqing.core.params import parse_id, query_year

from . import rules, services
from .apps import DUES_QUARTERLY
from .filters import (
    BranchFilterSet,
    DuesPaymentFilterSet,
    FundEntryFilterSet,
    HardshipFilterSet,
    MemberDuesFilterSet,
)
from .forms import (
    CollectionSheetForm,
    DuesBaseForm,
    DuesRulesForm,
    FundEntryForm,
    HardshipForm,
    PaymentForm,
    VoluntaryForm,
)
from .models import (
    INCOME_KINDS,
    BranchFundEntry,
    Category,
    DuesBase,
    DuesMonth,
    DuesPayment,
    FundKind,
    HardshipDecision,
    PaymentKind,
)
from .selectors import (
    RulesResolver,
    active_memberships,
    band_q,
    compute,
    fund_annotations,
    fund_totals,
    last_closed_month,
    month_list,
    month_roll,
    rules_for,
    warning_months_for,
    with_arrears,
)

CATEGORY_LABELS = dict(Category.choices)


def _today() -> dt.date:
    return timezone.localdate()


def _money(v) -> str:
    return "" if v is None else f"{v:.2f}"


def _rate(a) -> str:
    if a is None or a.rate is None:
        return "定额" if a is not None and a.amount is not None else ""
    return f"{(a.rate * 100).normalize():f}%"


def _month_or_404(text: str) -> dt.date:
    try:
        return rules.parse_month(text)
    except rules.RuleError:
        raise Http404("月份格式应为 年-月") from None


def _branch_or_404(user, code, action="view"):
    return get_scoped_object_or_404(Organization.objects.filter(kind=OrgKind.BRANCH), user, action, code=code)


# -- member list with arrears --------------------------------------------

def _md(row):
    """This month's dues attached to a list row by MemberDuesListView._attach (None before)."""
    dues = getattr(row, "dues", None)
    return dues.months[row.dues_month] if dues else None


def _a(row):
    md = _md(row)
    return md.assessment if md else None


class MemberDuesListView(ScopedListView):
    """Every member in scope: category, base, monthly dues, last paid month, months behind."""

    title = "党员党费"
    export_title = "党员党费及欠缴情况"
    filterset_class = MemberDuesFilterSet
    default_ordering = "organization__path"
    template_name = "dues/member_list.html"
    columns = [
        Column("retiree.name", "姓名", sort="retiree__name_pinyin", link=True),
        Column("organization.name", "所在支部", sort="organization__path"),
        Column("category", "类别", value=lambda r: CATEGORY_LABELS.get(_a(r).category) if _a(r) else "未核定"),
        Column("base", "基数（元）", value=lambda r: _money(_a(r).base) if _a(r) else ""),
        Column("rate", "比例", value=lambda r: _rate(_a(r))),
        Column("due", "本月应缴（元）", value=lambda r: _money(_md(r).due) if _md(r) else ""),
        Column("last_settled", "最近缴至", sort="last_settled",
               value=lambda r: rules.month_label(r.last_settled) if r.last_settled else "无记录"),
        Column("arrears", "连续欠缴（月）", value=lambda r: r.dues.arrears_months if getattr(r, "dues", None) else ""),
        Column("warning", "提醒", value=lambda r: r.dues.warning_text if getattr(r, "dues", None) else ""),
    ]

    def get_base_queryset(self):
        self.as_of = last_closed_month(_today())
        current = Subquery(DuesBase.objects.filter(membership=OuterRef("pk"), effective_from__lte=_today())
                           .order_by("-effective_from").values("category")[:1])
        return with_arrears(active_memberships().select_related("retiree", "organization"), self.as_of).annotate(
            current_category=current)

    def _attach(self, rows):
        rows = list(rows)
        month = rules.month_start(_today())
        ids = [r.pk for r in rows]
        by_id = {d.membership_id: d for d in compute(Membership.objects.filter(pk__in=ids), [month], as_of=self.as_of,
                                                     resolver=self.resolver)}
        for r in rows:
            r.dues, r.dues_month = by_id.get(r.pk), month
        return rows

    def render_row(self, row):
        cells = super().render_row(row)
        cells[0]["url"] = reverse("dues:member", args=[row.pk])
        return cells

    def get_context_data(self, **kwargs):
        self.resolver = RulesResolver()
        ctx = super().get_context_data(**kwargs)
        rows = self._attach(ctx["page_obj"].object_list)
        ctx["table"] = [self.render_row(r) for r in rows]
        ctx["as_of_label"] = rules.month_label(self.as_of)
        return ctx

    def export_prepare(self, chunk):
        if not hasattr(self, "resolver"):
            self.resolver = RulesResolver()
        self._attach(chunk)


# -- one member's dues record ------------------------------------------------

@object_view(Membership)
@login_required
def member_dues(request, pk: int):
    membership = get_scoped_object_or_404(Membership.objects.select_related("retiree", "organization"),
                                          request.user, pk=pk)
    today = _today()
    as_of = last_closed_month(today)
    months = month_list(rules.add_months(rules.month_start(today), -11), rules.month_start(today))
    md = compute(Membership.objects.filter(pk=membership.pk), months, as_of=as_of)[0]
    for x in md.months.values():
        x.rate_label = _rate(x.assessment)
    return render(request, "dues/member.html", {
        "title": f"{membership.retiree.name}的党费", "m": membership, "md": md,
        "months": list(md.months.values()),
        "bases": membership.dues_bases.all().order_by("-effective_from"),
        "payments": membership.dues_payments.all().order_by("-paid_on", "-id")[:50],
        "hardships": membership.hardship_decisions.all(),
        "can_change": can(request.user, "change", membership),
        "as_of_label": rules.month_label(as_of), "month_code": f"{today:%Y-%m}",
    })


def _member_for_change(request, pk):
    return get_scoped_object_or_404(Membership.objects.select_related("retiree", "organization"), request.user,
                                    "change", pk=pk)


@object_view(Membership)
@login_required
def base_add(request, pk: int):
    membership = _member_for_change(request, pk)
    latest = membership.dues_bases.order_by("-effective_from").first()
    initial = {"effective_from": rules.month_start(_today()), "category": latest.category if latest else "retiree"}
    form = DuesBaseForm(request.POST or None, initial=initial, bases=membership.dues_bases.order_by("effective_from"))
    back = reverse("dues:member", args=[membership.pk])

    def save(form):
        services.dues_base_record(membership=membership, **form.cleaned_data)
        return back

    return form_page(request, form, title=f"{membership.retiree.name}：核定党费基数", cancel_url=back, save=save,
                     success="已保存党费基数")


@object_view(Membership)
@login_required
def payment_add(request, pk: int):
    membership = _member_for_change(request, pk)
    today = _today()
    rule = rules_for(membership.organization)
    form = PaymentForm(request.POST or None, today=today, rule=rule,
                       initial={"first_month": rules.month_start(today), "months": 1, "paid_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        line = services.PaymentLine(membership_id=membership.pk, months=rules.month_range(d["first_month"], d["months"]),
                                    amount=d["amount"], method=d["method"], receipt_number=d["receipt_number"],
                                    payer_name=d["payer_name"])
        try:
            services.dues_payments_record(organization=membership.organization, lines=[line], paid_on=d["paid_on"],
                                          collector=d["collector"], today=today)
        except ValidationError as exc:
            fields = {"amount": "amount", "months": "first_month"}
            for errs in exc.error_dict.values():
                for e in errs:
                    form.add_error(fields.get(e.code), e.messages[0])
        else:
            messages.success(request, "已登记缴纳")
            return redirect("dues:member", pk=membership.pk)
    return render(request, "core/form.html", {"title": f"{membership.retiree.name}：登记缴纳党费", "form": form,
                                              "cancel_url": reverse("dues:member", args=[membership.pk])})


@object_view(Membership)
@login_required
def voluntary_add(request, pk: int):
    membership = _member_for_change(request, pk)
    today = _today()
    form = VoluntaryForm(request.POST or None, today=today, initial={"paid_on": today})
    if request.method == "POST" and form.is_valid():
        p = services.dues_voluntary_record(membership=membership, **form.cleaned_data)
        messages.success(request, "已登记自愿多交党费" + ("（单笔1000元及以上，已单独列账）" if p.is_large else ""))
        return redirect("dues:member", pk=membership.pk)
    return render(request, "core/form.html", {"title": f"{membership.retiree.name}：自愿多交党费", "form": form,
                                              "cancel_url": reverse("dues:member", args=[membership.pk])})


@object_view(Membership)
@login_required
def hardship_add(request, pk: int):
    membership = _member_for_change(request, pk)
    today = _today()
    form = HardshipForm(request.POST or None, today=today, initial={"first_month": rules.month_start(today)})
    back = reverse("dues:member", args=[membership.pk])

    def save(form):
        services.hardship_decision_record(membership=membership, **form.cleaned_data)
        return back

    return form_page(request, form, title=f"{membership.retiree.name}：困难减免（须有支部决定）", cancel_url=back,
                     save=save, success="已记录支部的困难减免决定")


@object_view(DuesPayment)
@login_required
def payment_delete(request, pk: int):
    payment = get_scoped_object_or_404(DuesPayment, request.user, "change", pk=pk)
    ask = confirm_step(
        request, title="撤销缴纳记录",
        subject=f"撤销 {payment.membership} {payment.paid_on:%Y年%-m月%-d日} 缴纳的 {payment.amount} 元（{payment.months_label}）",
        effects=[f"这笔记录将被删除，{payment.months_label} 恢复为未缴，会重新出现在收缴登记表和欠缴提醒中。",
                 "如果只是金额或日期记错，撤销后请重新登记正确的一笔。", "这一操作会记入变更记录。"],
        confirm_label="确认撤销", cancel_url=reverse("dues:member", args=[payment.membership_id]))
    if ask is not None:
        return ask
    services.dues_payment_delete(payment=payment)
    messages.success(request, "已撤销该笔缴纳记录，相应月份恢复为未缴")
    return redirect("dues:member", pk=payment.membership_id)


# -- collection sheet (收缴登记表) -------------------------------------------

def _sheet_months(month: dt.date, quarterly: bool) -> list[dt.date]:
    if not quarterly:
        return [month]
    first = month.replace(month=(month.month - 1) // 3 * 3 + 1)
    return rules.month_range(first, 3)


SHEET_QUERY = ("status", "retiree", "member", "period")


@login_required
def sheet_start(request):
    """The secretary's own branch, this month: one click from the menu.

    Pre-filled from the page the user came from: ?branch=<code or id>, ?month=2026-11, ?status=unpaid (only the
    members still to pay), ?retiree=<id> or ?member=<membership id> (that one member), ?period=quarter."""
    from urllib.parse import urlencode

    branches = Organization.objects.filter(kind=OrgKind.BRANCH)
    value = (request.GET.get("branch") or "").strip()
    if value:
        branch = restrict(branches, request.user).filter(Q(code=value) | Q(pk=parse_id(value, 0))).first()
        if branch is None:
            raise Http404("不在您的数据范围内，或党支部不存在")
    else:
        branch = restrict(branches, request.user, "change").order_by("path").first() \
            or restrict(branches, request.user).order_by("path").first()
    if branch is None:
        raise PermissionDenied("您的数据范围内没有党支部")
    try:
        month = rules.parse_month(request.GET.get("month") or "")
    except rules.RuleError:
        month = _today()
    url = reverse("dues:sheet", args=[branch.code, f"{month:%Y-%m}"])
    keep = {k: request.GET[k] for k in SHEET_QUERY if request.GET.get(k)}
    return redirect(f"{url}?{urlencode(keep)}" if keep else url)


@object_view(Organization, code="code", samples={"month": "2026-10"})
@login_required
def sheet(request, code: str, month: str):
    branch = _branch_or_404(request.user, code)
    month = _month_or_404(month)
    today = _today()
    rule = rules_for(branch)
    quarterly = rule.quarterly_allowed and request.GET.get("period", request.POST.get("period")) == "quarter"
    months = _sheet_months(month, quarterly)
    # The roll of those months: a member who has since died, moved or left still owed them here.
    members = month_roll(months, org=branch)
    rows = compute(members, months, as_of=rules.add_months(months[0], -1),
                   resolver=RulesResolver(root=branch, below=False))
    can_change = can(request.user, "change", branch)
    title = f"{branch.name} 党费收缴登记表（{_period_label(months)}）"
    if request.GET.get("export") == "xlsx":
        return _sheet_export(request, branch, rows, months, title)
    form = CollectionSheetForm(request.POST or None, rows=rows, today=today,
                               initial={"paid_on": today, "collector": request.user.display_name})
    sheet_errors = []
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("您没有登记党费的权限")
        if form.is_valid():
            try:
                created = services.dues_payments_record(
                    organization=branch, lines=form.lines(), paid_on=form.cleaned_data["paid_on"],
                    collector=form.cleaned_data["collector"], today=today)
            except ValidationError as exc:
                for mid, msgs in exc.message_dict.items():
                    key = f"pay_{mid}"
                    if key in form.fields:
                        form.add_error(key, msgs)
                    else:
                        sheet_errors.extend(msgs)
            else:
                n = len({p.membership_id for p in created})
                messages.success(request, f"已保存：{n} 名党员本次缴纳，共 {sum(p.amount for p in created):.2f} 元")
                return redirect(request.get_full_path())
    total_due = sum((r.due_total or Decimal("0")) for r in rows)
    total_paid = sum((r.paid_total for r in rows), Decimal("0"))
    shown, focus = _sheet_shown(request, rows)
    error_links = _sheet_error_links(form, rows) if form.is_bound else []
    pinyin = dict((mid, (py, ini)) for mid, py, ini in Membership.objects.filter(
        pk__in=[r.membership_id for r in shown]).values_list("pk", "retiree__name_pinyin", "retiree__name_initials"))
    return render(request, "dues/sheet.html", {
        "title": title, "branch": branch, "month": month, "months": months, "quarterly": quarterly,
        "rule": rule, "form": form, "can_change": can_change, "sheet_errors": sheet_errors,
        "lines": [{"r": r, "f": form.row_fields(r) if r.unsettled and can_change else None, "info": _info(r),
                   "pinyin": pinyin.get(r.membership_id, ("", ""))[0],
                   "initials": pinyin.get(r.membership_id, ("", ""))[1]}
                  for r in shown],
        "error_links": error_links,
        "error_count": len(error_links) + len(sheet_errors) + len(form.non_field_errors()),
        "total_due": total_due, "total_paid": total_paid, "member_count": len(rows),
        "paid_count": sum(1 for r in rows if not r.unsettled),
        "unpaid_only": request.GET.get("status") == "unpaid", "focus": focus,
        "prev": rules.add_months(months[0], -1), "next": rules.add_months(months[-1], 1),
    })


def _sheet_shown(request, rows):
    """The rows the sheet shows: ?status=unpaid only those still to pay; ?retiree= / ?member= that one member
    (the home page's task "record X's dues" opens the sheet on them)."""
    rid, mid = parse_id(request.GET.get("retiree")), parse_id(request.GET.get("member"))
    focus = next((r for r in rows if (mid and r.membership_id == mid) or (rid and r.retiree_id == rid)), None)
    if focus is not None:
        return [focus], focus
    if request.GET.get("status") == "unpaid":
        return [r for r in rows if r.unsettled], None
    return rows, None


def _sheet_error_links(form, rows) -> list[dict]:
    """The error summary at the top of the sheet: one link per row (or field) with an error."""
    links = []
    for name in ("paid_on", "collector"):
        for e in form.errors.get(name, []):
            links.append({"href": f"#id_{name}", "text": f"{form.fields[name].label}：{e}"})
    for r in form.rows:
        msgs = [e for k in ("pay", "amount", "method", "receipt", "payer")
                for e in form.errors.get(f"{k}_{r.membership_id}", [])]
        if msgs:
            links.append({"href": f"#row-{r.membership_id}", "text": f"{r.name}：{'；'.join(msgs)}"})
    return links


def _info(r) -> str:
    a = next((m.assessment for m in r.months.values() if m.assessment), None)
    if a is None:
        return "未核定基数"
    parts = [CATEGORY_LABELS.get(a.category, "")]
    if a.base is not None:
        parts += [f"{a.base:.2f}元", _rate(a)]
    return " · ".join(parts)


def _period_label(months):
    if len(months) == 1:
        return rules.month_label(months[0])
    return f"{months[0].year}年第{(months[0].month - 1) // 3 + 1}季度"


def _status(md) -> str:
    return {"paid": f"已缴 {md.paid:.2f}", "waived": "免交", "not_due": "—"}.get(md.settled, "未缴")


def _sheet_export(request, branch, rows, months, title):
    gate = ExportGate(request)
    gate.require(branch)
    headers = ["序号", "姓名", "类别", "基数（元）", "比例", "应缴（元）"] + [rules.month_label(m) for m in months] + [
        "实缴合计（元）", "连续欠缴（月）", "签名"]
    body = []
    for i, r in enumerate(rows, start=1):
        a = next((m.assessment for m in r.months.values() if m.assessment), None)
        body.append([i, r.name, CATEGORY_LABELS.get(a.category, "") if a else "未核定", _money(a.base) if a else "",
                     _rate(a), _money(r.due_total)] + [_status(r.months[m]) for m in months]
                    + [_money(r.paid_total), r.arrears_months, ""])
    return gate.xlsx(title, headers, body, org_path=branch.path, unit="人")


# -- yearly ledger (党费收缴台账) -------------------------------------------

@object_view(Organization, code="code", samples={"year": 2026})
@login_required
def ledger(request, code: str, year: int):
    branch = _branch_or_404(request.user, code)
    if not 2000 <= year <= 2100:
        raise Http404("年份超出范围")
    months = rules.month_range(dt.date(year, 1, 1), 12)
    today = _today()
    as_of = min(last_closed_month(today), dt.date(year, 12, 1))
    current = rules.month_start(today)
    rows = [r for r in compute(month_roll(months, org=branch), months, as_of=as_of)
            if any(r.owes(m) for m in months)]
    title = f"{branch.name} {year}年党费收缴台账"
    month_totals = [sum((r.months[m].paid for r in rows), Decimal("0")) for m in months]
    if request.GET.get("export") == "xlsx":
        gate = ExportGate(request)
        gate.require(branch)
        headers = ["姓名", "类别", "月应缴（元）"] + [f"{m.month}月" for m in months] + ["全年实缴（元）", "连续欠缴（月）"]
        body = [[r.name, _category(r), _money(_first_due(r))] + [_ledger_cell(r.months[m], current) for m in months]
                + [_money(r.paid_total), r.arrears_months] for r in rows]
        body.append(["合计", "", ""] + [_money(t) for t in month_totals] + [_money(sum(month_totals)), ""])
        return gate.xlsx(title, headers, body, org_path=branch.path, unit="行")
    voluntary = DuesPayment.objects.filter(organization=branch, kind=PaymentKind.VOLUNTARY, paid_on__year=year)
    return render(request, "dues/ledger.html", {
        "title": title, "branch": branch, "year": year, "months": months,
        "lines": [{"r": r, "category": _category(r), "due": _first_due(r),
                   "cells": [_ledger_cell(r.months[m], current) for m in months]} for r in rows],
        "month_totals": month_totals, "year_total": sum(month_totals),
        "voluntary": voluntary.select_related("membership__retiree"),
        "prev_year": year - 1, "next_year": year + 1,
    })


def _category(r) -> str:
    a = next((m.assessment for m in r.months.values() if m.assessment), None)
    return CATEGORY_LABELS.get(a.category, "") if a else "未核定"


def _first_due(r):
    return next((m.due for m in r.months.values() if m.due is not None and m.settled != "not_due"), None)


def _ledger_cell(md, current: dt.date) -> str:
    """Paid amount, 免 (waived), — (not owed yet), 欠 (a closed month unpaid), 待缴 (this month), blank (future)."""
    if md.settled == "paid":
        return f"{md.paid:.2f}"
    if md.settled in ("waived", "not_due"):
        return {"waived": "免", "not_due": "—"}[md.settled]
    if md.month > current:
        return ""
    return "待缴" if md.month == current else "欠"


# -- overview by branch --------------------------------------------------

class BranchDuesListView(ScopedListView):
    """Branches in scope with this month's collection and members behind on dues."""

    title = "党费收缴（按支部）"
    queryset = Organization.objects.filter(kind=OrgKind.BRANCH).select_related("parent")
    filterset_class = BranchFilterSet
    default_ordering = "path"
    template_name = "dues/branch_list.html"
    @cached_property
    def thresholds(self) -> tuple[int, ...]:
        return warning_months_for(self.request.user, last_closed_month(_today()))

    @cached_property
    def columns(self):
        return [
            Column("code", "编码", sort="code"),
            Column("name", "支部", sort="name"),
            Column("member_count", "在册党员", sort="member_count"),
            Column("paid_now", "本月已缴人数", value=lambda o: getattr(o, "paid_now", 0)),
            *(Column(f"arrears{t}", label, value=lambda o, t=t: getattr(o, "arrears", {}).get(t, 0))
              for t, label in rules.band_labels(self.thresholds).items()),
        ]

    def get_base_queryset(self):
        # Branches without party members on the roll (e.g. 两新 organisations) have no dues here.
        return self.queryset.annotate(
            member_count=Count("memberships", filter=Q(memberships__state="active"))).filter(member_count__gt=0)

    def _attach(self, orgs):
        orgs = list(orgs)
        as_of = last_closed_month(_today())
        members = with_arrears(active_memberships().filter(organization__in=[o.pk for o in orgs]), as_of)
        counts = {}
        for t in self.thresholds:
            for row in members.filter(band_q(t, as_of, self.thresholds)).values("organization_id").annotate(
                    n=Count("pk")):
                counts.setdefault(row["organization_id"], {})[t] = row["n"]
        paid = dict(DuesMonth.objects.filter(membership__organization__in=[o.pk for o in orgs],
                                             month=rules.month_start(_today())).values("membership__organization")
                    .annotate(n=Count("pk")).values_list("membership__organization", "n"))
        for o in orgs:
            o.arrears = counts.get(o.pk, {})
            o.paid_now = paid.get(o.pk, 0)
        return orgs

    def render_row(self, row):
        cells = super().render_row(row)
        month = f"{_today():%Y-%m}"
        cells[1]["url"] = reverse("dues:sheet", args=[row.code, month])
        for cell, level in zip(cells[4:], self.thresholds):
            cell["url"] = f"{reverse('dues:members')}?under={row.code}&arrears={level}"
        return cells

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = self._attach(ctx["page_obj"].object_list)
        ctx["table"] = [self.render_row(r) for r in rows]
        ctx["this_month"] = f"{_today():%Y-%m}"
        ctx["this_year"] = _today().year
        ctx["branch_rows"] = rows
        ctx["first_band"] = min(self.thresholds)
        return ctx

    def export_prepare(self, chunk):
        self._attach(chunk)


# -- payments and hardship lists ------------------------------------------

class PaymentListView(LedgerExportMixin, ScopedListView):
    title = "党费缴纳记录"
    # ?export=xlsx: 党费收缴台账 — dates as dates, amounts as numbers with two decimals.
    ledger_name = "党费收缴台账"
    ledger_org_params = ("under",)
    ledger_date_field = "paid_on"
    ledger_date_params = ("paid_from", "paid_to")
    queryset = DuesPayment.objects.select_related("membership__retiree", "organization")
    filterset_class = DuesPaymentFilterSet
    default_ordering = "-paid_on"
    columns = [
        Column("paid_on", "缴纳日期", sort="paid_on"),
        Column("membership.retiree.name", "姓名", sort="membership__retiree__name_pinyin", link=True),
        Column("organization.name", "支部", sort="organization__path"),
        Column("kind", "类型", value=lambda p: p.get_kind_display() + ("（大额单独列账）" if p.is_large else "")),
        Column("months_label", "所属月份", sort="first_month"),
        Column("amount", "金额（元）", sort="amount"),
        Column("method", "方式", value=lambda p: p.get_method_display()),
        Column("collector", "收款人"),
        Column("receipt_number", "收据号"),
        Column("payer_name", "代缴人"),
    ]


class LargePaymentListView(PaymentListView):
    """自愿多交党费单笔1000元及以上：单独列账."""

    title = "大额自愿多交党费（单独列账）"
    ledger_name = "大额自愿多交党费台账"
    queryset = DuesPayment.objects.filter(is_large=True).select_related("membership__retiree", "organization")


class HardshipListView(ScopedListView):
    title = "困难减免决定"
    queryset = HardshipDecision.objects.select_related("membership__retiree", "membership__organization")
    filterset_class = HardshipFilterSet
    default_ordering = "-decided_on"
    columns = [
        Column("membership.retiree.name", "姓名", link=True),
        Column("membership.organization.name", "支部", sort="membership__organization__path"),
        Column("kind", "方式", value=lambda h: h.get_kind_display()),
        Column("monthly_amount", "减交后每月（元）"),
        Column("period_label", "期间", sort="first_month"),
        Column("decided_on", "决定日期", sort="decided_on"),
        Column("meeting_reference", "会议及纪要"),
        Column("reason", "困难情况"),
    ]


# -- branch fund ------------------------------------------------------------

class FundSummaryView(ScopedListView):
    """Jurisdiction summary: each branch's fund income, spending and balance for a year."""

    title = "支部经费汇总"
    queryset = Organization.objects.filter(kind=OrgKind.BRANCH)
    filterset_class = BranchFilterSet
    default_ordering = "path"
    template_name = "dues/fund_summary.html"
    columns = [
        Column("code", "编码", sort="code"),
        Column("name", "支部", sort="name", link=True),
        Column("refund", "返缴党费（元）", sort="refund", value=lambda o: _money(o.refund)),
        Column("allocation", "单位拨付（元）", sort="allocation", value=lambda o: _money(o.allocation)),
        Column("income", "收入合计（元）", sort="income", value=lambda o: _money(o.income)),
        Column("spending", "支出（元）", sort="spending", value=lambda o: _money(o.spending)),
        Column("balance", "累计余额（元）", sort="balance", value=lambda o: _money(o.balance)),
    ]

    def year(self):
        return query_year(self.request, default=_today().year)

    def get_base_queryset(self):
        year = self.year()
        year_anns = fund_annotations(date_q=Q(fund_entries__occurred_on__year=year))
        income = Subquery(BranchFundEntry.objects.filter(organization=OuterRef("pk"), kind__in=INCOME_KINDS)
                          .values("organization").annotate(s=Sum("amount")).values("s")[:1])
        spent = Subquery(BranchFundEntry.objects.filter(organization=OuterRef("pk"), kind=FundKind.SPENDING)
                         .values("organization").annotate(s=Sum("amount")).values("s")[:1])
        zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))
        return self.queryset.annotate(**year_anns).annotate(
            balance=Coalesce(income, zero) - Coalesce(spent, zero))

    def render_row(self, row):
        cells = super().render_row(row)
        cells[1]["url"] = reverse("dues:fund", args=[row.code])
        return cells

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["year"] = self.year()
        ctx["title"] = f"支部经费汇总（{ctx['year']}年）"
        totals = restrict(BranchFundEntry.objects.filter(occurred_on__year=ctx["year"]), self.request.user)
        ctx["totals"] = fund_totals(totals)
        return ctx


@object_view(Organization, code="code")
@login_required
def fund(request, code: str):
    branch = _branch_or_404(request.user, code)
    entries = BranchFundEntry.objects.filter(organization=branch)
    filterset = FundEntryFilterSet(request.GET or None, queryset=entries)
    shown = filterset.qs if filterset.is_bound and filterset.is_valid() else entries
    shown = list(shown.order_by("occurred_on", "id"))
    running, balance = [], Decimal("0.00")
    all_before = None
    if shown and filterset.is_bound and filterset.is_valid():
        # Opening balance: everything before the first shown entry.
        before = entries.filter(Q(occurred_on__lt=shown[0].occurred_on)
                                | Q(occurred_on=shown[0].occurred_on, id__lt=shown[0].id))
        all_before = fund_totals(before)["balance"]
        balance = all_before
    for e in shown:
        balance += e.amount if e.is_income else -e.amount
        running.append((e, balance))
    title = f"{branch.name} 支部经费账"
    if request.GET.get("export") == "xlsx":
        gate = ExportGate(request)
        gate.require(branch)
        body = [[display(e.occurred_on), e.get_kind_display(), _money(e.amount) if e.is_income else "",
                 "" if e.is_income else _money(e.amount), _money(b), e.source or e.purpose, e.receipt_number, e.note]
                for e, b in running]
        return gate.xlsx(title, ["日期", "类别", "收入（元）", "支出（元）", "余额（元）", "来源/用途", "票据号", "备注"],
                         body, org_path=branch.path)
    return render(request, "dues/fund.html", {
        "title": title, "branch": branch, "running": list(reversed(running)), "filterset": filterset,
        "totals": fund_totals(entries), "opening": all_before, "can_change": can(request.user, "change", branch),
        "query": request.GET.urlencode(),
    })


@object_view(Organization, code="code")
@login_required
def fund_add(request, code: str):
    branch = _branch_or_404(request.user, code, "change")
    today = _today()
    form = FundEntryForm(request.POST or None, today=today, initial={"occurred_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            services.fund_entry_record(organization=branch, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已记入支部经费账")
            return redirect("dues:fund", code=branch.code)
    return render(request, "core/form.html", {"title": f"{branch.name}：记一笔经费", "form": form,
                                              "cancel_url": reverse("dues:fund", args=[branch.code])})


# -- rules -----------------------------------------------------------------

@object_view(Organization, code="code")
@login_required
def policy(request, code: str):
    """The dues rules in force for an organisation this month, where they come from, and the way to change them
    (a new version on the policies page); a branch secretary records the branch's consent to quarterly collection."""
    org = get_scoped_object_or_404(Organization, request.user, code=code)
    today = _today()
    resolver = RulesResolver(root=org, below=False)
    source = resolver.source(org.path, today)
    may_quarterly = org.kind == OrgKind.BRANCH and can(request.user, "change", org)
    if request.method == "POST":
        if not may_quarterly or request.POST.get("quarterly") not in ("on", "off"):
            raise PermissionDenied("只有本支部可以设置按季度收缴；党费规则请在“规则设置”中修订")
        try:
            policy_version_create(kind=DUES_QUARTERLY, organization=org, valid_from=today,
                                  values={"allowed": request.POST["quarterly"] == "on"},
                                  note="支部决定", user=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已保存支部的按季度收缴设置，本月起生效")
        return redirect("dues:policy", code=org.code)
    rule = resolver.for_path(org.path, today)
    return render(request, "dues/policy.html", {
        "title": f"党费规则：{org.name}", "org": org, "rule": rule, "source": source,
        "values": DuesRulesForm.describe(rules.rules_to_data(rule)), "may_quarterly": may_quarterly,
        "may_manage": can(request.user, "manage", org),
    })


