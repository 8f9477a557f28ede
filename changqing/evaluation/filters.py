import django_filters
from changqing.core.filters import YearFilter
from django.db.models import F

from changqing.orgs.models import Organization, Zone
from changqing.core.tree import in_subtree

from .models import Assessment, AssessmentState, Designation, RubricKind

MOVEMENT_CHOICES = [("up", "晋位升级"), ("down", "降级"), ("same", "持平"), ("new", "首次评定")]
STAR_CHOICES = [(str(n), f"{n}星级") for n in range(5, 0, -1)]


class _Under:
    def filter_under(self, qs, name, value):
        org = Organization.objects.filter(code=value.strip()).only("path").first()
        return qs.filter(in_subtree(org.path, "organization")) if org else qs.none()


class AssessmentFilterSet(_Under, django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="organization__name", lookup_expr="icontains", label="组织名称")
    org = django_filters.CharFilter(method="filter_under", label="组织编码（含下级）")
    year = YearFilter(field_name="year", label="年度")
    kind = django_filters.ChoiceFilter(choices=RubricKind.choices, label="类别", empty_label="全部")
    state = django_filters.ChoiceFilter(choices=AssessmentState.choices, label="状态", empty_label="全部")

    class Meta:
        model = Assessment
        fields = []


class GradeFilterSet(_Under, django_filters.FilterSet):
    """The jurisdiction's star grades; the year itself is chosen by the view (it sets last year's column)."""

    year = YearFilter(method="noop", label="年度")
    q = django_filters.CharFilter(field_name="organization__name", lookup_expr="icontains", label="支部名称")
    org = django_filters.CharFilter(method="filter_under", label="组织编码（含下级）")
    zone = django_filters.ModelChoiceFilter(field_name="organization__zone", queryset=Zone.objects.none(),
                                            label="片组", empty_label="全部")
    grade = django_filters.ChoiceFilter(choices=STAR_CHOICES, label="本年星级", empty_label="全部")
    movement = django_filters.ChoiceFilter(choices=MOVEMENT_CHOICES, method="filter_movement", label="升降",
                                           empty_label="全部")
    state = django_filters.ChoiceFilter(choices=AssessmentState.choices, label="状态", empty_label="全部")

    class Meta:
        model = Assessment
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            from changqing.core.scope import restrict

            self.filters["zone"].queryset = restrict(Zone.objects.all(), request.user)

    def noop(self, qs, name, value):
        return qs

    def filter_movement(self, qs, name, value):
        if value == "new":
            return qs.filter(last_grade__isnull=True)
        if value == "up":
            return qs.filter(grade__gt=F("last_grade"))
        if value == "down":
            return qs.filter(grade__lt=F("last_grade"))
        return qs.filter(grade=F("last_grade"))


class DesignationFilterSet(_Under, django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="organization__name", lookup_expr="icontains", label="支部名称")
    org = django_filters.CharFilter(method="filter_under", label="组织编码（含下级）")
    year = YearFilter(field_name="year", label="年度")
    active = django_filters.ChoiceFilter(choices=[("yes", "有效"), ("no", "已撤销")], method="filter_active",
                                         label="状态", empty_label="全部")

    class Meta:
        model = Designation
        fields = []

    def filter_active(self, qs, name, value):
        return qs.filter(revoked_on__isnull=value == "yes")


class RankingFilterSet(_Under, django_filters.FilterSet):
    year = YearFilter(method="noop", label="年度")
    q = django_filters.CharFilter(field_name="organization__name", lookup_expr="icontains", label="单位名称")

    class Meta:
        model = Assessment
        fields = []

    def noop(self, qs, name, value):
        return qs


__all__ = ["AssessmentFilterSet", "GradeFilterSet", "DesignationFilterSet", "RankingFilterSet"]
