"""Small builders for dues tests on the shared `tree` fixture."""
import datetime as dt
from decimal import Decimal

from changqing.dues.models import DuesBase
from tests.factories import add_members as add_plain_members


def add_members(org, n, *, pension="4000.00", basic="3000.00", since=dt.date(2024, 1, 1)):
    """n members in org, each with a retiree base from `since`."""
    out = add_plain_members(org, n)
    DuesBase.objects.bulk_create([DuesBase(membership=m, effective_from=since, category="retiree",
                                           pension_whole=Decimal(pension), pension_basic=Decimal(basic))
                                  for m in out])
    return out
