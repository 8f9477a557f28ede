from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from changqing.core.masking import age_band, birth_column_kwargs
from changqing.core.scope import (
    can,
    get_scoped_object_or_404,
    object_view,
    scope_for,
)
from changqing.core.export_gate import ExportGate
from changqing.core.exports import LedgerExportMixin
from changqing.core.lists import Column, ScopedListView
from changqing.core import conflicts
from changqing.core.object_views import ObjectFormView
from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation

from . import forms, rules, selectors, services
from .filters import AbsenceFilterSet, RetireeFilterSet, TransferFilterSet
from .models import Absence, Membership, MembershipState, Retiree, Transfer


def _membership_text(r):
    m = getattr(r, "membership", None)
    if m is None:
        return "非党员"
    return f"{m.get_status_display()}（{m.get_state_display()}）"


class RetireeListView(LedgerExportMixin, ScopedListView):
    title = "离退休干部名册"
    # The xlsx is the 花名册 ledger; ID numbers and phones stay masked as on the screen
    # (full data only through the roster export, which logs the unmasking).
    ledger_name = "离退休干部花名册"
    ledger_org_params = ("org",)
    template_name = "members/retiree_list.html"
    queryset = Retiree.objects.select_related("organization", "membership")
    filterset_class = RetireeFilterSet
    default_ordering = "name_pinyin"
    create_url_name = "members:retiree_create"
    columns = [
        Column("name", "姓名", sort="name_pinyin", link=True),
        Column("gender", "性别", value=lambda r: r.get_gender_display()),
        Column("birth_date", "出生日期", sort="birth_date", **birth_column_kwargs()),
        Column("id_number", "身份证号", value=lambda r: r.masked_id_number),
        Column("retirement_kind", "类别", sort="retirement_kind", value=lambda r: r.get_retirement_kind_display()),
        Column("membership", "政治面貌", value=_membership_text),
        Column("organization.name", "所在组织", sort="organization__path"),
        Column("community", "所在社区", sort="community"),
        Column("health", "健康状况", sort="health", value=lambda r: r.get_health_display()),
        Column("phone", "联系电话", value=lambda r: r.masked_phone),
        Column("status", "状态", sort="status", value=lambda r: r.get_status_display()),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # 导入名册 only for those roster.views.import_start lets in: a change scope over organisations
        # (a carer changes records of the people paired with them, not an organisation's roll).
        change = scope_for(self.request.user, "change")
        ctx["can_import"] = change.everything or bool(change.org_paths)
        return ctx


def _absence_due(a) -> str:
    rule = getattr(a, "rule", None) or rules.current_rule()  # AbsenceListView.render_row sets the user's rule
    return selectors.absence_assessment(a, timezone.localdate(), rule).message


class AbsenceListView(ScopedListView):
    title = "外出流动党员"
    queryset = Absence.objects.select_related("retiree", "retiree__organization")
    filterset_class = AbsenceFilterSet
    default_ordering = "-start_on"
    columns = [
        Column("retiree.name", "姓名", sort="retiree__name_pinyin", link=True),
        Column("retiree.organization.name", "所在组织", sort="retiree__organization__path"),
        Column("start_on", "外出日期", sort="start_on"),
        Column("expected_end_on", "预计返回", sort="expected_end_on"),
        Column("end_on", "返回日期", sort="end_on"),
        Column("place", "外出地点", sort="place"),
        Column("host_org_name", "临时组织关系"),
        Column("due", "应办事项", value=_absence_due),
    ]

    def render_row(self, row):
        if not hasattr(self, "rule"):
            self.rule = selectors.rule_for_user(self.request.user)
        row.rule = self.rule
        cells = super().render_row(row)
        cells[0]["url"] = row.retiree.get_absolute_url() + "#absences"
        return cells


class TransferListView(ScopedListView):
    title = "组织关系转接"
    queryset = Transfer.objects.select_related("membership__retiree", "from_org", "to_org", "organization")
    filterset_class = TransferFilterSet
    default_ordering = "-transferred_on"
    columns = [
        Column("membership.retiree.name", "姓名", sort="membership__retiree__name_pinyin"),
        Column("direction", "方向", sort="direction", value=lambda t: t.get_direction_display()),
        Column("from", "转出党组织", value=lambda t: t.from_label),
        Column("to", "转入党组织", value=lambda t: t.to_label),
        Column("letter_no", "介绍信编号", sort="letter_no"),
        Column("letter_on", "开具日期", sort="letter_on"),
        Column("transferred_on", "转接日期", sort="transferred_on"),
        Column("reason", "原因"),
    ]

    def render_row(self, row):
        cells = super().render_row(row)
        cells[0]["url"] = reverse("members:retiree_detail", args=[row.membership.retiree_id])
        return cells


REVEALABLE = {"id_number": "身份证号", "phone": "联系电话", "family_phone": "家属电话"}


def _detail_page(request, retiree, *, revealed: bool = False, printing: bool = False):
    can_unmask = can(request.user, "unmask", retiree)
    record = selectors.retiree_record(retiree)
    membership = record["membership"]
    can_change = can(request.user, "change", retiree)
    can_change_membership = bool(membership) and _org_may_change(request.user, membership.organization)
    can_change_org = _org_may_change(request.user, retiree.organization)
    return render(request, "members/retiree_detail.html", {
        "title": retiree.name, "r": retiree, "membership": membership, "reveal": revealed and can_unmask,
        "printing": printing,
        "can_unmask": can_unmask, "age_band": age_band(retiree.birth_date, timezone.localdate()),
        "can_change": can_change, "can_change_membership": can_change_membership,
        "can_change_org": can_change_org,
        # A member opening their own record may not open their branch's page: its name is shown, not a dead link.
        "can_view_org": can(request.user, "view", retiree.organization),
        "can_view_branch": bool(membership) and can(request.user, "view", membership.organization),
        "can_transfer_in": can_change_org and retiree.status == "alive" and (
            membership is None or membership.state == MembershipState.TRANSFERRED_OUT),
        "absences": record["absences"], "rule": record["rule"],
        "sections": selectors.record_sections(request, retiree),
    })


@object_view(Retiree)
@login_required
def retiree_detail(request, pk: int):
    """党员管理台账: the whole record of one person on one page, ID number and phones masked."""
    retiree = get_scoped_object_or_404(Retiree.objects.select_related("organization"), request.user, pk=pk)
    printing = request.GET.get("print") == "1"
    if printing:  # 打印台账: one person's record on paper, logged by the gate
        ExportGate(request, kind="print").printed(f"{retiree.name} 党员管理台账", 1, org_path=retiree.organization.path,
                                                  data={"retiree_id": retiree.pk})
    return _detail_page(request, retiree, printing=printing)


@object_view(Retiree)
@login_required
@require_POST
def retiree_reveal(request, pk: int):
    """查看完整号码: the full ID number and phones of one person, for a role that may unmask, logged.

    POST only (CSRF-checked), 404 outside the view scope, 403 inside it without the right to unmask.
    From the record page (target=detail) or the edit form (target=form); htmx gets the numbers
    swapped into place, a plain form post gets the page again with them shown.
    """
    retiree = get_scoped_object_or_404(Retiree.objects.select_related("organization"), request.user, pk=pk)
    if not can(request.user, "unmask", retiree):
        raise PermissionDenied("您的角色不能查看完整号码")
    target = "form" if request.POST.get("target") == "form" else "detail"
    if target == "form" and not can(request.user, "change", retiree):
        raise PermissionDenied("您没有修改此人信息的权限")
    fields = [f for f in REVEALABLE if getattr(retiree, f)]
    log_operation(OperationLog.Event.UNMASK, request=request, org_path=retiree.organization.path,
                  detail=f"查看完整号码：{retiree.name} 的{'、'.join(REVEALABLE[f] for f in fields) or '号码（均未填）'}",
                  data={"retiree_id": retiree.pk, "fields": fields, "from": target})
    if target == "form":
        form = forms.RetireeForm(instance=retiree, user=request.user, reveal=True)
        if request.headers.get("HX-Request"):
            inputs = [form[f].as_widget(attrs={"hx-swap-oob": "true"}) for f in REVEALABLE]
            return render(request, "members/_revealed.html", {"inputs": inputs, "r": retiree})
        return _form_page(request, form, f"修改 {retiree.name} 的信息", retiree,
                          action=reverse("members:retiree_edit", args=[retiree.pk]))
    if request.headers.get("HX-Request"):
        return render(request, "members/_revealed.html", {"r": retiree, "numbers": True})
    return _detail_page(request, retiree, revealed=True)


def _retiree_for_change(request, pk) -> Retiree:
    return get_scoped_object_or_404(Retiree.objects.select_related("organization"), request.user, "change", pk=pk)


def _org_may_change(user, org) -> bool:
    """Party-relationship changes need the organisation in the user's change scope; a carer's
    pair scope (retiree ids) lets them update a profile, not move someone's relationship."""
    return scope_for(user, "change").covers_path(org.path)


def _membership_for_change(request, retiree) -> Membership:
    membership = Membership.objects.filter(retiree=retiree).select_related("organization", "retiree").first()
    if membership is None:
        raise Http404("此人不是党员")
    if not _org_may_change(request.user, membership.organization):
        raise PermissionDenied("该党员的组织关系不在您的管理范围内")
    return membership


def _form_page(request, form, title, retiree=None, intro="", action=""):
    return render(request, "members/form.html", {
        "form": form, "title": title, "r": retiree, "intro": intro, "action": action,
        "can_reveal": retiree is not None and getattr(form, "revealed", True) is False
        and can(request.user, "unmask", retiree),
        "cancel_url": retiree.get_absolute_url() if retiree else reverse("members:retirees"),
    })


@login_required
def retiree_create(request):
    if not can(request.user, "change"):
        raise PermissionDenied("您没有录入人员的权限")
    form = forms.RetireeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        retiree = form.save()
        messages.success(request, f"已录入 {retiree.name}。如是党员，请在台账中「登记为党员」。")
        return redirect(retiree)
    return _form_page(request, form, "录入离退休干部")


@object_view(Retiree)
@login_required
def retiree_edit(request, pk: int):
    retiree = _retiree_for_change(request, pk)
    form = forms.RetireeForm(request.POST or None, request.FILES or None, instance=retiree, user=request.user)
    if request.method == "POST" and form.is_valid() and conflicts.attempt(form, form.save):
        messages.success(request, "已保存")
        return redirect(retiree)
    return _form_page(request, form, f"修改 {retiree.name} 的信息", retiree)




@object_view(Retiree)
@login_required
def membership_edit(request, pk: int):
    retiree = _retiree_for_change(request, pk)
    membership = _membership_for_change(request, retiree)
    form = forms.MembershipEditForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid() and conflicts.attempt(form, form.save):
        messages.success(request, "已保存")
        return redirect(retiree)
    return _form_page(request, form, f"更正 {retiree.name} 的入党信息", retiree,
                      "只用于更正录入错误。转正、转接、去世等变动请用台账中的对应按钮，以便保留历史。")


class RetireeFormView(ObjectFormView):
    """A service form on one retiree's record; members/form.html shows whom it is about."""

    model = Retiree
    queryset = Retiree.objects.select_related("organization")
    template_name = "members/form.html"
    heading = ""  # the title after the person's name
    intro = ""

    def get_title(self):
        return f"{self.object.name} {self.heading}"

    def get_intro(self) -> str:
        return self.intro

    def get_context_data(self, **kwargs):
        return super().get_context_data(r=self.object, intro=self.get_intro(), **kwargs)

    def get_success_url(self, result=None):
        return self.object


class MembershipCreateView(RetireeFormView):
    form_class = forms.MembershipForm
    success_message = "已登记为党员"

    def refuse(self):
        if Membership.objects.filter(retiree=self.object).exists():
            messages.warning(self.request, "此人已有党员记录")
            return redirect(self.object)
        return None

    def get_title(self):
        return f"登记 {self.object.name} 为党员"

    def get_form_kwargs(self):
        return {"user": self.request.user, "retiree": self.object}

    def perform(self, form):
        services.membership_create(retiree=self.object, **form.cleaned_data)


class MembershipFormView(RetireeFormView):
    """A change of the party relationship: the membership's organisation must be in the user's change scope."""

    def check_permission(self):
        self.membership = _membership_for_change(self.request, self.object)


class MembershipMakeFullView(MembershipFormView):
    form_class = forms.MakeFullForm
    heading = "预备党员转正"
    success_message = "已办理转正"

    def perform(self, form):
        services.membership_make_full(membership=self.membership, on=form.cleaned_data["on"])


class MembershipMoveView(MembershipFormView):
    form_class = forms.MoveForm
    heading = "辖区内转接组织关系"
    success_message = "已转接组织关系"

    def get_form_kwargs(self):
        return {"user": self.request.user, "membership": self.membership}

    def get_intro(self):
        return f"现所在组织：{self.membership.organization.name}。只能转入您有权管理的党组织；转往辖区外请用「转出」。"

    def perform(self, form):
        services.membership_move(membership=self.membership, **form.cleaned_data)


class MembershipTransferOutView(MembershipFormView):
    form_class = forms.TransferOutForm
    heading = "组织关系转出"
    success_message = "已登记转出，此人仍保留在离退休干部名册中"

    def get_intro(self):
        return f"从「{self.membership.organization.name}」转往辖区外的党组织。"

    def perform(self, form):
        services.membership_transfer_out(membership=self.membership, **form.cleaned_data)


class MembershipTransferInView(RetireeFormView):
    form_class = forms.TransferInForm
    heading = "组织关系转入"
    success_message = "已登记转入"

    def get_form_kwargs(self):
        return {"user": self.request.user, "retiree": self.object}

    def perform(self, form):
        services.membership_transfer_in(retiree=self.object, **form.cleaned_data)


class MembershipLeaveView(MembershipFormView):
    form_class = forms.LeaveForm
    heading = "出党/退党登记"
    success_message = "已登记"
    intro = "须经支部党员大会讨论决定（党章第九条）。系统不会自动作出此项处理。"

    def perform(self, form):
        services.membership_leave(membership=self.membership, **form.cleaned_data)


class RetireeDeathView(RetireeFormView):
    form_class = forms.DeathForm
    success_message = "已登记去世"

    def check_permission(self):
        if not _org_may_change(self.request.user, self.object.organization):
            raise PermissionDenied("请由此人所在组织登记")

    def get_title(self):
        return f"登记 {self.object.name} 去世"

    def perform(self, form):
        services.retiree_record_death(retiree=self.object, **form.cleaned_data)


@object_view(Retiree)
@login_required
def absence_create(request, pk: int):
    retiree = _retiree_for_change(request, pk)
    form = forms.AbsenceForm(request.POST or None, retiree=retiree)
    if request.method == "POST" and form.is_valid():
        services.absence_save(absence=form.instance)
        messages.success(request, "已登记外出")
        return redirect(retiree)
    return _form_page(request, form, f"登记 {retiree.name} 外出流动", retiree, _rule_intro(retiree))


@object_view(Absence)
@login_required
def absence_edit(request, pk: int):
    absence = get_scoped_object_or_404(Absence.objects.select_related("retiree"), request.user, "change", pk=pk)
    retiree = absence.retiree
    form = forms.AbsenceForm(request.POST or None, instance=absence, retiree=retiree)
    if request.method == "POST" and form.is_valid() and conflicts.attempt(
            form, lambda: services.absence_save(absence=form.instance)):
        messages.success(request, "已保存")
        return redirect(retiree)
    return _form_page(request, form, f"修改 {retiree.name} 的外出记录", retiree, _rule_intro(retiree))


def _rule_intro(retiree) -> str:
    rule = rules.current_rule(retiree.organization)
    exact = "（正好满也算）" if rule.exact_limit_is_long else "（正好满不算，超过才算）"
    return (f"规定：外出满{rule.limit_months}个月{exact}，应{rule.long_label}；"
            f"不满{rule.limit_months}个月，应{rule.short_label}。可在“规则设置→外出流动规则”中修改。")
