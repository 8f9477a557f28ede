"""Celery tasks of the platform. Domain apps start work through core.jobs, not here."""
from celery import shared_task


@shared_task(name="changqing.core.run_job", acks_late=True)
def run_job(job_id: int):
    from .jobs import run

    job = run(job_id)
    return job.status


@shared_task(name="changqing.core.send_digest")
def send_digest(date: str | None = None):
    """The daily digest; scheduled by Celery beat (settings.CELERY_BEAT_SCHEDULE)."""
    import datetime as dt

    from .notify import send_digests

    today = dt.date.fromisoformat(date) if date else None
    return send_digests(today=today).as_dict()


@shared_task(name="changqing.core.sweep_jobs")
def sweep_jobs():
    """Jobs whose worker was killed become 失败; jobs left waiting for the broker are sent again (beat, every 2 min)."""
    from .jobs import sweep_stale_jobs

    return sweep_stale_jobs()
