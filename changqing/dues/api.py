"""/api/v1/dues-*: read-only endpoints in the user's scope; writes go through the pages and services."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound

from changqing.api.base import ScopedReadOnlyViewSet
from changqing.core.scope import restrict
from changqing.members.models import Membership
from changqing.orgs.models import Organization
from changqing.orgs.selectors import scope_root

from . import rules
from .selectors import month_roll, month_roll_rows

from .filters import DuesPaymentFilterSet, HardshipFilterSet
from .models import BranchFundEntry, DuesBase, DuesPayment, HardshipDecision


class DuesBaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = DuesBase
        fields = ["id", "membership", "effective_from", "category", "income", "pension_whole", "pension_basic", "note"]


class DuesPaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = DuesPayment
        fields = ["id", "membership", "organization", "kind", "first_month", "months", "amount", "method", "paid_on",
                  "collector", "receipt_number", "payer_name", "is_large", "note"]


class HardshipSerializer(serializers.ModelSerializer):
    class Meta:
        model = HardshipDecision
        fields = ["id", "membership", "kind", "monthly_amount", "first_month", "last_month", "decided_on",
                  "meeting_reference", "reason"]


class FundEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = BranchFundEntry
        fields = ["id", "organization", "kind", "occurred_on", "amount", "source", "purpose", "receipt_number", "note"]


class DuesBaseViewSet(ScopedReadOnlyViewSet):
    queryset = DuesBase.objects.all().order_by("id")
    serializer_class = DuesBaseSerializer


class DuesPaymentViewSet(ScopedReadOnlyViewSet):
    queryset = DuesPayment.objects.all().order_by("-paid_on", "-id")
    serializer_class = DuesPaymentSerializer
    filterset_class = DuesPaymentFilterSet


class HardshipViewSet(ScopedReadOnlyViewSet):
    queryset = HardshipDecision.objects.all().order_by("-decided_on", "-id")
    serializer_class = HardshipSerializer
    filterset_class = HardshipFilterSet


class FundEntryViewSet(ScopedReadOnlyViewSet):
    queryset = BranchFundEntry.objects.all().order_by("-occurred_on", "-id")
    serializer_class = FundEntrySerializer


class DuesMonthQuerySerializer(serializers.Serializer):
    month = serializers.CharField(help_text="月份，如 2025-03", error_messages={"required": "请给出月份（month），如 2025-03"})
    org = serializers.CharField(required=False, help_text="组织编码：该组织及其下级（默认：您的数据范围）")

    def validate_month(self, value):
        try:
            return rules.parse_month(value)
        except rules.RuleError as exc:
            raise serializers.ValidationError(str(exc)) from None


class DuesMonthRowSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    name = serializers.CharField()
    branch_code = serializers.CharField(help_text="当月所在支部的编码")
    state = serializers.CharField(help_text="今天的党籍状态：active 在册 / deceased 已故 / transferred_out 已转出 / left")
    category = serializers.CharField(allow_null=True)
    base = serializers.CharField(allow_null=True)
    rate = serializers.CharField(allow_null=True)
    amount_due = serializers.CharField(allow_null=True)
    paid = serializers.CharField()
    arrears_months = serializers.IntegerField()


class DuesMonthViewSet(viewsets.GenericViewSet):
    """GET /api/v1/dues-months/?month=2025-03[&org=CODE]: the roll of a month — everyone who owed it, including
    members who have since died, transferred out or left — with what they owed and paid then (as `manage.py dues`)."""

    serializer_class = DuesMonthRowSerializer
    filter_backends: list = []
    queryset = Membership.objects.none()

    @extend_schema(parameters=[DuesMonthQuerySerializer], responses=DuesMonthRowSerializer(many=True))
    def list(self, request, *args, **kwargs):
        query = DuesMonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data["month"]
        code = query.validated_data.get("org")
        if code:
            org = restrict(Organization.objects.filter(code=code), request.user).first()
            if org is None:
                raise NotFound("找不到该组织，或不在您的数据范围内")
        else:
            org = scope_root(request.user)
        if org is None:
            ids = Membership.objects.none().values_list("pk", flat=True)
        else:
            ids = month_roll([month], org=org).order_by("organization__path", "pk").values_list("pk", flat=True)
        page = self.paginate_queryset(ids)
        return self.get_paginated_response(DuesMonthRowSerializer(month_roll_rows(month, list(page)), many=True).data)


def register(router):
    router.register("dues-bases", DuesBaseViewSet, basename="dues-base")
    router.register("dues-payments", DuesPaymentViewSet, basename="dues-payment")
    router.register("dues-hardship", HardshipViewSet, basename="dues-hardship")
    router.register("dues-fund", FundEntryViewSet, basename="dues-fund")
    router.register("dues-months", DuesMonthViewSet, basename="dues-month")
