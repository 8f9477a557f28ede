"""/api/v1/policy-versions/: every version of the rules set in the user's reach, read-only (writes: the pages)."""
from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

from .models import PolicyVersion


class PolicyVersionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="policy.kind")
    organization = serializers.IntegerField(source="policy.organization_id")

    class Meta:
        model = PolicyVersion
        fields = ["id", "kind", "organization", "valid_from", "valid_to", "values", "note"]


class PolicyVersionViewSet(ScopedReadOnlyViewSet):
    queryset = PolicyVersion.objects.select_related("policy").order_by("policy__organization__path", "policy__kind",
                                                                       "valid_from")
    serializer_class = PolicyVersionSerializer


def register(router):
    router.register("policy-versions", PolicyVersionViewSet, basename="policy-version")
