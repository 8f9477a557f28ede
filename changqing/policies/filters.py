import django_filters

from . import kinds
from .models import Policy


class PolicyFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=lambda: [(k.code, k.label) for k in kinds.all_kinds()],
                                       label="规则类别", empty_label="全部")
    org = django_filters.CharFilter(field_name="organization__name", lookup_expr="icontains", label="组织名称")

    class Meta:
        model = Policy
        fields = []
