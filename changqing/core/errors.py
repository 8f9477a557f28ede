"""Chinese error pages (400, 403, 404, 500, CSRF failure) in the site's layout.

Wired in changqing/urls.py (handler400…handler500) and settings.CSRF_FAILURE_VIEW. Each page
shows the reason where there is one a user can read: the message of a PermissionDenied,
Http404 or BadRequest when it is in Chinese (Django's own English messages, e.g. "No Retiree
matches the given query.", are left out), and a 返回首页 button.

The 500 page is rendered without the request's context processors (which read the user, the
menu and the notifications from the database, and may be what failed) and, should even that
fail, from a fixed string: it never raises.
"""
from __future__ import annotations

import logging
import re

from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

_CJK = re.compile(r"[\u4e00-\u9fff]")

FALLBACK_500 = (
    '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>系统出错 · 常青</title></head>'
    '<body style="font-size:20px;line-height:1.7;padding:16px;font-family:sans-serif">'
    "<h1>系统暂时出错</h1><p>很抱歉，服务器处理这个请求时出错了，已记录下来。请稍后再试；"
    "如果一直出错，请联系本单位老干部局管理员。</p>"
    '<p><a href="/" style="display:inline-block;padding:14px 28px;background:#a4161a;color:#fff;'
    'text-decoration:none;border-radius:6px">返回首页</a></p></body></html>'
)


def readable_reason(exception) -> str:
    """The exception's message if it was written for a user (in Chinese), else ''."""
    if exception is None:
        return ""
    args = getattr(exception, "args", ())
    message = args[0] if args else ""
    if isinstance(message, dict) or isinstance(message, (list, tuple)):
        return ""
    message = str(message)
    return message if _CJK.search(message) else ""


def _render(request, template_name: str, status: int, **context) -> HttpResponse:
    try:
        body = loader.get_template(template_name).render(context, request)
    except Exception:  # a broken context processor or template must not turn a 403 into a 500
        logger.exception("error page %s could not render with the request context", template_name)
        body = _render_plain(template_name, request, context)
    return HttpResponse(body, status=status)


def _large_text(request) -> bool:
    try:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return bool(user.large_text)
    except Exception:
        pass
    return getattr(request, "COOKIES", {}).get("large_text") == "1"


def _render_plain(template_name: str, request, context: dict) -> str:
    """The page in the layout, without context processors (no user, no menu, no database)."""
    try:
        return loader.get_template(template_name).render({**context, "large_text": _large_text(request)})
    except Exception:
        logger.exception("error page %s could not render", template_name)
        return FALLBACK_500


@requires_csrf_token
def bad_request(request, exception=None):
    return _render(request, "400.html", 400, reason=readable_reason(exception))


@requires_csrf_token
def permission_denied(request, exception=None):
    return _render(request, "403.html", 403, reason=readable_reason(exception))


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, "404.html", 404, reason=readable_reason(exception))


def server_error(request):
    return HttpResponseServerError(_render_plain("500.html", request, {}))


# Django's CSRF reasons (English, for developers) in words a user can act on.
_CSRF_REASONS = {
    "no_cookie": "浏览器没有保存本站的 Cookie。请在浏览器设置中允许本站的 Cookie，然后刷新页面重新提交。",
    "referer": "浏览器没有说明请求来自本站的哪个页面，无法确认是您本人提交的。请从本站页面重新操作。",
    "origin": "请求不是从本站的页面发出的，为安全起见已拒绝。请从本站页面重新操作。",
}
_CSRF_DEFAULT = "页面停留时间过长，或您已在别处退出又重新登录，表单的安全校验已失效。请返回上一页，刷新后重新提交。"


def csrf_reason(reason: str) -> str:
    text = (reason or "").lower()
    if "cookie" in text:
        return _CSRF_REASONS["no_cookie"]
    if "referer" in text:
        return _CSRF_REASONS["referer"]
    if "origin" in text:
        return _CSRF_REASONS["origin"]
    return _CSRF_DEFAULT


def csrf_failure(request, reason="", template_name="403_csrf.html"):
    return _render(request, template_name, 403, reason=csrf_reason(reason))
