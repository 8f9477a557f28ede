"""API tokens: POST /api/v1/auth/token/ with a username and password, or see and renew one's own on a page."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken

from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation


class ObtainToken(ObtainAuthToken):
    """DRF's token exchange; a failed attempt is logged by the login-failed signal, a success here."""

    def get_serializer_context(self):
        # authenticate() gets Django's request, not DRF's wrapper: django-axes marks a refused (locked) login on
        # the request it is given, and its middleware, which answers in Chinese, sees only Django's.
        return {**super().get_serializer_context(), "request": self.request._request}

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            user = Token.objects.select_related("user").get(key=response.data["token"]).user
            log_operation(OperationLog.Event.LOGIN, user=user, request=request, detail="通过接口获取访问令牌")
        return response


@login_required
def my_token(request):
    """The user's own API token: shown to them only; renewing it makes the old one stop working."""
    token = Token.objects.filter(user=request.user).first()
    if request.method == "POST":
        if token is not None:
            token.delete()
        token = Token.objects.create(user=request.user)
        log_operation(OperationLog.Event.LOGIN, request=request, detail="生成新的接口访问令牌")
        messages.success(request, "已生成新的访问令牌，旧令牌已失效。")
        return redirect("accounts:token")
    return render(request, "accounts/token.html", {"title": "接口访问令牌", "token": token})
