"""The pairs scope: a carer reaches the retirees paired with them (current pairings)."""
from changqing.accounts.roles import ScopeKind
from changqing.accounts.scope import register_scope_resolver


def resolve_pairs(assignment):
    from .models import Pairing

    ids = set(Pairing.objects.filter(carer_id=assignment.user_id, ended_on__isnull=True)
              .values_list("retiree_id", flat=True))
    return set(), ids


register_scope_resolver(ScopeKind.PAIRS, resolve_pairs)
