"""/api/v1/dues-*: read-only endpoints in the user's scope; writes go through the pages and services."""
from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

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


def register(router):
    router.register("dues-bases", DuesBaseViewSet, basename="dues-base")
    router.register("dues-payments", DuesPaymentViewSet, basename="dues-payment")
    router.register("dues-hardship", HardshipViewSet, basename="dues-hardship")
    router.register("dues-fund", FundEntryViewSet, basename="dues-fund")
