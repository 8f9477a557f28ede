"""Session policy, enforced on the server for every request of a logged-in user.

- Idle timeout: SESSION_IDLE_TIMEOUT seconds without a request end the session (static/js/idle.js warns a
  minute before and offers 继续使用, which pings the server).
- Absolute lifetime: SESSION_ABSOLUTE_LIFETIME seconds after login the session ends, active or not.
- A password the user must change (set by an administrator, or older than PASSWORD_MAX_AGE_DAYS) sends every
  page to the change page until it is changed.

Changing the password ends the user's other sessions by Django's own session hash check (the hash of the
password is stored in each session; update_session_auth_hash renews it for the current one only).
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils import timezone

STARTED = "_session_started"
LAST_SEEN = "_session_last_seen"
# A request within this many seconds of the last recorded one does not write the session again.
TOUCH_EVERY = 15

# Pages a user who must change their password may still open. The two-factor pages come first
# (TwoFactorMiddleware runs before this one): the code is asked before the forced change, never after.
_OPEN_WHILE_CHANGE_DUE = ("accounts:password_change", "accounts:logout", "accounts:large_text",
                          "accounts:session_status", "accounts:session_ping",
                          "accounts:two_factor_verify", "accounts:two_factor_setup")


def _now() -> float:
    return timezone.now().timestamp()


def start(session) -> None:
    """At login (accounts/signals.py): the clocks of this session start."""
    now = _now()
    session[STARTED] = now
    session[LAST_SEEN] = now


def seconds_left(session) -> int:
    """Seconds until the session ends, by whichever of the two limits comes first."""
    now = _now()
    left = []
    if settings.SESSION_IDLE_TIMEOUT > 0:
        left.append(session.get(LAST_SEEN, now) + settings.SESSION_IDLE_TIMEOUT - now)
    if settings.SESSION_ABSOLUTE_LIFETIME > 0:
        left.append(session.get(STARTED, now) + settings.SESSION_ABSOLUTE_LIFETIME - now)
    return max(0, int(min(left))) if left else 24 * 3600


def password_change_due(user) -> bool:
    if user.must_change_password:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if max_age <= 0:
        return False
    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > timedelta(days=max_age)


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return self.get_response(request)
        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            view_name = None
        ended = self._ended(request, view_name)
        if ended:
            return ended
        # Asking how long is left is not activity: a tab left open must not keep the session alive.
        if view_name != "accounts:session_status":
            now = _now()
            if now - request.session.get(LAST_SEEN, 0) >= TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        if view_name not in _OPEN_WHILE_CHANGE_DUE and password_change_due(user):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "请先在网页上修改密码，然后再使用接口。"}, status=403)
            return redirect("accounts:password_change")
        return self.get_response(request)

    def _ended(self, request, view_name):
        session = request.session
        now = _now()
        if STARTED not in session:  # a session from before this policy, or made by force_login in a test
            start(session)
            return None
        if settings.SESSION_ABSOLUTE_LIFETIME > 0 and now - session[STARTED] > settings.SESSION_ABSOLUTE_LIFETIME:
            reason = "登录时间已满，为保护信息安全已自动退出，请重新登录。"
        elif settings.SESSION_IDLE_TIMEOUT > 0 and now - session.get(LAST_SEEN, now) > settings.SESSION_IDLE_TIMEOUT:
            minutes = settings.SESSION_IDLE_TIMEOUT // 60
            reason = f"您已超过 {minutes} 分钟没有操作，为保护信息安全已自动退出，请重新登录。"
        else:
            return None
        request.logout_reason = reason
        logout(request)
        if view_name in ("accounts:session_status", "accounts:session_ping"):
            return JsonResponse({"authenticated": False, "seconds_left": 0})
        if request.path.startswith("/api/") or request.headers.get("HX-Request"):
            response = JsonResponse({"detail": reason}, status=401)
            if request.headers.get("HX-Request"):
                response["HX-Redirect"] = reverse("accounts:login")
            return response
        messages.info(request, reason)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")
