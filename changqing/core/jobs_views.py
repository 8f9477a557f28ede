"""Pages of background jobs: my jobs, one job's progress (htmx poll), its result file."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from changqing.core.export_gate import ExportGate
from changqing.core.scope import object_view

from .lists import Column, ScopedListView
from .models import Job
from .jobs import JobError, live_progress, rerun, sweep_stale_jobs
from .filters import JobFilterSet


def _own_job_or_404(request, pk: int) -> Job:
    # A job belongs to the person who started it: anyone else gets 404, whatever their role.
    job = Job.objects.filter(pk=pk, owner=request.user).first()
    if job is None:
        raise Http404("任务不存在，或不是您发起的任务")
    return job


def _job_context(job: Job) -> dict:
    progress, message = live_progress(job)
    result = job.result if isinstance(job.result, dict) else {}
    return {
        "job": job,
        "progress": progress,
        "message": message,
        "result_url": result.get("url", ""),
        "result_label": result.get("label", "查看结果"),
        "result_summary": result.get("summary", ""),
    }


@object_view(Job)
@login_required
def job_detail(request, pk: int):
    job = _own_job_or_404(request, pk)
    if job.status == Job.Status.RUNNING and sweep_stale_jobs(job_ids=[job.pk])["failed"]:
        job.refresh_from_db()  # its worker died: shown as 失败 now, not when the next sweep runs
    ctx = _job_context(job)
    if request.headers.get("HX-Request"):
        return render(request, "core/_job_status.html", ctx)
    return render(request, "core/job.html", {"title": job.title, **ctx})


@object_view(Job)
@login_required
def job_download(request, pk: int):
    job = _own_job_or_404(request, pk)
    if not job.result_file or job.status != Job.Status.SUCCEEDED:
        raise Http404("该任务没有结果文件")
    # The file was made for the organisation the job is filed under: it must still be exportable.
    return ExportGate(request).file(job, job.result_file, job.result_file.original_name,
                                    f"下载后台任务「{job.title}」的结果文件", org_path=job.org_path)


@object_view(Job)
@require_POST
@login_required
def job_rerun(request, pk: int):
    """重新运行: a failed job started again as a new job with the same parameters, by its owner."""
    job = _own_job_or_404(request, pk)
    try:
        new = rerun(job, request.user)
    except JobError as exc:
        messages.error(request, str(exc))
        return redirect(job)
    messages.success(request, f"已重新运行「{job.title}」")
    return redirect(new)


class JobListView(ScopedListView):
    """The jobs the user started. Ownership is the scope here, so every logged-in user has a list."""

    title = "我的后台任务"
    queryset = Job.objects.all()
    filterset_class = JobFilterSet
    default_ordering = "-created_at"
    columns = [
        Column("title", "任务", link=True, sort="title"),
        Column("status", "状态", value=lambda r: r.get_status_display(), sort="status"),
        Column("progress", "进度", value=lambda r: f"{r.progress}%"),
        Column("created_at", "发起时间", sort="created_at"),
        Column("finished_at", "结束时间", sort="finished_at"),
    ]

    def get_rows(self):
        qs = self.queryset.filter(owner=self.request.user)
        self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
        if self.filterset.is_bound and self.filterset.is_valid():
            qs = self.filterset.qs
        return qs.order_by(self.current_ordering(), "pk")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return super().get(request, *args, **kwargs)
        return super(ScopedListView, self).get(request, *args, **kwargs)
