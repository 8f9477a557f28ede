"""Reads for the registry: search, the member record, absence alerts."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from changqing.core.scope import restrict
from changqing.core.sections import PageSections

from . import rules
from .models import Absence, Membership, MembershipEvent, MembershipPeriod, MembershipState, Retiree, Transfer

_PINYIN = re.compile(r"^[a-z]+$")
_DIGITS = re.compile(r"^[0-9]+[xX]?$")
# A landline without its area code has 7 digits: anything shorter is not a whole phone number.
_PHONE_MIN_DIGITS = 7


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """張宏偉 → 张宏伟: names are stored simplified; a query typed in traditional characters still finds them."""
    return _t2s().convert(text)


def retiree_search_q(raw: str) -> Q:
    """One query box: name (simplified or traditional), full pinyin, initials, a full ID number, a full phone.

    ID numbers and phones are encrypted at rest (core.fieldcrypt): they are found by their keyed hash, so
    only a whole number matches. Part of a number finds nothing, so the box cannot confirm digits one by one.
    """
    from changqing.core.idcard import is_valid, normalize

    value = "".join(raw.split())
    if not value:
        return Q()
    low = value.lower()
    if _PINYIN.match(low):
        return Q(name_pinyin__startswith=low) | Q(name_initials__startswith=low) | Q(name__icontains=value)
    digits = normalize(value)
    if _DIGITS.match(digits.replace("-", "")):
        q = Q(pk__in=[])
        if len(digits) == 18 and is_valid(digits):
            q |= Q(id_number=digits)
        plain = digits.replace("-", "")
        if plain.isdigit() and len(plain) >= _PHONE_MIN_DIGITS:
            q |= Q(phone=plain) | Q(family_phone=plain)
        return q
    simplified = to_simplified(value)
    q = Q(name__icontains=value)
    if simplified != value:
        q |= Q(name__icontains=simplified)
    return q


# -- the one-page member record (党员管理台账) ------------------------------

# Sections other apps add to the record (core.sections); fn(request, retiree) -> dict | None, see there.
RECORD_SECTIONS = PageSections()
register_record_section = RECORD_SECTIONS.register
record_sections = RECORD_SECTIONS.collect
_record_sections = RECORD_SECTIONS.fns


def retiree_record(retiree: Retiree) -> dict:
    """Everything of the record that this app owns, in a fixed number of queries."""
    membership = (
        Membership.objects.filter(retiree=retiree).select_related("organization")
        .prefetch_related(
            Prefetch("periods", queryset=MembershipPeriod.objects.select_related("organization")),
            Prefetch("events", queryset=MembershipEvent.objects.select_related("organization")),
            Prefetch("transfers", queryset=Transfer.objects.select_related("from_org", "to_org", "organization")),
        ).first()
    )
    absences = list(retiree.absences.all()[:50])
    rule = rules.current_rule(membership.organization if membership is not None else retiree.organization)
    today = timezone.localdate()
    for a in absences:
        a.assessment = absence_assessment(a, today, rule)
    return {"membership": membership, "absences": absences, "rule": rule}


# -- absences ---------------------------------------------------------------

def absence_assessment(absence: Absence, today: dt.date, rule: rules.AbsenceRule) -> rules.Assessment:
    return rules.assess(start_on=absence.start_on, end_on=absence.end_on, expected_end_on=absence.expected_end_on,
                        hosted=bool(absence.host_org_name), last_report_on=absence.last_report_on, today=today,
                        rule=rule)


def absences_needing_action(qs: QuerySet, today: dt.date | None = None,
                            rule: rules.AbsenceRule | None = None) -> dict[int, rules.Assessment]:
    """Ongoing absences of active members in `qs` that need something now, by id: one query, a few columns."""
    today = today or timezone.localdate()
    rule = rule or rules.current_rule()  # callers with a user pass rule_for_user(user)
    rows = (qs.filter(Q(end_on__isnull=True) | Q(end_on__gt=today), start_on__lte=today, host_org_name="",
                      retiree__membership__state=MembershipState.ACTIVE)
            .values_list("id", "start_on", "end_on", "expected_end_on", "last_report_on"))
    result = {}
    for pk, start_on, end_on, expected, reported in rows:
        a = rules.assess(start_on=start_on, end_on=end_on, expected_end_on=expected, hosted=False,
                         last_report_on=reported, today=today, rule=rule)
        if a.is_alert:
            result[pk] = a
    return result


def rule_for_user(user) -> rules.AbsenceRule:
    """The absence rule of the top of the user's scope (a list or count over the whole jurisdiction reads one
    rule; a single record reads its own organisation's)."""
    from changqing.core.scope import scope_for
    from changqing.orgs.models import Organization

    scope = scope_for(user)
    top = (Organization.objects.filter(parent__isnull=True) if scope.everything
           else Organization.objects.filter(path__in=scope.org_paths)).order_by("depth", "path").first()
    return rules.current_rule(top)


def absence_alerts_for(user, today: dt.date | None = None) -> dict[str, int]:
    alerts = absences_needing_action(restrict(Absence.objects.all(), user, "change"), today, rule_for_user(user))
    counts = dict.fromkeys(rules.Due.ALERTS, 0)
    for a in alerts.values():
        counts[a.due] += 1
    return counts


def probation_due(user, today: dt.date | None = None) -> QuerySet:
    """Probationary members whose year of probation is over: the branch should decide on 转正."""
    today = today or timezone.localdate()
    year_ago = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) else \
        today.replace(year=today.year - 1, day=28)
    return restrict(Membership.objects.filter(status="probationary", state=MembershipState.ACTIVE,
                                              joined_on__lte=year_ago), user, "change")
