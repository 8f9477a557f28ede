"""API tokens: several per user, named, expiring, stored only as a SHA-256 digest.

The key is shown once when it is made (page or POST /api/v1/auth/token/) and cannot be
recovered afterwards. A token dies when it is revoked, when it expires
(settings.API_TOKEN_TTL_DAYS) and with every token of its owner when the owner's password
changes or the account is deactivated (the receivers below, on any save of the user, whatever
view made it). Why not django-rest-knox: see docs/architecture.md (accounts).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

KEY_PREFIX = "cq_"
MAX_TOKENS_PER_USER = 20
# last_used is written at most this often per token, so a busy client does not write on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)

MSG_MALFORMED = "令牌格式不正确：请求头应为 Authorization: Token 您的令牌"
MSG_INVALID = "令牌无效或已被撤销，请在“接口令牌”页面重新生成"
MSG_EXPIRED = "令牌已于 {when} 过期，请在“接口令牌”页面重新生成"
MSG_INACTIVE = "该账号已停用，令牌不能再使用"


def digest_of(key: str) -> str:
    """The stored form of a key. The key is 240 random bits, so a plain hash cannot be reversed or guessed."""
    return hashlib.sha256(key.encode()).hexdigest()


def ttl() -> dt.timedelta:
    return dt.timedelta(days=settings.API_TOKEN_TTL_DAYS)


class ApiToken(models.Model):
    """One API token of a user. Only its digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField("名称", max_length=50)
    prefix = models.CharField("开头", max_length=12, help_text="令牌的前几位，用来分辨是哪一个令牌")
    digest = models.CharField("摘要", max_length=64, unique=True)
    created = models.DateTimeField("创建时间", default=timezone.now)
    expires = models.DateTimeField("到期时间")
    last_used = models.DateTimeField("最后使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @property
    def expired(self) -> bool:
        return self.expires <= timezone.now()

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        """A new token for the user; returns it and its key (the only time the key exists)."""
        key = KEY_PREFIX + secrets.token_urlsafe(30)
        now = timezone.now()
        token = cls.objects.create(user=user, name=(name or "未命名").strip()[:50], prefix=key[:10],
                                   digest=digest_of(key), created=now, expires=now + ttl())
        return token, key


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`). Refusals are 401 with a Chinese reason."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(MSG_MALFORMED)
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(MSG_MALFORMED) from None
        token = ApiToken.objects.select_related("user").filter(digest=digest_of(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(MSG_INVALID)
        now = timezone.now()
        if token.expires <= now:
            when = timezone.localtime(token.expires).strftime("%Y年%m月%d日 %H:%M")
            raise exceptions.AuthenticationFailed(MSG_EXPIRED.format(when=when))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(MSG_INACTIVE)
        if token.last_used is None or now - token.last_used >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token

    def authenticate_header(self, request):
        # Named first in REST_FRAMEWORK, so refusals are 401 (with this challenge) rather than 403.
        return 'Token realm="api"'


# -- tokens die with a password change or a deactivation -----------------------------------

_WATCHED = {"password", "is_active"}


def _before_user_save(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._api_tokens_die = False
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _WATCHED & set(update_fields):
        return  # e.g. last_login on every login, large_text: no query
    old = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    instance._api_tokens_die = old["password"] != instance.password or (old["is_active"] and not instance.is_active)


def _after_user_save(sender, instance, created=False, raw=False, **kwargs):
    if getattr(instance, "_api_tokens_die", False):
        instance._api_tokens_die = False
        ApiToken.objects.filter(user=instance).delete()


def connect_signals():
    user_model = settings.AUTH_USER_MODEL
    pre_save.connect(_before_user_save, sender=user_model, dispatch_uid="api_tokens_watch_user")
    post_save.connect(_after_user_save, sender=user_model, dispatch_uid="api_tokens_die_with_password")


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token header (drf-spectacular)."""

    target_class = "changqing.accounts.apitoken.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "请求头 `Authorization: Token 您的令牌`（令牌在“接口令牌”页面生成，或 POST /api/v1/auth/token/）"}
