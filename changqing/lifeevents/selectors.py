"""Reads for life events: who may see a health profile, matching talents to a team, the open tasks."""
from __future__ import annotations

import re

from django.db.models import Q

from changqing.core.scope import restrict, scope_for

from .models import Specialty, TaskStatus, VisitTask

HEALTH = "health"  # the action of core.roles that reads a health and living profile


class HealthAccess:
    """May this user see a person's health and living profile? Resolved once per request (no query per row)."""

    def __init__(self, user):
        self.scope = scope_for(user, HEALTH)

    def may(self, retiree) -> bool:
        if self.scope.empty:
            return False
        if self.scope.everything or retiree.pk in self.scope.retiree_ids:
            return True
        return self.scope.covers_path(retiree.organization.path)


def team_words(services: str) -> list[str]:
    return [w for w in re.split(r"[、，,；;\s/]+", services or "") if len(w) >= 2]


def team_match_q(team) -> Q:
    """Talents whose specialty category, note or past profession names one of the team's services."""
    q = Q(pk__in=[])
    for word in team_words(team.services):
        q |= Q(specialty_note__icontains=word) | Q(past_profession__icontains=word)
        for code, label in Specialty.choices:
            if word in label or any(part in word for part in re.split(r"[/、]", label) if len(part) >= 2):
                q |= Q(specialties__icontains=f",{code},")
    return q


def open_tasks_for(user, limit: int = 20):
    """Open visit tasks the user is to do: assigned to them, or unassigned in what they may change."""
    qs = restrict(VisitTask.objects.filter(status=TaskStatus.OPEN), user, "change")
    return (qs.filter(Q(assignee=user) | Q(assignee__isnull=True))
            .select_related("retiree", "stay").order_by("due_on", "pk")[:limit])
