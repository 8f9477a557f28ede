from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

from .filters import ElectionFilterSet, LiaisonFilterSet, OrganizationFilterSet, TermFilterSet
from .models import (
    CommitteePost, CommitteeTerm, Election, ElectionCandidate, JointUnit, Liaison, Organization, Zone,
)


class JointUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = JointUnit
        fields = ["name", "kind"]


class OrganizationSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, allow_null=True, read_only=True)
    joint_units = JointUnitSerializer(many=True, read_only=True)  # 联合建: the units covered (≤5)

    class Meta:
        model = Organization
        fields = ["id", "code", "name", "kind", "setup_kind", "nature", "parent_code", "path", "depth",
                  "zone", "established_on", "dissolved_on", "term_years", "joint_units"]


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "code", "name", "organization", "lead_org", "deputy_org"]


class OrganizationViewSet(ScopedReadOnlyViewSet):
    queryset = Organization.objects.select_related("parent").prefetch_related("joint_units").order_by("path")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["code", "name", "path"]
    lookup_field = "code"


class ZoneViewSet(ScopedReadOnlyViewSet):
    queryset = Zone.objects.order_by("code")
    serializer_class = ZoneSerializer


class CommitteePostSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="membership.retiree.name", read_only=True)

    class Meta:
        model = CommitteePost
        fields = ["name", "post", "duty"]


class CommitteeTermSerializer(serializers.ModelSerializer):
    organization_code = serializers.CharField(source="organization.code", read_only=True)
    posts = CommitteePostSerializer(many=True, read_only=True)

    class Meta:
        model = CommitteeTerm
        fields = ["id", "organization_code", "number", "form", "start_on", "years", "end_on", "ended_on", "election",
                  "posts"]


class CandidateSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="membership.retiree.name", read_only=True)

    class Meta:
        model = ElectionCandidate
        fields = ["name", "votes", "elected"]


class ElectionSerializer(serializers.ModelSerializer):
    organization_code = serializers.CharField(source="organization.code", read_only=True)
    candidates = CandidateSerializer(many=True, read_only=True)

    class Meta:
        model = Election
        fields = ["id", "organization_code", "held_on", "seats", "due_to_attend", "present", "win_basis",
                  "votes_to_win", "approval_no", "approval_on", "result_note", "candidates"]


class LiaisonSerializer(serializers.ModelSerializer):
    organization_code = serializers.CharField(source="organization.code", read_only=True)

    class Meta:
        model = Liaison
        fields = ["id", "organization_code", "name", "unit", "post", "phone", "start_on", "end_on"]


class CommitteeTermViewSet(ScopedReadOnlyViewSet):
    queryset = CommitteeTerm.objects.select_related("organization").prefetch_related(
        "posts__membership__retiree").order_by("end_on", "pk")
    serializer_class = CommitteeTermSerializer
    filterset_class = TermFilterSet


class ElectionViewSet(ScopedReadOnlyViewSet):
    queryset = Election.objects.select_related("organization").prefetch_related(
        "candidates__membership__retiree").order_by("-held_on", "pk")
    serializer_class = ElectionSerializer
    filterset_class = ElectionFilterSet


class LiaisonViewSet(ScopedReadOnlyViewSet):
    queryset = Liaison.objects.select_related("organization").order_by("organization__path", "pk")
    serializer_class = LiaisonSerializer
    filterset_class = LiaisonFilterSet


def register(router):
    router.register("organizations", OrganizationViewSet, basename="organization")
    router.register("zones", ZoneViewSet, basename="zone")
    router.register("committee-terms", CommitteeTermViewSet, basename="committee-term")
    router.register("elections", ElectionViewSet, basename="election")
    router.register("liaisons", LiaisonViewSet, basename="liaison")
