"""What dues put in front of people: the secretary's home panel and the member record section."""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from changqing.core.roles import Role
from changqing.core.scope import restrict, scope_for
from changqing.members.models import Membership

from . import rules
from .selectors import last_closed_month, warning_counts, warning_months_for

# What a secretary should do at each band, by its place: first, middle, last (党章第九条).
_BAND_ADVICE = ("谈心提醒", "尽快谈话", "提交支部党员大会（党章第九条）")


def warnings(request):
    """(as_of, thresholds, counts per band) for the user's scope, once per request (panel and 今天要办)."""
    from changqing.core.today import memo

    def compute():
        as_of = last_closed_month(timezone.localdate())
        thresholds = warning_months_for(request.user, as_of)
        return as_of, thresholds, warning_counts(restrict(Membership.objects.all(), request.user, "view"), as_of,
                                                 thresholds)
    return memo(request, "dues:warnings", compute)


def arrears_panel(request):
    """Members 3, 5 and 6+ months behind, for those who look after branches; each number opens the names."""
    user = request.user
    scope = scope_for(user, "change")
    if scope.empty or not (scope.everything or scope.org_paths):
        return None
    if not user.is_superuser and not user.role_assignments.filter(
            role__in=[Role.BRANCH_SECRETARY, Role.BUREAU_ADMIN, Role.LIAISON]).exists():
        return None
    today = timezone.localdate()
    as_of, thresholds, counts = warnings(request)
    labels = rules.band_labels(thresholds)
    url = reverse("dues:members")
    last = len(thresholds) - 1
    return {
        "title": f"党费欠缴提醒（截至{rules.month_label(as_of)}）",
        "order": 30,
        "items": [
            *({"label": f"{labels[t]}未交：{_BAND_ADVICE[2 if i == last else min(i, 1)]}", "value": counts[t],
               "url": f"{url}?arrears={t}"} for i, t in enumerate(thresholds)),
            {"label": "本月收缴登记表", "value": f"{today.month}月", "url": reverse("dues:sheet_start")},
        ],
    }


def member_section(request, retiree):
    """The dues part of a member's record: this year's state and the warning, if any."""
    from .selectors import compute

    membership = Membership.objects.filter(retiree=retiree).first()
    if membership is None:
        return None
    today = timezone.localdate()
    as_of = last_closed_month(today)
    md = compute(Membership.objects.filter(pk=membership.pk), [rules.month_start(today)], as_of=as_of)[0]
    month = md.months[rules.month_start(today)]
    return {
        "title": "党费",
        "template": "dues/_member_section.html",
        "md": md, "month": month, "as_of_label": rules.month_label(as_of),
        "url": reverse("dues:member", args=[membership.pk]),
        "order": 40,
    }


def register_optional_hooks():
    """Hook into the member record and the notification digest when those apps offer them."""
    try:
        from changqing.members.selectors import register_record_section
    except ImportError:
        register_record_section = None
    if register_record_section is not None:
        register_record_section(member_section)
    try:
        from changqing.core.notify import register_digest_provider
    except ImportError:
        return
    register_digest_provider("dues", digest)


def digest(user, today):
    """The daily digest: how many members are behind on dues in the user's branches."""
    scope = scope_for(user, "change")
    if scope.empty or not (scope.everything or scope.org_paths):
        return []
    as_of = last_closed_month(today)
    thresholds = warning_months_for(user, as_of)
    counts = warning_counts(restrict(Membership.objects.all(), user, "view"), as_of, thresholds)
    labels = rules.band_labels(thresholds)
    url = reverse("dues:members")
    return [{"title": f"党费：{labels[t]}未交 {n} 人", "url": f"{url}?arrears={t}",
             "detail": f"截至{rules.month_label(as_of)}"} for t, n in counts.items() if n]
