from django.db.models import Count, Q
from django.urls import reverse

from changqing.core.scope import restrict, scope_for
from changqing.core.today import per_request

from .models import Organization, OrgKind


def overview_panel(request):
    """The jurisdiction in four numbers, each linking to the records behind it."""
    user = request.user
    if scope_for(user).empty or not scope_for(user).org_paths and not scope_for(user).everything:
        return None
    from changqing.members.models import Membership, Retiree

    orgs = restrict(Organization.objects.all(), user).aggregate(
        total=Count("id"), branches=Count("id", filter=Q(kind=OrgKind.BRANCH)))
    retirees = restrict(Retiree.objects.filter(status="alive"), user).count()
    members = restrict(Membership.objects.filter(state="active"), user).count()
    org_url, roster_url = reverse("orgs:list"), reverse("members:retirees")
    return {
        "title": "管辖范围概况",
        "order": 10,
        "info": True,
        "items": [
            {"label": "党组织", "value": orgs["total"], "url": org_url},
            {"label": "党支部", "value": orgs["branches"], "url": f"{org_url}?kind=branch"},
            {"label": "离退休干部（健在）", "value": retirees, "url": f"{roster_url}?status=alive"},
            {"label": "在册党员", "value": members, "url": f"{roster_url}?party=member"},
        ],
    }


def _org_scope(user) -> bool:
    scope = scope_for(user)
    return not scope.empty and (scope.everything or bool(scope.org_paths))


@per_request
def terms_panel(request):
    """换届提醒: overdue terms, those ending within 30 and 90 days, branches with no 班子 recorded."""
    import datetime as dt

    from django.utils import timezone

    from .models import CommitteeTerm
    from .rules import TERM_DUE, TERM_DUE_SOON, TERM_OVERDUE
    from .selectors import branches_without_term, current_terms, rules_q, user_rules

    user = request.user
    if not _org_scope(user):
        return None
    today, rules = timezone.localdate(), user_rules(user)
    far, near = rules.term_alert_days[0], rules.term_alert_days[-1]
    terms = current_terms(restrict(CommitteeTerm.objects.all(), user))

    def within(pick):  # each organisation's own alert window (orgs.thresholds policy)
        return rules_q(lambda r: Q(end_on__gte=today, end_on__lte=today + dt.timedelta(days=pick(r.term_alert_days))),
                       today, "organization__path")

    agg = terms.aggregate(
        overdue=Count("id", filter=Q(end_on__lt=today)),
        soon=Count("id", filter=within(lambda days: days[-1])),
        due=Count("id", filter=within(lambda days: days[0])),
    )
    missing = branches_without_term(restrict(Organization.objects.all(), user)).count()
    url = reverse("orgs:terms")
    return {
        "title": "换届提醒", "order": 20,
        "items": [
            {"label": "任期已届满未换届", "value": agg["overdue"], "url": f"{url}?state={TERM_OVERDUE}",
             "key": "overdue"},
            {"label": f"{near}天内届满", "value": agg["soon"], "url": f"{url}?state={TERM_DUE_SOON}", "key": "soon",
             "days": near},
            {"label": f"{far}天内届满", "value": agg["due"], "url": f"{url}?state={TERM_DUE}", "key": "due", "days": far},
            {"label": "未登记班子的支部", "value": missing,
             "url": reverse("orgs:warnings") + "?warning=no_term"},
        ],
    }


def size_panel(request):
    from .rules import size_labels
    from .selectors import size_warning_counts, user_rules

    user = request.user
    if not _org_scope(user):
        return None
    counts = size_warning_counts(restrict(Organization.objects.all(), user))  # each branch by its own rules
    labels = size_labels(user_rules(user))
    url = reverse("orgs:warnings")
    return {"title": "支部规模提醒", "order": 25,
            "items": [{"label": label, "value": counts[key], "url": f"{url}?warning={key}"}
                      for key, label in labels.items()]}


@per_request
def contacts_panel(request):
    """联络员 and 党工委 members: who is behind on contacts and visits this year."""
    from django.utils import timezone

    from .models import CommitteeMemberAssignment, Liaison
    from .selectors import RulesResolver, visits_behind, visits_this_year

    user = request.user
    if not _org_scope(user):
        return None
    today, rules = timezone.localdate(), RulesResolver()
    mine = visits_this_year(CommitteeMemberAssignment.objects.filter(user=user, end_on__isnull=True), today.year)
    items = [{"label": f"我联系的{a.organization.name}：今年到点指导",
              "value": f"{a.visits_done}/{rules.for_org(a.organization).committee_visits_per_year}",
              "url": a.get_absolute_url(), "key": "my_visits", "org": a.organization.name, "done": a.visits_done,
              "required": rules.for_org(a.organization).committee_visits_per_year}
             for a in mine.select_related("organization")[:3]]
    month_start = today.replace(day=1)
    my_liaisons = (Liaison.objects.filter(user=user, end_on__isnull=True).select_related("organization")
                   .annotate(contacted=Count("contacts", filter=Q(contacts__contacted_on__gte=month_start)))[:3])
    for x in my_liaisons:
        items.append({"label": f"我联系的{x.organization.name}：记录本月联系", "value": "记录", "url": x.get_absolute_url(),
                      "key": "my_liaison", "org": x.organization.name, "done": x.contacted})
    assignments = restrict(CommitteeMemberAssignment.objects.all(), user)
    behind = visits_behind(assignments, today.year, today).count()
    last_month_start = (today.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    liaisons = restrict(Liaison.objects.filter(end_on__isnull=True, start_on__lt=last_month_start), user)
    no_contact = liaisons.exclude(contacts__contacted_on__gte=last_month_start,
                                  contacts__contacted_on__lt=today.replace(day=1)).count()
    items += [
        {"label": "党工委委员到点指导进度落后", "value": behind, "url": reverse("orgs:assignments") + "?behind=true",
         "key": "behind"},
        {"label": f"联络员{last_month_start.month}月未联系支部", "value": no_contact,
         "url": reverse("orgs:liaisons") + f"?current=true&missed={last_month_start.month}", "key": "missed",
         "month": last_month_start.month},
    ]
    return {"title": "联系与指导", "order": 26, "items": items}
