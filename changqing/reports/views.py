"""年度报告 pages: ask for a document (a background job with progress), list the generated ones, download."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from changqing.core.export_gate import ExportGate
from changqing.core.scope import get_scoped_object_or_404, object_view, restrict, scope_for
from changqing.core.forms import apply_errors

from .forms import GenerateForm
from .models import GeneratedReport, ReportKind
from .services import check_request
from .statistics import stats_available

LISTED = 50


def _require_export(request):
    if scope_for(request.user, "export").empty:
        raise PermissionDenied("您没有生成和下载年度报告的权限")


@login_required
def index(request):
    _require_export(request)
    form = GenerateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        org, year, kind = (form.cleaned_data[k] for k in ("organization", "year", "kind"))
        try:
            check_request(organization=org, year=year, kind=kind)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            from changqing.core.jobs import job_start

            label = dict(ReportKind.choices)[kind]
            job = job_start(kind="reports.generate", user=request.user, func="reports.generate",
                            params={"org_id": org.pk, "year": year, "kind": kind},
                            title=f"{label}：{org.name} {year}年", org_path=org.path)
            return redirect(job)
    reports = restrict(GeneratedReport.objects.select_related("organization", "created_by"), request.user, "export")
    return render(request, "reports/index.html", {
        "title": "年度报告", "form": form, "reports": reports[:LISTED], "stats_available": stats_available(),
    }, status=400 if form.errors else 200)


@object_view(GeneratedReport)
@login_required
def detail(request, pk: int):
    report = get_scoped_object_or_404(GeneratedReport.objects.select_related("organization", "created_by"),
                                      request.user, "export", pk=pk)
    return render(request, "reports/detail.html", {"title": str(report), "report": report,
                                                   "figures": figure_rows(report)})


SUMMARY_FIGURES = [
    ("branches", "纳入统计的党支部（个）"), ("meetings", "开展组织生活（次）"), ("attendance_rate", "党员参加率（%）"),
    ("deliveries", "送学上门（人次）"), ("dues_due", "应缴党费（元）"), ("dues_paid", "实缴党费（元）"),
    ("visits", "走访慰问（人次）"), ("volunteer_hours", "志愿服务时长（小时）"), ("findings_confirmed", "确认的审计问题（项）"),
]


def figure_rows(report) -> list[tuple[str, object]]:
    """The headline figures kept with the report, with their Chinese names."""
    if report.kind == ReportKind.SUMMARY:
        labels = SUMMARY_FIGURES
    else:
        try:
            from changqing.stats.selectors import FIGURES

            labels = [(k, f"{v}（{'个' if k.startswith('organizations') else '人'}）") for k, v in FIGURES]
        except ImportError:
            labels = [(k, k) for k in report.figures]
    return [(label, report.figures[key]) for key, label in labels if key in report.figures]


@object_view(GeneratedReport, samples={"fmt": "docx"})
@login_required
def download(request, pk: int, fmt: str):
    report = get_scoped_object_or_404(GeneratedReport.objects.select_related("organization"), request.user, "export",
                                      pk=pk)
    f = {"docx": report.docx, "pdf": report.pdf}.get(fmt)
    if not f:
        raise Http404("该格式的文件未生成")
    return ExportGate(request).file(report, f, f"{report}.{fmt}", f"下载《{report}》{fmt.upper()}",
                                    org_path=report.organization.path, data={"report_id": report.pk, "format": fmt})
