from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

from .filters import RetireeFilterSet
from .models import Retiree


class RetireeSerializer(serializers.ModelSerializer):
    organization_code = serializers.CharField(source="organization.code", read_only=True)
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    is_member = serializers.SerializerMethodField()

    class Meta:
        model = Retiree
        fields = ["id", "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "retirement_kind",
                  "organization_code", "health", "mobility_impaired", "living", "status", "is_member"]

    # Masked in the API too: full numbers only on the record page, where the view is logged.
    def get_id_number(self, obj) -> str:
        return obj.masked_id_number

    def get_phone(self, obj) -> str:
        return obj.masked_phone

    def get_is_member(self, obj) -> bool:
        m = getattr(obj, "membership", None)
        return bool(m and m.state == "active")


class RetireeViewSet(ScopedReadOnlyViewSet):
    queryset = Retiree.objects.select_related("organization", "membership").order_by("id")
    serializer_class = RetireeSerializer
    filterset_class = RetireeFilterSet
    ordering_fields = ["name_pinyin", "birth_date", "id"]


def register(router):
    router.register("retirees", RetireeViewSet, basename="retiree")
