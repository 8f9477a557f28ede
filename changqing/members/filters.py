import django_filters
from django.db.models import Q

from changqing.orgs.models import Organization

from .models import Health, Living, PersonStatus, Retiree, RetirementKind


class RetireeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名/拼音/身份证后几位/电话")
    org = django_filters.CharFilter(method="filter_org", label="组织编码（含下级）")
    retirement_kind = django_filters.ChoiceFilter(choices=RetirementKind.choices, label="离退休类别", empty_label="全部")
    party = django_filters.ChoiceFilter(method="filter_party", label="党员",
                                        choices=[("member", "党员"), ("non_member", "非党员")], empty_label="全部")
    health = django_filters.ChoiceFilter(choices=Health.choices, label="健康状况", empty_label="全部")
    living = django_filters.ChoiceFilter(choices=Living.choices, label="居住情况", empty_label="全部")
    mobility_impaired = django_filters.BooleanFilter(label="行动不便")
    status = django_filters.ChoiceFilter(choices=PersonStatus.choices, label="状态", empty_label="全部")

    class Meta:
        model = Retiree
        fields = []

    def search(self, qs, name, value):
        value = value.strip()
        low = value.lower()
        q = Q(name__icontains=value)
        if low.isascii() and low.isalpha():
            q |= Q(name_pinyin__startswith=low) | Q(name_initials__startswith=low)
        if value.isdigit() or value[-1:] in "xX":
            q |= Q(id_number__endswith=value.upper()) | Q(phone__contains=value)
        return qs.filter(q)

    def filter_org(self, qs, name, value):
        org = Organization.objects.filter(code=value).only("path").first()
        return qs.filter(organization__path__startswith=org.path) if org else qs.none()

    def filter_party(self, qs, name, value):
        active = Q(membership__isnull=False, membership__state="active")
        return qs.filter(active) if value == "member" else qs.exclude(active)
