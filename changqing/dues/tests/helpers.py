"""Small builders for dues tests on the shared `tree` fixture."""
import datetime as dt
import itertools
from decimal import Decimal

from conftest import make_retiree
from changqing.dues.models import DuesBase

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
