import django_filters
from django.db.models import Q

from changqing.members.models import Living

from changqing.core.filters import IdFilter
from changqing.core.widgets import DateInput

from .models import (
    Arrangement, Availability, CareLevel, Confirmation, DeathRecord, HealthProfile, HospitalStay, LivingElsewhere,
    SilverTalent, Specialty, StayReason, TaskStatus, VisitTask,
)


def _date(field, lookup, label):
    return django_filters.DateFilter(field_name=field, lookup_expr=lookup, label=label, widget=DateInput())


class StayFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="retiree__name", lookup_expr="icontains", label="姓名")
    reason = django_filters.ChoiceFilter(choices=StayReason.choices, label="住院原因", empty_label="全部")
    current = django_filters.BooleanFilter(field_name="discharged_on", lookup_expr="isnull", label="仍在住院")
    since = _date("admitted_on", "gte", "入院日期起")
    until = _date("admitted_on", "lte", "入院日期止")

    class Meta:
        model = HospitalStay
        fields = []


class TaskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="retiree__name", lookup_expr="icontains", label="姓名")
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices, label="状态", empty_label="全部")
    mine = django_filters.BooleanFilter(method="filter_mine", label="只看我负责的")

    class Meta:
        model = VisitTask
        fields = []

    def filter_mine(self, qs, name, value):
        if value and self.request is not None:
            return qs.filter(assignee=self.request.user)
        return qs


class DeathFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="retiree__name", lookup_expr="icontains", label="姓名")
    reversed = django_filters.BooleanFilter(field_name="reversed_on", lookup_expr="isnull", exclude=True,
                                            label="已撤销")
    since = _date("died_on", "gte", "去世日期起")
    until = _date("died_on", "lte", "去世日期止")

    class Meta:
        model = DeathRecord
        fields = []


class ProfileFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="retiree__name", lookup_expr="icontains", label="姓名")
    care_level = django_filters.ChoiceFilter(choices=[(str(v), label) for v, label in CareLevel.choices],
                                             label="关怀等级", empty_label="全部")
    living = django_filters.ChoiceFilter(field_name="retiree__living", label="居住情况", empty_label="全部",
                                         choices=Living.choices)

    class Meta:
        model = HealthProfile
        fields = []


class TalentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="姓名或专长")
    specialty = django_filters.ChoiceFilter(choices=Specialty.choices, method="filter_specialty", label="专长类别",
                                            empty_label="全部")
    willing = django_filters.BooleanFilter(field_name="willing", label="愿意参加")
    availability = django_filters.ChoiceFilter(choices=Availability.choices, label="可服务时间", empty_label="全部")
    team = IdFilter(method="filter_team", label="志愿服务队编号")

    class Meta:
        model = SilverTalent
        fields = []

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(retiree__name__icontains=value) | Q(specialty_note__icontains=value)
                         | Q(past_profession__icontains=value))

    def filter_specialty(self, qs, name, value):
        return qs.filter(specialties__icontains=f",{value},") if value else qs

    def filter_team(self, qs, name, value):
        """从人才库选人: willing talents whose specialties or notes match one of the team's services."""
        from changqing.care.models import VolunteerTeam

        from .selectors import team_match_q

        team = VolunteerTeam.objects.filter(pk=value).first()
        if team is None:
            return qs.none()
        return qs.filter(team_match_q(team), willing=True)


class ElsewhereFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="retiree__name", lookup_expr="icontains", label="姓名")
    arrangement = django_filters.ChoiceFilter(choices=Arrangement.choices, label="管理方式", empty_label="全部")
    host_confirms = django_filters.ChoiceFilter(choices=Confirmation.choices, label="当地确认", empty_label="全部")
    current = django_filters.BooleanFilter(field_name="end_on", lookup_expr="isnull", label="仍在异地")

    class Meta:
        model = LivingElsewhere
        fields = []

