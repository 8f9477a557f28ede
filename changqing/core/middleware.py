from .context import ActionContext, _current


class RequestContextMiddleware:
    """Binds the acting user and a request id for the change log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = ActionContext(user=getattr(request, "user", None), ip=client_ip(request))
        request.request_id = ctx.request_id
        token = _current.set(ctx)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


def client_ip(request) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")
