"""Background jobs: eager runs, progress, Chinese failures, all-or-nothing, ownership as scope."""
import pytest
from django.core.cache import cache
from django.urls import reverse

from changqing.core.roles import Role
from changqing.core import jobs as jobs_module
from changqing.core import tasks
from changqing.core.jobs import (
    GENERIC_ERROR, JobError, job_attach_file, job_progress, job_start, live_progress, register_job, run,
)
from changqing.core.models import Job, Notification, OperationLog
from changqing.orgs.models import Organization, OrgKind
from tests.factories import make_user

SEEN_PROGRESS = []


@register_job("test.count", title="统计人数")
def count_members(job, *, org_code):
    org = Organization.objects.get(code=org_code)
    for step in (25, 50, 75):
        job_progress(job, step, f"已统计 {step}%")
        SEEN_PROGRESS.append(live_progress(Job.objects.get(pk=job.pk)))
    n = org.retirees.count() if hasattr(org, "retirees") else 0
    return {"url": f"/orgs/{org.pk}/", "label": "查看组织", "summary": f"共 {n} 人", "count": n}


@register_job("test.bad_row", title="导入名册")
def import_with_bad_row(job, *, parent_code):
    parent = Organization.objects.get(code=parent_code)
    Organization.objects.create(code="T-NEW", name="导入中途的新支部", kind=OrgKind.BRANCH, parent=parent)
    job_progress(job, 40, "已导入 2 行")
    raise JobError("第 3 行“身份证号”列：校验位不正确，请改正后重新导入")


@register_job("test.crash", title="生成报表")
def crash(job):
    raise KeyError("internal_column_name")


def attach_report(job, *, text):
    """Reached by dotted path, not by registered name."""
    job_attach_file(job, "报表.txt", text.encode("utf-8"))
    return {"summary": "报表已生成"}


@pytest.fixture(autouse=True)
def _clean():
    SEEN_PROGRESS.clear()
    cache.clear()


def test_job_runs_eagerly_with_progress_and_result(client, secretary_a, tree):
    job = job_start(kind="report.count", user=secretary_a, func="test.count", params={"org_code": "T-A"})
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress, job.message) == (100, "已完成")
    assert job.result["url"] == f"/orgs/{tree.a.pk}/"
    assert job.title == "统计人数"
    assert job.org_path == tree.a.path  # the user's own organisation by default
    assert job.started_at and job.finished_at and job.started_at <= job.finished_at
    # Progress was visible while the job ran (from the cache), in order.
    assert SEEN_PROGRESS == [(25, "已统计 25%"), (50, "已统计 50%"), (75, "已统计 75%")]
    # The owner is told in-app, with a link to the job.
    note = Notification.objects.get(user=secretary_a, kind="job")
    assert note.title == "「统计人数」已完成" and note.url == job.get_absolute_url()

    client.force_login(secretary_a)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "已完成" in html and "100%" in html
    assert f'href="/orgs/{tree.a.pk}/"' in html and "查看组织" in html
    assert 'hx-trigger="every 1s"' not in html  # finished: polling stops


def test_failure_shows_chinese_error_and_keeps_nothing(client, secretary_a, tree):
    job = job_start(kind="roster.import", user=secretary_a, func="test.bad_row", params={"parent_code": "T"})
    assert job.status == Job.Status.FAILED
    assert job.error == "第 3 行“身份证号”列：校验位不正确，请改正后重新导入"
    assert not Organization.objects.filter(code="T-NEW").exists()  # all-or-nothing
    assert job.traceback == ""  # bad input is not a bug: no technical details to keep
    client.force_login(secretary_a)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "任务失败：第 3 行“身份证号”列：校验位不正确" in html
    assert Notification.objects.get(user=secretary_a, kind="job").title == "「导入名册」失败"


def test_unexpected_exception_shows_generic_chinese_message(client, secretary_a):
    job = job_start(kind="report.x", user=secretary_a, func="test.crash")
    assert job.status == Job.Status.FAILED
    assert job.error == GENERIC_ERROR
    assert "KeyError" in job.traceback  # kept for administrators
    client.force_login(secretary_a)
    html = client.get(job.get_absolute_url()).content.decode()
    assert GENERIC_ERROR in html
    assert "internal_column_name" not in html and "KeyError" not in html


def test_unknown_function_refused_before_anything_is_written(secretary_a):
    with pytest.raises(JobError, match="找不到任务函数"):
        job_start(kind="x", user=secretary_a, func="changqing.nowhere.nothing")
    with pytest.raises(JobError, match="未登记的任务函数"):
        job_start(kind="x", user=secretary_a, func="not_registered")
    assert not Job.objects.exists()


def test_other_users_job_is_404(client, secretary_a, bureau_admin, tree):
    job = job_start(kind="report.count", user=secretary_a, func="test.count", params={"org_code": "T-A"})
    # A bureau admin whose subtree contains the job's organisation still may not open it.
    client.force_login(bureau_admin)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
    assert job.title not in client.get(reverse("core:jobs")).content.decode()
    other = make_user("sec_b", Role.BRANCH_SECRETARY, organization=tree.b)
    client.force_login(other)
    assert client.get(job.get_absolute_url()).status_code == 404


def test_running_job_page_polls_every_second_and_reads_live_progress(client, secretary_a):
    job = Job.objects.create(kind="k", title="长任务", owner=secretary_a, func="test.count",
                             status=Job.Status.RUNNING, progress=10, message="开始")
    job_progress(job, 62, "已处理 620 行")
    client.force_login(secretary_a)
    partial = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial
    assert 'aria-valuenow="62"' in partial and "已处理 620 行" in partial
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<html" in page and 'id="job-status"' in page


def test_with_a_broker_the_job_is_queued_after_commit(settings, secretary_a, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(tasks.run_job, "delay", lambda job_id: sent.append(job_id))
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="report.count", user=secretary_a, func="test.count", params={"org_code": "T-A"})
        assert sent == []  # not before the transaction commits: the worker must find the row
    assert sent == [job.pk]
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    # What the worker then does:
    assert tasks.run_job(job.pk) == Job.Status.SUCCEEDED
    # A redelivered message does not run the work twice.
    finished_at = Job.objects.get(pk=job.pk).finished_at
    assert run(job.pk).finished_at == finished_at


def test_result_file_only_for_owner_and_logged(client, secretary_a, bureau_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = job_start(kind="report.file", user=secretary_a, func=attach_report, params={"text": "甲支部 3 人"},
                    title="生成报表")
    assert job.func == "changqing.core.tests.test_jobs.attach_report"
    assert job.status == Job.Status.SUCCEEDED and job.result_file
    client.force_login(secretary_a)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "下载结果文件" in html
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "甲支部 3 人"
    assert OperationLog.objects.filter(event="export", user=secretary_a, detail__contains="报表").exists()
    client.force_login(bureau_admin)
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def test_progress_is_clamped_and_written_once(secretary_a, django_assert_num_queries):
    job = Job.objects.create(kind="k", title="t", owner=secretary_a, func="test.count", status=Job.Status.RUNNING)
    job_progress(job, 140, "超过")
    assert Job.objects.get(pk=job.pk).progress == 100
    with django_assert_num_queries(0):
        job_progress(job, 100, "超过")  # unchanged: no write
    job_progress(job, -5, "")
    assert Job.objects.get(pk=job.pk).progress == 0


@pytest.mark.parametrize("n", [3, 30])
def test_job_list_queries_do_not_grow(client, secretary_a, n, django_assert_max_num_queries):
    Job.objects.bulk_create(
        Job(kind="k", title=f"任务{i}", owner=secretary_a, func="test.count", status=Job.Status.SUCCEEDED)
        for i in range(n)
    )
    client.force_login(secretary_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("core:jobs"))
    assert response.status_code == 200
    assert "任务0" in response.content.decode()


def test_job_list_filters_by_status(client, secretary_a):
    Job.objects.create(kind="k", title="成功的任务", owner=secretary_a, func="f", status=Job.Status.SUCCEEDED)
    Job.objects.create(kind="k", title="失败的任务", owner=secretary_a, func="f", status=Job.Status.FAILED)
    client.force_login(secretary_a)
    html = client.get(reverse("core:jobs"), {"status": "failed"}).content.decode()
    assert "失败的任务" in html and "成功的任务" not in html


def test_registry_lists_titles():
    assert jobs_module.registered_jobs()["test.count"].title == "统计人数"
