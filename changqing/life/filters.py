import django_filters
from django.db.models import Q

from changqing.core.tree import in_subtree
from changqing.core.widgets import DateInput
from changqing.orgs.models import Organization

from .models import Meeting, MeetingKind, MeetingState, StudyMode, StudyRecord, TrainingCourse


class UnderOrgMixin:
    org_field = "organization"

    def filter_under(self, qs, name, value):
        org = Organization.objects.filter(code=value).only("path").first()
        return qs.filter(in_subtree(org.path, self.org_field)) if org else qs.none()


class MeetingFilterSet(UnderOrgMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="主题或支部")
    org = django_filters.CharFilter(method="filter_under", label="组织编码")
    kind = django_filters.ModelChoiceFilter(queryset=MeetingKind.objects.all(), to_field_name="code",
                                            label="会议类型", empty_label="全部")
    state = django_filters.ChoiceFilter(choices=MeetingState.choices, label="状态", empty_label="全部")
    month = django_filters.CharFilter(method="filter_month", label="月份（如 2025-03）")
    held_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label="日期从", widget=DateInput())
    held_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label="日期到", widget=DateInput())
    ids = django_filters.CharFilter(method="filter_ids", label="记录编号")

    class Meta:
        model = Meeting
        fields = []

    def search(self, qs, name, value):
        return qs.filter(Q(topic__icontains=value) | Q(organization__name__icontains=value))

    def filter_month(self, qs, name, value):
        from changqing.life.engine import PeriodError, parse_period

        try:
            p = parse_period(value)
        except PeriodError:
            return qs.none()
        return qs.filter(held_on__gte=p.start, held_on__lte=p.end)

    def filter_ids(self, qs, name, value):
        ids = [int(x) for x in value.split(",") if x.strip().isdigit()]
        return qs.filter(pk__in=ids)


class StudyRecordFilterSet(UnderOrgMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="membership__retiree__name", lookup_expr="icontains", label="党员姓名")
    org = django_filters.CharFilter(method="filter_under", label="组织编码")
    mode = django_filters.ChoiceFilter(choices=StudyMode.choices, label="方式", empty_label="全部")
    studied_from = django_filters.DateFilter(field_name="studied_on", lookup_expr="gte", label="日期从",
                                             widget=DateInput())
    studied_to = django_filters.DateFilter(field_name="studied_on", lookup_expr="lte", label="日期到",
                                           widget=DateInput())

    class Meta:
        model = StudyRecord
        fields = []


class TrainingCourseFilterSet(UnderOrgMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="培训名称")
    org = django_filters.CharFilter(method="filter_under", label="组织编码")

    class Meta:
        model = TrainingCourse
        fields = ["kind"]


