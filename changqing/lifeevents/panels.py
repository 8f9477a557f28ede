"""The member record's 生活事件 section: stays, open visit tasks, care level, living elsewhere, talent, death."""
from __future__ import annotations

from changqing.core.scope import restrict, scope_for

from changqing.members.models import Retiree

from .models import DeathRecord, HospitalStay, LifeEvent, LivingElsewhere, TaskStatus, VisitTask
from .selectors import HealthAccess


def record_section(request, retiree):
    user = request.user
    if scope_for(user).empty:
        return None
    stays = list(restrict(HospitalStay.objects.filter(retiree=retiree), user).order_by("-admitted_on")[:3])
    tasks = list(restrict(VisitTask.objects.filter(retiree=retiree, status=TaskStatus.OPEN), user)
                 .select_related("assignee", "stay"))
    # The care level and the talent in one query (reverse one-to-ones); neither is health data.
    person = Retiree.objects.select_related("health_profile", "silver_talent").only(
        "pk", "health_profile__care_level", "health_profile__care_level_reason", "silver_talent__specialties",
        "silver_talent__specialty_note", "silver_talent__willing").get(pk=retiree.pk)
    profile = getattr(person, "health_profile", None)
    talent = getattr(person, "silver_talent", None)
    elsewhere = list(restrict(LivingElsewhere.objects.filter(retiree=retiree, end_on__isnull=True), user))
    deaths = list(restrict(DeathRecord.objects.filter(retiree=retiree), user).order_by("-id")[:3])
    events = list(restrict(LifeEvent.objects.filter(retiree=retiree), user).order_by("-on", "-id")[:8])
    org_path = retiree.organization.path
    return {
        "title": "生活事件", "order": 55, "template": "lifeevents/_record_section.html",
        "stays": stays, "tasks": tasks, "profile": profile, "elsewhere": elsewhere, "talent": talent,
        "deaths": deaths, "active_death": next((d for d in deaths if not d.is_reversed), None), "events": events,
        "may_change": scope_for(user, "change").covers_path(org_path) or retiree.pk in scope_for(
            user, "change").retiree_ids,
        "may_record_death": scope_for(user, "change").covers_path(org_path),
        "may_health": HealthAccess(user).may(retiree),
    }
