"""Faults (issue 17): the database away for a moment, a full or read-only disk, Redis down, a broker down.

Each test makes the fault happen under a real request and checks what the user sees (a Chinese
page, the right status) and that the next request, once the fault is gone, simply works.
"""
import datetime as dt
import errno
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, transaction
from django.test import Client

from changqing.core import faults
from changqing.core.storage import PARTIAL_PREFIX, SafeFileSystemStorage

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


def noop_job(job):
    return {"summary": "完成"}


# -- the database goes away ----------------------------------------------------------------------


class _DatabaseAway:
    """Every query raises what psycopg raises when the server is gone (an execute wrapper, so real code runs)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, execute, sql, params, many, context):
        self.calls += 1
        raise OperationalError("server closed the connection unexpectedly")


def test_database_outage_is_a_friendly_503_and_the_next_request_works(secretary_a):
    client = Client(raise_request_exception=False)
    client.force_login(secretary_a)
    away = _DatabaseAway()
    with connection.execute_wrapper(away):
        response = client.get("/")
    assert away.calls >= 1
    assert response.status_code == 503
    assert response["Retry-After"] == str(faults.RETRY_AFTER_SECONDS)
    html = response.content.decode()
    assert "系统暂时繁忙" in html and "没有完成" in html and 'lang="zh-hans"' in html
    # Nothing but the page and two static files (WhiteNoise serves them without the database); no inline
    # style element or script, which the CSP would refuse.
    import re

    assert re.findall(r'(?:href|src)="([^"]+)"', html) and all(
        ref.startswith("/static/") or ref == "/" for ref in re.findall(r'(?:href|src)="([^"]+)"', html))
    assert "<style" not in html
    assert 'http-equiv="refresh"' in html  # a read retries by itself
    with connection.execute_wrapper(_DatabaseAway()):
        posted = client.post("/notifications/read-all/")
    assert posted.status_code == 503 and 'http-equiv="refresh"' not in posted.content.decode()  # a write does not
    # The database is back: the same client, the same session, the page.
    again = client.get("/")
    assert again.status_code == 200


def test_database_outage_on_the_api_is_a_json_503(secretary_a):
    client = Client(raise_request_exception=False)
    client.force_login(secretary_a)
    with connection.execute_wrapper(_DatabaseAway()):
        response = client.get("/api/v1/")
    assert response.status_code == 503
    assert response.json()["detail"] == "数据库暂时无法连接，请稍后重试。"


def test_outage_outside_the_view_is_still_503(secretary_a, monkeypatch):
    """A middleware that reaches the database after the view (the session's save) is not a bare 500."""
    from django.contrib.sessions.middleware import SessionMiddleware

    def broken_save(self, request, response):
        raise OperationalError("could not connect to server: Connection refused")

    client = Client(raise_request_exception=False)
    client.force_login(secretary_a)
    monkeypatch.setattr(SessionMiddleware, "process_response", broken_save)
    response = client.get("/")
    assert response.status_code == 503 and "系统暂时繁忙" in response.content.decode()


def test_the_503_page_renders_with_no_database_at_all():
    with connection.execute_wrapper(_DatabaseAway()):
        response = faults.database_unavailable_response()
    assert response.status_code == 503 and "系统暂时繁忙" in response.content.decode()


def test_a_dropped_connection_reconnects_by_itself(django_db_blocker):
    """The server closes our socket (a restart): one 503, then the next request opens a new connection.

    Run in a thread of its own: its connection is outside the test's transaction, as a server's is.
    """
    if connection.vendor != "postgresql":
        pytest.skip("closing the socket under Django is specific to a server database")
    import threading

    from django.conf import settings
    from django.db import connections

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    statuses = []

    def server_thread():
        with django_db_blocker.unblock():
            client = Client(raise_request_exception=False)
            try:
                statuses.append(client.get("/healthz").status_code)
                connections["default"].connection.close()  # the raw socket, behind Django's back
                statuses.append(client.get("/healthz").status_code)
                statuses.append(client.get("/healthz").status_code)
            finally:
                connections["default"].close()

    thread = threading.Thread(target=server_thread)
    thread.start()
    thread.join(timeout=60)
    assert statuses == [200, 503, 200]


# -- the disk is full or read-only -----------------------------------------------------------------


def test_full_disk_leaves_no_half_written_file(tmp_path, monkeypatch):
    storage = SafeFileSystemStorage(location=tmp_path)
    written = []
    real_fsync = os.fsync

    def full(fd):
        written.append(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("changqing.core.storage.os.fsync", full)
    with pytest.raises(faults.StorageUnavailable) as caught:
        storage.save("evidence/2026/photo.png", ContentFile(b"x" * 100_000))
    assert "存储空间已满" in str(caught.value)
    assert written, "the content was being written when the disk filled"
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == []  # neither the file nor its temporary part
    monkeypatch.setattr("changqing.core.storage.os.fsync", real_fsync)
    name = storage.save("evidence/2026/photo.png", ContentFile(b"whole"))
    assert (tmp_path / name).read_bytes() == b"whole"
    assert not any(p.name.startswith(PARTIAL_PREFIX) for p in tmp_path.rglob("*"))


def test_read_only_media_folder(tmp_path, monkeypatch):
    storage = SafeFileSystemStorage(location=tmp_path / "media")

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("changqing.core.storage.tempfile.mkstemp", read_only)
    with pytest.raises(faults.StorageUnavailable):
        storage.save("a/b.pdf", ContentFile(b"%PDF-1.4"))
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return buf.getvalue()


def test_upload_on_a_full_disk_is_a_chinese_page_and_no_record(tree, secretary_a, settings, tmp_path, monkeypatch):
    from changqing.life.models import Meeting, MeetingAttachment, MeetingKind

    settings.MEDIA_ROOT = tmp_path
    meeting = Meeting.objects.create(organization=tree.a, kind=MeetingKind.objects.get(code="group_meeting"),
                                     held_on=dt.date(2025, 3, 1), topic="学习")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("changqing.core.storage.os.fsync", full)
    client = Client(raise_request_exception=False)
    client.force_login(secretary_a)
    with transaction.atomic():  # the request's own: the failed save marks it for rollback, as autocommit would end it
        response = client.post(f"/life/meetings/{meeting.pk}/attachments/",
                               {"file": SimpleUploadedFile("现场.png", _png(), "image/png"), "caption": "会议现场"})
    assert response.status_code == 503
    assert "文件没有保存" in response.content.decode()
    assert not MeetingAttachment.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


# -- Redis is down -------------------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {"BACKEND": "changqing.core.cache.FailSoftRedisCache", "LOCATION": CLOSED_PORT,
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    return settings


def test_fail_soft_cache_misses_and_drops_writes(redis_down):
    from django.core.cache import cache

    cache.set("k", "v")
    assert cache.get("k") is None
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is False
    assert cache.get_or_set("k", lambda: "computed") == "computed"
    cache.delete("k")


def test_pages_and_logins_work_with_redis_down(redis_down, secretary_a):
    client = Client()
    response = client.post("/accounts/login/", {"username": "sec_a", "password": "pw-for-tests-1"})
    if response.status_code == 200:  # the factory's password differs: log in as Django does
        client.force_login(secretary_a)
    assert client.get("/").status_code == 200
    assert client.get("/jobs/").status_code == 200


def test_a_job_waits_clearly_while_the_broker_is_down(settings, secretary_a, client, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    from changqing.celery import app
    from changqing.core import jobs
    from changqing.core.models import Job

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(app.conf, "broker_url", CLOSED_PORT)
    monkeypatch.setitem(app.conf, "task_publish_retry", False)
    app.pool.force_close_all() if app._pool else None
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_start(kind="report.count", user=secretary_a, func=noop_job)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.get_status_display() == "等待中"
    assert job.message == jobs.WAITING_MESSAGE
    client.force_login(secretary_a)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "等待中" in html and "后台服务暂时无法连接" in html
    # The broker is back: the sweeper sends the job again and the message goes.
    sent = []
    monkeypatch.setattr("changqing.core.tasks.run_job.delay", lambda job_id: sent.append(job_id))
    later = job.created_at + dt.timedelta(minutes=3)
    assert jobs.sweep_stale_jobs(now=later) == {"failed": 0, "resent": 1}
    assert sent == [job.pk]
    job.refresh_from_db()
    assert job.message == "等待执行"


def test_notifications_are_kept_when_email_fails(secretary_a, monkeypatch):
    from changqing.core import notify
    from changqing.core.models import Notification

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notify, "send_mail", smtp_down)
    secretary_a.email = "a@example.org"
    secretary_a.save()
    sent = notify.notify(secretary_a, "「会议记录」待补录", channels=["inapp", "email"])
    assert sent == {"inapp": True, "email": False}
    assert Notification.objects.filter(user=secretary_a, title="「会议记录」待补录").exists()
