"""Small builders for dues tests on the shared `tree` fixture."""
import datetime as dt
import itertools
from decimal import Decimal

from conftest import make_retiree
from changqing.dues import rules
from changqing.dues.models import DuesBase
from changqing.policies.kinds import FAR_PAST
from changqing.policies.services import policy_version_create

_ids = itertools.count(1)


def add_members(org, n, *, pension="4000.00", basic="3000.00", since=dt.date(2024, 1, 1)):
    """n members in org, each with a retiree base from `since`."""
    out = []
    for _ in range(n):
        i = next(_ids)
        r = make_retiree(org, f"党员{i:03d}", f"T{org.code}{i:012d}"[:18])
        DuesBase.objects.create(membership=r.membership, effective_from=since, category="retiree",
                                pension_whole=Decimal(pension), pension_basic=Decimal(basic))
        out.append(r.membership)
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
