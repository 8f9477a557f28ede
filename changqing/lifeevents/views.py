"""Pages for life events. Thin: scope through core.scope, writes through services."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from changqing.core.params import query_id
from changqing.core.lists import Column, ScopedListView
from changqing.core.masking import HIDDEN
from changqing.core.models import OperationLog
from changqing.core.object_views import ObjectCreateView, ObjectFormView
from changqing.core.oplog import log_operation
from changqing.core.scope import can, get_scoped_object_or_404, object_view, scope_for
from changqing.members.models import Retiree
from changqing.core import idcard

from . import forms, services
from .filters import DeathFilterSet, ElsewhereFilterSet, ProfileFilterSet, StayFilterSet, TalentFilterSet, TaskFilterSet
from .models import (
    ChecklistItem, DeathRecord, HealthProfile, HospitalStay, LifeEvent, LivingElsewhere, SilverTalent, VisitTask,
)
from .selectors import HEALTH, HealthAccess


def _org(row):
    return row.retiree.organization.name


# -- hospital stays and visit tasks -----------------------------------------------------------


class StayListView(ScopedListView):
    title = "住院登记"
    queryset = HospitalStay.objects.select_related("retiree__organization")
    filterset_class = StayFilterSet
    default_ordering = "-admitted_on"
    create_url_name = "lifeevents:stay_create"
    columns = [
        Column("retiree.name", "姓名", sort="retiree__name_pinyin", link=True),
        Column("org", "所在组织", value=_org),
        Column("hospital", "医院"),
        Column("ward", "科室/病房"),
        Column("reason", "住院原因", sort="reason", value=lambda s: s.get_reason_display()),
        Column("admitted_on", "入院日期", sort="admitted_on"),
        Column("discharged_on", "出院日期", sort="discharged_on"),
    ]


class StayCreateView(ObjectCreateView):
    form_class = forms.StayForm
    title = "登记住院"
    cancel_url = "/lifeevents/stays/"

    def get_initial(self):
        initial = {"admitted_on": timezone.localdate()}
        if (rid := query_id(self.request, "retiree")) is not None:
            initial["retiree"] = rid
        return initial

    def perform(self, form):
        stay = services.stay_admit(user=self.request.user, **form.cleaned_data)
        return stay.retiree

    def get_success_message(self, retiree):
        return f"已登记{retiree.name}住院，并已生成探望任务"


class _RetireeRecordEditView(ObjectCreateView):
    """Edit one of a retiree's records (a stay, a talent, a stay elsewhere): the form on the record itself, back
    to the person's page. Subclasses set model, form_class and `what` (for the title)."""

    success_message = "已保存"
    what = ""

    def get_queryset(self):
        return self.model.objects.select_related("retiree__organization")

    def get_title(self):
        return f"修改 {self.object.retiree.name} 的{self.what}"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_cancel_url(self):
        return self.object.retiree.get_absolute_url()


class StayEditView(_RetireeRecordEditView):
    model = HospitalStay
    form_class = forms.StayForm
    what = "住院记录（登记出院）"

    def perform(self, form):
        services.stay_update(stay=form.instance, user=self.request.user)
        return self.object.retiree


class TaskListView(ScopedListView):
    title = "探望任务"
    queryset = VisitTask.objects.select_related("retiree__organization", "stay", "assignee")
    filterset_class = TaskFilterSet
    default_ordering = "due_on"
    columns = [
        Column("retiree.name", "姓名", sort="retiree__name_pinyin"),
        Column("org", "所在组织", value=_org),
        Column("stay", "住院", value=lambda t: f"{t.stay.admitted_on:%Y-%m-%d} {t.stay.hospital}" if t.stay_id else ""),
        Column("due_on", "探望期限", sort="due_on"),
        Column("assignee", "负责人", value=lambda t: t.assignee.display_name if t.assignee_id else "（未指定）"),
        Column("status", "状态", sort="status", value=lambda t: t.get_status_display()),
        Column("closed_on", "完成日期", sort="closed_on"),
    ]


# -- death ------------------------------------------------------------------------------------------


class DeathCreateView(ObjectFormView):
    model = Retiree
    queryset = Retiree.objects.select_related("organization")
    form_class = forms.DeathForm
    success_message = "已登记去世：党籍截止到去世日期，党费计到去世当月，待办与结对已结束，后事事项已生成"

    def check_permission(self):
        # Secretaries and bureau admins of the organisation; a carer's pair scope does not record a death.
        if not scope_for(self.request.user, "change").covers_path(self.object.organization.path):
            raise PermissionDenied("请由此人所在组织登记")

    def refuse(self):
        if self.object.status == "deceased":
            messages.warning(self.request, f"{self.object.name}已登记去世")
            return redirect(self.object)
        return None

    def get_title(self):
        return f"登记 {self.object.name} 去世"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro="登记后：党籍截止到去世日期，党费计到去世当月；结对、探望任务和未结束的评选提名随之结束；"
                  "通知老干部局；为支部生成后事办理事项。登记错了可以撤销。", **kwargs)

    template_name = "lifeevents/form.html"

    def perform(self, form):
        return services.death_record(retiree=self.object, user=self.request.user, **form.cleaned_data)


class DeathReverseView(ObjectFormView):
    model = DeathRecord
    queryset = DeathRecord.objects.select_related("retiree__organization")
    form_class = forms.ReverseForm
    template_name = "lifeevents/form.html"
    success_message = "已撤销去世登记，党籍与结对已恢复"

    def check_permission(self):
        if not scope_for(self.request.user, "change").covers_path(self.object.retiree.organization.path):
            raise PermissionDenied("请由此人所在组织办理")

    def refuse(self):
        if self.object.is_reversed:
            messages.warning(self.request, "该去世登记已撤销")
            return redirect(self.object)
        return None

    def get_title(self):
        return f"撤销 {self.object.retiree.name} 的去世登记"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro="用于误报。撤销后党籍恢复在册，登记时结束的结对、探望任务和评选提名恢复，未办的后事事项取消；登记和撤销都留在历史中。",
            **kwargs)

    def perform(self, form):
        services.death_reverse(record=self.object, user=self.request.user, **form.cleaned_data)
        return self.object.retiree


@object_view(DeathRecord)
@login_required
def death_detail(request, pk):
    record = get_scoped_object_or_404(DeathRecord.objects.select_related("retiree__organization", "recorded_by",
                                                                         "reversed_by"), request.user, pk=pk)
    items = record.items.select_related("assignee")
    may_change = scope_for(request.user, "change").covers_path(record.retiree.organization.path)
    events = [e for e in LifeEvent.objects.filter(retiree=record.retiree, kind__in=[
        LifeEvent.Kind.DIED, LifeEvent.Kind.DEATH_REVERSED]).select_related("user").order_by("id")
        if e.data.get("death") == record.pk]
    return render(request, "lifeevents/death_detail.html", {
        "title": f"{record.retiree.name}同志去世登记", "record": record, "items": items, "events": events,
        "may_change": may_change, "today": timezone.localdate(),
        "assistance_url": reverse("care:assistance_create") + f"?retiree={record.retiree_id}"})


class ChecklistDoneView(ObjectFormView):
    model = ChecklistItem
    queryset = ChecklistItem.objects.select_related("death__retiree__organization")
    form_class = forms.ChecklistDoneForm
    template_name = "lifeevents/form.html"
    success_message = "已办结"

    def get_form(self):
        form = super().get_form()
        form.fields["done_on"].initial = timezone.localdate()
        return form

    def get_title(self):
        return f"{self.object.death.retiree.name}同志后事：{self.object.step}"

    def get_cancel_url(self):
        return self.object.death.get_absolute_url()

    def perform(self, form):
        services.checklist_item_done(item=self.object, **form.cleaned_data)
        return self.object.death


class DeathListView(ScopedListView):
    title = "去世登记"
    queryset = DeathRecord.objects.select_related("retiree__organization")
    filterset_class = DeathFilterSet
    default_ordering = "-died_on"
    columns = [
        Column("retiree.name", "姓名", sort="retiree__name_pinyin", link=True),
        Column("org", "所在组织", value=_org),
        Column("died_on", "去世日期", sort="died_on"),
        Column("cause", "原因类别", value=lambda d: d.get_cause_display()),
        Column("reported_by", "报告人"),
        Column("reversed_on", "撤销日期", sort="reversed_on"),
        Column("reversal_reason", "撤销原因"),
    ]


# -- health and living profile (sensitive) ----------------------------------------------------


def _health_retiree(request, pk):
    """The person, if the user cares for them (the "health" action); anyone else gets a 404."""
    return get_scoped_object_or_404(Retiree.objects.select_related("organization"), request.user, HEALTH, pk=pk)


@object_view(Retiree)
@login_required
def profile_detail(request, pk):
    retiree = _health_retiree(request, pk)
    profile = HealthProfile.objects.filter(retiree=retiree).first()
    log_operation(OperationLog.Event.UNMASK, request=request, detail=f"查看 {retiree.name} 的健康与生活档案",
                  org_path=retiree.organization.path, data={"what": "health_profile", "retiree": retiree.pk})
    return render(request, "lifeevents/profile_detail.html", {
        "title": f"{retiree.name}的健康与生活档案", "r": retiree, "profile": profile,
        "may_change": can(request.user, "change", retiree)})


@object_view(Retiree)
@login_required
def profile_edit(request, pk):
    from changqing.core.forms import form_page

    retiree = _health_retiree(request, pk)
    if not can(request.user, "change", retiree):
        raise PermissionDenied("您的角色不能修改此档案")
    profile = HealthProfile.objects.filter(retiree=retiree).first() or HealthProfile(retiree=retiree)
    form = forms.ProfileForm(request.POST or None, instance=profile, retiree=retiree)
    return form_page(request, form, title=f"{retiree.name}的健康与生活档案",
                     cancel_url=reverse("lifeevents:profile", args=[retiree.pk]),
                     save=lambda f: services.profile_save(profile=f.instance, living=f.cleaned_data["living"])
                     and reverse("lifeevents:profile", args=[retiree.pk]),
                     success="已保存")


SENSITIVE_COLUMNS = {"contract_hospital", "mobility", "chronic", "emergency"}


class ProfileListView(ScopedListView):
    """关怀对象: care levels for whoever may view the person; the health fields only for those who care for them
    (on the page and in the export alike)."""

    title = "健康与生活档案"
    queryset = HealthProfile.objects.select_related("retiree__organization")
    filterset_class = ProfileFilterSet
    default_ordering = "-care_level"
    columns = [
        Column("retiree.name", "姓名", sort="retiree__name_pinyin", link=True),
        Column("org", "所在组织", value=_org),
        Column("care_level", "关怀等级", sort="care_level", value=lambda p: p.get_care_level_display()),
        Column("living", "居住情况", value=lambda p: p.retiree.get_living_display()),
        Column("contract_hospital", "合同医院"),
        Column("mobility", "行动能力", value=lambda p: p.get_mobility_display()),
        Column("chronic", "慢性病类别", value=lambda p: p.chronic_labels),
        Column("emergency", "紧急联系人", value=lambda p: (
            f"{p.emergency_name}（{p.emergency_relation}）{idcard.mask_phone(p.emergency_phone)}"
            if p.emergency_name else "")),
    ]

    def cell(self, column, row):
        if column.key in SENSITIVE_COLUMNS and not self.health.may(row.retiree):
            return HIDDEN
        return super().cell(column, row)

    @property
    def health(self) -> HealthAccess:
        if not hasattr(self, "_health"):
            self._health = HealthAccess(self.request.user)
        return self._health


# -- silver talent ------------------------------------------------------------------------------------


class TalentListView(ScopedListView):
    title = "银发人才库"
    queryset = SilverTalent.objects.select_related("retiree__organization")
    filterset_class = TalentFilterSet
    default_ordering = "retiree__name_pinyin"
    create_url_name = "lifeevents:talent_create"
    template_name = "lifeevents/talent_list.html"
    columns = [
        Column("retiree.name", "姓名", sort="retiree__name_pinyin", link=True),
        Column("org", "所在组织", value=_org),
        Column("specialties", "专长", value=lambda t: "、".join(x for x in (t.specialty_labels, t.specialty_note) if x)),
        Column("past_profession", "原从事专业"),
        Column("willing", "愿意参加", sort="willing"),
        Column("availability", "可服务时间", value=lambda t: t.get_availability_display()),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        team_id = query_id(self.request, "team")
        if team_id is not None:
            from changqing.care.models import VolunteerTeam
            from changqing.core.scope import restrict_shared

            ctx["team"] = restrict_shared(VolunteerTeam.objects.all(), self.request.user).filter(pk=team_id).first()
        return ctx


class TalentCreateView(ObjectCreateView):
    form_class = forms.TalentForm
    title = "登记银发人才"
    cancel_url = "/lifeevents/talents/"
    success_url = "lifeevents:talents"

    def perform(self, form):
        return services.talent_save(talent=form.instance)

    def get_success_message(self, talent):
        return f"已将{talent.retiree.name}登记到银发人才库"


class TalentEditView(_RetireeRecordEditView):
    model = SilverTalent
    form_class = forms.TalentForm
    success_url = "lifeevents:talents"
    what = "人才信息"

    def get_cancel_url(self):
        return "/lifeevents/talents/"

    def perform(self, form):
        return services.talent_save(talent=form.instance)


# -- living elsewhere ------------------------------------------------------------------------------------


class ElsewhereListView(ScopedListView):
    title = "异地居住"
    queryset = LivingElsewhere.objects.select_related("retiree__organization")
    filterset_class = ElsewhereFilterSet
    default_ordering = "-start_on"
    create_url_name = "lifeevents:elsewhere_create"
    columns = [
        Column("retiree.name", "姓名", sort="retiree__name_pinyin", link=True),
        Column("org", "所在组织", value=_org),
        Column("place", "居住地"),
        Column("start_on", "起始日期", sort="start_on"),
        Column("end_on", "结束日期", sort="end_on"),
        Column("host_org_name", "接收/联系的组织"),
        Column("host_contact", "联系人"),
        Column("host_phone", "联系人电话", value=lambda e: idcard.mask_phone(e.host_phone)),
        Column("arrangement", "管理方式", value=lambda e: e.get_arrangement_display()),
        Column("host_confirms", "当地确认参加", value=lambda e: e.get_host_confirms_display()),
    ]


class ElsewhereCreateView(ObjectCreateView):
    form_class = forms.ElsewhereForm
    title = "登记异地居住"
    cancel_url = "/lifeevents/elsewhere/"

    def get_initial(self):
        initial = {}
        if (rid := query_id(self.request, "retiree")) is not None:
            initial["retiree"] = rid
        return initial

    def perform(self, form):
        return services.elsewhere_save(record=form.instance).retiree

    def get_success_message(self, retiree):
        return f"已登记{retiree.name}异地居住"


class ElsewhereEditView(_RetireeRecordEditView):
    model = LivingElsewhere
    form_class = forms.ElsewhereForm
    what = "异地居住"

    def perform(self, form):
        return services.elsewhere_save(record=form.instance).retiree


@login_required
def home(request):
    return redirect("lifeevents:stays")

