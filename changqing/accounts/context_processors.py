from django.conf import settings


def session_policy(request):
    """What the idle warning (static/js/idle.js) needs to know: the idle timeout, in seconds."""
    return {"session_idle_timeout": settings.SESSION_IDLE_TIMEOUT}
