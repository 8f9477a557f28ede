"""Faults answered with a friendly Chinese page instead of a server error (issue 17).

* The database is away for a moment (restarting, failing over, a network blip):
  ``OperationalError`` / ``InterfaceError`` become a 503 page that renders without
  the database and asks the user to try again; Django drops the broken connection
  at the end of the request and, with ``CONN_HEALTH_CHECKS``, checks a kept one
  before reuse, so the next request after the database returns simply works.
* The media folder cannot be written (disk full, read-only mount):
  ``core.storage.SafeFileSystemStorage`` raises ``StorageUnavailable``, answered
  here with a 503 page saying nothing was saved.

The pages are plain templates rendered without a request (no context processor,
no session, no user), so they render when nothing else does.
"""
from __future__ import annotations

import logging

from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("changqing.faults")

RETRY_AFTER_SECONDS = 15


class StorageUnavailable(OSError):
    """The media folder refused a file (full or read-only); nothing of the file was kept."""

    message = "文件没有保存：服务器的存储空间已满或暂时无法写入。您这次提交的内容没有保存，请稍后再试，或联系系统管理员。"


def _is_database_outage(exc: BaseException) -> bool:
    # OperationalError: the server went away, refused, timed out, or is restarting. InterfaceError: the
    # connection object was already closed. Other DatabaseErrors (integrity, data) are bugs or bad input.
    return isinstance(exc, (OperationalError, InterfaceError))


def _page(template: str, status: int, context: dict) -> HttpResponse:
    html = render_to_string(template, {"retry_after": RETRY_AFTER_SECONDS, **context})
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable_response(request=None) -> HttpResponse:
    if request is not None and _wants_json(request):
        return _json(503, "数据库暂时无法连接，请稍后重试。")
    # Reloading by itself only repeats a read: after a failed POST the user decides to send again.
    return _page("core/fault_database.html", 503, {"auto_retry": request is None or request.method == "GET"})


def storage_unavailable_response(request=None) -> HttpResponse:
    if request is not None and _wants_json(request):
        return _json(503, StorageUnavailable.message)
    return _page("core/fault_storage.html", 503, {"message": StorageUnavailable.message})


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "json" in request.headers.get("Accept", "")


def _json(status: int, detail: str) -> HttpResponse:
    import json

    response = HttpResponse(json.dumps({"detail": detail}, ensure_ascii=False), status=status,
                            content_type="application/json")
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


API_ERROR_DETAILS = {
    400: "请求不正确，请检查参数。",
    403: "无权进行此操作。",
    404: "未找到。",
    405: "不支持该请求方法。",
    500: "服务器内部错误，已记录，请稍后重试。",
    503: "数据库暂时无法连接，请稍后重试。",
}


class FaultMiddleware:
    """Turns a database outage or an unwritable media folder into a 503 page (listed first in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._answer(request, self.get_response(request))
        if request.path.startswith("/api/") and response.status_code >= 400 and "html" in response.get("Content-Type", ""):
            # The API answers in JSON, also where Django's own pages answer (no such URL, a bad request).
            return _json(response.status_code, API_ERROR_DETAILS.get(response.status_code, "请求未能完成。"))
        return response

    def _answer(self, request, response):
        # An outage outside any view (a session saved by a middleware, a lazy query while rendering)
        # reached Django's 500 handler; _mark_fault below noted which kind it was.
        fault = getattr(request, "_changqing_fault", None)
        if response.status_code == 500 and fault == "database":
            return database_unavailable_response(request)
        if response.status_code == 500 and fault == "storage":
            return storage_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, StorageUnavailable):
            logger.error("上传文件未能写入存储：%s", exception.__cause__ or exception)
            return storage_unavailable_response(request)
        if _is_database_outage(exception):
            logger.error("数据库暂时不可用：%s", exception)
            _drop_broken_connections()
            return database_unavailable_response(request)
        return None


def _mark_fault(sender, request=None, **kwargs):
    """got_request_exception: remember on the request whether the uncaught exception was an outage."""
    import sys

    exc = sys.exc_info()[1]
    if request is None or exc is None:
        return
    if isinstance(exc, StorageUnavailable):
        request._changqing_fault = "storage"
    elif _is_database_outage(exc):
        request._changqing_fault = "database"
        _drop_broken_connections()


got_request_exception.connect(_mark_fault, dispatch_uid="changqing.core.faults.mark_fault")


def _drop_broken_connections() -> None:
    """Close connections that errored, so the next request opens a fresh one (not only at request end)."""
    for conn in connections.all(initialized_only=True):
        try:
            if conn.in_atomic_block:
                continue  # a test's transaction or an outer atomic block: its owner decides
            conn.close_if_unusable_or_obsolete()
        except DatabaseError:
            pass


def healthz(request):
    """GET /healthz: 200 "ok" when the database answers, 503 otherwise (for the load balancer, docs/deploy.md).

    No login, no session, no template: one ``SELECT 1``. A broken connection raises OperationalError,
    which the middleware above turns into the 503 and closes, so the next probe reconnects.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    response = HttpResponse("ok", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
