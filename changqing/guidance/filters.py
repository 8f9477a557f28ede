import django_filters
from django.db.models import Q

from changqing.core.scope import restrict

from .models import GuidanceStation, Guide, HelpRequest, NewOrg


class _StationScopedFilterSet(django_filters.FilterSet):
    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            for name, f in self.filters.items():
                model = getattr(getattr(f, "queryset", None), "model", None)
                if model in (GuidanceStation, Guide):
                    f.queryset = restrict(model.objects.all(), request.user)


class NewOrgFilterSet(_StationScopedFilterSet):
    q = django_filters.CharFilter(method="search", label="名称/信用代码/负责人")
    station = django_filters.ModelChoiceFilter(queryset=GuidanceStation.objects.all(), label="指导站", empty_label="全部")
    kind = django_filters.ChoiceFilter(choices=NewOrg.Kind.choices, label="类型", empty_label="全部")
    party_org_status = django_filters.ChoiceFilter(choices=NewOrg.PartyOrgStatus.choices, label="党组织",
                                                   empty_label="全部")
    has_party_org = django_filters.BooleanFilter(field_name="party_org", lookup_expr="isnull", exclude=True,
                                                 label="已有所属党组织")
    area = django_filters.CharFilter(label="片区", lookup_expr="icontains")
    guide = django_filters.ModelChoiceFilter(queryset=Guide.objects.all(), label="指导员", empty_label="全部")
    active = django_filters.BooleanFilter(label="在库")

    class Meta:
        model = NewOrg
        fields = []

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(credit_code__icontains=value.upper())
                         | Q(person_in_charge__icontains=value))


class GuideFilterSet(_StationScopedFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")
    station = django_filters.ModelChoiceFilter(queryset=GuidanceStation.objects.all(), label="指导站", empty_label="全部")
    role = django_filters.ChoiceFilter(choices=Guide.Role.choices, label="岗位", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=Guide.Status.choices, label="状态", empty_label="全部")

    class Meta:
        model = Guide
        fields = []


class HelpRequestFilterSet(_StationScopedFilterSet):
    q = django_filters.CharFilter(method="search", label="问题或组织")
    status = django_filters.ChoiceFilter(choices=HelpRequest.Status.choices, label="状态", empty_label="全部")
    station = django_filters.ModelChoiceFilter(field_name="new_org__station", queryset=GuidanceStation.objects.all(),
                                               label="指导站", empty_label="全部")

    class Meta:
        model = HelpRequest
        fields = []

    def search(self, qs, name, value):
        return qs.filter(Q(title__icontains=value) | Q(new_org__name__icontains=value))
