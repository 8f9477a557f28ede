from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import cached_property
from django.shortcuts import redirect, render
from django.utils import timezone

from changqing.core.scope import can, get_scoped_object_or_404, object_view
from changqing.core.changelog import history_for
from changqing.core.lists import Column, ScopedListView

from .filters import FindingFilterSet
from .forms import DecideForm, RunAuditForm
from .models import Finding, FindingKind, FindingStatus
from .selectors import (
    figures_text,
    finding_assessments,
    finding_meetings,
    finding_photos,
    highlighted,
    reason_labels,
    shared_norms,
)
from .services import finding_decide


RECORD_DATE = {"meeting": "会议日期", "visit": "走访日期", "study": "学习日期"}


def _summary(f: Finding) -> str:
    """What the finding says, and which rule fired by how much (evidence["rule"], where the engine gives it)."""
    text = _situation(f)
    rule = f.evidence.get("rule")
    return f"{text}。触发规则：{rule}" if rule else text


def _situation(f: Finding) -> str:
    e = f.evidence
    if f.kind == FindingKind.BACKFILL:
        return (f"{RECORD_DATE.get(e.get('record', 'meeting'), '日期')}{e.get('held_on')}，{e.get('entered_on')}才录入，"
                f"晚{e.get('lag_days')}天")
    if f.kind == FindingKind.RUSH:
        return f"考核日{e.get('assessment_on')}前集中补录{e.get('rushed_entries')}条，是平时的{e.get('ratio')}倍"
    if f.kind == FindingKind.COPIED_MINUTES:
        return f"两份会议记录相似度{round(100 * e.get('jaccard', 0))}%"
    if f.kind == FindingKind.PHOTO_REUSE:
        return f"同一照片出现在{len(e.get('meetings', []))}次活动中"
    if f.kind == FindingKind.RATING_CONTRADICTION:
        return (f"“{e.get('item_name')}”评分人给{_num(e.get('reviewer_score'))}分，"
                f"按记录只应得{_num(e.get('data_score'))}分（满分{_num(e.get('weight'))}）")
    return "；".join(reason_labels(e))


def _num(value) -> str:
    return f"{float(value or 0):g}"


def _history(finding):
    labels = dict(FindingStatus.choices)
    out = []
    for h in history_for(finding)[:20]:
        after = h.after or {}
        out.append({"time": h.time, "who": h.user_name or "系统", "action": h.get_action_display(),
                    "status": labels.get(after.get("status"), ""), "reason": after.get("reason", "")})
    return out


class FindingListView(ScopedListView):
    template_name = "audit/findings.html"
    title = "诚信审计发现"
    queryset = Finding.objects.select_related("organization")
    filterset_class = FindingFilterSet
    default_ordering = "-score"
    columns = [
        Column("kind", "问题类型", sort="kind", link=True, value=lambda f: f.get_kind_display()),
        Column("organization.name", "支部", sort="organization__path"),
        Column("organization.code", "支部编码", export=True),
        Column("summary", "情况", value=_summary),
        Column("severity", "严重程度", sort="severity", value=lambda f: f.get_severity_display()),
        Column("score", "需要核实的程度", sort="score", value=lambda f: f.score_word),
        Column("period", "年度", sort="period"),
        Column("status", "核实状态", sort="status", value=lambda f: f.get_status_display()),
        Column("reason", "核实说明"),
    ]

    def get_context_data(self, **kwargs):
        from changqing.core.scope import scope_for

        ctx = super().get_context_data(**kwargs)
        ctx["can_run"] = not scope_for(self.request.user, "manage").empty
        if not self.sees_measure:
            ctx["title"] = "需要核实的记录"
        return ctx

    @cached_property
    def sees_measure(self) -> bool:
        return _sees_measure(self.request.user)

    def render_row(self, row):
        cells = super().render_row(row)
        if self.sees_measure:  # the bureau's auditors still see the rule's measure
            for cell in cells:
                if cell["label"] == "需要核实的程度":
                    cell["value"] = f"{cell['value']}（{round(row.score * 100)}%）"
        return cells


def _sees_measure(user) -> bool:
    """Bureau admins see the audit's measure (a percentage); a branch reads 需要核实的记录 in words."""
    from changqing.core.roles import Role

    return user.is_superuser or any(a.role == Role.BUREAU_ADMIN for a in user.role_assignments.all())


@object_view(Finding)
@login_required
def finding_detail(request, pk):
    finding = get_scoped_object_or_404(Finding.objects.select_related("organization", "decided_by"), request.user,
                                       pk=pk)
    can_decide = can(request.user, "manage", finding)
    form = DecideForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            messages.error(request, "您没有核实审计发现的权限")
            return redirect(finding)
        if form.is_valid():
            try:
                finding_decide(finding=finding, user=request.user, status=form.cleaned_data["status"],
                               reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    for e in errs:
                        form.add_error(field if field in form.fields else None, e)
            else:
                messages.success(request, f"已记录核实结论：{finding.get_status_display()}")
                return redirect(finding)
    meetings = finding_meetings(finding, request.user)
    side_by_side = []
    if finding.kind == FindingKind.COPIED_MINUTES:
        shared = shared_norms(finding.evidence)
        side_by_side = [(m, highlighted(m.minutes, shared, bool(finding.evidence.get("normalised"))))
                        for m in meetings]
    return render(request, "audit/finding_detail.html", {
        "title": f"{finding.get_kind_display()}：{finding.organization.name}", "f": finding,
        "summary": _summary(finding), "reasons": reason_labels(finding.evidence), "meetings": meetings,
        "side_by_side": side_by_side, "photos": finding_photos(finding, request.user),
        "assessments": finding_assessments(finding, request.user), "figures_text": figures_text(finding.evidence),
        "form": form if can_decide else None, "history": _history(finding),
        "sees_measure": _sees_measure(request.user),
    })


@login_required
def run_audit(request):
    """Start the audit over a subtree and year as a background job; the job page shows progress."""
    from changqing.core.scope import scope_for
    from changqing.core.jobs import job_start

    if scope_for(request.user, "manage").empty:
        raise PermissionDenied("只有管理员可以发起诚信审计")
    initial = {"year": timezone.localdate().year - 1}
    form = RunAuditForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        org, year = form.cleaned_data["organization"], form.cleaned_data["year"]
        job = job_start(kind="audit.run", user=request.user, func="audit.run",
                        params={"org_id": org.pk, "year": year}, title=f"诚信审计：{org.name} {year}年度",
                        org_path=org.path)
        return redirect(job)
    return render(request, "core/form.html", {"title": "发起诚信审计", "form": form,
                                              "cancel_url": "/audit/"})
