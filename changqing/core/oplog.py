from __future__ import annotations

from changqing.core.scope import home_path

from .context import current, current_user
from .middleware import client_ip
from .models import OperationLog
from .redact import scrub, scrub_data


def log_operation(event, *, user=None, request=None, detail: str = "", org_path: str = "",
                  username: str = "", data: dict | None = None) -> OperationLog:
    """Record a business event (login, export, unmasked view…) in the operation log."""
    if user is None:
        user = getattr(request, "user", None) if request is not None else current_user()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if not org_path:
        # Filed under the acting person's organisation, so their administrators see it.
        subject = user
        if subject is None and username:
            from django.contrib.auth import get_user_model

            subject = get_user_model().objects.filter(username=username).first()
        org_path = home_path(subject)
    ip = client_ip(request) if request is not None else (current().ip if current() else None)
    return OperationLog.objects.create(
        user=user,
        username=username or (user.get_username() if user else ""),
        event=event,
        detail=scrub(detail)[:500],  # no ID number or phone in clear in the log (core.redact)
        ip=ip,
        org_path=org_path[:255],
        data=scrub_data(data or {}),
    )
