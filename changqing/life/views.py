"""Pages for organisational life: thin views over services, selectors and the engine."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from changqing.core import conflicts
from changqing.core.files import serve_file
from changqing.core.export_gate import ExportGate
from changqing.core.scope import can, get_scoped_object_or_404, object_view, restrict, scope_for
from changqing.core.exports import LedgerExportMixin
from changqing.core.lists import Column, ScopedListView
from changqing.orgs.models import Organization, OrgKind
from changqing.policies.models import PolicyVersion

from . import engine, selectors, services
from .apps import LIFE_RULESET
from .filters import MeetingFilterSet, StudyRecordFilterSet, TrainingCourseFilterSet
from .forms import (
    AttachmentForm, MeetingForm, PlanForm, RuleFormSet, RulesetCopyForm, RulesetVersionForm,
    StudyRecordForm, WorkListForm, visible_rulesets,
)
from changqing.orgs.selectors import requested_root, scope_root
from changqing.core.tree import in_subtree
from changqing.core.params import parse_id

from .models import (
    Bulletin, Meeting, MeetingAttachment, MeetingKind, MeetingState, Period, Ruleset, StudyRecord,
    TrainingCourse, WorkItem, WorkList, WorkListReceipt,
)

STATUS_CLASS = {engine.DONE: "ok", engine.PENDING: "muted", engine.DUE_SOON: "warn", engine.OVERDUE: "bad"}


def _common_root(user) -> Organization | None:
    return scope_root(user)


def _root(request) -> Organization:
    return requested_root(request, denied="您的角色无权查看此页面")


def _period(request, default: str) -> tuple[engine.Period, str, str | None]:
    # Two month pickers (?from=2025-01&to=2025-06) or, for links, ?period=2025 | 2025-Q1 | 2025-01..2025-06.
    start, end = (request.GET.get(k, "").strip()[:20] for k in ("from", "to"))
    if start or end:
        text = f"{start}..{end}" if start and end and start != end else (start or end)
    else:
        text = request.GET.get("period", "").strip() or default
    try:
        return engine.parse_period(text), text, None
    except engine.PeriodError as exc:
        return engine.parse_period(default), default, str(exc)


def _this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


@login_required
def life_home(request):
    """Secretaries land on their branch; everyone else on the heat map."""
    branches = list(restrict(Organization.objects.filter(kind=OrgKind.BRANCH), request.user)[:2])
    if len(branches) == 1:
        return redirect("life:branch", code=branches[0].code)
    return redirect("life:heatmap")


# ---- meetings -------------------------------------------------------------------------------

def _entered(m):
    return f"{timezone.localtime(m.created_at):%Y-%m-%d %H:%M} {m.created_by_name or '系统'}"


class MeetingListView(LedgerExportMixin, ScopedListView):
    title = "会议活动记录"
    queryset = Meeting.objects.select_related("organization", "kind")
    filterset_class = MeetingFilterSet
    default_ordering = "-held_on"
    columns = [
        Column("held_on", "会议日期", sort="held_on", link=True),
        Column("kind.name", "类型", sort="kind__order"),
        Column("topic", "主题", link=True),
        Column("organization.name", "党组织", sort="organization__path"),
        Column("state", "状态", value=lambda m: m.get_state_display()),
        Column("created_at", "录入时间 / 录入人", sort="created_at", value=_entered),
    ]
    # ?export=xlsx: 会议记录台账, with where, who chaired, who recorded and how many took part.
    ledger_name = "会议记录台账"
    ledger_org_params = ("org",)
    ledger_date_field = "held_on"
    ledger_date_params = ("held_from", "held_to")
    ledger_extra = [
        Column("place", "地点"),
        Column("host", "主持人"),
        Column("recorder", "记录人"),
        Column("expected", "应到人数", value=lambda m: m.expected),
        Column("took_part", "实到人数", value=lambda m: m.took_part),
    ]

    def ledger_columns(self):
        return self.columns[:5] + self.ledger_extra + self.columns[5:]

    def export_queryset(self, rows):
        from .models import PARTICIPATED

        return rows.annotate(expected=Count("attendances"), took_part=Count(
            "attendances", filter=Q(attendances__status__in=list(PARTICIPATED))))


@object_view(Meeting)
@login_required
def meeting_detail(request, pk: int):
    meeting = get_scoped_object_or_404(Meeting.objects.select_related("organization", "kind", "created_by"),
                                       request.user, pk=pk)
    attendance = list(meeting.attendances.select_related("membership__retiree").order_by("status", "id"))
    counts = {}
    for a in attendance:
        counts[a.get_status_display()] = counts.get(a.get_status_display(), 0) + 1
    can_change = can(request.user, "change", meeting)
    return render(request, "life/meeting_detail.html", {
        "title": f"{meeting.organization.name} {meeting.kind.name}", "meeting": meeting, "attendance": attendance,
        "counts": counts, "attachments": meeting.attachments.all(), "can_change": can_change,
        "attachment_form": AttachmentForm() if can_change else None,
    })


@object_view(Meeting)
@login_required
@require_POST
def attachment_upload(request, pk: int):
    meeting = get_scoped_object_or_404(Meeting, request.user, "change", pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(meeting=meeting, upload=form.cleaned_data["file"],
                                    caption=form.cleaned_data["caption"])
            messages.success(request, "附件已上传")
            return redirect(meeting)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
    attendance = list(meeting.attendances.select_related("membership__retiree"))
    return render(request, "life/meeting_detail.html", {
        "title": f"{meeting.organization.name} {meeting.kind.name}", "meeting": meeting, "attendance": attendance,
        "counts": {}, "attachments": meeting.attachments.all(), "can_change": True, "attachment_form": form,
    }, status=400)


@object_view(MeetingAttachment)
@login_required
def attachment_file(request, pk: int):
    att = get_scoped_object_or_404(MeetingAttachment, request.user, pk=pk)
    return serve_file(att.file)


def _query_day(request) -> dt.date | None:
    """?date=2026-11-20 (not after today), else None."""
    try:
        day = dt.date.fromisoformat(request.GET.get("date") or "")
    except ValueError:
        return None
    return day if day <= timezone.localdate() else None


def _away_ids(members) -> set[int]:
    """Members living away today (an open Absence, e.g. wintering in Sanya): excused by default."""
    from changqing.members.models import Absence

    today = timezone.localdate()
    by_retiree = {m.retiree_id: m.pk for m in members}
    rows = Absence.objects.filter(retiree_id__in=by_retiree, start_on__lte=today).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=today)).values_list("retiree_id", flat=True)
    return {by_retiree[r] for r in rows}


@login_required
def meeting_start(request):
    """/life/record/?branch=<code or id>&kind=<code>&date=<yyyy-mm-dd>: the record form of that branch (or the
    user's own first branch), pre-filled. The home page's tasks link here."""
    from urllib.parse import urlencode

    branches = restrict(Organization.objects.filter(kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH]),
                        request.user, "change")
    value = (request.GET.get("branch") or "").strip()
    org = None
    if value:
        org = branches.filter(Q(code=value) | Q(pk=parse_id(value, 0))).first()
        if org is None:
            raise Http404("不在您的数据范围内，或党组织不存在")
    else:
        org = branches.order_by("path").first()
    if org is None:
        raise PermissionDenied("您的数据范围内没有可以记录会议的党支部")
    keep = {k: request.GET[k] for k in ("kind", "date", "plan") if request.GET.get(k)}
    url = reverse("life:meeting_create", args=[org.code])
    return redirect(f"{url}?{urlencode(keep)}" if keep else url)


@object_view(Organization, code="code")
@login_required
def meeting_create(request, code: str):
    org = get_scoped_object_or_404(Organization, request.user, "change", code=code)
    members = list(services.active_members(org))
    plan = None
    if request.GET.get("plan") or request.POST.get("plan"):
        plan = get_scoped_object_or_404(Meeting, request.user, "change", organization=org,
                                        state=MeetingState.PLANNED,
                                        pk=parse_id(request.GET.get("plan") or request.POST.get("plan"), 0))
    initial = {}
    if plan:
        initial = {"kind": plan.kind_id, "topic": plan.topic, "place": plan.place, "start_time": plan.start_time,
                   "held_on": min(plan.held_on, timezone.localdate())}
    else:
        if request.GET.get("kind"):
            kind = MeetingKind.objects.filter(code=request.GET["kind"]).first()
            if kind:
                initial["kind"] = kind.pk
        day = _query_day(request)
        if day:
            initial["held_on"] = day
    form = MeetingForm(request.POST or None, members=members, initial=initial, away=_away_ids(members),
                       deliverer=request.user.display_name)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in MeetingForm.Meta.fields}
        kind, held_on, topic = data.pop("kind"), data.pop("held_on"), data.pop("topic")
        recorded = []
        try:
            conflicts.attempt(form, lambda: recorded.append(services.meeting_record(
                organization=org, kind=kind, held_on=held_on, topic=topic, attendance=form.attendance(),
                user=request.user, plan=plan, **data)), instance=Meeting(organization=org, kind=kind, held_on=held_on))
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        if recorded:
            meeting = recorded[0]
            messages.success(request, f"已记录{meeting.kind.name}（{meeting.held_on:%Y年%m月%d日}）")
            return redirect("life:branch", code=org.code)
    return render(request, "life/meeting_form.html", {
        "title": f"记录会议：{org.name}", "form": form, "org": org, "plan": plan,
        "rows": form.member_rows(), "cancel_url": reverse("life:branch", args=[org.code]),
    })


@object_view(Meeting)
@login_required
def meeting_edit(request, pk: int):
    meeting = get_scoped_object_or_404(Meeting.objects.select_related("organization", "kind"), request.user,
                                       "change", pk=pk)
    org = meeting.organization
    existing = {a.membership_id: a for a in meeting.attendances.all()}
    members = list(services.active_members(org))
    known = {m.pk for m in members}
    from changqing.members.models import Membership

    # People who attended then but have since left the branch stay on the record.
    members += list(Membership.objects.filter(pk__in=set(existing) - known).select_related("retiree"))
    initial = {}
    for mid, a in existing.items():
        initial.update({f"att_{mid}": a.status, f"reason_{mid}": a.reason, f"deliverer_{mid}": a.deliverer,
                        f"material_{mid}": a.material, f"feedback_{mid}": a.feedback})
    form = MeetingForm(request.POST or None, instance=meeting, members=members, initial=initial,
                       deliverer=request.user.display_name)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in MeetingForm.Meta.fields}
        try:
            saved = conflicts.attempt(form, lambda: services.meeting_update(
                meeting=meeting, attendance=form.attendance(), **data))
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            if saved:
                messages.success(request, "已保存修改（原录入时间和录入人保留，修改记入变更记录）")
                return redirect(meeting)
    return render(request, "life/meeting_form.html", {
        "title": f"修改会议记录：{org.name}", "form": form, "org": org, "plan": None, "editing": meeting,
        "rows": form.member_rows(), "cancel_url": meeting.get_absolute_url(),
    })


@object_view(Organization, code="code")
@login_required
def meeting_plan(request, code: str):
    org = get_scoped_object_or_404(Organization, request.user, "change", code=code)
    form = PlanForm(request.POST or None, initial={"held_on": timezone.localdate() + dt.timedelta(days=7)})
    if request.method == "POST" and form.is_valid():
        form.instance.organization = org
        form.instance.created_by = request.user
        form.instance.created_by_name = request.user.display_name
        form.save()
        messages.success(request, "已加入计划")
        return redirect("life:branch", code=org.code)
    return render(request, "core/form.html", {"title": f"计划会议：{org.name}", "form": form,
                                              "cancel_url": reverse("life:branch", args=[org.code])})


# ---- branch page, heat map, overdue list, participation -------------------------------------

def _sentence(r: engine.RuleResult) -> str:
    if r.status == engine.DONE:
        return f"{r.rule.name} 已完成"
    if r.status == engine.OVERDUE:
        return f"{r.rule.name} 已逾期（{r.due_on:%m月%d日}前应开）"
    if r.days_left == 0:
        return f"{r.rule.name} 今天到期"
    return f"{r.rule.name} 还有{r.days_left}天到期"


@object_view(Organization, code="code")
@login_required
def branch_page(request, code: str):
    org = get_scoped_object_or_404(Organization, request.user, code=code)
    today = timezone.localdate()
    month = engine.parse_period(_this_month())
    branch_qs = Organization.objects.filter(pk=org.pk)
    now = selectors.compliance_results(org, month, today=today, branch_qs=branch_qs)
    year = selectors.compliance_results(org, engine.parse_period(str(today.year)), today=today, branch_qs=branch_qs)
    f, people = selectors.member_participation(org, engine.parse_period(str(today.year)), today=today)
    people = [p for p in people if p.member.branch_id == org.pk]
    source, ruleset = selectors.ruleset_source(org, today)
    recent = Meeting.objects.filter(organization=org, state=MeetingState.HELD).select_related("kind")[:8]
    planned = Meeting.objects.filter(organization=org, state=MeetingState.PLANNED).select_related("kind") \
        .order_by("held_on")
    receipts = WorkListReceipt.objects.filter(organization=org, work_list__month__gte=month.start.replace(month=1)) \
        .select_related("work_list").order_by("-work_list__month")[:4]
    return render(request, "life/branch.html", {
        "title": f"{org.name} · 组织生活", "org": org, "today": today,
        "now": [(r, _sentence(r), STATUS_CLASS[r.status]) for r in now],
        "year": [(r, STATUS_CLASS[r.status]) for r in year],
        "warnings": [p for p in people if p.warning],
        # The last warning month of the branch's warning_months policy (党章第九条's six by default) is the grave one.
        "last_warning": max(f.rulesets[org.pk].warn_months) if org.pk in f.rulesets else 6,
        "unreached": [p for p in people if p.excused_unreached],
        "member_count": len(people), "ruleset": ruleset, "source": source,
        "recent": recent, "planned": planned, "receipts": receipts,
        "can_change": can(request.user, "change", org), "can_manage": can(request.user, "manage", org),
        "kinds": MeetingKind.objects.filter(code__in=["group_meeting", "theme_day", "committee_meeting",
                                                      "study_day"]),
    })


@object_view(Organization, code="code")
@login_required
def branch_calendar(request, code: str):
    """Planned and held meetings of a branch on a month calendar; a plan becomes a record when held."""
    import calendar as cal

    org = get_scoped_object_or_404(Organization, request.user, code=code)
    try:
        period = engine.parse_period(request.GET.get("month") or _this_month())
    except engine.PeriodError:
        period = engine.parse_period(_this_month())
    month = period.start
    meetings = Meeting.objects.filter(organization=org, held_on__gte=month, held_on__lte=engine.month_end(month)) \
        .exclude(state=MeetingState.CANCELLED).select_related("kind").order_by("held_on", "start_time")
    by_day: dict[dt.date, list] = {}
    for m in meetings:
        by_day.setdefault(m.held_on, []).append(m)
    weeks = [[(d, by_day.get(d, []), d.month == month.month) for d in week]
             for week in cal.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)]
    return render(request, "life/calendar.html", {
        "title": f"{org.name} · {month.year}年{month.month}月会议日历", "org": org, "month": month, "weeks": weeks,
        "prev": f"{engine.add_months(month, -1):%Y-%m}", "next": f"{engine.add_months(month, 1):%Y-%m}",
        "today": timezone.localdate(), "can_change": can(request.user, "change", org),
        "agenda": [(d, ms) for d, ms in sorted(by_day.items())],
    })


def _records_url(branch_code: str, ids) -> str:
    return f"{reverse('life:meetings')}?ids={','.join(str(i) for i in ids)}" if ids else \
        f"{reverse('life:meetings')}?org={branch_code}"


def _export_branches(request, root):
    """?export=xlsx: the gate, and the branches a table is computed from narrowed to those the user may export."""
    if request.GET.get("export") != "xlsx":
        return None, None
    gate = ExportGate(request)
    gate.reach(root)
    return gate, gate.rows(selectors.branches_in_scope(root, request.user))


@login_required
def heat_map(request):
    root = _root(request)
    period, text, error = _period(request, str(timezone.localdate().year))
    gate, branch_qs = _export_branches(request, root)
    branches, months, cells = selectors.heat_map(root, period, user=request.user, branch_qs=branch_qs)
    rows = []
    for b in branches:
        row = []
        for m in months:
            results = cells.get((b.id, m), [])
            worst = engine.worst_status(r.status for r in results)
            done = sum(1 for r in results if r.status == engine.DONE)
            month_ids = [i for r in results for i in r.record_ids]
            row.append({"status": worst, "label": engine.STATUS_LABELS[worst], "done": done, "total": len(results),
                        "css": STATUS_CLASS[worst],
                        "url": f"{reverse('life:meetings')}?org={b.code}&month={m:%Y-%m}",
                        "title": "；".join(f"{r.rule.name}{r.status_label}" for r in results),
                        "ids": month_ids})
        rows.append((b, row))
    if gate is not None:
        return gate.xlsx(f"组织生活热力图{period.label}", ["支部编码", "支部"] + [f"{m:%Y-%m}" for m in months],
                         ([b.code, b.name] + [f"{c['label']}（{c['done']}/{c['total']}）" for c in row]
                          for b, row in rows), org_path=root.path, unit="个支部")
    chart = {
        "months": [f"{m:%Y-%m}" for m in months], "branches": [b.name for b in branches],
        "data": [[j, i, engine.STATUS_RANK[c["status"]]] for i, (_, row) in enumerate(rows) for j, c in enumerate(row)],
        "urls": [[c["url"] for c in row] for _, row in rows],
        "texts": [[f"{c['done']}/{c['total']}" for c in row] for _, row in rows],  # numbers, not colour alone
    }
    return render(request, "life/heatmap.html", {
        "title": f"组织生活热力图 · {root.name}", "root": root, "period": period, "period_text": text,
        "error": error, "months": months, "rows": rows, "chart": chart,
        "chart_height": min(max(260, 26 * len(rows) + 100), 4000), "can_export": can(request.user, "export"),
        "status_labels": engine.STATUS_LABELS,
    })


def _compliance_table(request, *, only_status=None):
    root = _root(request)
    period, text, error = _period(request, _this_month() if only_status else str(timezone.localdate().year))
    gate, branch_qs = _export_branches(request, root)
    results = selectors.compliance_results(root, period, user=request.user, branch_qs=branch_qs)
    if only_status:
        results = [r for r in results if r.status in only_status]
    return gate, root, period, text, error, results


@login_required
def overdue_list(request):
    statuses = {engine.OVERDUE, engine.DUE_SOON} if request.GET.get("soon") else {engine.OVERDUE}
    gate, root, period, text, error, results = _compliance_table(request, only_status=statuses)
    sort = request.GET.get("sort", "branch")
    key = {"branch": lambda r: (r.branch.code, r.rule.kind), "rule": lambda r: (r.rule.kind, r.branch.code),
           "due": lambda r: (r.due_on or dt.date.max, r.branch.code)}.get(sort, lambda r: r.branch.code)
    results.sort(key=key)
    if gate is not None:
        return gate.xlsx(f"组织生活逾期清单{period.label}", selectors.COMPLIANCE_HEADERS,
                         map(selectors.compliance_row, results), org_path=root.path)
    page = Paginator(results, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "life/overdue.html", {
        "title": "组织生活逾期清单", "root": root, "period": period, "period_text": text, "error": error,
        "page_obj": page, "rows": [(r, STATUS_CLASS[r.status], _records_url(r.branch.code, r.record_ids))
                                   for r in page.object_list],
        "query": query.urlencode(), "can_export": can(request.user, "export"), "soon": bool(request.GET.get("soon")),
        "sort": sort,
    })


@login_required
def participation_list(request):
    root = _root(request)
    period, text, error = _period(request, str(timezone.localdate().year))
    gate, branch_qs = _export_branches(request, root)
    facts, people = selectors.member_participation(root, period, user=request.user, branch_qs=branch_qs)
    names = {b.id: b.name for b in facts.branches}
    people = [p for p in people if p.member.branch_id in names]
    only = request.GET.get("only", "warn")
    if only == "warn":
        people = [p for p in people if p.warning or p.excused_unreached]
    people.sort(key=lambda p: (-(p.warning or 0), -len(p.excused_unreached), names[p.member.branch_id]))
    headers = ["党员", "支部", "期间参加次数", "最近一次参加", "连续未参加（月）", "预警", "请假未送学（次）"]

    def cells(p):
        return [p.member.name, names[p.member.branch_id], p.participations,
                p.last_participation.isoformat() if p.last_participation else "无记录", p.months_without,
                f"{p.warning}个月" if p.warning else "", len(p.excused_unreached)]
    if gate is not None:
        return gate.xlsx(f"党员参加组织生活情况{period.label}", headers, map(cells, people), org_path=root.path,
                         unit="人")
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "life/participation.html", {
        "title": "党员参加组织生活情况", "root": root, "period_text": text, "period": period, "error": error,
        "headers": headers, "rows": [cells(p) for p in page.object_list], "page_obj": page,
        "query": query.urlencode(), "only": only, "can_export": can(request.user, "export"),
    })


# ---- rulesets -------------------------------------------------------------------------------

class RulesetListView(ScopedListView):
    title = "组织生活规则"
    queryset = Ruleset.objects.select_related("owner", "based_on")
    default_ordering = "code"
    columns = [
        Column("name", "名称", link=True, sort="name"),
        Column("code", "编码", sort="code"),
        Column("owner.name", "制定单位", value=lambda r: r.owner.name if r.owner else "系统默认"),
        Column("is_fallback", "未指定时默认使用"),
    ]

    def get_rows(self):
        self.filterset = None
        qs = visible_rulesets(self.request.user).select_related("owner", "based_on")
        return qs.order_by(self.current_ordering() or "code", "pk")


@object_view(Ruleset)
@login_required
def ruleset_detail(request, pk: int):
    ruleset = visible_rulesets(request.user).filter(pk=pk).select_related("owner", "based_on").first()
    if ruleset is None:
        raise Http404("不在您的数据范围内，或记录不存在")
    versions = ruleset.versions.prefetch_related("rules__kind").order_by("-effective_from", "-number")
    can_edit = ruleset.owner_id is not None and can(request.user, "manage", ruleset)
    copy_form = RulesetCopyForm(request.POST or None) if not scope_for(request.user, "manage").empty else None
    if request.method == "POST" and copy_form is not None and copy_form.is_valid():
        owner = _common_root(request.user)
        if owner is None or not can(request.user, "manage", owner):
            raise PermissionDenied("只有管理员可以复制规则")
        try:
            copy = services.ruleset_copy(source=ruleset, owner=owner, **copy_form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                copy_form.add_error(field, errs)
        else:
            messages.success(request, f"已复制为「{copy.name}」，可以修改后指定给所辖组织")
            return redirect(copy)
    today = timezone.localdate()
    # Where it is set now (the policies of kind life.ruleset naming it), in the user's reach.
    assignments = restrict(PolicyVersion.objects.filter(policy__kind=LIFE_RULESET, values__ruleset=ruleset.pk)
                           .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
                           .select_related("policy__organization", "created_by"), request.user)
    return render(request, "life/ruleset_detail.html", {
        "title": ruleset.name, "ruleset": ruleset, "versions": versions, "can_edit": can_edit,
        "copy_form": copy_form, "assignments": assignments.order_by("policy__organization__path"),
    })


@object_view(Ruleset)
@login_required
def ruleset_revise(request, pk: int):
    ruleset = get_scoped_object_or_404(Ruleset, request.user, "manage", pk=pk)
    current = ruleset.current_version()
    existing = {r.kind_id: r for r in current.rules.all()} if current else {}
    initial = [{"kind": k.pk, "count": existing[k.pk].count if k.pk in existing else 0,
                "period": existing[k.pk].period if k.pk in existing else Period.YEAR,
                "per_member": existing[k.pk].per_member if k.pk in existing else False}
               for k in MeetingKind.objects.all()]
    kinds = list(MeetingKind.objects.all())
    formset = RuleFormSet(request.POST or None, initial=initial, prefix="rules")
    vform = RulesetVersionForm(request.POST or None, initial={
        "effective_from": timezone.localdate().replace(day=1),
        "due_soon_days": current.due_soon_days if current else 15})
    if request.method == "POST" and formset.is_valid() and vform.is_valid():
        rules = [{"kind": f.cleaned_data["kind"], "count": f.cleaned_data.get("count") or 0,
                  "period": f.cleaned_data["period"], "per_member": f.cleaned_data.get("per_member", False)}
                 for f in formset.forms]
        services.ruleset_revise(ruleset=ruleset, rules=rules, **vform.cleaned_data)
        messages.success(request, "已保存新版本；此前各期仍按当时有效的版本计算")
        return redirect(ruleset)
    return render(request, "life/ruleset_form.html", {
        "title": f"修订规则：{ruleset.name}", "ruleset": ruleset, "formset": formset, "vform": vform,
        "rows": list(zip(kinds, formset.forms)),
    })


# ---- learning -------------------------------------------------------------------------------

class StudyRecordListView(ScopedListView):
    title = "学习纪实档案"
    queryset = StudyRecord.objects.select_related("membership__retiree", "organization")
    filterset_class = StudyRecordFilterSet
    default_ordering = "-studied_on"
    create_url_name = "life:study_create"
    columns = [
        Column("studied_on", "日期", sort="studied_on"),
        Column("membership.retiree.name", "党员", sort="membership__retiree__name_pinyin"),
        Column("organization.name", "党组织"),
        Column("mode", "方式", value=lambda s: s.get_mode_display(), sort="mode"),
        Column("material_title", "学习内容"),
        Column("deliverer", "送学人"),
        Column("reflection", "心得 / 反馈"),
    ]


def _study_initial(request, memberships) -> dict:
    """Pre-fill from the page the user came from: ?membership= or ?retiree= (the person), ?mode=, ?date=;
    the deliverer is the user (送学上门 is usually recorded by whoever went)."""
    from .models import StudyMode

    initial = {"studied_on": timezone.localdate(), "mode": StudyMode.HOME_DELIVERY,
               "deliverer": getattr(request.user, "display_name", "")}
    mid = parse_id(request.GET.get("membership"))
    rid = parse_id(request.GET.get("retiree"))
    if mid or rid:
        found = memberships.filter(pk=mid) if mid else memberships.filter(retiree_id=rid)
        pk = found.values_list("pk", flat=True).first()
        if pk:
            initial["membership"] = pk
    if request.GET.get("mode") in StudyMode.values:
        initial["mode"] = request.GET["mode"]
    day = request.GET.get("date") or ""
    try:
        d = dt.date.fromisoformat(day)
    except ValueError:
        d = None
    if d and d <= timezone.localdate():
        initial["studied_on"] = d
    return initial


@login_required
def study_create(request):
    from changqing.members.models import Membership, MembershipState

    memberships = restrict(Membership.objects.filter(state=MembershipState.ACTIVE), request.user, "change") \
        .select_related("retiree").order_by("retiree__name_pinyin")
    if not memberships.exists():
        raise PermissionDenied("您没有可以记录学习的党员")
    form = StudyRecordForm(request.POST or None, memberships=memberships,
                           initial=_study_initial(request, memberships))
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        record.organization_id = record.membership.organization_id
        record.save()
        messages.success(request, f"已记录 {record.membership.retiree.name} 的{record.get_mode_display()}")
        return redirect("life:study")
    return render(request, "core/form.html", {"title": "记录学习（送学上门 / 网上助学 / 自学）", "form": form,
                                              "cancel_url": reverse("life:study")})


class TrainingCourseListView(ScopedListView):
    title = "培训班"
    filterset_class = TrainingCourseFilterSet
    default_ordering = "-start_on"
    columns = [
        Column("name", "培训名称", link=True, sort="name"),
        Column("kind", "类型", value=lambda c: c.get_kind_display()),
        Column("organization.name", "举办组织"),
        Column("start_on", "开始日期", sort="start_on"),
        Column("session_count", "场次", sort="session_count"),
        Column("person_times", "人次", sort="person_times"),
    ]

    @property
    def queryset(self):
        from django.db.models import Count

        return TrainingCourse.objects.select_related("organization").annotate(
            session_count=Count("sessions", distinct=True), person_times=Count("sessions__attendees"))


@object_view(TrainingCourse)
@login_required
def course_detail(request, pk: int):
    from django.db.models import Count

    course = get_scoped_object_or_404(TrainingCourse.objects.select_related("organization"), request.user, pk=pk)
    sessions = course.sessions.annotate(n=Count("attendees")).order_by("held_on")
    return render(request, "life/course_detail.html", {
        "title": course.name, "course": course, "sessions": sessions,
        "person_times": sum(s.n for s in sessions),
    })


# ---- work lists and bulletins ---------------------------------------------------------------

class WorkListListView(ScopedListView):
    title = "工作清单"
    queryset = WorkList.objects.select_related("publisher")
    default_ordering = "-month"
    columns = [
        Column("month", "月份", sort="month", value=lambda w: f"{w.month:%Y年%m月}"),
        Column("title", "标题", link=True),
        Column("kind", "类型", value=lambda w: w.get_kind_display()),
        Column("publisher.name", "发布组织"),
        Column("published_at", "发布时间"),
    ]

    def get_rows(self):
        self.filterset = None
        # Branches see the lists published to them as well as those they publish.
        received = restrict(WorkListReceipt.objects.all(), self.request.user).values("work_list_id")
        mine = restrict(WorkList.objects.all(), self.request.user).values("pk")
        qs = self.queryset.filter(Q(pk__in=received) | Q(pk__in=mine))
        return qs.order_by(self.current_ordering() or "-month", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["create_url_name"] = "life:worklist_create" if not scope_for(self.request.user, "manage").empty else None
        return ctx


@login_required
def worklist_create(request):
    root = _common_root(request.user)
    if root is None or not can(request.user, "manage", root):
        raise PermissionDenied("只有上级管理员可以发布工作清单")
    form = WorkListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from django.db import transaction

        with transaction.atomic():
            wl = form.save(commit=False)
            wl.publisher = root
            wl.save()
            theme = MeetingKind.objects.filter(code="theme_day").first()
            WorkItem.objects.bulk_create([
                WorkItem(work_list=wl, order=n, title=title, due_on=due,
                         kind=theme if wl.kind == "theme_day" else None)
                for n, (title, due) in enumerate(form.cleaned_data["items"], start=1)])
            count = services.worklist_publish(work_list=wl)
        messages.success(request, f"已向 {count} 个支部发布「{wl.title}」")
        return redirect(wl)
    return render(request, "core/form.html", {"title": "发布工作清单", "form": form,
                                              "cancel_url": reverse("life:worklists")})


@object_view(WorkList)
@login_required
def worklist_detail(request, pk: int):
    received = restrict(WorkListReceipt.objects.filter(work_list_id=pk), request.user)
    wl = WorkList.objects.filter(pk=pk).select_related("publisher").first()
    if wl is None or not (can(request.user, "view", wl) or received.exists()):
        raise Http404("不在您的数据范围内，或记录不存在")
    items = list(wl.items.all())
    receipts = list(received.select_related("organization").prefetch_related("completions"))
    table = [(r, [any(c.item_id == i.pk for c in r.completions.all()) for i in items]) for r in receipts]
    return render(request, "life/worklist_detail.html", {
        "title": wl.title, "wl": wl, "items": items, "table": table,
        "acknowledged": sum(1 for r in receipts if r.acknowledged_at),
    })


@object_view(WorkListReceipt)
@login_required
def receipt_detail(request, pk: int):
    receipt = get_scoped_object_or_404(WorkListReceipt.objects.select_related("work_list", "organization"),
                                       request.user, pk=pk)
    can_change = can(request.user, "change", receipt)
    error = None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("您无权办理此清单")
        if request.POST.get("action") == "ack":
            services.receipt_acknowledge(receipt=receipt, user=request.user)
            messages.success(request, "已签收")
            return redirect(receipt)
        item = receipt.work_list.items.filter(pk=request.POST.get("item") or 0).first()
        meeting = Meeting.objects.filter(pk=request.POST.get("meeting") or 0, organization=receipt.organization,
                                         state=MeetingState.HELD).first()
        if item is None:
            error = "请选择事项"
        else:
            try:
                services.item_complete(receipt=receipt, item=item, meeting=meeting, user=request.user,
                                       note=request.POST.get("note", "")[:200])
            except ValidationError as exc:
                error = "；".join(m for msgs in exc.message_dict.values() for m in msgs)
            else:
                messages.success(request, f"「{item.title}」已完成")
                return redirect(receipt)
    done = {c.item_id: c for c in receipt.completions.select_related("meeting__kind")}
    items = [(i, done.get(i.pk)) for i in receipt.work_list.items.all()]
    wl = receipt.work_list
    meetings = Meeting.objects.filter(organization=receipt.organization, state=MeetingState.HELD,
                                      held_on__gte=wl.month - dt.timedelta(days=31)).select_related("kind")[:30]
    return render(request, "life/receipt_detail.html", {
        "title": f"{wl.title} · {receipt.organization.name}", "receipt": receipt, "items": items,
        "meetings": meetings, "can_change": can_change, "error": error,
    }, status=400 if error else 200)


@login_required
def bulletin_list(request):
    root = _root(request)
    bulletins = restrict(Bulletin.objects.select_related("organization"), request.user) \
        .filter(in_subtree(root.path, "organization"))[:36]
    error = None
    if request.method == "POST":
        if not can(request.user, "manage", root):
            raise PermissionDenied("只有管理员可以生成月通报")
        try:
            month = engine.parse_period(request.POST.get("month", ""))
            if len(month.months) != 1:
                raise engine.PeriodError("请选择一个月份")
        except engine.PeriodError as exc:
            error = str(exc)
        else:
            from .bulletin import bulletin_generate

            b = bulletin_generate(organization=root, month=month.start, user=request.user)
            messages.success(request, f"已生成{b}")
            return redirect(f"{reverse('life:bulletins')}?org={root.code}")
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return render(request, "life/bulletins.html", {
        "title": "月通报", "root": root, "bulletins": bulletins, "error": error,
        "default_month": f"{last:%Y-%m}", "can_manage": can(request.user, "manage", root),
    }, status=400 if error else 200)


@object_view(Bulletin, samples={"fmt": "docx"})
@login_required
def bulletin_file(request, pk: int, fmt: str):
    b = get_scoped_object_or_404(Bulletin, request.user, pk=pk)
    f = b.docx if fmt == "docx" else b.pdf
    if not f:
        raise Http404("该格式的文件尚未生成")
    return ExportGate(request).file(b, f, f"{b}.{fmt}", f"下载「{b}」{fmt}", org_path=b.organization.path)
