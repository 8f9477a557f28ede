"""API tokens: POST /api/v1/auth/token/ with a username and password, or make, see and revoke one's own on a page.

The model and the authentication class are in apitoken.py.
"""
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation

from . import twofactor
from .apitoken import MAX_TOKENS_PER_USER, ApiToken

_SHOWN_ONCE = "api_token_new_key"


class TokenRequestSerializer(AuthTokenSerializer):
    otp = serializers.CharField(label="动态码", required=False, allow_blank=True, write_only=True,
                                help_text="已启用两步验证的账号必填：验证器上的6位动态码，或一个10位恢复码")
    name = serializers.CharField(label="令牌名称", required=False, allow_blank=True, max_length=50, write_only=True,
                                 help_text="用在哪里，以后在“接口令牌”页面好分辨")


class ObtainToken(ObtainAuthToken):
    """Username and password (and `otp`, the authenticator code, for an account with two-factor) give a new token.

    A class, so the login-failure lockout can wrap it. A failed password is logged by the
    login-failed signal; a failed code and a success here.
    """

    serializer_class = TokenRequestSerializer

    def get_serializer_context(self):
        # authenticate() gets Django's request, not DRF's wrapper: django-axes marks a refused (locked) login on
        # the request it is given, and its middleware, which answers in Chinese, sees only Django's.
        return {**super().get_serializer_context(), "request": self.request._request}

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        problem = twofactor.api_code_problem(user, serializer.validated_data.get("otp", ""), request=request)
        if problem:
            return Response({"otp": [problem]}, status=status.HTTP_400_BAD_REQUEST)
        name = serializer.validated_data.get("name", "").strip() or "通过接口获取"
        token, key = ApiToken.issue(user, name)
        log_operation(OperationLog.Event.LOGIN, user=user, request=request,
                      detail=f"通过接口获取访问令牌 {token.prefix}…")
        return Response({"token": key, "name": token.name, "expires": token.expires})


class TokenForm(forms.Form):
    name = forms.CharField(label="令牌名称", max_length=50,
                           help_text="写明用在哪里，例如“区里的统计系统”，以后好分辨",
                           error_messages={"required": "请填写令牌名称", "max_length": "名称不能超过50个字"})


@login_required
def my_token(request):
    """The user's own API tokens: make one (its key shown this once), see them all, revoke each."""
    user = request.user
    form = TokenForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token = ApiToken.objects.filter(user=user, pk=request.POST.get("token") or 0).first()
        if token is None:
            messages.error(request, "没有找到这个令牌，可能已被撤销。")
        else:
            token.delete()
            log_operation(OperationLog.Event.LOGIN, request=request, detail=f"撤销接口访问令牌 {token}")
            messages.success(request, f"已撤销令牌“{token.name}”，它立即失效。")
        return redirect("accounts:token")
    if request.method == "POST" and form.is_valid():
        if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
            form.add_error("name", f"每人最多 {MAX_TOKENS_PER_USER} 个令牌，请先撤销不用的令牌")
        else:
            token, key = ApiToken.issue(user, form.cleaned_data["name"])
            log_operation(OperationLog.Event.LOGIN, request=request, detail=f"生成接口访问令牌 {token}")
            request.session[_SHOWN_ONCE] = {"id": token.pk, "key": key}
            return redirect("accounts:token")
    shown = request.session.pop(_SHOWN_ONCE, None)
    tokens = list(ApiToken.objects.filter(user=user))
    return render(request, "accounts/token.html", {
        "title": "接口访问令牌", "tokens": tokens, "form": form,
        "new_key": shown["key"] if shown and any(t.pk == shown["id"] for t in tokens) else None,
        "ttl_days": settings.API_TOKEN_TTL_DAYS,
    })
