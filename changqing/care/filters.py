import django_filters
from changqing.core.filters import IdFilter, YearFilter

from changqing.core.scope import restrict_shared

from .models import HardshipReason, HardshipRecord, Participation, Visit, VisitKind, VolunteerTeam


class VisitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="retiree__name", lookup_expr="icontains", label="走访对象")
    kind = django_filters.ChoiceFilter(choices=VisitKind.choices, label="类型", empty_label="全部")
    since = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label="起始日期",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label="截止日期",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    campaign = IdFilter(label="慰问活动编号")

    class Meta:
        model = Visit
        fields = []


class HardshipFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="retiree__name", lookup_expr="icontains", label="姓名")
    reason = django_filters.ChoiceFilter(choices=HardshipReason.choices, label="困难类型", empty_label="全部")
    current = django_filters.BooleanFilter(field_name="until", lookup_expr="isnull", label="仍在册")

    class Meta:
        model = HardshipRecord
        fields = []


class ParticipationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="retiree__name", lookup_expr="icontains", label="队员姓名")
    team = django_filters.ModelChoiceFilter(
        field_name="activity__team", label="服务队", empty_label="全部",
        queryset=lambda request: restrict_shared(VolunteerTeam.objects.all(), request.user) if request
        else VolunteerTeam.objects.none())
    year = YearFilter(field_name="activity__held_on", lookup_expr="year", label="年度")
    since = django_filters.DateFilter(field_name="activity__held_on", lookup_expr="gte", label="起始日期",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(field_name="activity__held_on", lookup_expr="lte", label="截止日期",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Participation
        fields = []
