"""A worker killed mid-job (issue 17): the sweeper marks the job 失败 with its reason, it can be re-run
from its page, and a job that failed shows no half-written result."""
import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from changqing.core import jobs
from changqing.core.jobs import INTERRUPTED_ERROR, INTERRUPTED_MESSAGE, job_attach_file, job_start, sweep_stale_jobs
from changqing.core.models import Job, Notification
from tests.factories import make_user
from changqing.core.roles import Role


def report_then_crash(job):
    job_attach_file(job, "半成品.txt", "写了一半".encode())
    raise jobs.JobError("第 3 行数据不完整")


def report(job):
    job_attach_file(job, "报表.txt", "完整的报表".encode())
    return {"summary": "报表已生成"}


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()


def _running(owner, *, started, heartbeat=None, **fields):
    return Job.objects.create(kind="report", title="生成年报", owner=owner, func="changqing.core.tests.test_job_faults.report",
                              status=Job.Status.RUNNING, started_at=started, heartbeat_at=heartbeat, message="正在执行",
                              progress=40, **fields)


@pytest.mark.today
def test_sweeper_fails_jobs_whose_heartbeat_stopped_and_spares_live_ones(secretary_a, settings):
    settings.CHANGQING = {**settings.CHANGQING, "JOB_STALE_AFTER_SECONDS": 600}
    now = timezone.now()
    dead = _running(secretary_a, started=now - dt.timedelta(hours=1), heartbeat=now - dt.timedelta(minutes=11))
    never_beat = _running(secretary_a, started=now - dt.timedelta(minutes=30))
    alive = _running(secretary_a, started=now - dt.timedelta(hours=2), heartbeat=now - dt.timedelta(minutes=2))
    fresh = _running(secretary_a, started=now - dt.timedelta(minutes=1))
    queued = Job.objects.create(kind="report", title="排队的", owner=secretary_a, func="x.y",
                                status=Job.Status.QUEUED)

    assert sweep_stale_jobs() == {"failed": 2, "resent": 0}

    for job in (dead, never_beat):
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED
        assert job.error == INTERRUPTED_ERROR and job.message == INTERRUPTED_MESSAGE == "失败：后台进程中断"
        assert job.finished_at == now
    for job in (alive, fresh, queued):
        status = job.status
        job.refresh_from_db()
        assert job.status == status
    assert Notification.objects.filter(user=secretary_a, title="「生成年报」失败").count() == 2
    # A second sweep finds nothing more to do.
    assert sweep_stale_jobs() == {"failed": 0, "resent": 0}


@pytest.mark.today
def test_a_killed_job_is_failed_when_its_page_is_opened_and_can_be_rerun(client, secretary_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    dead = _running(secretary_a, started=now - dt.timedelta(hours=1), heartbeat=now - dt.timedelta(minutes=20),
                    params={})
    client.force_login(secretary_a)
    html = client.get(dead.get_absolute_url()).content.decode()
    assert "后台进程中断" in html and "重新运行" in html
    assert 'hx-trigger="every 1s"' not in html  # finished: the page stops polling

    assert client.get(reverse("core:job_rerun", args=[dead.pk])).status_code == 405
    response = client.post(reverse("core:job_rerun", args=[dead.pk]))
    new = Job.objects.exclude(pk=dead.pk).get()
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert new.rerun_of_id == dead.pk and new.func == dead.func and new.org_path == dead.org_path
    assert new.status == Job.Status.SUCCEEDED  # eager: no broker configured
    assert Job.objects.get(pk=dead.pk).status == Job.Status.FAILED  # the old one stays as it was
    assert "已完成" in client.get(new.get_absolute_url()).content.decode()


def test_only_the_owner_reruns_and_only_a_failed_job(client, secretary_a, tree):
    other = make_user("other_sec", Role.BRANCH_SECRETARY, organization=tree.a)
    done = Job.objects.create(kind="k", title="已完成的", owner=secretary_a, func="changqing.core.tests.test_job_faults.report",
                              status=Job.Status.SUCCEEDED)
    failed = Job.objects.create(kind="k", title="失败的", owner=secretary_a, func="changqing.core.tests.test_job_faults.report",
                                status=Job.Status.FAILED, error="x")
    client.force_login(other)
    assert client.post(reverse("core:job_rerun", args=[failed.pk])).status_code == 404
    client.force_login(secretary_a)
    response = client.post(reverse("core:job_rerun", args=[done.pk]), follow=True)
    assert "只有失败的任务可以重新运行" in response.content.decode()
    assert Job.objects.count() == 2


def test_a_failed_job_keeps_no_half_written_result(client, secretary_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = job_start(kind="report.file", user=secretary_a, func=report_then_crash, title="生成报表")
    assert job.status == Job.Status.FAILED and job.error == "第 3 行数据不完整"
    assert not job.result_file  # the link was written in the job's transaction, rolled back
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # and the file itself removed
    client.force_login(secretary_a)
    assert "下载结果文件" not in client.get(job.get_absolute_url()).content.decode()
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def test_a_result_file_is_downloadable_only_once_the_job_succeeded(client, secretary_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = job_start(kind="report.file", user=secretary_a, func=report, title="生成报表")
    assert job.status == Job.Status.SUCCEEDED and job.result_file
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.read_text() for p in files] == ["完整的报表"]  # whole, under its own name, no temporary part left
    # A job marked running again (a redelivered message) shows no download.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    client.force_login(secretary_a)
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def test_a_redelivered_message_does_not_run_a_claimed_job(secretary_a):
    job = Job.objects.create(kind="k", title="t", owner=secretary_a, func="changqing.core.tests.test_job_faults.report",
                             status=Job.Status.QUEUED)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)  # another worker claimed it
    assert jobs.run(job.pk).status == Job.Status.RUNNING
    assert Job.objects.get(pk=job.pk).finished_at is None


def test_celery_settings_requeue_a_lost_workers_message(settings):
    from changqing.celery import app

    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert app.conf.beat_schedule["sweep-jobs"]["task"] == "changqing.core.sweep_jobs"
    from changqing.core import tasks

    assert tasks.sweep_jobs.name == "changqing.core.sweep_jobs"
