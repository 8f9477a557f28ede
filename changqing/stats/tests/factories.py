"""Small constructed jurisdictions for the statistics tests."""
from __future__ import annotations

import datetime as dt
import itertools

from changqing.members.models import Absence, Membership, Retiree
from changqing.orgs.models import Organization, OrgKind, SetupKind, Zone
from tests.factories import id_number

_seq = itertools.count(1)


def person(org, *, birth=dt.date(1950, 5, 1), kind="tuixiu", retired_on=dt.date(2010, 6, 1), joined_on=None,
           ended_on=None, state="active", deceased_on=None, status=None, save=True, **extra) -> Retiree:
    r = Retiree(name=f"测试{next(_seq)}", gender="male", id_number=id_number(birth), birth_date=birth,
                retirement_kind=kind, retired_on=retired_on, organization=org,
                status=status or ("deceased" if deceased_on else "alive"), deceased_on=deceased_on, **extra)
    if not save:
        return r
    r.save()
    if joined_on:
        Membership.objects.create(retiree=r, organization=org, joined_on=joined_on, ended_on=ended_on, state=state)
    return r


def people_bulk(org, n: int, *, start=0):
    """n retirees, half of them members, some away, spread over ages and kinds, in a few queries."""
    rows = []
    for i in range(n):
        birth = dt.date(1930 + (i * 7) % 35, 1 + i % 12, 1 + i % 28)
        rows.append(Retiree(name=f"批量{start + i}", gender="male", id_number=id_number(birth), birth_date=birth,
                            retirement_kind="lixiu" if i % 10 == 0 else "tuixiu", retired_on=dt.date(2000 + i % 20, 1, 1),
                            organization=org, health=["good", "fair", "poor", "bedridden"][i % 4],
                            living=["with_family", "empty_nest", "alone", "care_home"][i % 4]))
    Retiree.objects.bulk_create(rows)
    Membership.objects.bulk_create([Membership(retiree=r, organization=org, joined_on=dt.date(1960 + i % 30, 7, 1))
                                    for i, r in enumerate(rows) if i % 2 == 0])
    Absence.objects.bulk_create([Absence(retiree=r, start_on=dt.date(2018, 11, 1), place="三亚",
                                         host_org_name="三亚某社区党支部" if i % 6 == 0 else "",
                                         host_since=dt.date(2018, 11, 15) if i % 6 == 0 else None)
                                 for i, r in enumerate(rows) if i % 3 == 0])
    return rows


def jurisdiction(code="S"):
    """A 党工委 with a zone, three branches of different setups, a 党总支 with a branch, a dissolved branch and a group."""
    root = Organization.objects.create(code=code, name="统计测试党工委", kind=OrgKind.COMMITTEE,
                                       established_on=dt.date(2000, 1, 1))
    zone = Zone.objects.create(code=f"{code}-Z1", name="第一片组", organization=root)
    mk = lambda c, name, **kw: Organization.objects.create(code=f"{code}-{c}", name=name, **kw)  # noqa: E731
    alone = mk("A", "单独支部", kind=OrgKind.BRANCH, parent=root, setup_kind=SetupKind.ALONE, zone=zone,
               established_on=dt.date(2005, 1, 1))
    combined = mk("C", "合编支部", kind=OrgKind.BRANCH, parent=root, setup_kind=SetupKind.COMBINED,
                  established_on=dt.date(2005, 1, 1))
    community = mk("M", "社区支部", kind=OrgKind.BRANCH, parent=root, setup_kind=SetupKind.COMMUNITY,
                   established_on=dt.date(2012, 3, 1))
    general = mk("G", "某局总支", kind=OrgKind.GENERAL_BRANCH, parent=root, setup_kind=SetupKind.ALONE,
                 established_on=dt.date(2005, 1, 1))
    sub = mk("G1", "某局第一支部", kind=OrgKind.BRANCH, parent=general, setup_kind=SetupKind.ALONE,
             established_on=dt.date(2005, 1, 1))
    dissolved = mk("D", "已撤销支部", kind=OrgKind.BRANCH, parent=root, setup_kind=SetupKind.COMBINED,
                   established_on=dt.date(2005, 1, 1), dissolved_on=dt.date(2016, 6, 30))
    group = mk("A-1", "第一党小组", kind=OrgKind.GROUP, parent=alone, setup_kind=SetupKind.ALONE)
    return type("J", (), dict(root=root, zone=zone, alone=alone, combined=combined, community=community,
                              general=general, sub=sub, dissolved=dissolved, group=group))
