"""Small builders for dues tests on the shared `tree` fixture."""
import datetime as dt
from decimal import Decimal

from changqing.dues import rules
from changqing.dues.models import DuesBase
from changqing.policies.kinds import FAR_PAST
from changqing.policies.services import policy_version_create
from tests.factories import add_members as add_plain_members


def add_members(org, n, *, pension="4000.00", basic=None, since=dt.date(2024, 1, 1)):
    """n members in org, each with a retiree base from `since`; the basic pension (the default dues base,
    DOMAIN.md §5) is the whole pension unless given."""
    basic = pension if basic is None else basic
    out = add_plain_members(org, n)
    DuesBase.objects.bulk_create([DuesBase(membership=m, effective_from=since, category="retiree",
                                           pension_whole=Decimal(pension), pension_basic=Decimal(basic))
                                  for m in out])
    return out


def set_policy(org, valid_from=None, *, quarterly_allowed=None, **changes):
    """Dues policy versions on org (from far back unless given): the DOMAIN.md defaults with these changes, and
    the branch's quarterly consent (a kind of its own) when given."""
    start = valid_from or FAR_PAST
    if quarterly_allowed is not None:
        policy_version_create(kind="dues.quarterly", organization=org, valid_from=start,
                              values={"allowed": quarterly_allowed})
    if changes or quarterly_allowed is None:
        return policy_version_create(kind="dues", organization=org, valid_from=start,
                                     values=rules.rules_to_data(rules.DEFAULT_RULES.with_(**changes)))
