from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

from .filters import GuideFilterSet, HelpRequestFilterSet, NewOrgFilterSet
from .models import GuidanceStation, Guide, HelpRequest, NewOrg


class StationSerializer(serializers.ModelSerializer):
    class Meta:
        model = GuidanceStation
        fields = ["id", "code", "name", "base", "area", "address", "established_on"]


class GuideSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guide
        fields = ["id", "station", "role", "name", "unit", "appointed_on", "status"]


class NewOrgSerializer(serializers.ModelSerializer):
    class Meta:
        model = NewOrg
        fields = ["id", "station", "guide", "kind", "name", "credit_code", "address", "area", "industry",
                  "person_in_charge", "employees", "party_members", "party_org_status", "party_org", "active"]


class HelpRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = HelpRequest
        fields = ["id", "new_org", "title", "description", "raised_on", "status", "guide", "answer", "answered_on",
                  "closed_on"]


class StationViewSet(ScopedReadOnlyViewSet):
    queryset = GuidanceStation.objects.order_by("code")
    serializer_class = StationSerializer


class GuideViewSet(ScopedReadOnlyViewSet):
    queryset = Guide.objects.order_by("station_id", "name")
    serializer_class = GuideSerializer
    filterset_class = GuideFilterSet


class NewOrgViewSet(ScopedReadOnlyViewSet):
    queryset = NewOrg.objects.order_by("name")
    serializer_class = NewOrgSerializer
    filterset_class = NewOrgFilterSet


class HelpRequestViewSet(ScopedReadOnlyViewSet):
    queryset = HelpRequest.objects.order_by("-raised_on")
    serializer_class = HelpRequestSerializer
    filterset_class = HelpRequestFilterSet


def register(router):
    router.register("guidance/stations", StationViewSet, basename="guidance-station")
    router.register("guidance/guides", GuideViewSet, basename="guidance-guide")
    router.register("guidance/orgs", NewOrgViewSet, basename="guidance-neworg")
    router.register("guidance/help-requests", HelpRequestViewSet, basename="guidance-help")
