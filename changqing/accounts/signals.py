"""The session clocks start at login (accounts/sessions.py)."""
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import sessions


@receiver(user_logged_in, dispatch_uid="accounts_session_start")
def _start_session_clocks(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.start(request.session)
