import django_filters
from django.db.models import Q
from django.utils import timezone

from changqing.core.filters import IntFilter
from changqing.core.masking import AGE_BAND_CHOICES, Reveal, band_bounds
from changqing.core.tree import in_subtree
from changqing.orgs.models import Organization

from . import selectors
from .models import (
    Absence, Health, Living, Membership, MembershipState, MembershipStatus, PersonStatus, Retiree, RetirementKind,
    Transfer, TransferDirection,
)
from .rules import Due


class YesNoFilter(django_filters.ChoiceFilter):
    """是/否 with 全部 as the empty choice (the stock boolean widget offers 未知, which confuses)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("1", "是"), ("0", "否")])
        kwargs.setdefault("empty_label", "全部")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        return qs.filter(**{self.field_name: value == "1"})


def _subtree(qs, field: str, code: str):
    org = Organization.objects.filter(code=code).only("path").first()
    return qs.filter(in_subtree(org.path, field)) if org else qs.none()


class RetireeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="查找（姓名、拼音、完整的身份证号或电话）",
                                  help_text="可输入姓名、全拼或首字母（如 zhw）、完整的身份证号或完整的电话号码")
    org = django_filters.CharFilter(method="filter_org", label="组织编码（含下级）")
    retirement_kind = django_filters.ChoiceFilter(choices=RetirementKind.choices, label="离退休类别", empty_label="全部")
    party = django_filters.ChoiceFilter(method="filter_party", label="党员",
                                        choices=[("member", "党员"), ("non_member", "非党员")], empty_label="全部")
    membership_status = django_filters.ChoiceFilter(field_name="membership__status", choices=MembershipStatus.choices,
                                                    label="党员类别", empty_label="全部")
    membership_state = django_filters.ChoiceFilter(field_name="membership__state", choices=MembershipState.choices,
                                                   label="党籍状态", empty_label="全部")
    gender = django_filters.ChoiceFilter(choices=[("male", "男"), ("female", "女")], label="性别", empty_label="全部")
    health = django_filters.ChoiceFilter(choices=Health.choices, label="健康状况", empty_label="全部")
    living = django_filters.ChoiceFilter(choices=Living.choices, label="居住情况", empty_label="全部")
    mobility_impaired = YesNoFilter(field_name="mobility_impaired", label="行动不便")
    away = YesNoFilter(method="filter_away", label="正在外出")
    community = django_filters.CharFilter(field_name="community", lookup_expr="icontains", label="所在社区")
    age_band = django_filters.ChoiceFilter(method="filter_age_band", choices=AGE_BAND_CHOICES, label="年龄段",
                                           empty_label="全部")
    age_min = IntFilter(method="filter_age_min", label="年龄不小于", min_value=0, max_value=150)
    age_max = IntFilter(method="filter_age_max", label="年龄不大于", min_value=0, max_value=150)
    status = django_filters.ChoiceFilter(choices=PersonStatus.choices, label="状态", empty_label="全部")

    class Meta:
        model = Retiree
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if not Reveal(user).everywhere:
            # An exact age pins the birth date the masked ID number hides (core.masking): a user who may not
            # reveal everyone they see filters by band only; the exact filters are gone, not just hidden.
            del self.filters["age_min"], self.filters["age_max"]

    def filter_age_band(self, qs, name, value):
        low, high = band_bounds(int(value))
        qs = qs.filter(birth_date__lte=self._born_by(low))
        return qs.filter(birth_date__gt=self._born_by(high + 1)) if high is not None else qs

    def search(self, qs, name, value):
        return qs.filter(selectors.retiree_search_q(value))

    def filter_org(self, qs, name, value):
        return _subtree(qs, "organization", value)

    def filter_party(self, qs, name, value):
        active = Q(membership__isnull=False, membership__state="active")
        return qs.filter(active) if value == "member" else qs.exclude(active)

    def filter_away(self, qs, name, value):
        today = timezone.localdate()
        away = Absence.objects.filter(Q(end_on__isnull=True) | Q(end_on__gt=today), start_on__lte=today)
        q = Q(pk__in=away.values("retiree_id"))
        return qs.filter(q) if value == "1" else qs.exclude(q)

    @staticmethod
    def _born_by(years: int):
        today = timezone.localdate()
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    def filter_age_min(self, qs, name, value):
        return qs.filter(birth_date__lte=self._born_by(int(value))) if 0 <= value <= 130 else qs.none()

    def filter_age_max(self, qs, name, value):
        if not 0 <= value <= 130:
            return qs.none()
        born_after = self._born_by(int(value) + 1)
        return qs.filter(birth_date__gt=born_after)


class MembershipFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名/拼音/完整身份证号")
    org = django_filters.CharFilter(method="filter_org", label="组织编码（含下级）")
    status = django_filters.ChoiceFilter(choices=MembershipStatus.choices, label="党员类别", empty_label="全部")
    state = django_filters.ChoiceFilter(choices=MembershipState.choices, label="党籍状态", empty_label="全部")

    class Meta:
        model = Membership
        fields = []

    def search(self, qs, name, value):
        inner = selectors.retiree_search_q(value)
        return qs.filter(retiree__in=Retiree.objects.filter(inner).values("pk"))

    def filter_org(self, qs, name, value):
        return _subtree(qs, "organization", value)


class AbsenceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名/拼音")
    org = django_filters.CharFilter(method="filter_org", label="组织编码（含下级）")
    ongoing = YesNoFilter(method="filter_ongoing", label="尚未返回")
    due = django_filters.ChoiceFilter(method="filter_due", label="提醒", empty_label="全部", choices=[
        ("alert", "需要处理（全部）"), (Due.LONG_OVERDUE, "已超期未转临时关系"), (Due.LONG_PLANNED, "预计超期"),
        (Due.LONG_SOON, "即将超期"), (Due.REPORT, "应向支部报告"),
    ])
    place = django_filters.CharFilter(field_name="place", lookup_expr="icontains", label="外出地点")
    start_after = django_filters.DateFilter(field_name="start_on", lookup_expr="gte", label="外出日期起")
    start_before = django_filters.DateFilter(field_name="start_on", lookup_expr="lte", label="外出日期止")

    class Meta:
        model = Absence
        fields = []

    def search(self, qs, name, value):
        return qs.filter(retiree__in=Retiree.objects.filter(selectors.retiree_search_q(value)).values("pk"))

    def filter_org(self, qs, name, value):
        return _subtree(qs, "retiree__organization", value)

    def filter_ongoing(self, qs, name, value):
        today = timezone.localdate()
        q = Q(end_on__isnull=True) | Q(end_on__gt=today)
        return qs.filter(q) if value == "1" else qs.exclude(q)

    def filter_due(self, qs, name, value):
        alerts = selectors.absences_needing_action(
            qs, rule=selectors.rule_for_user(self.request.user) if self.request is not None else None)
        ids = [pk for pk, a in alerts.items() if value == "alert" or a.due == value]
        return qs.filter(pk__in=ids)


class TransferFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="姓名/拼音/介绍信编号")
    direction = django_filters.ChoiceFilter(choices=TransferDirection.choices, label="转接方向", empty_label="全部")
    org = django_filters.CharFilter(method="filter_org", label="组织编码（含下级）")
    after = django_filters.DateFilter(field_name="transferred_on", lookup_expr="gte", label="转接日期起")
    before = django_filters.DateFilter(field_name="transferred_on", lookup_expr="lte", label="转接日期止")

    class Meta:
        model = Transfer
        fields = []

    def search(self, qs, name, value):
        people = Retiree.objects.filter(selectors.retiree_search_q(value)).values("pk")
        return qs.filter(Q(membership__retiree__in=people) | Q(letter_no__icontains=value.strip()))

    def filter_org(self, qs, name, value):
        return _subtree(qs, "organization", value)
