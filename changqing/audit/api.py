"""API: read-only findings in the user's scope."""
from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

from .models import Finding


class FindingSerializer(serializers.ModelSerializer):
    branch_code = serializers.CharField(source="organization.code", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "kind", "branch_code", "period", "record_ids", "score", "severity", "evidence", "status",
                  "reason", "decided_at"]


class FindingViewSet(ScopedReadOnlyViewSet):
    queryset = Finding.objects.select_related("organization").order_by("-score", "-id")
    serializer_class = FindingSerializer
    filterset_fields = ["kind", "status", "period"]


def register(router):
    router.register("audit/findings", FindingViewSet, basename="audit-finding")
