"""Background jobs with progress: imports, audits and reports run as a `Job`.

    job = job_start(kind="roster.import", user=request.user, func="roster.import",
                    params={"upload_id": 7}, org_path=branch.path)
    return redirect(job)   # /jobs/<id>/ shows a progress bar that polls every second

The function is a registered name (`@register_job("roster.import", title=...)`)
or a dotted path, called as `func(job, **params)`. It reports progress with
`job_progress(job, percent, message)` and returns a JSON-able result; `url`
and `label` in the result become the link on the status page. Raise
`JobError("第 3 行…")` for a failure the user should read as is. The function
runs in one transaction: when it fails, nothing it wrote is kept.

With no CELERY_BROKER_URL the job runs at once in the calling process (tests,
a laptop); with a broker it is enqueued after the current transaction commits.
"""
from __future__ import annotations

import logging
import traceback as tb
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .context import acting_as
from .models import Job

logger = logging.getLogger(__name__)

GENERIC_ERROR = "任务执行时发生意外错误，已记录技术细节，请稍后重试或联系系统管理员。"


class JobError(Exception):
    """A failure whose message (Chinese) is shown to the user as is."""


@dataclass(frozen=True)
class JobFunction:
    name: str
    func: Callable
    title: str


_registry: dict[str, JobFunction] = {}


def register_job(name: str, *, title: str):
    """Decorator: make `func(job, **params)` startable by `name`, shown as `title`."""

    def decorate(func):
        _registry[name] = JobFunction(name=name, func=func, title=title)
        return func

    return decorate


def registered_jobs() -> dict[str, JobFunction]:
    return dict(_registry)


def resolve(func: str) -> Callable:
    if func in _registry:
        return _registry[func].func
    if "." not in func:
        raise JobError(f"未登记的任务函数：{func}")
    try:
        return import_string(func)
    except ImportError as exc:
        raise JobError(f"找不到任务函数：{func}") from exc


def _default_org_path(user) -> str:
    """The user's own organisation: the shortest path they may view (a job outlives the request)."""
    from changqing.core.scope import scope_for

    paths = sorted(scope_for(user, "view").org_paths, key=len)
    return paths[0] if paths else ""


def job_start(*, kind: str, user, func: str | Callable, params: dict | None = None,
              title: str = "", org_path: str | None = None) -> Job:
    """Create a job for `user` and run it (eagerly without a broker, else on a worker)."""
    if callable(func):
        func = f"{func.__module__}.{func.__qualname__}"
    resolve(func)  # fail now, in the caller's request, not later on a worker
    if not title:
        registered = _registry.get(func)
        title = registered.title if registered else "后台任务"
    job = Job.objects.create(
        kind=kind, title=title[:200], owner=user, func=func, params=params or {},
        org_path=_default_org_path(user) if org_path is None else org_path,
        message="等待执行",
    )
    from .tasks import run_job

    if settings.CELERY_TASK_ALWAYS_EAGER:
        run_job.apply(args=[job.pk])
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: run_job.delay(job.pk))
    return job


def _cache_key(job_id: int) -> str:
    return f"changqing:job:{job_id}:progress"


def job_progress(job: Job, percent: int | float, message: str = "") -> None:
    """Report progress (0–100) with a Chinese message.

    Written to the cache (Redis in production) so the status page sees it even
    while the job holds a long transaction, and to the row when it changed.
    """
    percent = max(0, min(100, int(percent)))
    message = message[:300]
    cache.set(_cache_key(job.pk), {"progress": percent, "message": message}, timeout=24 * 3600)
    if percent != job.progress or message != job.message:
        job.progress, job.message = percent, message
        Job.objects.filter(pk=job.pk).update(progress=percent, message=message)


def live_progress(job: Job) -> tuple[int, str]:
    """Progress for display: the cache while running, the row otherwise."""
    if job.status == Job.Status.RUNNING:
        cached = cache.get(_cache_key(job.pk))
        if cached:
            return cached["progress"], cached["message"]
    return job.progress, job.message


def job_attach_file(job: Job, filename: str, content: bytes) -> None:
    """Keep a file the job produced; only its owner can download it."""
    job.result_file.save(filename, ContentFile(content), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)


def _user_message(exc: BaseException) -> str:
    if isinstance(exc, JobError):
        return str(exc)
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return GENERIC_ERROR


def run(job_id: int) -> Job:
    """Execute a job in this process; called by the Celery task."""
    job = Job.objects.select_related("owner").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return job  # a redelivered message must not run the work twice
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, message="正在执行")
    job.status, job.started_at = Job.Status.RUNNING, now
    try:
        # All-or-nothing: a job that fails half-way leaves no half-written records.
        with acting_as(job.owner), transaction.atomic():
            result = resolve(job.func)(job, **job.params)
    except (JobError, ValidationError) as exc:  # the input was wrong: the user reads why
        logger.info("后台任务 %s（%s）未完成：%s", job.pk, job.func, exc)
        job.status, job.error, job.message = Job.Status.FAILED, _user_message(exc), "任务失败"
    except Exception as exc:  # a bug or an outage: a generic message, the details for administrators
        logger.exception("后台任务 %s（%s）出错", job.pk, job.func)
        job.status, job.error, job.message = Job.Status.FAILED, _user_message(exc), "任务失败"
        job.traceback = tb.format_exc()
    else:
        job.status, job.result = Job.Status.SUCCEEDED, result
        job.progress, job.message = 100, "已完成"
    job.finished_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=job.status, error=job.error, traceback=job.traceback, result=job.result,
        progress=job.progress, message=job.message, finished_at=job.finished_at,
    )
    cache.delete(_cache_key(job.pk))
    _notify_owner(job)
    return job


def _notify_owner(job: Job) -> None:
    from .notify import notify

    if job.status == Job.Status.SUCCEEDED:
        title = f"「{job.title}」已完成"
    else:
        title = f"「{job.title}」失败"
    notify(job.owner, title, job.error, job.get_absolute_url(), channels=["inapp"], kind="job",
           org_path=job.org_path)
