"""Base viewsets: the same scope layer as the pages, and the same edit-conflict check (core.conflicts).

A record's detail answers with an ETag of its version (`"<pk>-<row_version>"`). An update that says which
version it read — the ETag in an `If-Match` header, or `row_version` in the body — is written only if the
record is still at that version: a stale `If-Match` is answered 412, a stale `row_version` 409, each with
a Chinese message and the current version; nothing is written then.
"""
from django.db import transaction
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from changqing.core import conflicts
from changqing.core.scope import restrict

STALE = "这条记录在您读取之后已被别人修改，本次没有保存。请重新读取最新内容，核对后再提交。"


def _with_etag(response, instance):
    if isinstance(getattr(instance, "row_version", None), int):
        response["ETag"] = conflicts.etag(instance)
    return response


class VersionedRetrieveMixin:
    """GET of one record carries its ETag."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return _with_etag(Response(self.get_serializer(instance).data), instance)


class ScopedReadOnlyViewSet(VersionedRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only endpoint whose queryset is always restricted to the user's scope."""

    action_name = "view"

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user, self.action_name)


class ScopedModelViewSet(VersionedRetrieveMixin, viewsets.ModelViewSet):
    """Read in the view scope; write only inside the change scope; updates conflict-safe.

    A created or updated record must land inside the change scope too (no
    creating a record in another branch, no moving one out); otherwise the
    write is rolled back and answered 403.
    """

    def get_queryset(self):
        action = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        return restrict(super().get_queryset(), self.request.user, action)

    def _save_in_scope(self, serializer):
        with transaction.atomic():
            obj = serializer.save()
            model = type(obj)
            if not restrict(model._default_manager.filter(pk=obj.pk), self.request.user, "change").exists():
                raise PermissionDenied("该记录不在您可以修改的数据范围内")

    def perform_create(self, serializer):
        self._save_in_scope(serializer)

    def perform_update(self, serializer):
        self._save_in_scope(serializer)

    def _stale(self, instance, code):
        fresh = conflicts.current(instance) or instance
        return _with_etag(Response({"detail": STALE, "row_version": fresh.row_version}, status=code), fresh)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        versioned = isinstance(getattr(instance, "row_version", None), int)
        if versioned and (if_match := request.headers.get("If-Match")) is not None:
            tags = [t.strip() for t in if_match.split(",")]
            if "*" not in tags and conflicts.etag(instance) not in tags:
                return self._stale(instance, status.HTTP_412_PRECONDITION_FAILED)
            conflicts.expect(instance, instance.row_version)  # checked again in the UPDATE itself
        elif versioned and "row_version" in request.data:
            try:
                read = int(request.data["row_version"])
            except (TypeError, ValueError):
                raise ValidationError({"row_version": "版本号应为整数"}) from None
            if read != instance.row_version:
                return self._stale(instance, status.HTTP_409_CONFLICT)
            conflicts.expect(instance, read)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            self.perform_update(serializer)
        except conflicts.ConflictError:  # saved by someone else between the read above and the UPDATE
            code = status.HTTP_412_PRECONDITION_FAILED if "If-Match" in request.headers else status.HTTP_409_CONFLICT
            return self._stale(instance, code)
        if getattr(instance, "_prefetched_objects_cache", None):
            instance._prefetched_objects_cache = {}
        return _with_etag(Response(serializer.data), instance)
