"""Background jobs for large roster files: the check and the import, with progress on the job page."""
from changqing.core.jobs import job_progress, register_job

from . import services
from .models import RosterUpload


def _progress(job, verb):
    def report(done: int, estimated: int):
        percent = 99 if not estimated else min(99, done * 100 // max(estimated, 1))
        job_progress(job, percent, f"已{verb} {done} 行")
    return report


def _result(upload: RosterUpload) -> dict:
    upload.refresh_from_db()
    if upload.error_count:
        summary = f"发现 {upload.error_count} 处错误，未导入"
    else:
        summary = f"新增 {upload.created} 人，更新 {upload.updated} 人，无变化 {upload.unchanged} 人"
    return {"url": upload.get_absolute_url(), "label": "查看结果", "summary": summary}


@register_job("roster.check", title="检查名册文件")
def check_job(job, *, upload_id: int):
    upload = RosterUpload.objects.select_related("organization").get(pk=upload_id, owner=job.owner)
    services.roster_upload_check(upload=upload, user=job.owner, progress=_progress(job, "检查"))
    return _result(upload)


@register_job("roster.import", title="导入名册")
def import_job(job, *, upload_id: int):
    upload = RosterUpload.objects.select_related("organization").get(pk=upload_id, owner=job.owner)
    services.roster_upload_import(upload=upload, user=job.owner, progress=_progress(job, "导入"))
    return _result(upload)
