import django_filters
from changqing.core.filters import IntFilter, YearFilter
from changqing.core.tree import in_subtree

from .models import (
    CommitteeMemberAssignment, CommitteeTerm, Election, Liaison, Nature, Organization, OrgKind, Restructuring, SetupKind,
    Zone,
)


class OrganizationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="名称或编码")
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label="组织类别", empty_label="全部")
    setup_kind = django_filters.ChoiceFilter(choices=SetupKind.choices, label="组建方式", empty_label="全部")
    nature = django_filters.ChoiceFilter(choices=Nature.choices, label="类型", empty_label="全部")
    zone = django_filters.ModelChoiceFilter(queryset=Zone.objects.all(), label="片组", empty_label="全部")
    under = django_filters.CharFilter(method="filter_under", label="上级组织编码")
    dissolved = django_filters.BooleanFilter(method="filter_dissolved", label="含已撤销",
                                             widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = Organization
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            from changqing.core.scope import restrict

            self.filters["zone"].queryset = restrict(Zone.objects.all(), request.user)

    def search(self, qs, name, value):
        from django.db.models import Q

        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_dissolved(self, qs, name, value):
        return qs if value else qs.filter(dissolved_on__isnull=True)

    def filter_under(self, qs, name, value):
        parent = Organization.objects.filter(code=value).only("path").first()
        return qs.filter(in_subtree(parent.path)) if parent else qs.none()


def _restricted_zones(filterset, request):
    if request is not None:
        from changqing.core.scope import restrict

        filterset.filters["zone"].queryset = restrict(Zone.objects.all(), request.user)


class TermFilterSet(django_filters.FilterSet):
    """Current terms (one per organisation) by how soon they end."""

    q = django_filters.CharFilter(method="search", label="组织名称")
    state = django_filters.ChoiceFilter(method="filter_state", label="换届状态", empty_label="全部",
                                        choices=[("overdue", "已到期未换届"), ("due_soon", "30天内到期"),
                                                 ("due", "90天内到期（含30天内）")])
    zone = django_filters.ModelChoiceFilter(field_name="organization__zone", queryset=Zone.objects.all(), label="片组",
                                            empty_label="全部")

    class Meta:
        model = CommitteeTerm
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        _restricted_zones(self, request)

    def search(self, qs, name, value):
        return qs.filter(organization__name__icontains=value)

    def filter_state(self, qs, name, value):
        from django.utils import timezone

        from .selectors import terms_in_state

        return terms_in_state(qs, value, timezone.localdate())


class SizeWarningFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="支部名称")
    warning = django_filters.ChoiceFilter(method="filter_warning", label="提醒", empty_label="全部提醒",
                                          choices=[("too_few", "正式党员不足3人"), ("too_many", "党员超过50人"),
                                                   ("needs_committee", "7名以上正式党员未设委员会"),
                                                   ("committee_not_allowed", "不足7名正式党员却设委员会")])
    zone = django_filters.ModelChoiceFilter(queryset=Zone.objects.all(), label="片组", empty_label="全部")

    class Meta:
        model = Organization
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        _restricted_zones(self, request)
        from .rules import size_labels
        from .selectors import user_rules

        self.filters["warning"].extra["choices"] = list(size_labels(user_rules(request.user)).items()) + [
            ("no_term", "未登记班子")]

    def search(self, qs, name, value):
        return qs.filter(name__icontains=value)

    def filter_warning(self, qs, name, value):
        from .selectors import size_filter

        return size_filter(qs, value)


class LiaisonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名、单位或支部")
    current = django_filters.BooleanFilter(method="filter_current", label="仅现任",
                                           widget=django_filters.widgets.BooleanWidget())
    missed = IntFilter(method="filter_missed", label="今年某月未联系（月份）", min_value=1, max_value=12)

    class Meta:
        model = Liaison
        fields = []

    def search(self, qs, name, value):
        from django.db.models import Q

        return qs.filter(Q(name__icontains=value) | Q(unit__icontains=value) | Q(organization__name__icontains=value))

    def filter_current(self, qs, name, value):
        return qs.filter(end_on__isnull=value) if value is not None else qs

    def filter_missed(self, qs, name, value):
        import datetime as dt

        from django.db.models import Exists, OuterRef
        from django.utils import timezone

        from .models import LiaisonContact

        month = int(value)
        if not 1 <= month <= 12:
            return qs.none()
        year = timezone.localdate().year
        start = dt.date(year, month, 1)
        contact = LiaisonContact.objects.filter(liaison=OuterRef("pk"), contacted_on__year=year,
                                                contacted_on__month=month)
        return qs.filter(start_on__lt=start).exclude(Exists(contact))


class AssignmentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="委员或支部")
    behind = django_filters.BooleanFilter(method="filter_behind", label="进度落后",
                                          widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = CommitteeMemberAssignment
        fields = []

    def search(self, qs, name, value):
        from django.db.models import Q

        return qs.filter(Q(name__icontains=value) | Q(organization__name__icontains=value))

    def filter_behind(self, qs, name, value):
        from django.utils import timezone

        from .selectors import visits_behind

        if not value:
            return qs
        today = timezone.localdate()
        return visits_behind(qs, today.year, today)


class RestructuringFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Restructuring.Kind.choices, label="类别", empty_label="全部")
    q = django_filters.CharFilter(method="search", label="组织名称")

    class Meta:
        model = Restructuring
        fields = []

    def search(self, qs, name, value):
        from django.db.models import Q

        return qs.filter(Q(organization__name__icontains=value) | Q(source__name__icontains=value))


class ElectionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="organization__name", lookup_expr="icontains", label="组织名称")
    year = YearFilter(field_name="held_on", lookup_expr="year", label="年份")

    class Meta:
        model = Election
        fields = []
