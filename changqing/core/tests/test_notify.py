"""Notifications: channels, the bell, the page, and the daily digest command."""
import datetime as dt

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from changqing.core.roles import Role
from changqing.core import notify as notify_module
from changqing.core.models import Notification
from changqing.core.notify import (
    ChannelNotConfigured, DigestItem, channels, notify, register_digest_provider, send_digests,
    unregister_digest_provider,
)
from tests.factories import make_user

TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def providers(monkeypatch):
    """Only the test's own digest providers (the domain apps register theirs at start-up)."""
    monkeypatch.setattr(notify_module, "_digest_providers", {})
    names = []

    def add(name, fn):
        names.append(name)
        register_digest_provider(name, fn)

    yield add
    for name in names:
        unregister_digest_provider(name)


def test_inapp_and_email_channels_are_real(secretary_a, settings):
    settings.CHANGQING = {**settings.CHANGQING, "SITE_URL": "https://cq.example.gov.cn"}
    secretary_a.email = "sec@example.gov.cn"
    secretary_a.save()
    sent = notify(secretary_a, "第四季度党费待收缴", "甲支部还有 3 人未交", "/dues/")
    assert sent == {"inapp": True, "email": True}
    note = Notification.objects.get(user=secretary_a)
    assert (note.title, note.body, note.url, note.read_at) == ("第四季度党费待收缴", "甲支部还有 3 人未交", "/dues/", None)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "【常青】第四季度党费待收缴"
    assert message.to == ["sec@example.gov.cn"]
    assert "https://cq.example.gov.cn/dues/" in message.body


def test_email_skipped_without_address(secretary_a):
    assert notify(secretary_a, "标题", channels=["email"]) == {"email": False}
    assert mail.outbox == []


def test_sms_and_wechat_are_extension_points_that_never_pretend(secretary_a):
    assert {"inapp", "email", "sms", "wechat"} <= set(channels())
    assert not channels()["sms"].enabled and not channels()["wechat"].enabled
    for name in ("sms", "wechat"):
        with pytest.raises(ChannelNotConfigured, match="未启用"):
            notify(secretary_a, "标题", channels=[name])
        with pytest.raises(ChannelNotConfigured, match="尚未接入"):
            channels()[name].send(secretary_a, "标题", "", "")
    with pytest.raises(ChannelNotConfigured, match="没有名为"):
        notify(secretary_a, "标题", channels=["fax"])
    assert not Notification.objects.exists() and mail.outbox == []


def test_broken_mail_server_does_not_lose_the_inapp_message(secretary_a, monkeypatch):
    secretary_a.email = "sec@example.gov.cn"
    secretary_a.save()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notify_module, "send_mail", refuse)
    assert notify(secretary_a, "标题") == {"inapp": True, "email": False}
    assert Notification.objects.filter(user=secretary_a).count() == 1


def test_key_makes_a_reminder_idempotent(secretary_a):
    assert notify(secretary_a, "提醒", channels=["inapp"], key="life:2026Q4")["inapp"] is True
    assert notify(secretary_a, "提醒", channels=["inapp"], key="life:2026Q4")["inapp"] is False
    assert Notification.objects.filter(user=secretary_a).count() == 1


def test_bell_counts_unread_and_page_marks_read(client, secretary_a, bureau_admin):
    for i in range(3):
        notify(secretary_a, f"消息{i}", channels=["inapp"])
    notify(bureau_admin, "别人的消息", channels=["inapp"])
    client.force_login(secretary_a)
    home = client.get(reverse("core:home")).content.decode()
    assert 'id="notify-bell"' in home and "3 条未读" in home

    page = client.get(reverse("core:notifications")).content.decode()
    assert "消息0" in page and "消息2" in page and "别人的消息" not in page
    assert "3 条新消息已标为已读" in page
    assert not Notification.objects.filter(user=secretary_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=bureau_admin, read_at__isnull=True).count() == 1
    assert "条未读" not in client.get(reverse("core:home")).content.decode()


def test_open_follows_link_and_rejects_other_users_and_outside_links(client, secretary_a, bureau_admin):
    notify(secretary_a, "会议待记录", url="/life/", channels=["inapp"])
    notify(secretary_a, "外部链接", url="https://evil.example.com/", channels=["inapp"])
    own, outside = Notification.objects.filter(user=secretary_a).order_by("pk")
    client.force_login(secretary_a)
    response = client.get(reverse("core:notification_open", args=[own.pk]))
    assert response.status_code == 302 and response["Location"] == "/life/"
    own.refresh_from_db()
    assert own.read_at is not None
    response = client.get(reverse("core:notification_open", args=[outside.pk]))
    assert response["Location"] == reverse("core:notifications")
    client.force_login(bureau_admin)
    assert client.get(reverse("core:notification_open", args=[own.pk])).status_code == 404


def test_read_all(client, secretary_a):
    notify(secretary_a, "一", channels=["inapp"])
    notify(secretary_a, "二", channels=["inapp"])
    client.force_login(secretary_a)
    assert client.get(reverse("core:notifications_read_all")).status_code == 405
    client.post(reverse("core:notifications_read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize("n", [5, 60])
def test_notification_page_queries_do_not_grow(client, secretary_a, n, django_assert_max_num_queries):
    Notification.objects.bulk_create(Notification(user=secretary_a, title=f"消息{i}") for i in range(n))
    client.force_login(secretary_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("core:notifications")).status_code == 200


def test_digest_sends_one_message_per_user_once_a_day(secretary_a, bureau_admin, tree, providers):
    secretary_a.email = "sec@example.gov.cn"
    secretary_a.save()
    idle = make_user("idle", Role.LIAISON, organization=tree.b)
    calls = []

    def meetings(user, today):
        calls.append((user.username, today))
        if user == secretary_a:
            return [DigestItem("第四季度支部党员大会待记录", "/life/", "截止 2026年12月31日")]
        return []

    def dues(user, today):
        if user in (secretary_a, bureau_admin):
            return [{"title": "11 月党费待收缴", "url": "/dues/"}]
        return []

    providers("test.meetings", meetings)
    providers("test.dues", dues)
    call_command("send_digest", "--date", "2026-11-24")
    assert ("idle", TODAY) in calls

    mine = Notification.objects.get(user=secretary_a, kind="digest")
    assert mine.title == "今日待办提醒（2026年11月24日）：共 2 项"
    assert "第四季度支部党员大会待记录——截止 2026年12月31日" in mine.body and "11 月党费待收缴" in mine.body
    assert Notification.objects.get(user=bureau_admin, kind="digest").title.endswith("共 1 项")
    assert not Notification.objects.filter(user=idle).exists()
    assert [m.to for m in mail.outbox] == [["sec@example.gov.cn"]]

    call_command("send_digest", "--date", "2026-11-24")  # a second run the same day sends nothing
    assert Notification.objects.filter(kind="digest").count() == 2
    assert len(mail.outbox) == 1
    call_command("send_digest", "--date", "2026-11-25")
    assert Notification.objects.filter(kind="digest").count() == 4


def test_digest_survives_a_broken_provider(secretary_a, providers):
    def broken(user, today):
        raise RuntimeError("boom")

    providers("test.broken", broken)
    providers("test.ok", lambda user, today: [DigestItem("待办一项")])
    report = send_digests(today=TODAY)
    assert report.users_sent == 1
    assert Notification.objects.get(user=secretary_a, kind="digest").body.startswith("1. 待办一项")


def test_digest_dry_run_and_single_user(secretary_a, bureau_admin, providers, capsys):
    providers("test.all", lambda user, today: [DigestItem("事项")])
    call_command("send_digest", "--date", "2026-11-24", "--dry-run")
    assert "将发送 2 条提醒" in capsys.readouterr().out
    assert not Notification.objects.exists()
    call_command("send_digest", "--date", "2026-11-24", "--user", "sec_a")
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["sec_a"]


def test_digest_command_bad_input_in_chinese(db, providers):
    with pytest.raises(CommandError, match="日期「2026-13-01」格式不对"):
        call_command("send_digest", "--date", "2026-13-01")
    with pytest.raises(CommandError, match="没有名为「nobody」的在用账号"):
        call_command("send_digest", "--user", "nobody")
    assert not Notification.objects.exists()


def test_digest_is_scheduled_daily_on_celery_beat(settings):
    from changqing.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["daily-digest"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {30}


def test_digest_task_runs_the_same_code(secretary_a, providers):
    from changqing.core.tasks import send_digest

    providers("test.all", lambda user, today: [DigestItem("事项")])
    result = send_digest.apply(kwargs={"date": "2026-11-24"}).get()
    assert result["users_sent"] == 1 and result["date"] == "2026-11-24"
