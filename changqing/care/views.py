import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from changqing.core.export_gate import ExportGate
from changqing.core.scope import (
    can,
    get_scoped_object_or_404,
    object_view,
    restrict,
    restrict_shared,
    scope_for,
)
from changqing.core.exports import LedgerExportMixin
from changqing.core.forms import apply_errors, form_page
from changqing.core.lists import Column, ScopedListView
from changqing.core.masking import Reveal, band_of
from changqing.core.object_views import ObjectCreateView
from changqing.members.models import Retiree
from changqing.core.params import parse_id, parse_year_month, query_id, query_year

from . import search, selectors, services
from .forms import (
    ActivityForm,
    ApplicationForm,
    AssignForm,
    BookingForm,
    CampaignForm,
    DecideForm,
    DutyForm,
    HardshipForm,
    MemberAddForm,
    OralHistoryForm,
    PairingForm,
    PayForm,
    ProgrammeForm,
    RoleForm,
    TeamForm,
    VenueForm,
    VisitForm,
)
from .filters import HardshipFilterSet, ParticipationFilterSet, VisitFilterSet
from .models import (
    AssistanceApplication,
    AssistanceProgramme,
    Campaign,
    CampaignTarget,
    CommunityDuty,
    HardshipReason,
    HardshipRecord,
    OralHistory,
    OralHistoryMedia,
    Pairing,
    Participation,
    RetireeRole,
    TeamMember,
    Venue,
    Visit,
    VisitKind,
    VolunteerActivity,
    VolunteerTeam,
)


def _require(request, action):
    if scope_for(request.user, action).empty:
        raise PermissionDenied("您的角色无权进行此操作")


def _shared_or_404(queryset, request, pk):
    obj = restrict_shared(queryset, request.user).filter(pk=pk).first()
    if obj is None:
        raise Http404("不在您的数据范围内，或记录不存在")
    return obj


def visible_oral_histories(user):
    """The county's archive is shared down the tree, but an interview with a registered person is that
    person's record: a branch sees interviews with its own people and with people not in the registry."""
    people = restrict(Retiree.objects.all(), user).values("pk")
    return restrict_shared(OralHistory.objects.all(), user).filter(
        Q(interviewee__isnull=True) | Q(interviewee__in=people))


def _retirees(request, action="view"):
    return restrict(Retiree.objects.all(), request.user, action)


# -- dashboard -------------------------------------------------------------

@login_required
def dashboard(request):
    _require(request, "view")
    today = timezone.localdate()
    visits = restrict(Visit.objects.filter(visited_on__year=today.year), request.user)
    retirees = _retirees(request).filter(status="alive")
    reached = visits.values("retiree").distinct().count()
    total = retirees.count()
    campaigns = visible_campaigns(request.user).filter(due_on__gte=today - dt.timedelta(days=60))
    pairs = selectors.pairing_status(restrict(Pairing.objects.filter(ended_on__isnull=True), request.user), today)
    days = selectors.care_settings()["BIRTHDAY_REMINDER_DAYS"]
    upcoming = selectors.anniversaries(retirees, today, today + dt.timedelta(days=days), Reveal(request.user))
    hardship = restrict(HardshipRecord.objects.filter(until__isnull=True), request.user).values(
        "reason").annotate(n=Count("retiree", distinct=True)).order_by("reason")
    labels = dict(HardshipReason.choices)
    return render(request, "care/dashboard.html", {
        "title": "关怀服务", "today": today, "reached": reached, "total": total,
        "coverage": round(100 * reached / total, 1) if total else 0,
        "visit_count": visits.count(), "campaigns": campaigns,
        "overdue_pairs": [p for p in pairs if p.overdue], "pair_count": len(pairs),
        "upcoming": upcoming, "days": days,
        "hardship": [(labels[h["reason"]], h["reason"], h["n"]) for h in hardship],
        "can_visit": not scope_for(request.user, "change").empty,  # the check visit_create makes
    })


# -- visits ------------------------------------------------------------------


class VisitListView(LedgerExportMixin, ScopedListView):
    title = "走访慰问台账"
    ledger_name = "走访慰问台账"
    ledger_org_params = ()
    ledger_date_field = "visited_on"
    ledger_date_params = ("since", "until")
    queryset = Visit.objects.select_related("retiree__organization", "campaign")
    filterset_class = VisitFilterSet
    default_ordering = "-visited_on"
    create_url_name = "care:visit_create"
    columns = [
        Column("visited_on", "走访日期", sort="visited_on", link=True),
        Column("retiree.name", "走访对象", sort="retiree__name_pinyin"),
        Column("retiree.organization.name", "所在组织"),
        Column("kind", "类型", value=lambda v: v.get_kind_display()),
        Column("visitors", "走访人"),
        Column("gifts", "慰问品"),
        Column("amount", "慰问金（元）", sort="amount"),
        Column("campaign.name", "慰问活动"),
    ]


@login_required
def visit_create(request):
    _require(request, "change")
    initial = {}
    if query_id(request, "retiree"):
        initial["retiree"] = query_id(request, "retiree")
    if request.GET.get("kind") in VisitKind.values:
        initial["kind"] = request.GET["kind"]
    campaign = pairing = None
    if request.GET.get("campaign"):
        campaign = visible_campaigns(request.user).filter(pk=query_id(request, "campaign", 0)).first()
        if campaign is None:
            raise Http404("不在您的数据范围内，或记录不存在")
        initial["kind"] = VisitKind.FESTIVAL
    if request.GET.get("pairing"):
        pairing = get_scoped_object_or_404(Pairing, request.user, "change", pk=query_id(request, "pairing", 0))
        initial.update(kind=VisitKind.PAIRING, retiree=pairing.retiree_id)
    form = VisitForm(request.POST or None, request.FILES or None, initial=initial, user=request.user)

    def save(form):
        visit = services.visit_record(**form.cleaned_data, campaign=campaign, pairing=pairing, user=request.user,
                                      today=timezone.localdate())
        messages.success(request, f"已记录对 {visit.retiree.name} 的走访")
        if pairing is not None:
            return "care:mine"
        return campaign or visit

    title = "记录走访" + (f"（{campaign.name}）" if campaign else "")
    return form_page(request, form, title=title, cancel_url="/care/visits/", save=save)


@object_view(Visit)
@login_required
def visit_detail(request, pk):
    v = get_scoped_object_or_404(Visit.objects.select_related("retiree__organization", "campaign", "created_by"),
                                 request.user, pk=pk)
    return render(request, "care/visit_detail.html", {"title": str(v), "v": v})


# -- festival campaigns ----------------------------------------------------------

def visible_campaigns(user):
    """Campaigns set up in the user's scope or above it (a branch follows the bureau's 重阳 list for its
    own members). Counts cover only the targets the user may see."""
    targets = restrict(CampaignTarget.objects.all(), user).values("pk")
    return restrict_shared(Campaign.objects.all(), user).annotate(
        target_count=Count("targets", filter=Q(targets__pk__in=targets)),
        done=Count("targets", filter=Q(targets__pk__in=targets, targets__visit__isnull=False)))


class CampaignListView(ScopedListView):
    title = "节日慰问活动"
    queryset = Campaign.objects.select_related("organization")

    def scoped(self, qs):
        return visible_campaigns(self.request.user).select_related("organization")
    default_ordering = "-starts_on"
    create_url_name = "care:campaign_create"
    columns = [
        Column("name", "活动", link=True),
        Column("festival", "节日", value=lambda c: c.get_festival_display()),
        Column("organization.name", "范围"),
        Column("due_on", "完成期限", sort="due_on"),
        Column("target_count", "慰问对象", sort="target_count"),
        Column("done", "已走访", sort="done"),
    ]


class CampaignCreateView(ObjectCreateView):
    form_class = CampaignForm
    title = "新建节日慰问活动"
    cancel_url = "/care/campaigns/"

    def perform(self, form):
        campaign = form.save(commit=False)
        campaign.created_by = self.request.user
        campaign.full_clean()
        campaign.save()
        self.added, _ = services.campaign_build(campaign=campaign)
        return campaign

    def get_success_message(self, campaign):
        return f"已生成慰问名单：{self.added} 人"


@object_view(Campaign)
@login_required
def campaign_detail(request, pk):
    campaign = visible_campaigns(request.user).select_related("organization").filter(pk=pk).first()
    if campaign is None:
        raise Http404("不在您的数据范围内，或记录不存在")
    can_change = can(request.user, "change", campaign)  # rebuild the list, assign visitors
    can_visit = not scope_for(request.user, "change").empty  # record visits to the targets in scope
    targets = restrict(campaign.targets.all(), request.user).select_related(
        "retiree__organization", "visit").order_by("retiree__organization__path", "retiree__name_pinyin")
    assign_form = AssignForm(request.POST if "assign" in request.POST else None)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("您无权修改该活动")
        if "rebuild" in request.POST:
            added, removed = services.campaign_build(campaign=campaign)
            messages.success(request, f"名单已按规则更新：新增 {added} 人，移除 {removed} 人（已走访的保留）")
            return redirect(campaign)
        if "assign" in request.POST:
            ids = [int(i) for i in request.POST.getlist("target") if i.isdigit()]
            if not ids:
                assign_form.is_valid()
                assign_form.add_error(None, "请先勾选要分配的慰问对象")
            elif assign_form.is_valid():
                n = services.campaign_assign(campaign=campaign, target_ids=[t.pk for t in targets if t.pk in ids],
                                             visitor=assign_form.cleaned_data["visitor"])
                messages.success(request, f"已为 {n} 人分配责任走访人")
                return redirect(campaign)
    show = request.GET.get("show", "")
    today = timezone.localdate()
    rows = list(targets)
    n_targets = len(rows)
    done = sum(1 for t in rows if t.visit_id)
    if show == "pending":
        rows = [t for t in rows if not t.visit_id]
    elif show == "done":
        rows = [t for t in rows if t.visit_id]
    if request.GET.get("export") == "xlsx":
        # The campaign is shared from above; its rows are the targets the user may export.
        gate = ExportGate(request)
        exportable = set(gate.rows(campaign.targets.all()).values_list("pk", flat=True))
        return gate.xlsx(f"{campaign.name}慰问名单", ["姓名", "所在组织", "入选原因", "责任走访人", "走访日期", "慰问品"],
                         ([t.retiree.name, t.retiree.organization.name, t.reasons, t.visitor,
                           t.visit.visited_on.strftime("%Y-%m-%d") if t.visit else "未走访",
                           t.visit.gifts if t.visit else ""] for t in rows if t.pk in exportable),
                         org_path=campaign.organization.path, unit="人")
    return render(request, "care/campaign_detail.html", {
        "title": campaign.name, "c": campaign, "rows": rows, "done": done, "total": n_targets,
        "pending": n_targets - done,
        "overdue": today > campaign.due_on, "show": show, "can_change": can_change, "assign_form": assign_form,
        "can_visit": can_visit,
        "rate": round(100 * done / n_targets, 1) if n_targets else 0})


# -- birthday ledger -----------------------------------------------------------

@login_required
def birthdays(request):
    _require(request, "view")
    today = timezone.localdate()
    month = parse_year_month(request.GET.get("month") or today.strftime("%Y-%m"))
    if month is None:
        messages.error(request, "月份格式应为 2026-11，已显示本月")
        first = today.replace(day=1)
    else:
        first = dt.date(*month, 1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    kind = request.GET.get("kind", "")
    reveal = Reveal(request.user)
    rows = selectors.anniversaries(_retirees(request), first, last, reveal)
    if kind in ("birthday", "party_birthday"):
        rows = [r for r in rows if r.kind == kind]
    if request.GET.get("milestone") == "1":
        rows = [r for r in rows if r.milestone]
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = last + dt.timedelta(days=1)
    title = f"{first.year}年{first.month}月生日台账"
    printing = request.GET.get("print") == "1"
    if printing:  # a list of people on paper: logged with its rows by the gate
        ExportGate(request, kind="print").printed(title, len(rows), data={"month": f"{first:%Y-%m}", "kind": kind})
    query = request.GET.copy()
    query.pop("print", None)
    return render(request, "care/birthdays.html", {
        "title": title, "rows": rows, "first": first, "prev": prev, "next": nxt,
        "kind": kind, "milestone": request.GET.get("milestone") == "1", "printing": printing,
        "ages_hidden": not reveal.everywhere, "can_visit": not scope_for(request.user, "change").empty,
        "print_query": query.urlencode()})


# -- pairings ------------------------------------------------------------------------

@login_required
def pairings(request):
    _require(request, "view")
    status = selectors.pairing_status(restrict(Pairing.objects.filter(ended_on__isnull=True), request.user),
                                      timezone.localdate())
    if request.GET.get("overdue") == "1":
        status = [s for s in status if s.overdue]
    return render(request, "care/pairings.html", {"title": "结对帮扶", "rows": status,
                                                  "can_change": not scope_for(request.user, "manage").empty})


class PairingCreateView(ObjectCreateView):
    action = "manage"
    form_class = PairingForm
    title = "新建结对"
    cancel_url = "/care/pairings/"
    success_url = "care:pairings"

    def get_initial(self):
        return {"started_on": timezone.localdate()}

    def get_success_message(self, pairing):
        return f"已结对：{pairing}"


@object_view(Pairing)
@login_required
def pairing_detail(request, pk):
    p = get_scoped_object_or_404(Pairing.objects.select_related("retiree__organization", "carer"), request.user, pk=pk)
    status = selectors.pairing_status(Pairing.objects.filter(pk=p.pk), timezone.localdate())[0]
    return render(request, "care/pairing_detail.html", {"title": str(p), "s": status,
                                                        "visits": p.visits.all()[:50]})


@login_required
def mine(request):
    """A carer's own page: their pairs, who is due, one tap to record a visit."""
    mine_qs = Pairing.objects.filter(carer=request.user, ended_on__isnull=True)
    status = selectors.pairing_status(mine_qs, timezone.localdate())
    reveal = Reveal(request.user)
    for s in status:  # a carer may not reveal their pairs' ID numbers: their age is told as a band
        r = s.pairing.retiree
        s.age_text = f"{r.age}岁" if reveal.may(r) else band_of(r)
    return render(request, "care/mine.html", {"title": "我的结对", "rows": status})


# -- hardship -------------------------------------------------------------------------------


class HardshipListView(ScopedListView):
    title = "困难登记"
    queryset = HardshipRecord.objects.select_related("retiree__organization")
    filterset_class = HardshipFilterSet
    default_ordering = "-since"
    create_url_name = "care:hardship_create"
    columns = [
        Column("retiree.name", "姓名", sort="retiree__name_pinyin"),
        Column("retiree.organization.name", "所在组织"),
        Column("reason", "困难类型", sort="reason", value=lambda h: h.get_reason_display()),
        Column("since", "登记日期", sort="since"),
        Column("until", "解除日期"),
        Column("note", "情况说明"),
    ]


class HardshipCreateView(ObjectCreateView):
    form_class = HardshipForm
    title = "困难登记"
    cancel_url = "/care/hardship/"
    success_url = "care:hardship"

    def get_initial(self):
        return {"since": timezone.localdate()}

    def get_success_message(self, hardship):
        return f"已登记 {hardship}"


# -- assistance -----------------------------------------------------------------------------------

class ApplicationListView(ScopedListView):
    title = "帮扶资金申请与发放"
    queryset = AssistanceApplication.objects.select_related("retiree__organization", "programme")
    default_ordering = "-applied_on"
    create_url_name = "care:assistance_create"
    template_name = "care/assistance_list.html"
    columns = [
        Column("retiree.name", "帮扶对象", link=True),
        Column("programme.name", "帮扶资金"),
        Column("applied_on", "申请日期", sort="applied_on"),
        Column("amount_requested", "申请金额", sort="amount_requested"),
        Column("status", "状态", sort="status", value=lambda a: a.get_status_display()),
        Column("amount_approved", "批准金额"),
        Column("paid_on", "发放日期", sort="paid_on"),
        Column("payee_name", "领款人"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        totals = restrict(AssistanceApplication.objects.filter(status="paid"), self.request.user).values(
            "paid_on__year", "programme__name").annotate(n=Count("id"), total=Sum("amount_approved")).order_by(
            "-paid_on__year", "programme__name")
        ctx["totals"] = totals
        ctx["programmes"] = restrict(AssistanceProgramme.objects.all(), self.request.user)
        return ctx


class ProgrammeCreateView(ObjectCreateView):
    action = "manage"
    form_class = ProgrammeForm
    title = "设立帮扶资金"
    cancel_url = "/care/assistance/"
    success_url = "care:assistance"


class AssistanceCreateView(ObjectCreateView):
    form_class = ApplicationForm
    title = "帮扶资金申请"
    cancel_url = "/care/assistance/"

    def get_initial(self):
        return {"applied_on": timezone.localdate()}


@object_view(AssistanceApplication)
@login_required
def assistance_detail(request, pk):
    a = get_scoped_object_or_404(AssistanceApplication.objects.select_related("retiree", "programme__organization"),
                                 request.user, pk=pk)
    may_decide = can(request.user, "manage", a.programme) and a.status == AssistanceApplication.Status.PENDING
    may_pay = can(request.user, "change", a) and a.status == AssistanceApplication.Status.APPROVED
    decide = DecideForm(request.POST if "decide" in request.POST else None)
    pay = PayForm(request.POST if "pay" in request.POST else None,
                  initial={"paid_on": timezone.localdate(), "payee_name": a.retiree.name})
    if request.method == "POST":
        form = decide if "decide" in request.POST else pay
        if (form is decide and not may_decide) or (form is pay and not may_pay):
            raise PermissionDenied("您无权进行此操作")
        if form.is_valid():
            try:
                if form is decide:
                    services.assistance_decide(application=a, approve=form.cleaned_data["decision"] == "approve",
                                               amount=form.cleaned_data["amount"], note=form.cleaned_data["note"],
                                               user=request.user, on=timezone.localdate())
                else:
                    services.assistance_pay(application=a, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect(a)
    return render(request, "care/assistance_detail.html", {"title": str(a), "a": a, "decide": decide, "pay": pay,
                                                           "may_decide": may_decide, "may_pay": may_pay})


# -- volunteers --------------------------------------------------------------------------------------

@login_required
def teams(request):
    _require(request, "view")
    year = timezone.localdate().year
    rows = selectors.volunteer_totals(restrict_shared(VolunteerTeam.objects.all(), request.user), year)
    members = restrict(TeamMember.objects.all(), request.user).values("retiree").distinct().count()
    duty = restrict(CommunityDuty.objects.filter(served_on__year=year), request.user).aggregate(
        people=Count("retiree", distinct=True), days=Sum("days"))
    return render(request, "care/teams.html", {
        "title": "志愿服务", "rows": rows, "year": year, "members": members, "duty": duty,
        "activities": sum(t.activity_count for t, _ in rows), "hours": sum(h for _, h in rows),
        "can_change": not scope_for(request.user, "change").empty})



class VolunteerHoursListView(LedgerExportMixin, ScopedListView):
    """志愿服务台账: one row per member per activity, with the hours served."""

    title = "志愿服务台账"
    queryset = Participation.objects.select_related("activity__team", "retiree__organization")
    filterset_class = ParticipationFilterSet
    default_ordering = "-activity__held_on"
    columns = [
        Column("activity.held_on", "活动日期", sort="activity__held_on"),
        Column("activity.team.name", "服务队", sort="activity__team__name"),
        Column("activity.title", "服务内容"),
        Column("activity.place", "地点"),
        Column("retiree.name", "队员", sort="retiree__name_pinyin"),
        Column("retiree.organization.name", "所在组织", sort="retiree__organization__path"),
        Column("hours", "服务时长（小时）", sort="hours"),
    ]
    ledger_name = "志愿服务台账"
    ledger_org_params = ()
    ledger_date_field = "activity__held_on"
    ledger_date_params = ("since", "until")
    ledger_number_formats = {6: "0.0"}

    def ledger_period(self, rows):
        year = query_year(self.request)
        if year and not (self.request.GET.get("since") or self.request.GET.get("until")):
            return f"{year}年"
        return super().ledger_period(rows)

    def ledger_row(self, row, columns):
        cells = super().ledger_row(row, columns)
        cells[6] = float(row.hours)  # hours, one decimal, not money
        return cells


class TeamCreateView(ObjectCreateView):
    form_class = TeamForm
    title = "新建志愿服务队"
    cancel_url = "/care/teams/"


@object_view(VolunteerTeam)
@login_required
def team_detail(request, pk):
    team = _shared_or_404(VolunteerTeam.objects.select_related("organization", "leader"), request, pk)
    can_change = can(request.user, "change", team)
    form = MemberAddForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("您无权修改该服务队")
        if form.is_valid():
            if team.members.filter(retiree=form.cleaned_data["retiree"]).exists():
                form.add_error("retiree", "已经是本队队员")
            else:
                TeamMember.objects.create(team=team, retiree=form.cleaned_data["retiree"],
                                          skills=form.cleaned_data["skills"], joined_on=timezone.localdate())
                messages.success(request, "已加入服务队")
                return redirect(team)
    members = restrict(team.members.all(), request.user).select_related("retiree__organization").annotate(
        hours=Sum("retiree__volunteer_hours__hours", filter=Q(retiree__volunteer_hours__activity__team=team)))
    return render(request, "care/team_detail.html", {
        "title": team.name, "team": team, "members": members, "form": form, "can_change": can_change,
        "activities": team.activities.annotate(people=Count("participants"), hours=Sum("participants__hours"))[:50]})


@login_required
def activity_create(request):
    _require(request, "change")
    form = ActivityForm(request.POST or None, user=request.user,
                        initial={"team": query_id(request, "team"), "held_on": timezone.localdate()})
    team = None
    team_id = parse_id(form.data.get("team")) if form.is_bound else query_id(request, "team")
    if team_id:
        team = restrict(VolunteerTeam.objects.all(), request.user, "change").filter(pk=team_id).first()
    members = list(team.members.select_related("retiree")) if team else []
    if request.method == "POST" and form.is_valid():
        hours = {}
        bad = False
        for m in members:
            raw = request.POST.get(f"hours_{m.retiree_id}", "").strip()
            if raw:
                try:
                    hours[m.retiree_id] = float(raw)
                except ValueError:
                    bad = True
        if bad:
            form.add_error(None, "服务时长请填写数字，如 2 或 1.5")
        elif not hours:
            form.add_error(None, "请至少为一名参加的队员填写服务时长")
        else:
            try:
                activity = services.activity_record(activity=form.save(commit=False), hours=hours)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已记录志愿服务活动")
                return redirect(activity.team)
    return render(request, "care/activity_form.html", {"title": "记录志愿服务活动", "form": form, "team": team,
                                                       "members": members, "posted": request.POST})


@object_view(VolunteerActivity)
@login_required
def activity_detail(request, pk):
    a = _shared_or_404(VolunteerActivity.objects.select_related("team"), request, pk)
    return render(request, "care/activity_detail.html", {
        "title": str(a), "a": a, "participants": restrict(a.participants.all(), request.user).select_related("retiree")})


class DutyListView(ScopedListView):
    title = "双报到社区服务"
    queryset = CommunityDuty.objects.select_related("retiree__organization")
    default_ordering = "-served_on"
    create_url_name = "care:duty_create"
    columns = [
        Column("retiree.name", "党员", sort="retiree__name_pinyin"),
        Column("retiree.organization.name", "所在支部"),
        Column("community", "报到社区", sort="community"),
        Column("served_on", "服务日期", sort="served_on"),
        Column("days", "天数"),
        Column("content", "服务内容"),
    ]


class DutyCreateView(ObjectCreateView):
    form_class = DutyForm
    title = "登记双报到服务"
    cancel_url = "/care/duty/"
    success_url = "care:duty"

    def get_initial(self):
        return {"served_on": timezone.localdate(), "days": 1}


class RoleListView(ScopedListView):
    title = "发挥作用：监督员、辅导员、宣传员"
    queryset = RetireeRole.objects.select_related("retiree__organization")
    default_ordering = "kind"
    create_url_name = "care:role_create"
    columns = [
        Column("retiree.name", "姓名", sort="retiree__name_pinyin"),
        Column("retiree.organization.name", "所在组织"),
        Column("kind", "角色", sort="kind", value=lambda r: r.get_kind_display()),
        Column("since", "担任日期", sort="since"),
        Column("note", "说明"),
    ]


class RoleCreateView(ObjectCreateView):
    form_class = RoleForm
    title = "登记发挥作用角色"
    cancel_url = "/care/roles/"
    success_url = "care:roles"

    def get_initial(self):
        return {"since": timezone.localdate()}


@login_required
def match(request):
    _require(request, "view")
    need = request.GET.get("need", "").strip()
    results = selectors.match_helpers(_retirees(request), need) if need else []
    return render(request, "care/match.html", {"title": "供需对接：谁能提供这项服务", "need": need, "results": results})


# -- red memory -------------------------------------------------------------------------------------

@login_required
def oral_list(request):
    _require(request, "view")
    q = request.GET.get("q", "").strip()
    qs = visible_oral_histories(request.user).select_related("organization")
    if q:
        qs = search.search(qs, q)
    rows = [{"o": o, "snippets": search.highlight(o.transcript, q) if q else []} for o in qs.order_by("-interviewed_on")[:100]]
    return render(request, "care/oral_list.html", {"title": "红色记忆", "q": q, "rows": rows,
                                                   "words": search.query_words(q) if q else [],
                                                   "total": visible_oral_histories(request.user).count(),
                                                   "can_change": not scope_for(request.user, "change").empty})


class OralCreateView(ObjectCreateView):
    form_class = OralHistoryForm
    title = "收录红色记忆访谈"
    cancel_url = "/care/oral/"

    def perform(self, form):
        oral = form.save()
        if form.cleaned_data.get("media"):
            OralHistoryMedia.objects.create(interview=oral, file=form.cleaned_data["media"])
        return oral

    def get_success_message(self, oral):
        return f"已收录「{oral.title}」"


@object_view(OralHistory)
@login_required
def oral_detail(request, pk):
    o = visible_oral_histories(request.user).select_related("organization", "interviewee").filter(pk=pk).first()
    if o is None:
        raise Http404("不在您的数据范围内，或记录不存在")
    q = request.GET.get("q", "")
    body = o.transcript
    if q:
        from django.utils.safestring import mark_safe

        body = mark_safe("".join(search.highlight(o.transcript, q, width=len(o.transcript) * 2, limit=1))
                         or search.html.escape(o.transcript))
    return render(request, "care/oral_detail.html", {"title": o.title, "o": o, "body": body, "q": q,
                                                     "media": o.media.all()})


# -- venues ---------------------------------------------------------------------------------------

class SharedListView(ScopedListView):
    """Lists of resources a higher level shares down the tree."""

    def scoped(self, qs):
        return restrict_shared(qs, self.request.user, self.action)


class VenueListView(SharedListView):
    title = "活动阵地"
    queryset = Venue.objects.select_related("organization")
    default_ordering = "name"
    create_url_name = "care:venue_create"
    columns = [
        Column("name", "名称", sort="name", link=True),
        Column("kind", "类型", value=lambda v: v.get_kind_display()),
        Column("organization.name", "管理组织"),
        Column("address", "地址"),
        Column("capacity", "容纳人数", sort="capacity"),
        Column("equipment", "设施设备"),
    ]


class VenueCreateView(ObjectCreateView):
    form_class = VenueForm
    title = "登记活动阵地"
    cancel_url = "/care/venues/"


@object_view(Venue)
@login_required
def venue_detail(request, pk):
    venue = _shared_or_404(Venue.objects.select_related("organization"), request, pk)
    form = BookingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        booking = form.save(commit=False)
        booking.venue, booking.booked_by = venue, request.user
        try:
            services.booking_create(booking=booking)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "预约成功")
            return redirect(venue)
    upcoming = venue.bookings.filter(ends_at__gte=timezone.now()).select_related("organization")[:50]
    return render(request, "care/venue_detail.html", {"title": venue.name, "venue": venue, "form": form,
                                                      "bookings": upcoming})
