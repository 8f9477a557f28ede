"""Two-factor login with django-otp: an authenticator app (TOTP) plus ten one-time recovery codes.

After the password, a user who has an authenticator is asked for its 6-digit code; a user who
must have one (settings.TWO_FACTOR_REQUIRED and a role in TWO_FACTOR_REQUIRED_ROLES, any role
that manages users, or a django-admin account) and has none is sent to enrolment first.
TwoFactorMiddleware holds every other page until then. A lost phone: another administrator
in scope resets the user's devices from the user's page, and the user enrols again at the next
login. Every step is in the operation log.

The gate's decision is kept in the session at login ("ok", "verify" or "enrol"), so a user
without two-factor costs no query per request.
"""
from __future__ import annotations

import re
import secrets
from base64 import b32encode
from binascii import unhexlify
from io import BytesIO

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation
from changqing.core.roles import ROLE_ACTIONS
from changqing.core.scope import get_scoped_object_or_404, home_path, object_view, scope_for

from .models import User

SESSION_STATE = "tfa_state"  # "ok" | "verify" | "enrol"
SESSION_PENDING_KEY = "tfa_pending_key"  # the secret being enrolled, until its first code is right
SESSION_NEW_CODES = "tfa_new_codes"  # recovery codes to show once
RECOVERY_CODES = 10
RECOVERY_DIGITS = 10

# Pages a user may open before the second factor: logging in and out, the text size, the two-factor pages.
EXEMPT_URL_NAMES = {"accounts:login", "accounts:logout", "accounts:large_text",
                    "accounts:two_factor_verify", "accounts:two_factor_setup"}


# -- who must, who has ------------------------------------------------------------------------

def is_required(user) -> bool:
    """Must this user have two-factor? Only when settings.TWO_FACTOR_REQUIRED is on."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    if user.is_superuser or user.is_staff:
        return True
    roles = set(settings.TWO_FACTOR_REQUIRED_ROLES) | {r for r, actions in ROLE_ACTIONS.items() if "manage" in actions}
    return user.role_assignments.filter(role__in=roles).exists()


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def state_for(user) -> str:
    if has_device(user):
        return "verify"
    return "enrol" if is_required(user) else "ok"


def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STATE] = state_for(user)


def connect_signals():
    user_logged_in.connect(_on_login, dispatch_uid="two_factor_state_at_login")


def _clean(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "")


def check_code(user, code: str, request=None) -> tuple[object | None, str]:
    """(the device that accepted the code, "") or (None, a Chinese reason). A 6-digit code is the
    authenticator's, a 10-digit one a recovery code (used up by this). Failures are throttled by
    django-otp (1, 2, 4, 8 … seconds) and logged."""
    code = _clean(code)
    if not code:
        return None, "请输入验证码"
    if not code.isdigit():
        return None, "验证码只有数字，请重新输入"
    if len(code) == 6:
        device, kind = totp_device(user), "验证器动态码"
    elif len(code) == RECOVERY_DIGITS:
        device, kind = StaticDevice.objects.filter(user=user, confirmed=True).first(), "恢复码"
    else:
        return None, f"验证码应为6位数字（恢复码为{RECOVERY_DIGITS}位）"
    if device is None:
        return None, "您还没有可用的恢复码" if kind == "恢复码" else "您还没有绑定验证器"
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return None, _throttled(info)
    accepted = django_otp.verify_token(user, device.persistent_id, code)
    if accepted is None:
        log_operation(OperationLog.Event.LOGIN_FAILED, user=user, request=request,
                      detail=f"两步验证失败：{kind}不正确", username=user.get_username())
        return None, f"{kind}不正确或已过期，请重新输入"
    return accepted, ""


def _throttled(info) -> str:
    until = (info or {}).get("locked_until")
    if until is None:
        return "错误次数过多，请稍后再试"
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1)
    return f"错误次数过多，请 {seconds} 秒后再试"


def api_code_problem(user, code: str, request=None) -> str:
    """Why POST /api/v1/auth/token/ may not give this user a token ("" when it may)."""
    if not has_device(user):
        if is_required(user):
            return "您的账号必须启用两步验证：请先在网页上登录并绑定验证器，再获取令牌"
        return ""
    if not _clean(code):
        return "请在 otp 字段中填写验证器上的6位动态码"
    device, problem = check_code(user, code, request=request)
    if device is not None:
        log_operation(OperationLog.Event.LOGIN, user=user, request=request, detail=_verified_detail(device))
    return problem


def _verified_detail(device) -> str:
    return "两步验证通过（恢复码）" if isinstance(device, StaticDevice) else "两步验证通过（验证器）"


# -- the gate ---------------------------------------------------------------------------------

class TwoFactorMiddleware:
    """Holds a logged-in user who still owes the second factor on the code or enrolment page.

    After django_otp's OTPMiddleware (which tells whether the session passed a device)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            state = request.session.get(SESSION_STATE)
            if state is None:  # a session from before two-factor existed
                state = request.session[SESSION_STATE] = state_for(user)
            if state != "ok" and not _exempt(request):
                return _hold(request, state)
        return self.get_response(request)


def _exempt(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in EXEMPT_URL_NAMES


def _hold(request, state: str):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "请先在网页上完成两步验证"}, status=403,
                            json_dumps_params={"ensure_ascii": False})
    target = reverse("accounts:two_factor_setup" if state == "enrol" else "accounts:two_factor_verify")
    if request.method == "GET":
        target += "?next=" + _quote(request.get_full_path())
    if request.headers.get("HX-Request"):
        response = JsonResponse({}, status=200)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return reverse(settings.LOGIN_REDIRECT_URL)
    return target


# -- forms ------------------------------------------------------------------------------------

class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码", max_length=20,
        error_messages={"required": "请输入验证码"},
        widget=forms.TextInput(attrs={
            "inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True,
            "class": "otp-input", "pattern": "[0-9 \\-]*", "maxlength": 20,
        }),
    )


# -- pages ------------------------------------------------------------------------------------

@login_required
def verify(request):
    """The code page after the password."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not has_device(user):
        state = request.session[SESSION_STATE] = "enrol" if is_required(user) else "ok"
        if state == "enrol":
            return redirect(reverse("accounts:two_factor_setup") + "?next=" + _quote(_next(request)))
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, problem = check_code(user, form.cleaned_data["code"], request=request)
        if device is None:
            form.add_error("code", problem)
        else:
            django_otp.login(request, device)
            log_operation(OperationLog.Event.LOGIN, request=request, detail=_verified_detail(device))
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(request, f"您用了一个恢复码，还剩 {left} 个。如果手机已丢失，请让另一位管理员为您重置两步验证，再重新绑定。")
            return redirect(_next(request))
    return render(request, "accounts/two_factor_verify.html", {
        "title": "两步验证", "form": form, "next": _next(request), "nav_groups": [],
    })


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buf = BytesIO()
    image.save(buf)
    svg = buf.getvalue().decode()
    svg = svg[svg.index("<svg"):]  # without the XML declaration
    # Sized by the stylesheet (css/accounts.css), labelled for screen readers.
    svg = re.sub(r'width="[^"]*" height="[^"]*" ', "", svg, count=1)
    return svg.replace("<svg ", '<svg class="qr" role="img" aria-label="绑定验证器用的二维码" ', 1)


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _new_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "恢复码", "confirmed": True})
    device.token_set.all().delete()
    codes = ["".join(secrets.choice("0123456789") for _ in range(RECOVERY_DIGITS)) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@login_required
def setup(request):
    """Enrolment: scan the QR code (or type the key), enter the first code; then the recovery codes."""
    user = request.user
    if has_device(user):
        return redirect("accounts:two_factor" if user.is_verified() else "accounts:two_factor_verify")
    key = request.session.get(SESSION_PENDING_KEY)
    if not key:
        key = request.session[SESSION_PENDING_KEY] = random_hex(20)
    pending = TOTPDevice(user=user, key=key, name="验证器")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = _clean(form.cleaned_data["code"])
        totp = TOTP(unhexlify(key), pending.step, pending.t0, pending.digits, pending.drift)
        if not (code.isdigit() and len(code) == 6):
            form.add_error("code", "请输入验证器上显示的6位数字")
        elif not totp.verify(int(code), pending.tolerance):
            form.add_error("code", "动态码不正确。请确认手机时间准确，并输入验证器上当前显示的6位数字")
        else:
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user).delete()  # unconfirmed leftovers
                pending.confirmed = True
                pending.last_t = totp.t()  # this code may not be used again
                pending.save()
                codes = _new_recovery_codes(user)
            del request.session[SESSION_PENDING_KEY]
            request.session[SESSION_NEW_CODES] = codes
            django_otp.login(request, pending)
            log_operation(OperationLog.Event.TWO_FACTOR, request=request, detail="绑定验证器，启用两步验证")
            messages.success(request, "两步验证已启用。以后登录时，输入密码后还要输入验证器上的动态码。")
            return redirect(reverse("accounts:two_factor") + "?next=" + _quote(_next(request)))
    secret = b32encode(unhexlify(key)).decode()
    context = {
        "title": "启用两步验证", "form": form, "qr": mark_safe(_qr_svg(pending.config_url)),  # noqa: S308 - our own SVG
        "secret": _grouped(secret), "secret_raw": secret, "next": _next(request), "required": is_required(user),
    }
    if not user.is_verified():
        context["nav_groups"] = []  # the menu's pages are closed until enrolment is done
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
def manage(request):
    """The user's own two-factor page: status, new recovery codes, switch off (when not required)."""
    user = request.user
    device = totp_device(user)
    if request.method == "POST" and device is not None:
        action = request.POST.get("action")
        if action == "codes":
            request.session[SESSION_NEW_CODES] = _new_recovery_codes(user)
            log_operation(OperationLog.Event.TWO_FACTOR, request=request, detail="重新生成两步验证恢复码")
            messages.success(request, "已生成新的恢复码，旧的恢复码全部作废。")
        elif action == "off":
            if is_required(user):
                messages.error(request, "您的角色必须启用两步验证，不能关闭。")
            else:
                _remove_devices(user)
                request.session[SESSION_STATE] = "ok"
                log_operation(OperationLog.Event.TWO_FACTOR, request=request, detail="关闭两步验证")
                messages.success(request, "已关闭两步验证。")
        return redirect("accounts:two_factor")
    static = StaticDevice.objects.filter(user=user).first()
    context = {
        "title": "两步验证", "device": device, "required": is_required(user),
        "codes_left": static.token_set.count() if static else 0,
        "new_codes": request.session.pop(SESSION_NEW_CODES, None),
        "next": request.GET.get("next") and _next(request),
    }
    return render(request, "accounts/two_factor.html", context)


def _remove_devices(user) -> int:
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[0]
    return removed


@object_view(User)
@login_required
@require_POST
def reset(request, pk: int):
    """Lost phone: another administrator in scope removes the user's authenticator and recovery codes."""
    if scope_for(request.user, "manage").empty:
        raise PermissionDenied("只有管理员可以重置两步验证")
    target = get_scoped_object_or_404(User, request.user, "manage", pk=pk)
    if target.pk == request.user.pk:
        messages.error(request, "不能重置自己的两步验证，请联系另一位管理员。")
        return redirect("accounts:user_detail", target.pk)
    removed = _remove_devices(target)
    log_operation(OperationLog.Event.TWO_FACTOR, request=request, org_path=home_path(target),
                  detail=f"重置 {target.username} 的两步验证（手机遗失等），对方下次登录时重新绑定",
                  data={"target": target.username, "removed": removed})
    messages.success(request, f"已重置 {target.display_name} 的两步验证。对方下次登录时需要重新绑定验证器。")
    return redirect("accounts:user_detail", target.pk)
