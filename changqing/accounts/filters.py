import django_filters

from changqing.core.roles import Role

from .models import User


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名或用户名")
    role = django_filters.ChoiceFilter(field_name="role_assignments__role", choices=Role.choices,
                                       label="角色", empty_label="全部", distinct=True)

    class Meta:
        model = User
        fields = []

    def search(self, qs, name, value):
        from django.db.models import Q

        return qs.filter(Q(full_name__icontains=value) | Q(username__icontains=value))
