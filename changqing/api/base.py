"""Base viewsets: the same scope layer as the pages."""
from django.db import transaction
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from changqing.core.scope import restrict


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only endpoint whose queryset is always restricted to the user's scope."""

    action_name = "view"

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user, self.action_name)


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Read in the view scope; write only inside the change scope.

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
