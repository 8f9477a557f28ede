from rest_framework import serializers

from django.utils import timezone

from changqing.api.base import ScopedReadOnlyViewSet
from changqing.core.masking import Reveal, age_band

from .filters import AbsenceFilterSet, MembershipFilterSet, RetireeFilterSet, TransferFilterSet
from .models import Absence, Membership, Retiree, Transfer


class RetireeSerializer(serializers.ModelSerializer):
    organization_code = serializers.CharField(source="organization.code", read_only=True)
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    is_member = serializers.SerializerMethodField()
    birth_date = serializers.SerializerMethodField()
    age_band = serializers.SerializerMethodField()
    retired_on = serializers.SerializerMethodField()
    retired_year = serializers.SerializerMethodField()

    class Meta:
        model = Retiree
        fields = ["id", "name", "gender", "ethnicity", "birth_date", "age_band", "id_number", "phone", "retirement_kind",
                  "retired_on", "retired_year", "organization_code", "community", "health", "mobility_impaired", "living",
                  "status", "deceased_on", "is_member"]

    # Masked in the API too: full numbers only on the record page, where the view is logged.
    def get_id_number(self, obj) -> str:
        return obj.masked_id_number

    def get_phone(self, obj) -> str:
        return obj.masked_phone

    def _reveal(self) -> Reveal:
        if "reveal" not in self.context:  # the list serializer's children share one context: resolved once
            self.context["reveal"] = Reveal(getattr(self.context.get("request"), "user", None))
        return self.context["reveal"]

    # The birth date is what the masked ID number hides: only for a role that may reveal this person
    # (null otherwise); everyone gets the ten-year age band (core.masking).
    def get_birth_date(self, obj) -> str | None:
        return obj.birth_date.isoformat() if self._reveal().may(obj) else None

    # Retirement starts the month after a statutory birthday: the date only where the birth date is shown.
    def get_retired_on(self, obj) -> str | None:
        return obj.retired_on.isoformat() if obj.retired_on and self._reveal().may(obj) else None

    def get_retired_year(self, obj) -> int | None:
        return obj.retired_on.year if obj.retired_on else None

    def get_age_band(self, obj) -> str:
        return age_band(obj.birth_date, timezone.localdate())

    def get_is_member(self, obj) -> bool:
        m = getattr(obj, "membership", None)
        return bool(m and m.state == "active")


class RetireeViewSet(ScopedReadOnlyViewSet):
    queryset = Retiree.objects.select_related("organization", "membership").order_by("id")
    serializer_class = RetireeSerializer
    filterset_class = RetireeFilterSet

    @property
    def ordering_fields(self):
        # Ordering by birth date would confirm what the age band hides from a role that may not reveal.
        return ["name_pinyin", "birth_date", "id"] if Reveal(self.request.user).everywhere else ["name_pinyin", "id"]


class MembershipSerializer(serializers.ModelSerializer):
    retiree_name = serializers.CharField(source="retiree.name", read_only=True)
    organization_code = serializers.CharField(source="organization.code", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "retiree", "retiree_name", "organization_code", "status", "state", "joined_on", "full_on",
                  "ended_on"]


class MembershipViewSet(ScopedReadOnlyViewSet):
    queryset = Membership.objects.select_related("retiree", "organization").order_by("id")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet


class TransferSerializer(serializers.ModelSerializer):
    retiree = serializers.IntegerField(source="membership.retiree_id", read_only=True)
    from_label = serializers.CharField(read_only=True)
    to_label = serializers.CharField(read_only=True)

    class Meta:
        model = Transfer
        fields = ["id", "membership", "retiree", "direction", "from_label", "to_label", "letter_no", "letter_on",
                  "transferred_on", "reason"]


class TransferViewSet(ScopedReadOnlyViewSet):
    queryset = Transfer.objects.select_related("membership", "from_org", "to_org").order_by("-transferred_on", "-id")
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet


class AbsenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Absence
        fields = ["id", "retiree", "start_on", "expected_end_on", "end_on", "place", "reason", "host_org_name",
                  "host_since", "last_report_on"]


class AbsenceViewSet(ScopedReadOnlyViewSet):
    queryset = Absence.objects.order_by("-start_on", "id")
    serializer_class = AbsenceSerializer
    filterset_class = AbsenceFilterSet


def register(router):
    router.register("retirees", RetireeViewSet, basename="retiree")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("transfers", TransferViewSet, basename="transfer")
    router.register("absences", AbsenceViewSet, basename="absence")
