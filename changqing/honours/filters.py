import django_filters
from django.db.models import Q

from . import selectors
from .models import Campaign, Category, Nomination, NominationStatus


def _campaign_choices(request):
    return selectors.campaigns_for(request.user) if request else Campaign.objects.none()


def _category_choices(request):
    if request is None:
        return Category.objects.none()
    return Category.objects.filter(campaign__in=selectors.campaigns_for(request.user)).select_related("campaign")


class NominationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="被提名人")
    campaign = django_filters.ModelChoiceFilter(queryset=_campaign_choices, label="评选活动", empty_label="全部")
    category = django_filters.ModelChoiceFilter(queryset=_category_choices, label="评选类别", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=NominationStatus.choices, label="审核状态", empty_label="全部")
    winner = django_filters.ChoiceFilter(choices=[("yes", "当选"), ("no", "未当选")], method="filter_winner",
                                         label="评选结果", empty_label="全部")

    class Meta:
        model = Nomination
        fields = []

    def filter_winner(self, qs, name, value):
        return qs.filter(is_winner=value == "yes")

    def filter_q(self, qs, name, value):
        return qs.filter(Q(retiree__name__icontains=value) | Q(nominee_org__name__icontains=value))
