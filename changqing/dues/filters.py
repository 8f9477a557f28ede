"""One FilterSet per list: the same filters serve the page, the API and the export."""
import django_filters
from changqing.core.filters import YearFilter
from django.db.models import Q
from django.utils import timezone

from changqing.members.models import Membership

from changqing.orgs.models import Organization
from changqing.core.tree import in_subtree

from .models import (
    BranchFundEntry, Category, DuesPayment, FundKind, HardshipDecision, HardshipKind, Method, PaymentKind,
)
from . import rules
from .selectors import arrears_q, band_q, last_closed_month, warning_months_for


class _UnderMixin:
    org_field = "organization"
    person_field = "membership__retiree"

    def filter_under(self, qs, name, value):
        org = Organization.objects.filter(code=value.strip()).only("path").first()
        return qs.filter(in_subtree(org.path, self.org_field)) if org else qs.none()

    def search_name(self, qs, name, value):
        field = self.person_field
        return qs.filter(Q(**{f"{field}__name__icontains": value})
                         | Q(**{f"{field}__name_pinyin__startswith": value.lower()})
                         | Q(**{f"{field}__name_initials__startswith": value.lower()}))


class MemberDuesFilterSet(_UnderMixin, django_filters.FilterSet):
    """Members with their dues status (queryset annotated by selectors.with_arrears)."""

    person_field = "retiree"

    q = django_filters.CharFilter(method="search_name", label="姓名或拼音")
    under = django_filters.CharFilter(method="filter_under", label="组织编码")
    category = django_filters.ChoiceFilter(field_name="current_category", choices=Category.choices, label="党员类别",
                                           empty_label="全部")
    arrears = django_filters.ChoiceFilter(method="filter_arrears", label="连续欠缴", empty_label="全部")
    no_base = django_filters.BooleanFilter(method="filter_no_base", label="未核定基数",
                                           widget=django_filters.widgets.BooleanWidget())

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # The bands of the user's jurisdiction (its "warning_months" policy).
        self.thresholds = warning_months_for(request.user, last_closed_month(timezone.localdate())) \
            if request is not None else rules.DEFAULT_RULES.warning_months
        self.filters["arrears"].extra["choices"] = [("1", "欠缴1个月及以上")] + [
            (str(t), label) for t, label in rules.band_labels(self.thresholds).items()]

    def filter_arrears(self, qs, name, value):
        as_of = last_closed_month(timezone.localdate())
        level = int(value)
        return qs.filter(arrears_q(1, as_of) if level == 1 else band_q(level, as_of, self.thresholds))

    def filter_no_base(self, qs, name, value):
        return qs.filter(first_base__isnull=value) if value is not None else qs

    class Meta:
        model = Membership
        fields = []


class DuesPaymentFilterSet(_UnderMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="search_name", label="姓名或拼音")
    under = django_filters.CharFilter(method="filter_under", label="组织编码")
    kind = django_filters.ChoiceFilter(choices=PaymentKind.choices, label="类型", empty_label="全部")
    method = django_filters.ChoiceFilter(choices=Method.choices, label="缴纳方式", empty_label="全部")
    paid_from = django_filters.DateFilter(field_name="paid_on", lookup_expr="gte", label="缴纳日期从",
                                          widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    paid_to = django_filters.DateFilter(field_name="paid_on", lookup_expr="lte", label="缴纳日期到",
                                        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    is_large = django_filters.BooleanFilter(label="大额单独列账", widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = DuesPayment
        fields = []


class HardshipFilterSet(_UnderMixin, django_filters.FilterSet):
    org_field = "membership__organization"
    q = django_filters.CharFilter(method="search_name", label="姓名或拼音")
    under = django_filters.CharFilter(method="filter_under", label="组织编码")
    kind = django_filters.ChoiceFilter(choices=HardshipKind.choices, label="减免方式", empty_label="全部")

    class Meta:
        model = HardshipDecision
        fields = []


class FundEntryFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FundKind.choices, label="类别", empty_label="全部")
    year = YearFilter(field_name="occurred_on__year", label="年度")

    class Meta:
        model = BranchFundEntry
        fields = []


class BranchFilterSet(_UnderMixin, django_filters.FilterSet):
    """Branches in a jurisdiction summary (fund, dues overview)."""

    q = django_filters.CharFilter(method="search_org", label="支部名称或编码")
    under = django_filters.CharFilter(method="filter_under_org", label="上级组织编码")

    class Meta:
        model = Organization
        fields = []

    def search_org(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_under_org(self, qs, name, value):
        org = Organization.objects.filter(code=value.strip()).only("path").first()
        return qs.filter(in_subtree(org.path)) if org else qs.none()
