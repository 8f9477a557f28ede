import datetime as dt
from decimal import Decimal

import pytest

from changqing.core.roles import Role
from changqing.care.models import Visit
from changqing.dues.models import DuesBase, DuesMonth
from changqing.life.tests.conftest import hold
from changqing.orgs.models import Committee, CommitteeTerm
from tests.factories import add_members, make_user

TODAY = dt.date(2026, 3, 10)
YEAR = 2025


def build_branch_year(org, *, members=4, immobile=1, months_paid=12, term_end=dt.date(2027, 6, 30)):
    """A branch with a known year 2025: every figure of every metric can be counted by hand.

    Returns the memberships. Meetings: group meetings in 10 of 12 months (all present
    but one absent each), theme days all 12 months; the immobile member is excused
    once in March with no home delivery → not reached. Visits: two of the retirees.
    Dues: the last member paid only to August (4 months behind at December).
    """
    ms = add_members(org, members, immobile=immobile)
    for month in range(1, 13):
        if month not in (4, 9):
            status_rows = ms[1:]
            m = hold(org, "group_meeting", dt.date(YEAR, month, 8), status_rows)
            from changqing.life.models import Attendance

            Attendance.objects.filter(meeting=m, membership=ms[-1]).update(status="absent")
            if month == 3:
                Attendance.objects.create(meeting=m, membership=ms[0], status="excused", reason="卧床")
            else:
                Attendance.objects.create(meeting=m, membership=ms[0], status="home_delivery", deliverer="王",
                                          material="学习资料")
        hold(org, "theme_day", dt.date(YEAR, month, 20))
    for mem in ms[:2]:
        Visit.objects.create(retiree=mem.retiree, visited_on=dt.date(YEAR, 5, 1), visitors="局领导")
    Visit.objects.create(retiree=ms[0].retiree, visited_on=dt.date(YEAR, 9, 1), visitors="局领导")
    Visit.objects.create(retiree=ms[2].retiree, visited_on=dt.date(YEAR - 1, 9, 1), visitors="去年")
    for i, mem in enumerate(ms):
        DuesBase.objects.create(membership=mem, effective_from=dt.date(YEAR, 1, 1), pension_whole=Decimal("4000"))
        paid = 8 if i == len(ms) - 1 else months_paid
        DuesMonth.objects.bulk_create([DuesMonth(membership=mem, month=dt.date(YEAR, m, 1), amount_due=Decimal("20"))
                                       for m in range(1, paid + 1)])
    committee = Committee.objects.create(organization=org)
    CommitteeTerm.objects.create(committee=committee, organization=org, start_on=dt.date(2022, 7, 1), years=5,
                                 end_on=term_end)
    return ms


@pytest.fixture
def reviewer(tree):
    return make_user("reviewer", Role.BUREAU_ADMIN, organization=tree.root)
