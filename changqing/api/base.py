"""Base viewsets: the same scope layer as the pages."""
from rest_framework import viewsets

from changqing.accounts.scope import restrict


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only endpoint whose queryset is always restricted to the user's scope."""

    action_name = "view"

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user, self.action_name)


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Read in the view scope; write only inside the change scope."""

    def get_queryset(self):
        action = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        return restrict(super().get_queryset(), self.request.user, action)
