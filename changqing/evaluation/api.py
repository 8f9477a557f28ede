"""Read-only API: assessments with their item scores, and 示范支部 designations (scoped like the pages)."""
from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

from .filters import AssessmentFilterSet, DesignationFilterSet
from .models import Assessment, Designation, ItemScore


class ItemScoreSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code", read_only=True)
    name = serializers.CharField(source="item.name", read_only=True)
    weight = serializers.DecimalField(source="item.weight", max_digits=5, decimal_places=1, read_only=True)
    source = serializers.CharField(source="item.source", read_only=True)
    metric = serializers.CharField(source="item.scoring_metric", read_only=True)

    class Meta:
        model = ItemScore
        fields = ["code", "name", "weight", "source", "metric", "figures", "computed_score", "reviewer_score",
                  "final_score", "reason", "reviewer_name", "reviewed_at"]


class AssessmentSerializer(serializers.ModelSerializer):
    organization_code = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    rubric = serializers.CharField(source="rubric.code", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    scores = ItemScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "organization_code", "organization_name", "year", "kind", "rubric", "version", "state",
                  "total", "grade", "grade_label", "unscored", "computed_at", "confirmed_at", "scores"]


class AssessmentViewSet(ScopedReadOnlyViewSet):
    queryset = Assessment.objects.select_related("organization", "rubric", "version").prefetch_related(
        "scores__item").order_by("-year", "organization__path", "id")
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet


class DesignationSerializer(serializers.ModelSerializer):
    organization_code = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Designation
        fields = ["id", "organization_code", "organization_name", "year", "title", "basis", "designated_on",
                  "revoked_on", "revoke_reason"]


class DesignationViewSet(ScopedReadOnlyViewSet):
    queryset = Designation.objects.select_related("organization").order_by("-year", "organization__path", "id")
    serializer_class = DesignationSerializer
    filterset_class = DesignationFilterSet


def register(router):
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("evaluation/assessments", AssessmentViewSet, basename="evaluation-assessment")
    router.register("evaluation/designations", DesignationViewSet, basename="evaluation-designation")
