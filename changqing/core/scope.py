"""Data scope: the one place that decides which records a user may see or change.

Views, the API, exports, reports and commands acting for a user all call
`restrict(queryset, user, action)`. Every scoped model declares a
`scope_spec = ScopeSpec(...)` naming the paths from it to an Organization, a
Retiree or a Zone; a model without one cannot be restricted, so a new model
that forgets it fails loudly instead of leaking.

A user's role assignments resolve to organisation path prefixes (subtree,
zone, station) and retiree ids (pairs, self). Resolvers for station and pairs
scopes are registered by the apps that own those records, together with a
placement: where in the tree such an assignment (which names no organisation)
sits, so the administrators above it reach the assignment and its user.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from .tree import in_subtree
from .roles import ROLE_ACTIONS, ROLE_SCOPE_KIND, Role, ScopeKind


@dataclass(frozen=True)
class ScopeSpec:
    """How a model reaches the scope roots. Empty string means "this model itself"."""

    org: str | None = None  # path to an Organization ("" = the model is Organization)
    retiree: str | None = None  # path to a Retiree ("" = the model is Retiree)
    zone: str | None = None  # path to a Zone ("" = the model is Zone)
    org_path: str | None = None  # a stored path string field (change log, operation log)
    distinct: bool = False  # the paths cross a to-many relation
    more_orgs: tuple[str, ...] = ()  # further paths to Organizations, any of which puts the record in scope
    assignment: str | None = None  # path to a RoleAssignment ("" = the model is RoleAssignment), placed by kind


@dataclass
class Scope:
    everything: bool = False
    org_paths: set[str] = field(default_factory=set)
    retiree_ids: set[int] = field(default_factory=set)
    zone_ids: set[int] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.everything or self.org_paths or self.retiree_ids or self.zone_ids)

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.org_paths)


# kind -> function(assignment) -> (org paths, retiree ids)
_resolvers: dict[str, Callable] = {}


def register_scope_resolver(kind: str, resolver: Callable):
    _resolvers[kind] = resolver


@dataclass(frozen=True)
class Placement:
    """Where the role assignments of one scope kind sit in the tree when they name no organisation.

    A carer's assignment reaches retirees through pairings, a station role's through the
    station; the app owning those records says which organisation paths they fall under.
    """

    under: Callable[[str], Q]  # an org path prefix -> Q on RoleAssignment: the assignments placed under it
    paths: Callable[[object], set[str]]  # an assignment -> the org paths it sits under


# kind -> Placement
_placements: dict[str, Placement] = {}


def register_placement(kind: str, *, under: Callable[[str], Q], paths: Callable[[object], set[str]]):
    _placements[kind] = Placement(under, paths)


def _resolve_subtree(assignment):
    return ({assignment.organization.path} if assignment.organization_id else set()), set()


def _resolve_self(assignment):
    return set(), ({assignment.user.retiree_id} if assignment.user.retiree_id else set())


# The zone resolver is registered by the orgs app, which owns zones (core imports no app).
register_scope_resolver(ScopeKind.SUBTREE, _resolve_subtree)
register_scope_resolver(ScopeKind.SELF, _resolve_self)


def scope_for(user, action: str = "view") -> Scope:
    """Resolve (and cache on the user object) what the user may reach for an action."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cache = user.__dict__.setdefault("_scope_cache", {})
    if action in cache:
        return cache[action]
    if user.is_superuser:
        scope = Scope(everything=True)
    else:
        scope = Scope()
        if "_role_assignments" not in user.__dict__:  # one query per request, whatever the actions asked
            user.__dict__["_role_assignments"] = list(user.role_assignments.select_related("organization", "user"))
        for assignment in user.__dict__["_role_assignments"]:
            if action not in ROLE_ACTIONS[Role(assignment.role)]:
                continue
            resolver = _resolvers.get(assignment.scope_kind)
            if resolver is None:
                continue
            paths, retiree_ids = resolver(assignment)
            scope.org_paths |= paths
            scope.retiree_ids |= retiree_ids
            if assignment.zone_id and assignment.scope_kind == ScopeKind.ZONE:
                scope.zone_ids.add(assignment.zone_id)
        scope.org_paths = _collapse(scope.org_paths)
    cache[action] = scope
    return scope


def forget_scope(user):
    """Drop what scope_for cached on this user object (after their roles change mid-request)."""
    user.__dict__.pop("_scope_cache", None)
    user.__dict__.pop("_role_assignments", None)


def _collapse(paths: Iterable[str]) -> set[str]:
    """Drop prefixes already covered by a shorter one."""
    kept: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return set(kept)


def _join(prefix: str, suffix: str) -> str:
    return f"{prefix}__{suffix}" if prefix else suffix


def spec_of(model) -> ScopeSpec:
    spec = getattr(model, "scope_spec", None)
    if spec is None:
        raise ImproperlyConfigured(f"{model.__name__} 没有声明 scope_spec，不能按数据范围过滤")
    return spec


def scope_q(model, scope: Scope) -> Q:
    spec = spec_of(model)
    q = Q(pk__in=[])
    for org in ([spec.org] if spec.org is not None else []) + list(spec.more_orgs):
        for p in scope.org_paths:
            q |= in_subtree(p, org)
    if spec.org_path is not None:
        for p in scope.org_paths:
            q |= in_subtree(p, path_field=spec.org_path)
    if spec.retiree is not None and scope.retiree_ids:
        q |= Q(**{_join(spec.retiree, "pk__in") if spec.retiree else "pk__in": scope.retiree_ids})
    if spec.zone is not None and scope.zone_ids:
        q |= Q(**{_join(spec.zone, "pk__in") if spec.zone else "pk__in": scope.zone_ids})
    if spec.assignment is not None and scope.org_paths and _placements:
        q |= Q(**{_join(spec.assignment, "pk__in"): _placed_assignments(scope.org_paths)})
    return q


def _placed_assignments(org_paths: Iterable[str]) -> QuerySet:
    """The ids of role assignments placed under these paths, as a subquery (no query of its own)."""
    from django.apps import apps

    placed = Q(pk__in=[])
    for kind, placement in _placements.items():
        roles = [role for role, k in ROLE_SCOPE_KIND.items() if k == kind]
        for p in org_paths:
            placed |= Q(role__in=roles) & placement.under(p)
    return apps.get_model("accounts", "RoleAssignment").objects.filter(placed).values("pk")


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    """The records of `queryset` the user may reach for `action`."""
    model = queryset.model
    spec = spec_of(model)
    scope = scope_for(user, action)
    if scope.everything:
        return queryset
    if scope.empty:
        return queryset.none()
    qs = queryset.filter(scope_q(model, scope))
    return qs.distinct() if spec.distinct else qs


def restrict_shared(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    """Like restrict, plus records owned by an ANCESTOR of the user's organisations.

    For resources a higher level shares down the tree: a county's venues, its
    festival campaigns, its red-memory archive, its volunteer teams. A branch
    secretary sees them; nothing of a sibling branch is added.
    """
    model = queryset.model
    spec = spec_of(model)
    scope = scope_for(user, action)
    if scope.everything:
        return queryset
    if scope.empty:
        return queryset.none()
    ancestors = set()
    for path in scope.org_paths:
        parts = path.strip("/").split("/")
        ancestors.update("/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts)))
    q = scope_q(model, scope)
    if spec.org is not None and ancestors:
        q |= Q(**{_join(spec.org, "path__in"): ancestors})
    qs = queryset.filter(q)
    return qs.distinct() if spec.distinct else qs


def get_scoped_object_or_404(queryset_or_model, user, action: str = "view", **lookup):
    qs = queryset_or_model if isinstance(queryset_or_model, QuerySet) else queryset_or_model._default_manager.all()
    try:
        return restrict(qs, user, action).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError):
        # A lookup value of the wrong type (?plan=abc, a 30-digit id) names no record either.
        raise Http404("不在您的数据范围内，或记录不存在") from None


def object_view(model, samples: dict | None = None, **lookups):
    """Mark a function view as showing one record of `model`.

    `lookups` maps URL kwargs to model fields (default {"pk": "pk"}); the
    scope sweep test uses it to try every such URL with another branch's
    records. `samples` gives example values for other URL kwargs (a month,
    a year). Class-based views declare `model` or `queryset` instead.
    """

    def decorate(view):
        view.scope_model = model
        view.scope_lookups = lookups or {"pk": "pk"}
        view.scope_samples = samples or {}
        return view

    return decorate


def can(user, action: str, obj=None) -> bool:
    """May the user take `action` at all (obj=None) or on this record?"""
    scope = scope_for(user, action)
    if obj is None:
        return not scope.empty
    if scope.empty:
        return False
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def org_path_of(instance) -> str | None:
    """The path of the organisation a record belongs to, following its scope_spec."""
    spec = getattr(type(instance), "scope_spec", None)
    if spec is None:
        return None
    if spec.org_path is not None:
        # The stored path may sit on a related row (station__scope_path): follow the relations to it.
        *relations, field_name = spec.org_path.split("__")
        target = instance
        for part in relations:
            target = getattr(target, part, None)
            if target is None:
                return ""
        return getattr(target, field_name, "") or ""
    if spec.org is not None and (path := _path_along(instance, spec.org)):
        return path
    # A role assignment naming no organisation sits where its app places it (a carer's pairs, a station).
    if spec.assignment == "" and (path := _placed_path(instance)):
        return path
    for org in spec.more_orgs:
        if path := _path_along(instance, org):
            return path
    return None


def _path_along(instance, lookup: str) -> str | None:
    target = instance
    for part in filter(None, lookup.split("__")):
        target = getattr(target, part, None)
        if target is None:
            return None
    return getattr(target, "path", None) or None


def _placed_path(assignment) -> str | None:
    placement = _placements.get(assignment.scope_kind)
    if placement is None:
        return None
    return _common_path(placement.paths(assignment)) or None


def _common_path(paths: Iterable[str]) -> str:
    """The longest path every one of these lies under ("" when none)."""
    paths = list(paths)
    if not paths:
        return ""
    common = os.path.commonprefix(paths)  # paths end in "/", so cut back to the last whole code
    return common[: common.rfind("/") + 1]


def home_path(user) -> str:
    """The narrowest organisation path covering all of a user's roles ("" when none).

    Events about a person (logins, exports) are filed under it, so the
    administrators above that person see them in the operation log.
    """
    if user is None or not getattr(user, "pk", None):
        return ""
    paths = []
    for a in user.role_assignments.select_related("organization", "zone__organization", "user__retiree__organization"):
        path = org_path_of(a)
        if path:
            paths.append(path)
    return _common_path(paths)
