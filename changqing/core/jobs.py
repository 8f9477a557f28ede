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
INTERRUPTED_ERROR = "后台进程中断：执行这个任务的后台进程意外停止，任务没有完成，也没有保存任何结果。请点“重新运行”。"
INTERRUPTED_MESSAGE = "失败：后台进程中断"
WAITING_MESSAGE = "等待中：后台服务暂时无法连接，任务已登记，连接恢复后会自动开始，无需重复提交。"
HEARTBEAT_SECONDS = 30


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
              title: str = "", org_path: str | None = None, rerun_of: Job | None = None) -> Job:
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
        message="等待执行", rerun_of=rerun_of,
    )
    from .tasks import run_job

    if settings.CELERY_TASK_ALWAYS_EAGER:
        run_job.apply(args=[job.pk])
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def enqueue(job_id: int) -> bool:
    """Send the job to the broker; when it is unreachable the job waits (等待中) and the sweeper sends it again.

    Never raises: the job row is already committed, the request that started it must still answer.
    """
    from .tasks import run_job

    try:
        run_job.delay(job_id)  # settings.CELERY_TASK_PUBLISH_RETRY = False: an absent broker fails at once
    except Exception as exc:  # noqa: BLE001 - kombu's and redis's connection errors have no common base
        logger.warning("后台任务 %s 暂时无法送交队列：%s", job_id, exc)
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(message=WAITING_MESSAGE)
        return False
    Job.objects.filter(pk=job_id, status=Job.Status.QUEUED, message=WAITING_MESSAGE).update(message="等待执行")
    return True


def rerun(job: Job, user) -> Job:
    """A failed job started again with the same function and parameters, as a new job (the old one stays)."""
    if job.status != Job.Status.FAILED:
        raise JobError("只有失败的任务可以重新运行")
    return job_start(kind=job.kind, user=user, func=job.func, params=job.params, title=job.title,
                     org_path=job.org_path, rerun_of=job)


def sweep_stale_jobs(now=None, job_ids=None) -> dict:
    """Mark running jobs whose heartbeat stopped as failed (后台进程中断); send waiting jobs again.

    Run every two minutes by Celery beat (task changqing.core.sweep_jobs) and for one job when
    its page is opened, so a killed worker's job is 失败 within JOB_STALE_AFTER_SECONDS plus a sweep.
    """
    from datetime import timedelta

    from django.db.models import Q

    now = now or timezone.now()
    conf = settings.CHANGQING
    stale_before = now - timedelta(seconds=conf.get("JOB_STALE_AFTER_SECONDS", 600))
    running = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True, started_at__lt=stale_before)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=stale_before))
    if job_ids is not None:
        running = running.filter(pk__in=job_ids)
    failed = 0
    for job in running.select_related("owner"):
        # The same conditions in the UPDATE: a job that beat or finished meanwhile is left alone.
        updated = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).filter(
            Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True)).update(
            status=Job.Status.FAILED, error=INTERRUPTED_ERROR, message=INTERRUPTED_MESSAGE, finished_at=now)
        if updated:
            failed += 1
            logger.error("后台任务 %s（%s）的进程中断，已标记为失败", job.pk, job.func)
            job.status, job.error, job.message, job.finished_at = (
                Job.Status.FAILED, INTERRUPTED_ERROR, INTERRUPTED_MESSAGE, now)
            cache.delete(_cache_key(job.pk))
            _notify_owner(job)
    resent = 0
    if not settings.CELERY_TASK_ALWAYS_EAGER and job_ids is None:
        resend_before = now - timedelta(seconds=conf.get("JOB_RESEND_AFTER_SECONDS", 120))
        for pk in Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=resend_before).values_list("pk", flat=True):
            resent += enqueue(pk)
    return {"failed": failed, "resent": resent}


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
        Job.objects.filter(pk=job.pk).update(progress=percent, message=message, heartbeat_at=timezone.now())


def live_progress(job: Job) -> tuple[int, str]:
    """Progress for display: the cache while running, the row otherwise."""
    if job.status == Job.Status.RUNNING:
        cached = cache.get(_cache_key(job.pk))
        if cached:
            return cached["progress"], cached["message"]
    return job.progress, job.message


def job_attach_file(job: Job, filename: str, content: bytes) -> None:
    """Keep a file the job produced; only its owner can download it, and only once the job succeeded.

    The storage writes it whole under a temporary name first (core/storage.py); the row's link to it is
    written in the job's transaction, so a job that fails afterwards keeps no link, and run() removes
    the file.
    """
    job.result_file.save(filename, ContentFile(content), save=False)
    job._attached_files = [*getattr(job, "_attached_files", []), job.result_file.name]
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
    # Claimed in one UPDATE: of two workers handed the same message, one runs it.
    if not Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, message="正在执行"):
        return job
    job.status, job.started_at, job.heartbeat_at = Job.Status.RUNNING, now, now
    try:
        # All-or-nothing: a job that fails half-way leaves no half-written records.
        with acting_as(job.owner), _heartbeat(job), transaction.atomic():
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
    if job.status == Job.Status.FAILED:
        _remove_files(job)
    job.finished_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=job.status, error=job.error, traceback=job.traceback, result=job.result,
        progress=job.progress, message=job.message, finished_at=job.finished_at,
    )
    cache.delete(_cache_key(job.pk))
    _notify_owner(job)
    return job


def _remove_files(job: Job) -> None:
    """A failed job shows no result: the files it wrote before failing are removed (their links rolled back)."""
    for name in getattr(job, "_attached_files", []):
        try:
            job.result_file.storage.delete(name)
        except OSError:
            logger.warning("无法删除失败任务 %s 的文件 %s", job.pk, name)
    job.result_file = ""


class _heartbeat:
    """While the job runs on a worker, a thread writes heartbeat_at every HEARTBEAT_SECONDS.

    The job's own transaction is on the worker's connection; the thread uses its own, so the beat is
    seen at once. Eager runs (tests, no broker) need none: the request itself is the process.
    """

    def __init__(self, job: Job):
        self.job = job
        self.thread = None

    def __enter__(self):
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return self
        import threading

        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{self.job.pk}-heartbeat", daemon=True)
        self.thread.start()
        return self

    def _beat(self):
        from django.db import connection

        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())
        except Exception:  # noqa: BLE001 - a missed beat is survivable; the sweeper allows many
            logger.exception("后台任务 %s 的心跳写入失败", self.job.pk)
        finally:
            connection.close()

    def __exit__(self, *exc):
        if self.thread is not None:
            self.stop.set()
            self.thread.join(timeout=5)
        return False


def _notify_owner(job: Job) -> None:
    from .notify import notify

    if job.status == Job.Status.SUCCEEDED:
        title = f"「{job.title}」已完成"
    else:
        title = f"「{job.title}」失败"
    notify(job.owner, title, job.error, job.get_absolute_url(), channels=["inapp"], kind="job",
           org_path=job.org_path)
