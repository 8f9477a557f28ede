from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

from .filters import OrganizationFilterSet
from .models import Organization, Zone


class OrganizationSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "code", "name", "kind", "setup_kind", "nature", "parent_code", "path", "depth",
                  "zone", "established_on", "dissolved_on", "term_years"]


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "code", "name", "organization", "lead_org", "deputy_org"]


class OrganizationViewSet(ScopedReadOnlyViewSet):
    queryset = Organization.objects.select_related("parent").order_by("path")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["code", "name", "path"]
    lookup_field = "code"


class ZoneViewSet(ScopedReadOnlyViewSet):
    queryset = Zone.objects.order_by("code")
    serializer_class = ZoneSerializer


def register(router):
    router.register("organizations", OrganizationViewSet, basename="organization")
    router.register("zones", ZoneViewSet, basename="zone")
