import django_filters

from .models import Nature, Organization, OrgKind, SetupKind, Zone


class OrganizationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="名称或编码")
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label="组织类别", empty_label="全部")
    setup_kind = django_filters.ChoiceFilter(choices=SetupKind.choices, label="组建方式", empty_label="全部")
    nature = django_filters.ChoiceFilter(choices=Nature.choices, label="类型", empty_label="全部")
    zone = django_filters.ModelChoiceFilter(queryset=Zone.objects.all(), label="片组", empty_label="全部")
    under = django_filters.CharFilter(method="filter_under", label="上级组织编码")

    class Meta:
        model = Organization
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            from changqing.accounts.scope import restrict

            self.filters["zone"].queryset = restrict(Zone.objects.all(), request.user)

    def search(self, qs, name, value):
        from django.db.models import Q

        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_under(self, qs, name, value):
        parent = Organization.objects.filter(code=value).only("path").first()
        return qs.filter(path__startswith=parent.path) if parent else qs.none()
