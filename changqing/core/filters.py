import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType

from .models import Job, ObjectChange, OperationLog
from .params import MAX_ID, MAX_YEAR, MIN_YEAR


class AsciiIntegerField(forms.IntegerField):
    """An integer of ASCII digits within bounds; "٣", "１２", "²" and 99999999999999999999 are errors in Chinese."""

    default_error_messages = {"invalid": "请输入整数（阿拉伯数字）"}

    def to_python(self, value):
        if value not in self.empty_values and not str(value).strip().lstrip("-").isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IntFilter(django_filters.NumberFilter):
    """NumberFilter validated as a bounded ASCII integer (django-filter's reads any Decimal)."""

    field_class = AsciiIntegerField
    bounds = (-MAX_ID, MAX_ID)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", self.bounds[0])
        kwargs.setdefault("max_value", self.bounds[1])
        super().__init__(*args, **kwargs)


class YearFilter(IntFilter):
    """A year between 1900 and 2100: ?year=99999 is a message beside the field, not a server error."""

    bounds = (MIN_YEAR, MAX_YEAR)


class IdFilter(IntFilter):
    """A database id: positive and within the 64-bit range."""

    bounds = (1, MAX_ID)


def _logged_types():
    """Every kind of record that keeps a change history, from every app."""
    from django.apps import apps

    from .changelog import ChangeLoggedModel

    models = [m for m in apps.get_models() if issubclass(m, ChangeLoggedModel)]
    ids = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


class ObjectChangeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="object_repr", lookup_expr="icontains", label="对象名称")
    action = django_filters.ChoiceFilter(choices=ObjectChange.Action.choices, label="操作", empty_label="全部")
    content_type = django_filters.ModelChoiceFilter(
        queryset=lambda request: _logged_types(), label="记录类型", empty_label="全部",
    )
    user_name = django_filters.CharFilter(lookup_expr="icontains", label="操作人")
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label="起始日期",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label="截止日期",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = ObjectChange
        fields = []


class OperationLogFilterSet(django_filters.FilterSet):
    event = django_filters.ChoiceFilter(choices=OperationLog.Event.choices, label="事件", empty_label="全部")
    username = django_filters.CharFilter(lookup_expr="icontains", label="用户名")
    since = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label="起始日期",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label="截止日期",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = OperationLog
        fields = []


class JobFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Job.Status.choices, label="状态", empty_label="全部")
    title = django_filters.CharFilter(lookup_expr="icontains", label="任务名称")

    class Meta:
        model = Job
        fields = []
