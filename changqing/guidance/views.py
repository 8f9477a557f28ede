import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, Prefetch, Q, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from changqing.core.files import serve_file
from changqing.core.export_gate import ExportGate
from changqing.core.scope import (
    can,
    get_scoped_object_or_404,
    object_view,
    restrict,
    scope_for,
)
from changqing.core.forms import apply_errors
from changqing.core.lists import Column, ScopedListView
from changqing.core import conflicts
from changqing.core.object_views import ObjectCreateView, ObjectFormView
from changqing.core.params import query_id, query_int, query_year

from . import selectors, services
from .filters import GuideFilterSet, HelpRequestFilterSet, NewOrgFilterSet
from .forms import (
    AnswerForm,
    ApplicationForm,
    CloseForm,
    EvaluationForm,
    EvidenceForm,
    GuideForm,
    HelpRequestForm,
    ListItemFormSet,
    MaterialForm,
    MeetingForm,
    MonthlyListForm,
    NewOrgForm,
    ReviewForm,
    SatisfactionForm,
    StationForm,
    VisitForm,
)
from .models import (
    GuidanceStation,
    Guide,
    GuideApplication,
    GuideEvaluation,
    HelpRequest,
    ItemCompletion,
    Material,
    MonthlyList,
    NewOrg,
    OrgSatisfaction,
    StandardItem,
    StationMeeting,
)


def _require(request, action):
    if scope_for(request.user, action).empty:
        raise PermissionDenied("您的角色无权进行此操作")


def _stations(request):
    return restrict(GuidanceStation.objects.all(), request.user)


@login_required
def statistics(request):
    _require(request, "view")
    stations = _stations(request)
    if not stations.exists():
        # The menu shows 两新 to every bureau role; a bureau whose subtree has no station yet sees why, not a 403.
        return render(request, "guidance/no_stations.html", {"title": "两新党建指导站统计"})
    stats = selectors.statistics(stations)
    return render(request, "guidance/statistics.html", {"title": "两新党建指导站统计", "s": stats,
                                                        "now_month": timezone.localdate().strftime("%Y-%m"),
                                                        "stations": stations.annotate(
                                                            orgs=Count("new_orgs", filter=Q(new_orgs__active=True),
                                                                       distinct=True),
                                                            guide_count=Count("guides", filter=Q(
                                                                guides__status="active", guides__role="guide"),
                                                                distinct=True))})


class StationListView(ScopedListView):
    title = "党建工作指导站"
    queryset = GuidanceStation.objects.select_related("organization").annotate(
        org_count=Count("new_orgs", filter=Q(new_orgs__active=True), distinct=True),
        guide_count=Count("guides", filter=Q(guides__status="active"), distinct=True))
    default_ordering = "code"
    create_url_name = "guidance:station_create"
    columns = [
        Column("code", "编码", sort="code"),
        Column("name", "名称", sort="name", link=True),
        Column("base", "依托阵地"),
        Column("area", "服务片区", sort="area"),
        Column("guide_count", "站长、副站长和指导员", sort="guide_count"),
        Column("org_count", "联系两新组织", sort="org_count"),
    ]


@object_view(GuidanceStation)
@login_required
def station_detail(request, pk):
    station = get_scoped_object_or_404(GuidanceStation.objects.prefetch_related("guides"), request.user, pk=pk)
    items = station.standard_items.prefetch_related("evidence")
    can_change = can(request.user, "change", station)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("您无权修改该指导站")
        item = items.filter(pk=request.POST.get("item")).first()
        if item is None:
            raise Http404("标准项不存在")
        form = EvidenceForm(request.POST, request.FILES)
        checked = request.POST.get("checked_on")
        try:
            checked_on = dt.date.fromisoformat(checked) if checked else None
        except ValueError:
            checked_on = None
        if request.POST.get("met") == "1" and checked_on is None:
            messages.error(request, f"「{item.name}」标记为达标时，请填写有效的检查日期")
        elif request.FILES and not form.is_valid():
            messages.error(request, f"「{item.name}」照片上传失败：" + "；".join(e for errs in form.errors.values() for e in errs))
        else:
            with transaction.atomic():
                item.met = request.POST.get("met") == "1"
                item.checked_on = checked_on
                item.save()
                if request.FILES:
                    evidence = form.save(commit=False)
                    evidence.item = item
                    evidence.save()
            messages.success(request, f"已更新「{item.name}」")
        return redirect("guidance:station_detail", station.pk)
    guides = sorted(station.guides.all(), key=lambda g: ("chief", "deputy", "guide").index(g.role))
    return render(request, "guidance/station_detail.html", {
        "title": station.name, "station": station, "items": items, "guides": guides, "can_change": can_change,
        "month": timezone.localdate().replace(day=1),
        "org_count": station.new_orgs.filter(active=True).count(),
        "met": sum(1 for i in items if i.met), "total": len(items),
        "evidence_form": EvidenceForm(),
    })


class StationCreateView(ObjectCreateView):
    action = "manage"
    form_class = StationForm
    title = "新建党建工作指导站"
    cancel_url = "/guidance/stations/"

    def perform(self, form):
        station = form.save()
        StandardItem.objects.bulk_create([StandardItem(station=station, key=k, name=n) for k, n in StandardItem.SIX])
        return station

    def get_success_message(self, station):
        return f"已建立「{station.name}」，并生成“六有”标准清单"


@object_view(GuidanceStation)
@login_required
def standard_item_add(request, pk):
    station = get_scoped_object_or_404(GuidanceStation, request.user, "change", pk=pk)
    name = (request.POST.get("name") or "").strip()
    if request.method != "POST":
        raise Http404()
    if not name:
        messages.error(request, "请填写本地 X 项的名称")
    elif station.standard_items.filter(name=name).exists():
        messages.error(request, f"已有名为「{name}」的标准项")
    else:
        StandardItem.objects.create(station=station, name=name[:100], is_local=True)
        messages.success(request, f"已增加本地 X 项「{name}」")
    return redirect("guidance:station_detail", station.pk)


class NewOrgListView(ScopedListView):
    title = "两新组织动态管理数据库"
    queryset = NewOrg.objects.select_related("station", "guide", "party_org")
    filterset_class = NewOrgFilterSet
    default_ordering = "name"
    create_url_name = "guidance:neworg_create"
    columns = [
        Column("name", "名称", sort="name", link=True),
        Column("kind", "类型", value=lambda o: o.get_kind_display()),
        Column("credit_code", "统一社会信用代码"),
        Column("station.name", "指导站", sort="station__code"),
        Column("guide.name", "联系指导员"),
        Column("area", "片区", sort="area"),
        Column("employees", "从业人员", sort="employees"),
        Column("party_members", "党员", sort="party_members"),
        Column("party_org_status", "党组织", value=lambda o: o.get_party_org_status_display()),
        Column("party_org", "所属党组织", sort="party_org__code", value=lambda o: o.party_org.name if o.party_org else ""),
    ]


def _neworg_form(request, instance=None):
    form = NewOrgForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid() and conflicts.attempt(form, form.save):
        org = form.instance
        messages.success(request, f"已保存「{org.name}」")
        return redirect(org), form
    return None, form


@login_required
def neworg_create(request):
    _require(request, "change")
    response, form = _neworg_form(request)
    return response or render(request, "core/form.html", {"title": "登记两新组织", "form": form,
                                                          "cancel_url": "/guidance/orgs/"})


@object_view(NewOrg)
@login_required
def neworg_edit(request, pk):
    org = get_scoped_object_or_404(NewOrg, request.user, "change", pk=pk)
    response, form = _neworg_form(request, org)
    return response or render(request, "core/form.html", {"title": f"修改：{org.name}", "form": form,
                                                          "cancel_url": org.get_absolute_url()})


@object_view(NewOrg)
@login_required
def neworg_detail(request, pk):
    org = get_scoped_object_or_404(NewOrg.objects.select_related("station", "guide", "party_org"), request.user, pk=pk)
    return render(request, "guidance/neworg_detail.html", {
        "title": org.name, "org": org, "can_change": can(request.user, "change", org),
        "visits": org.visits.select_related("guide")[:20],
        "requests": org.help_requests.select_related("guide")[:20],
        "completions": org.completions.select_related("item__monthly_list").order_by("-done_on")[:20],
    })


class GuideListView(ScopedListView):
    title = "党建指导员"
    queryset = Guide.objects.select_related("station").annotate(org_count=Count("new_orgs", distinct=True))
    filterset_class = GuideFilterSet
    default_ordering = "station__code"
    create_url_name = "guidance:guide_create"
    columns = [
        Column("name", "姓名", sort="name", link=True),
        Column("role", "岗位", sort="role", value=lambda g: g.get_role_display()),
        Column("station.name", "指导站", sort="station__code"),
        Column("unit", "工作单位及职务"),
        Column("phone", "联系电话"),
        Column("org_count", "联系组织数", sort="org_count"),
        Column("status", "状态", value=lambda g: g.get_status_display()),
    ]


class GuideCreateView(ObjectCreateView):
    form_class = GuideForm
    title = "添加指导员"
    cancel_url = "/guidance/guides/"

    def get_success_message(self, guide):
        return f"已添加 {guide.name}"


@object_view(Guide)
@login_required
def guide_detail(request, pk):
    guide = get_scoped_object_or_404(Guide.objects.select_related("station"), request.user, pk=pk)
    return render(request, "guidance/guide_detail.html", {
        "title": guide.name, "guide": guide,
        "orgs": guide.new_orgs.filter(active=True).order_by("name"),
        "visits": guide.visits.select_related("new_org")[:30],
        "answers": guide.help_answers.select_related("new_org")[:30],
        "evaluations": guide.evaluations.all()[:8],
    })


class ApplicationListView(ScopedListView):
    title = "指导员报名与审核"
    queryset = GuideApplication.objects.select_related("station")
    default_ordering = "status"
    create_url_name = "guidance:application_create"
    columns = [
        Column("name", "姓名", link=True),
        Column("station.name", "申请指导站"),
        Column("unit", "工作单位及职务"),
        Column("created_at", "报名时间", sort="created_at"),
        Column("status", "审核状态", sort="status", value=lambda a: a.get_status_display()),
    ]


class ApplicationCreateView(ObjectCreateView):
    form_class = ApplicationForm
    title = "登记指导员报名"
    cancel_url = "/guidance/applications/"

    def get_success_message(self, application):
        return f"已登记 {application.name} 的报名，等待党工委审核"


@object_view(GuideApplication)
@login_required
def application_detail(request, pk):
    application = get_scoped_object_or_404(GuideApplication.objects.select_related("station"), request.user, pk=pk)
    # Review belongs to the 两新工委 (manage), not to the station itself.
    may_review = can(request.user, "manage", application) and application.status == GuideApplication.Status.PENDING
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not may_review:
            raise PermissionDenied("只有两新工委管理员可以审核报名")
        if form.is_valid():
            try:
                services.application_review(application=application, approve=form.cleaned_data["decision"] == "approve",
                                            reviewer=request.user, note=form.cleaned_data["note"],
                                            on=timezone.localdate())
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "review_note" in exc.error_dict:
                    form.add_error("note", exc.error_dict["review_note"])
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, f"已审核：{application.get_status_display()}")
                return redirect(application)
    return render(request, "guidance/application_detail.html", {
        "title": f"报名：{application.name}", "a": application, "form": form, "may_review": may_review})


class VisitCreateView(ObjectFormView):
    form_class = VisitForm
    title = "记录走访"
    cancel_url = "/guidance/"

    def get_form_kwargs(self):
        initial = {}
        mine = getattr(self.request.user, "guide_profile", None)
        if mine is not None:
            initial["guide"] = mine.pk
        if self.request.GET.get("org"):
            initial["new_org"] = self.request.GET["org"]
        return {"initial": initial, "user": self.request.user}

    def perform(self, form):
        return services.visit_record(user=self.request.user, **form.cleaned_data).new_org

    def get_success_message(self, new_org):
        return f"已记录对「{new_org.name}」的走访"


class HelpRequestListView(ScopedListView):
    title = "求助事项"
    queryset = HelpRequest.objects.select_related("new_org__station", "guide")
    filterset_class = HelpRequestFilterSet
    default_ordering = "status"
    create_url_name = "guidance:help_create"
    columns = [
        Column("title", "问题", link=True),
        Column("new_org.name", "提出组织"),
        Column("raised_on", "提出日期", sort="raised_on"),
        Column("status", "状态", sort="status", value=lambda h: h.get_status_display()),
        Column("guide.name", "答复指导员"),
        Column("answered_on", "答复日期", sort="answered_on"),
        Column("closed_on", "办结日期", sort="closed_on"),
    ]


class HelpCreateView(ObjectCreateView):
    form_class = HelpRequestForm
    title = "登记求助事项"
    cancel_url = "/guidance/help/"
    success_message = "已登记求助事项，等待指导员答复"

    def get_initial(self):
        return {"new_org": self.request.GET.get("org")}


@object_view(HelpRequest)
@login_required
def help_detail(request, pk):
    req = get_scoped_object_or_404(HelpRequest.objects.select_related("new_org__station", "guide"), request.user, pk=pk)
    can_change = can(request.user, "change", req)
    answer_form = AnswerForm(request.POST if "do_answer" in request.POST else None, user=request.user,
                             station=req.new_org.station)
    close_form = CloseForm(request.POST if "do_close" in request.POST else None,
                           initial={"closed_on": timezone.localdate()})
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("您无权处理该事项")
        form = answer_form if "do_answer" in request.POST else close_form
        if form.is_valid():
            try:
                if form is answer_form:
                    services.help_request_answer(help_request=req, guide=form.cleaned_data["guide"],
                                                 answer=form.cleaned_data["answer"],
                                                 on=form.cleaned_data["answered_on"])
                else:
                    services.help_request_close(help_request=req, on=form.cleaned_data["closed_on"],
                                                note=form.cleaned_data["note"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已答复" if form is answer_form else "已办结")
                return redirect(req)
    return render(request, "guidance/help_detail.html", {
        "title": req.title, "r": req, "can_change": can_change, "answer_form": answer_form, "close_form": close_form})


class MeetingListView(ScopedListView):
    title = "指导站例会"
    queryset = StationMeeting.objects.select_related("station").annotate(
        present=Count("attendance", filter=Q(attendance__present=True)), invited=Count("attendance"))
    default_ordering = "-held_on"
    create_url_name = "guidance:meeting_create"
    columns = [
        Column("held_on", "会议日期", sort="held_on", link=True),
        Column("station.name", "指导站", sort="station__code"),
        Column("topic", "会议主题"),
        Column("present", "出席", value=lambda m: f"{m.present}/{m.invited}"),
    ]


@login_required
def meeting_create(request):
    _require(request, "change")
    form = MeetingForm(request.POST or None, user=request.user)
    stations = form.fields["station"].queryset.prefetch_related(
        Prefetch("guides", queryset=Guide.objects.filter(status="active").order_by("role", "name"), to_attr="active"))
    if request.method == "POST" and form.is_valid():
        station = form.cleaned_data["station"]
        active_ids = set(station.guides.filter(status="active").values_list("pk", flat=True))
        absent = {}
        for gid in active_ids:
            if request.POST.get(f"present_{gid}") != "1":
                absent[gid] = request.POST.get(f"note_{gid}", "")[:100]
        try:
            meeting = services.meeting_record(station=station, held_on=form.cleaned_data["held_on"],
                                              topic=form.cleaned_data["topic"], minutes=form.cleaned_data["minutes"],
                                              absent=absent, user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已记录例会")
            return redirect(meeting)
    return render(request, "guidance/meeting_form.html", {"title": "记录指导站例会", "form": form,
                                                          "stations": stations})


@object_view(StationMeeting)
@login_required
def meeting_detail(request, pk):
    meeting = get_scoped_object_or_404(StationMeeting.objects.select_related("station", "created_by"),
                                       request.user, pk=pk)
    return render(request, "guidance/meeting_detail.html", {
        "title": str(meeting), "m": meeting, "attendance": meeting.attendance.select_related("guide").order_by(
            "guide__role", "guide__name")})


class MonthlyListListView(ScopedListView):
    title = "工作提示清单与主题党日清单"
    queryset = MonthlyList.objects.select_related("station").annotate(item_count=Count("items"))
    default_ordering = "-month"
    create_url_name = "guidance:list_create"
    columns = [
        Column("title", "标题", link=True),
        Column("station.name", "指导站", sort="station__code"),
        Column("month", "月份", sort="month", value=lambda m: f"{m.month.year}年{m.month.month}月"),
        Column("kind", "类型", value=lambda m: m.get_kind_display()),
        Column("item_count", "事项数"),
    ]


@login_required
def list_create(request):
    _require(request, "change")
    form = MonthlyListForm(request.POST or None, user=request.user)
    formset = ListItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            monthly = form.save(commit=False)
            monthly.published_on = timezone.localdate()
            monthly.save()
            formset.instance = monthly
            formset.save()
        messages.success(request, "清单已发布")
        return redirect(monthly)
    return render(request, "guidance/list_form.html", {"title": "发布月度清单", "form": form, "formset": formset})


@object_view(MonthlyList)
@login_required
def list_detail(request, pk):
    monthly = get_scoped_object_or_404(MonthlyList.objects.select_related("station"), request.user, pk=pk)
    items = list(monthly.items.all())
    orgs = list(restrict(NewOrg.objects.filter(station=monthly.station, active=True), request.user).order_by("name"))
    can_change = can(request.user, "change", monthly)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("您无权登记完成情况")
        item = next((i for i in items if str(i.pk) == request.POST.get("item")), None)
        org = next((o for o in orgs if str(o.pk) == request.POST.get("org")), None)
        if item is None or org is None:
            raise Http404("事项或组织不存在")
        if request.POST.get("done") == "1":
            services.completion_mark(item=item, new_org=org, done_on=timezone.localdate())
        else:
            ItemCompletion.objects.filter(item=item, new_org=org).delete()
        if request.headers.get("HX-Request"):
            done = ItemCompletion.objects.filter(item=item, new_org=org).exists()
            return render(request, "guidance/_completion_cell.html", {"item": item, "org": org, "done": done,
                                                                      "monthly": monthly, "can_change": True})
        return redirect(monthly)
    done = set(ItemCompletion.objects.filter(item__in=items, new_org__in=orgs).values_list("item_id", "new_org_id"))
    grid = [{"org": o, "cells": [{"item": i, "done": (i.pk, o.pk) in done} for i in items],
             "count": sum((i.pk, o.pk) in done for i in items)} for o in orgs]
    return render(request, "guidance/list_detail.html", {
        "title": str(monthly), "monthly": monthly, "items": items, "grid": grid, "can_change": can_change})


@object_view(GuidanceStation, samples={"month": "2026-10"})
@login_required
def notice(request, pk, month):
    station = get_scoped_object_or_404(GuidanceStation, request.user, pk=pk)
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise Http404("月份格式应为 2025-03") from None
    data = selectors.monthly_notice(station, first)
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return render(request, "guidance/notice.html", {"title": f"{station.name}{first.year}年{first.month}月通报",
                                                    "prev": prev, "next": nxt, **data})


class MaterialListView(ScopedListView):
    title = "共享材料（非涉密）"
    queryset = Material.objects.select_related("station", "uploaded_by")
    default_ordering = "-created_at"
    create_url_name = "guidance:material_create"
    columns = [
        Column("title", "标题"),
        Column("station.name", "指导站"),
        Column("description", "说明"),
        Column("uploaded_by", "上传人"),
        Column("created_at", "上传时间", sort="created_at"),
    ]
    template_name = "guidance/materials.html"


class MaterialCreateView(ObjectCreateView):
    form_class = MaterialForm
    title = "上传共享材料"
    cancel_url = "/guidance/materials/"
    success_url = "guidance:materials"

    def perform(self, form):
        material = form.save(commit=False)
        material.uploaded_by = self.request.user
        material.save()
        return material

    def get_success_message(self, material):
        return f"已上传「{material.title}」"


@object_view(Material)
@login_required
def material_download(request, pk):
    material = get_scoped_object_or_404(Material, request.user, pk=pk)
    return serve_file(material.file, as_attachment=True)


@login_required
def evaluation(request):
    """Quarterly evaluation of the guides in scope."""
    _require(request, "view")
    today = timezone.localdate()
    this_quarter = (today.month - 1) // 3 + 1
    year = query_year(request, default=None) if request.GET.get("year") else today.year
    quarter = query_int(request, "quarter", min_value=1, max_value=4) if request.GET.get("quarter") else this_quarter
    if year is None or quarter is None or year < 2000:
        messages.error(request, "年度或季度不正确，已显示本季度")
        year, quarter = today.year, this_quarter
    guides = restrict(Guide.objects.filter(status="active"), request.user)
    station_id = query_id(request, "station")
    if station_id:
        guides = guides.filter(station_id=station_id)
    if request.GET.get("export") == "xlsx":
        gate = ExportGate(request)
        rows = selectors.quarter_evaluation(gate.rows(guides), year, quarter)
        return gate.xlsx(f"指导员{year}年第{quarter}季度评价",
                         ["指导站", "姓名", "岗位", "联系组织", "走访次数", "答复求助", "满意度", "评价份数", "综合评分",
                          "评价意见", "推荐优秀党务工作者"],
                         ([r.guide.station.name, r.guide.name, r.guide.get_role_display(), r.orgs, r.visits,
                           r.answered, str(r.satisfaction or ""), r.ratings,
                           str(r.evaluation.score) if r.evaluation else "",
                           r.evaluation.comments if r.evaluation else "",
                           "是" if r.evaluation and r.evaluation.recommended else ""] for r in rows), unit="人")
    rows = selectors.quarter_evaluation(guides, year, quarter)
    return render(request, "guidance/evaluation.html", {
        "title": f"指导员{year}年第{quarter}季度综合评价", "rows": rows, "year": year, "quarter": quarter,
        "stations": _stations(request), "station_id": station_id or "",
        "can_change": not scope_for(request.user, "change").empty,
    })


@object_view(Guide, samples={"year": 2026, "quarter": 3})
@login_required
def evaluation_edit(request, pk, year, quarter):
    guide = get_scoped_object_or_404(Guide.objects.select_related("station"), request.user, "change", pk=pk)
    if not 1 <= quarter <= 4:
        raise Http404("季度应为1至4")
    instance = GuideEvaluation.objects.filter(guide=guide, year=year, quarter=quarter).first()
    form = EvaluationForm(request.POST if "evaluation" in request.POST else None, instance=instance)
    sat_form = SatisfactionForm(request.POST if "satisfaction" in request.POST else None, guide=guide)
    if request.method == "POST":
        if "evaluation" in request.POST and form.is_valid():
            ev = form.save(commit=False)
            ev.guide, ev.year, ev.quarter, ev.evaluated_by = guide, year, quarter, request.user
            if conflicts.attempt(form, ev.save):
                messages.success(request, f"已保存 {guide.name} 的季度评价")
                return redirect(f"/guidance/evaluation/?year={year}&quarter={quarter}")
        if "satisfaction" in request.POST and sat_form.is_valid():
            OrgSatisfaction.objects.update_or_create(
                guide=guide, new_org=sat_form.cleaned_data["new_org"], year=year, quarter=quarter,
                defaults={"rating": sat_form.cleaned_data["rating"], "comment": sat_form.cleaned_data["comment"]})
            messages.success(request, "已登记组织满意度")
            return redirect(request.path)
    ratings = OrgSatisfaction.objects.filter(guide=guide, year=year, quarter=quarter).select_related("new_org")
    return render(request, "guidance/evaluation_edit.html", {
        "title": f"{guide.name} {year}年第{quarter}季度评价", "guide": guide, "form": form, "sat_form": sat_form,
        "ratings": ratings, "year": year, "quarter": quarter})


@login_required
def my_work(request):
    """A guide's own page on the phone: their organisations, open requests, quick actions."""
    guide = getattr(request.user, "guide_profile", None)
    if guide is None:
        return redirect("guidance:statistics")
    orgs = guide.new_orgs.filter(active=True).order_by("name")
    open_requests = restrict(HelpRequest.objects.filter(new_org__station=guide.station).exclude(
        status=HelpRequest.Status.CLOSED), request.user).select_related("new_org").order_by(
        Case(When(status=HelpRequest.Status.OPEN, then=0), default=1), "raised_on")  # unanswered first
    return render(request, "guidance/my_work.html", {"title": "我的指导工作", "guide": guide, "orgs": orgs,
                                                     "open_requests": open_requests,
                                                     "month": timezone.localdate().strftime("%Y-%m")})
