import django_filters

from .models import RosterUpload


class UploadFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RosterUpload.Status.choices, label="状态", empty_label="全部")
    original_name = django_filters.CharFilter(lookup_expr="icontains", label="文件名")

    class Meta:
        model = RosterUpload
        fields = []
