from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

from .filters import MeetingFilterSet, StudyRecordFilterSet
from .models import Attendance, Meeting, StudyRecord


class AttendanceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="membership.retiree.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["membership", "name", "status", "reason", "deliverer", "material", "feedback", "delivered_on"]


class MeetingSerializer(serializers.ModelSerializer):
    organization_code = serializers.CharField(source="organization.code", read_only=True)
    kind = serializers.CharField(source="kind.code", read_only=True)
    attendances = AttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "organization_code", "kind", "state", "held_on", "start_time", "place", "topic", "host",
                  "recorder", "minutes", "resolutions", "votes_for", "votes_against", "votes_abstain",
                  "created_at", "created_by_name", "attendances"]


class MeetingViewSet(ScopedReadOnlyViewSet):
    queryset = Meeting.objects.select_related("organization", "kind").prefetch_related(
        "attendances__membership__retiree").order_by("-held_on", "-id")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet


class StudyRecordSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="membership.retiree.name", read_only=True)

    class Meta:
        model = StudyRecord
        fields = ["id", "membership", "name", "organization", "studied_on", "mode", "material_title", "deliverer",
                  "notes", "reflection"]


class StudyRecordViewSet(ScopedReadOnlyViewSet):
    queryset = StudyRecord.objects.select_related("membership__retiree").order_by("-studied_on", "-id")
    serializer_class = StudyRecordSerializer
    filterset_class = StudyRecordFilterSet


def register(router):
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("life/meetings", MeetingViewSet, basename="life-meeting")
    router.register("life/study-records", StudyRecordViewSet, basename="life-study-record")
