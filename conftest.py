"""Shared fixtures: a small two-branch tree for scope tests, and demo users."""
import datetime as dt

import pytest

from changqing.accounts.models import RoleAssignment, User
from changqing.core.roles import Role
from changqing.members.models import Membership, Retiree
from changqing.orgs.models import Organization, OrgKind, SetupKind, Zone


def make_retiree(org, name, id_number, *, member=True, gender="male", birth=dt.date(1950, 1, 1), **extra):
    r = Retiree(name=name, gender=gender, id_number=id_number, birth_date=birth, retirement_kind="tuixiu",
                organization=org, phone="13800001234", **extra)
    r.save()
    if member:
        Membership.objects.create(retiree=r, organization=org, status="full", joined_on=dt.date(1975, 7, 1),
                                  full_on=dt.date(1976, 7, 1))
    return r


@pytest.fixture
def tree(db):
    """A jurisdiction with two branches A and B in different zones, each with people."""
    root = Organization.objects.create(code="T", name="测试党工委", kind=OrgKind.COMMITTEE)
    zone_a = Zone.objects.create(code="T-ZA", name="甲片组", organization=root)
    zone_b = Zone.objects.create(code="T-ZB", name="乙片组", organization=root)
    a = Organization.objects.create(code="T-A", name="甲支部", kind=OrgKind.BRANCH, parent=root, zone=zone_a,
                                    setup_kind=SetupKind.ALONE)
    b = Organization.objects.create(code="T-B", name="乙支部专有名称", kind=OrgKind.BRANCH, parent=root, zone=zone_b,
                                    setup_kind=SetupKind.COMMUNITY)
    ra = make_retiree(a, "张宏伟", "11010519491231002X", gender="female", birth=dt.date(1949, 12, 31))
    rb = make_retiree(b, "乙支部专有人", "440524188001010014", birth=dt.date(1880, 1, 1))
    return type("Tree", (), {"root": root, "a": a, "b": b, "zone_a": zone_a, "zone_b": zone_b, "ra": ra, "rb": rb})


def make_user(username, role=None, **scope):
    user = User.objects.create_user(username=username, password="pw-for-tests-1", full_name=username)
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def secretary_a(tree):
    return make_user("sec_a", Role.BRANCH_SECRETARY, organization=tree.a)


@pytest.fixture
def bureau_admin(tree):
    return make_user("bureau", Role.BUREAU_ADMIN, organization=tree.root)
