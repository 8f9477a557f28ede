"""Notifications: channels registered by name, and the daily digest.

    notify(user, "「会议记录」待补录", "第三季度支部党员大会尚未记录", "/life/…")

Every channel has one interface, `send(user, title, body, url) -> bool`
(False = nothing to send to, e.g. no e-mail address). `inapp` and `email` are
real. `sms` and `wechat` are registered extension points that are NOT enabled:
they raise `ChannelNotConfigured` instead of pretending to send. Which
channels `notify()` uses by default is `settings.CHANGQING["NOTIFY_CHANNELS"]`.

Daily digest: apps register providers `fn(user, today) -> list[DigestItem | dict]`
with `register_digest_provider(name, fn)`; `send_digests()` (command
`send_digest`, Celery beat daily) sends ONE message per user who has items.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from .models import Notification

logger = logging.getLogger(__name__)


class ChannelNotConfigured(RuntimeError):
    """A channel that exists as an extension point but is not set up on this installation."""


class Channel:
    name = ""
    label = ""
    enabled = True

    def send(self, user, title: str, body: str = "", url: str = "", **options) -> bool:
        raise NotImplementedError


class InAppChannel(Channel):
    name, label = "inapp", "站内消息"

    def send(self, user, title, body="", url="", *, kind="", key="", org_path=None, **options) -> bool:
        if org_path is None:
            from .jobs import _default_org_path

            org_path = _default_org_path(user)
        try:
            with transaction.atomic():
                Notification.objects.create(user=user, title=title[:200], body=body, url=url[:500],
                                            kind=kind, key=key, org_path=org_path)
        except IntegrityError:
            if key:
                return False  # already sent with this key: reminders are idempotent
            raise
        return True


def absolute_url(url: str) -> str:
    if not url or "://" in url:
        return url
    base = settings.CHANGQING.get("SITE_URL", "").rstrip("/")
    return f"{base}{url}" if base else url


class EmailChannel(Channel):
    """Django's e-mail backend: SMTP in production, console in development, locmem in tests."""

    name, label = "email", "电子邮件"

    def send(self, user, title, body="", url="", **options) -> bool:
        if not user.email:
            return False
        text = body
        if url:
            text = f"{body}\n\n查看详情：{absolute_url(url)}".strip()
        send_mail(f"【常青】{title}", text, None, [user.email])
        return True


class SmsChannel(Channel):
    """Extension point: SMS through the government SMS gateway. Not enabled.

    To enable: implement `send` against the gateway's API (user.phone, a
    template approved by the gateway), register it, and add "sms" to
    settings.CHANGQING["NOTIFY_CHANNELS"].
    """

    name, label, enabled = "sms", "短信（未启用）", False

    def send(self, user, title, body="", url="", **options) -> bool:
        raise ChannelNotConfigured("短信通道尚未接入短信网关，不能发送。请见 docs/architecture.md 第 6 节。")


class WeChatChannel(Channel):
    """Extension point: WeChat / 政务微信 template messages. Not enabled.

    To enable: implement `send` with the official-account or 政务微信 API (needs
    the user's openid binding), register it, and list "wechat" in
    settings.CHANGQING["NOTIFY_CHANNELS"].
    """

    name, label, enabled = "wechat", "微信（未启用）", False

    def send(self, user, title, body="", url="", **options) -> bool:
        raise ChannelNotConfigured("微信通道尚未接入公众号或政务微信接口，不能发送。请见 docs/architecture.md 第 6 节。")


_channels: dict[str, Channel] = {}


def register_channel(channel: Channel) -> Channel:
    _channels[channel.name] = channel
    return channel


def get_channel(name: str) -> Channel:
    try:
        return _channels[name]
    except KeyError:
        raise ChannelNotConfigured(f"没有名为「{name}」的通知通道") from None


def channels() -> dict[str, Channel]:
    return dict(_channels)


for _channel in (InAppChannel(), EmailChannel(), SmsChannel(), WeChatChannel()):
    register_channel(_channel)


def default_channels() -> list[str]:
    return list(settings.CHANGQING.get("NOTIFY_CHANNELS", ["inapp", "email"]))


def notify(user, title: str, body: str = "", url: str = "", *, channels: Iterable[str] | None = None,
           kind: str = "", key: str = "", org_path: str | None = None) -> dict[str, bool]:
    """Send one message to a user through each channel; returns {channel: sent?}.

    A failing e-mail server does not lose the in-app message: each channel is
    tried and its error logged. Extension channels that are not enabled raise.
    """
    sent = {}
    for name in (default_channels() if channels is None else channels):
        channel = get_channel(name)
        if not channel.enabled:
            raise ChannelNotConfigured(f"通知通道「{channel.label}」未启用")
        try:
            sent[name] = channel.send(user, title, body, url, kind=kind, key=key, org_path=org_path)
        except ChannelNotConfigured:
            raise
        except Exception:
            logger.exception("通知通道 %s 发送给 %s 失败", name, user)
            sent[name] = False
    return sent


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# ---- daily digest --------------------------------------------------------------------------


@dataclass
class DigestItem:
    title: str
    url: str = ""
    detail: str = ""


@dataclass
class DigestReport:
    date: dt.date
    users_checked: int = 0
    users_sent: int = 0
    items: int = 0
    skipped_already_sent: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return data


_digest_providers: dict[str, Callable] = {}


def register_digest_provider(name: str, provider: Callable) -> Callable:
    """provider(user, today) -> list of DigestItem or dicts with title, url, detail."""
    _digest_providers[name] = provider
    return provider


def unregister_digest_provider(name: str) -> None:
    _digest_providers.pop(name, None)


def digest_providers() -> dict[str, Callable]:
    return dict(_digest_providers)


def _as_item(raw) -> DigestItem:
    if isinstance(raw, DigestItem):
        return raw
    return DigestItem(title=str(raw["title"]), url=raw.get("url", "") or "", detail=raw.get("detail", "") or "")


def digest_items(user, today: dt.date) -> list[DigestItem]:
    items: list[DigestItem] = []
    for name, provider in _digest_providers.items():
        try:
            items.extend(_as_item(raw) for raw in provider(user, today) or [])
        except Exception:
            # One app's broken provider must not stop everyone's reminders.
            logger.exception("待办汇总提供者 %s 对用户 %s 出错", name, user)
    return items


def digest_key(today: dt.date) -> str:
    return f"digest:{today.isoformat()}"


def render_digest(items: list[DigestItem], today: dt.date) -> tuple[str, str]:
    title = f"今日待办提醒（{date_format(today, 'Y年n月j日')}）：共 {len(items)} 项"
    lines = []
    for i, item in enumerate(items, 1):
        line = f"{i}. {item.title}"
        if item.detail:
            line += f"——{item.detail}"
        if item.url:
            line += f"\n   {absolute_url(item.url)}"
        lines.append(line)
    return title, "\n".join(lines)


def send_digests(*, today: dt.date | None = None, users=None, dry_run: bool = False) -> DigestReport:
    """Send one digest message per active user with due items, at most once per day."""
    today = today or timezone.localdate()
    key = digest_key(today)
    report = DigestReport(date=today)
    if users is None:
        users = get_user_model().objects.filter(is_active=True).order_by("pk")
    already = set(Notification.objects.filter(key=key).values_list("user_id", flat=True))
    for user in users.iterator(chunk_size=500) if hasattr(users, "iterator") else users:
        report.users_checked += 1
        if user.pk in already:
            report.skipped_already_sent += 1
            continue
        items = digest_items(user, today)
        if not items:
            continue
        report.items += len(items)
        report.users_sent += 1
        if dry_run:
            continue
        title, body = render_digest(items, today)
        channels = [c for c in default_channels() if get_channel(c).enabled]
        try:
            notify(user, title, body, "/notifications/", channels=channels, kind="digest", key=key)
        except Exception as exc:
            report.errors.append(f"{user.get_username()}：{exc}")
    return report
