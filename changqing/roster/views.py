"""Roster pages: upload → preview (errors or a summary) → confirm; the template; the export."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from changqing.core.exports import watermark_text
from changqing.core.export_gate import ExportGate
from changqing.core.scope import get_scoped_object_or_404, object_view, scope_for
from changqing.core.lists import Column, ScopedListView
from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation
from changqing.members.filters import RetireeFilterSet
from changqing.members.models import Retiree

from . import rules, services
from .forms import UploadForm
from .models import RosterUpload
from .sheets import TEMPLATE_TITLE, error_workbook, retiree_row, roster_workbook
from .filters import UploadFilterSet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 500


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _jobs_available() -> bool:
    try:
        from changqing.core import jobs  # noqa: F401
    except ImportError:
        return False
    return True


@login_required
def template_xlsx(request):
    return _xlsx(roster_workbook([], title=f"{TEMPLATE_TITLE}（导入模板）"), "离退休干部名册导入模板.xlsx")


@login_required
def export_xlsx(request):
    """The people of the /retirees/ list with the same filters, in the template's layout, as far as exportable."""
    gate = ExportGate(request)
    qs = gate.rows(Retiree.objects.select_related("organization", "membership", "membership__organization"))
    filterset = RetireeFilterSet(request.GET or None, queryset=qs, request=request)
    if filterset.is_bound and filterset.is_valid():
        qs = filterset.qs
    qs = qs.order_by("organization__path", "name_pinyin", "pk")
    unmask_scope = scope_for(request.user, "unmask")
    unmasked = 0

    def rows():
        nonlocal unmasked
        for r in gate.capped(gate.objects(qs)):
            unmask = unmask_scope.covers_path(r.organization.path) or r.pk in unmask_scope.retiree_ids
            unmasked += unmask
            yield retiree_row(r, unmask=unmask)

    today = timezone.localdate()
    data = roster_workbook(rows(), title=f"{TEMPLATE_TITLE}（导出于{today:%Y年%m月%d日}，可修改后再导入）",
                           watermark=gate.watermark)
    query = request.GET.urlencode()
    gate.log(f"导出名册（可再导入）{gate.count} 人", data={"rows": gate.count, "unmasked": unmasked})
    if unmasked:
        log_operation(OperationLog.Event.UNMASK, request=request, detail=f"导出名册含完整身份证号和电话 {unmasked} 人",
                      data={"query": query, "rows": unmasked})
    return _xlsx(data, f"离退休干部名册_{today:%Y%m%d}.xlsx")


@login_required
def import_start(request):
    change = scope_for(request.user, "change")
    if not (change.everything or change.org_paths):
        raise PermissionDenied("您没有导入名册的权限：名册导入到组织，需要管理某个组织的权限")
    form = UploadForm(request.POST if request.method == "POST" else None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        r = rules.current()
        services.roster_uploads_purge(older_than=dt.timedelta(days=r.keep_upload_days))
        services.roster_uploads_abandon(owner=request.user)
        f = form.cleaned_data["file"]
        org = form.cleaned_data["organization"]
        upload = RosterUpload.objects.create(
            owner=request.user, organization=org, file=f, original_name=f.name[:200],
            org_path=services.default_org_path(request.user, org), status=RosterUpload.Status.CHECKING,
        )
        if f.size > r.background_bytes and _jobs_available():
            return _start_job(request, upload, "roster.check")
        services.roster_upload_check(upload=upload, user=request.user)
        return redirect(upload)
    recent = RosterUpload.objects.filter(owner=request.user).order_by("-uploaded_at")[:5]
    return render(request, "roster/import.html", {"title": "导入名册", "form": form, "recent": recent})


def _start_job(request, upload: RosterUpload, func: str):
    from changqing.core.jobs import job_start

    job = job_start(kind=func, user=request.user, func=func, params={"upload_id": upload.pk},
                    org_path=upload.org_path)
    RosterUpload.objects.filter(pk=upload.pk).update(job_id=job.pk)
    return redirect(upload)


def _own_upload(request, pk) -> RosterUpload:
    # Only the person who uploaded a file may open it: it holds personal data.
    return get_scoped_object_or_404(RosterUpload.objects.filter(owner=request.user).select_related("organization"),
                                    request.user, "change", pk=pk)


@object_view(RosterUpload)
@login_required
def upload_detail(request, pk: int):
    upload = _own_upload(request, pk)
    job = None
    if upload.job_id and upload.status in (upload.Status.CHECKING, upload.Status.IMPORTING):
        from changqing.core.models import Job

        job = Job.objects.filter(pk=upload.job_id, owner=request.user).first()
    errors = upload.errors
    return render(request, "roster/upload.html", {
        "title": f"导入名册：{upload.original_name}", "upload": upload, "job": job,
        "errors": errors[:ERRORS_SHOWN], "errors_hidden": max(0, upload.error_count - min(len(errors), ERRORS_SHOWN)),
        "ignored": upload.report.get("ignored", []), "samples": upload.report.get("samples", []),
        "form": UploadForm(user=request.user, initial={"organization": upload.organization_id}),
        "can_download_errors": bool(upload.file) and upload.error_count and upload.header_row,
    })


@object_view(RosterUpload)
@require_POST
@login_required
def upload_confirm(request, pk: int):
    upload = _own_upload(request, pk)
    if upload.status != upload.Status.PREVIEWED or not upload.file:
        messages.warning(request, "这份文件不能导入：请重新上传")
        return redirect(upload)
    if upload.rows > rules.current().background_rows and _jobs_available():
        RosterUpload.objects.filter(pk=upload.pk).update(status=upload.Status.IMPORTING)
        return _start_job(request, upload, "roster.import")
    report = services.roster_upload_import(upload=upload, user=request.user, request=request)
    if report is not None and report.imported:
        messages.success(request, f"已导入：新增 {report.created} 人，更新 {report.updated} 人，无变化 {report.unchanged} 人")
    else:
        messages.error(request, "导入时发现错误（名册在检查后有变动），未导入任何数据，请看下面的错误说明")
    return redirect(upload)


@object_view(RosterUpload)
@login_required
def upload_errors(request, pk: int):
    upload = _own_upload(request, pk)
    if not upload.file or not upload.error_count or not upload.header_row:
        raise Http404("没有可下载的错误表")
    stem = upload.original_name.rsplit(".", 1)[0]
    if upload.report.get("error_sheet"):  # written by the check; the upload itself was deleted then
        with upload.file.open("rb") as fh:
            return _xlsx(fh.read(), f"{stem}_错误说明.xlsx")
    data = error_workbook(upload.file.path, upload.original_name, upload.errors, rules.current().header_scan_rows,
                          watermark=watermark_text(request.user))
    return _xlsx(data, f"{stem}_错误说明.xlsx")



class UploadListView(ScopedListView):
    """导入记录: every roster import in the user's scope, for the record of who imported what."""

    title = "名册导入记录"
    queryset = RosterUpload.objects.select_related("owner", "organization")
    filterset_class = UploadFilterSet
    default_ordering = "-uploaded_at"
    columns = [
        Column("original_name", "文件名", sort="original_name"),
        Column("owner", "上传人", value=lambda u: (getattr(u.owner, "full_name", "") or u.owner.get_username())
               if u.owner_id else "系统初始导入"),
        Column("uploaded_at", "上传时间", sort="uploaded_at"),
        Column("status", "状态", sort="status", value=lambda u: u.get_status_display()),
        Column("rows", "数据行数", sort="rows"),
        Column("created", "新增", sort="created"),
        Column("updated", "更新", sort="updated"),
        Column("error_count", "错误数", sort="error_count"),
    ]

    def render_row(self, row):
        cells = super().render_row(row)
        if row.owner_id == self.request.user.pk:
            cells[0]["url"] = row.get_absolute_url()
        return cells
