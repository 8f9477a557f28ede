"""Builders for test data: the one way tests make an ID number, a retiree, a member and a user.

Plain functions rather than factory_boy: the people here are few and their fields are the domain's
(a valid GB 11643 number agreeing with birth and gender, a membership written through the members
service so its history exists), which a few lines say more plainly than factory declarations.
"""
from __future__ import annotations

import datetime as dt
import itertools

from changqing.accounts.models import RoleAssignment, User
from changqing.core.idcard import check_char
from changqing.members.models import Membership, Retiree

_serials = itertools.count(1)


def id_number(birth: dt.date = dt.date(1950, 1, 1), male: bool = True, *, serial: int | None = None,
              region: int = 110105) -> str:
    """A valid GB 11643 number for this birth date and gender, unique in the run (or fixed by `serial`)."""
    n = next(_serials) if serial is None else serial
    first17 = f"{region + n // 500:06d}{birth:%Y%m%d}{(n % 500) * 2 + (1 if male else 0):03d}"
    return first17 + check_char(first17)


def make_retiree(org, name: str | None = None, id_number_: str | None = None, *, member: bool = True,
                 gender: str = "male", birth: dt.date = dt.date(1950, 1, 1), status: str = "full",
                 joined: dt.date = dt.date(1975, 7, 1), full_on: dt.date | None = dt.date(1976, 7, 1),
                 history: bool = False, **extra) -> Retiree:
    """A retiree of `org`, by default also a full member.

    With ``history=True`` the membership is made by the members service (periods and events written);
    otherwise it is a bare row, which is all most tests need.
    """
    extra.setdefault("phone", "13800001234")
    extra.setdefault("retirement_kind", "tuixiu")
    number = id_number_ or id_number(birth, gender == "male")
    r = Retiree(name=name or f"测试{number[-6:-1]}", gender=gender, id_number=number, birth_date=birth,
                organization=org, **extra)
    r.save()
    if member:
        fields = dict(retiree=r, organization=org, status=status, joined_on=joined,
                      full_on=full_on if status == "full" else None)
        if history:
            from changqing.members import services

            services.membership_create(**fields)
        else:
            Membership.objects.create(**fields)
    return r


def make_member(org, name: str | None = None, **kw) -> Membership:
    """A full member of `org` (see make_retiree), returned as the membership."""
    return make_retiree(org, name, member=True, **kw).membership


def add_members(org, n: int, *, immobile: int = 0, prefix: str = "党员", **kw) -> list[Membership]:
    """n members of `org` of both genders and different ages; the first `immobile` cannot leave home."""
    out = []
    for i in range(n):
        serial = next(_serials)
        birth = dt.date(1945, 1, 1) + dt.timedelta(days=serial)
        male = serial % 2 == 1
        out.append(make_member(org, f"{prefix}{serial}", id_number_=id_number(birth, male, serial=serial),
                               gender="male" if male else "female", birth=birth, mobility_impaired=i < immobile,
                               **kw))
    return out


def make_user(username: str, role=None, **scope) -> User:
    """A user with the test password and, if given, one role assignment (organization=…, zone=…, station_id=…)."""
    user = User.objects.create_user(username=username, password="pw-for-tests-1", full_name=username)
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user
