import django_filters
from changqing.core.filters import YearFilter
from django.db.models import Q

from .models import Finding, FindingKind, FindingStatus, Severity


class FindingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="支部名称/编码")
    kind = django_filters.ChoiceFilter(choices=FindingKind.choices, label="问题类型", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices, label="核实状态", empty_label="全部")
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label="严重程度", empty_label="全部")
    period = YearFilter(label="审计年度")

    class Meta:
        model = Finding
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["period"].field.error_messages["invalid"] = "请输入四位年份，例如 2025"

    def search(self, qs, name, value):
        return qs.filter(Q(organization__name__icontains=value) | Q(organization__code__icontains=value))
