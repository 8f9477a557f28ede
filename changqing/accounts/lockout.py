"""Login lockout on every door, built on django-axes.

django-axes counts failed logins wherever Django's ``authenticate()`` is called with the request (the web
login, the API token exchange, django-admin) and, through ``AxesStandaloneBackend`` first in
AUTHENTICATION_BACKENDS, refuses a locked account before any password is checked. What is ours:

- two limits instead of one: AXES_FAILURE_LIMIT failures of one user name, or LOGIN_IP_FAILURE_LIMIT failures
  from one address (any user names), within AXES_COOLOFF_TIME lock that user name / address for that time;
- the answer in Chinese, saying until when, the same for a user name that does not exist (axes counts
  user names as typed, whether or not an account has them);
- lockouts and administrators' unlocks in the operation log.
"""
from __future__ import annotations

from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation
from changqing.core.scope import home_path


def client_ip(request) -> str | None:
    """The address that counts for the per-address limit.

    Behind nginx on the same host every request comes from 127.0.0.1; the client is then the last
    address nginx appended to X-Forwarded-For (the earlier ones are whatever the client sent, so an
    attacker could change them at will to dodge the limit).
    """
    remote = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote in settings.TRUSTED_PROXIES and forwarded:
        for address in reversed([a.strip() for a in forwarded.split(",") if a.strip()]):
            if address not in settings.TRUSTED_PROXIES:
                return address
    return remote


def cool_off():
    return get_cool_off()


def _locked_until(attempts, limit: int) -> datetime | None:
    """When these attempts stop adding up to the limit within the cool-off window; None if they do not now.

    axes stores one row per (user name, address, browser) with the time of its last failure and the count;
    a lock holds while the rows younger than the cool-off add up to the limit.
    """
    window = cool_off()
    total = 0
    for attempt_time, failures in (attempts.filter(attempt_time__gte=timezone.now() - window)
                                   .order_by("-attempt_time").values_list("attempt_time", "failures_since_start")):
        total += failures
        if total >= limit:
            return attempt_time + window
    return None


def account_locked_until(username: str) -> datetime | None:
    if not username:
        return None
    return _locked_until(AccessAttempt.objects.filter(username=username), settings.AXES_FAILURE_LIMIT)


def address_locked_until(ip: str | None) -> datetime | None:
    if not ip:
        return None
    return _locked_until(AccessAttempt.objects.filter(ip_address=ip), settings.LOGIN_IP_FAILURE_LIMIT)


def recent_failures(username: str) -> int:
    if not username:
        return 0
    return (AccessAttempt.objects.filter(username=username, attempt_time__gte=timezone.now() - cool_off())
            .aggregate(n=Sum("failures_since_start"))["n"] or 0)


def locked_usernames() -> set[str]:
    """The user names locked now, in one query (for a list page; there are few at any time)."""
    rows = (AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off()).exclude(username=None)
            .values("username").annotate(n=Sum("failures_since_start")).filter(n__gte=settings.AXES_FAILURE_LIMIT))
    return {row["username"] for row in rows}


def lockout_message(username: str, ip: str | None) -> str:
    """What a refused login is told: the account's lock if any, else the address's; never whether the name exists."""
    until = account_locked_until(username)
    if until is not None:
        return (f"该账号登录失败次数过多，为保护账号安全已暂时锁定，请于 {timezone.localtime(until):%H:%M} 后再试；"
                f"如急需使用，请联系本单位管理员解锁。")
    until = address_locked_until(ip)
    if until is not None:
        return f"本设备登录失败次数过多，已暂停登录，请于 {timezone.localtime(until):%H:%M} 后再试。"
    # Unlocked between the refusal and this answer (the lock just ran out): say so plainly.
    return "登录失败次数过多，请稍后再试。"


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per user name and a higher one per address, and lockouts logged."""

    def get_failures(self, request, credentials=None) -> int:
        """The number axes compares with AXES_FAILURE_LIMIT: the user name's failures, or the limit itself once
        the address has reached its own (higher) limit."""
        username = get_client_username(request, credentials)
        window_start = request.axes_attempt_time - cool_off()
        recent = AccessAttempt.objects.filter(attempt_time__gte=window_start)
        by_name = (recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0
                   if username else 0)
        by_address = recent.filter(ip_address=request.axes_ip_address).aggregate(n=Sum("failures_since_start"))["n"] or 0
        if by_address >= settings.LOGIN_IP_FAILURE_LIMIT:
            return max(by_name, get_failure_limit(request, credentials))
        return by_name

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login: only that user name's failures are forgotten, not the address's."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # axes sets the failure count only when it counted this attempt; an attempt refused while already
        # locked is not counted, so the lockout is logged once, when it begins.
        if request is None or not getattr(request, "axes_locked_out", False) \
                or getattr(request, "axes_failures_since_start", None) is None:
            return
        username = get_client_username(request, credentials) or ""
        ip = request.axes_ip_address
        until = account_locked_until(username)
        if until is not None:
            detail = (f"用户名 {username} 连续登录失败 {settings.AXES_FAILURE_LIMIT} 次，"
                      f"锁定至 {timezone.localtime(until):%H:%M}")
        else:
            until = address_locked_until(ip)
            detail = (f"地址 {ip} 登录失败 {settings.LOGIN_IP_FAILURE_LIMIT} 次，暂停登录至 "
                      f"{timezone.localtime(until):%H:%M}" if until else f"地址 {ip} 登录失败次数过多")
        log_operation(OperationLog.Event.LOCKOUT, username=username, request=request, detail=detail,
                      data={"ip": ip, "until": until.isoformat() if until else None,
                            "path": getattr(request, "axes_path_info", "")})


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the Chinese answer to a refused login, JSON for the API, the login page otherwise."""
    username = get_client_username(request, credentials) or ""
    message = lockout_message(username, getattr(request, "axes_ip_address", None) or client_ip(request))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked"}, status=429)
    from .forms import LoginForm

    form = LoginForm(request, initial={"username": username})
    return render(request, "accounts/login.html", {"form": form, "locked_message": message,
                                                   "next": request.POST.get("next", "")}, status=429)


def unlock(user, *, request) -> int:
    """An administrator lifts the lock on this account (its failures are forgotten); logged."""
    count = AxesProxyHandler.reset_attempts(username=user.get_username())
    log_operation(OperationLog.Event.UNLOCK, request=request, detail=f"解锁账号 {user.get_username()}",
                  org_path=home_path(user) or home_path(request.user), data={"username": user.get_username(), "attempts_cleared": count})
    return count
