"""The pairs scope: a carer reaches the retirees paired with them (current pairings).

Their role assignment names no organisation, so it is placed by the pairs too: under
the organisations of the retirees they are paired with now, or, once every pairing has
ended, those of their past pairs, so the account never falls out of every
administrator's reach and does not follow a carer who has moved on elsewhere.
"""
from django.db.models import Exists, OuterRef, Q

from changqing.core.roles import ScopeKind
from changqing.core.scope import register_placement, register_scope_resolver
from changqing.core.tree import in_subtree


def resolve_pairs(assignment):
    from .models import Pairing

    ids = set(Pairing.objects.filter(carer_id=assignment.user_id, ended_on__isnull=True)
              .values_list("retiree_id", flat=True))
    return set(), ids


def _placing_pairs():
    """The pairings that place their carer: current ones, or all of a carer who has none current."""
    from .models import Pairing

    has_current = Pairing.objects.filter(carer_id=OuterRef("carer_id"), ended_on__isnull=True)
    return Pairing.objects.filter(Q(ended_on__isnull=True) | ~Exists(has_current))


def carers_under(path: str) -> Q:
    return Q(user_id__in=_placing_pairs().filter(in_subtree(path, "retiree__organization")).values("carer_id"))


def carer_paths(assignment) -> set[str]:
    return set(_placing_pairs().filter(carer_id=assignment.user_id)
               .values_list("retiree__organization__path", flat=True))


register_scope_resolver(ScopeKind.PAIRS, resolve_pairs)
register_placement(ScopeKind.PAIRS, under=carers_under, paths=carer_paths)
