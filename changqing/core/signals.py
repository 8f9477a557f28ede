"""Operation-log receivers for authentication events."""
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import OperationLog
from .oplog import log_operation


@receiver(user_logged_in, dispatch_uid="oplog_login")
def _on_login(sender, request, user, **kwargs):
    log_operation(OperationLog.Event.LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="oplog_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        # Why, when the session policy ended it (idle, lifetime); nothing when the user chose to.
        log_operation(OperationLog.Event.LOGOUT, user=user, request=request,
                      detail=getattr(request, "logout_reason", ""))


@receiver(user_login_failed, dispatch_uid="oplog_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    log_operation(OperationLog.Event.LOGIN_FAILED, username=username, request=request,
                  detail=f"用户名 {username} 登录失败")
