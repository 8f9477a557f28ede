"""Assertions shared by the county and city tests: every person and party date is possible."""
from __future__ import annotations

import datetime as dt

from changqing.core import idcard
from changqing.demo.generator import FOUNDING, TODAY
from changqing.members.models import Membership, Retiree


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def assert_people_possible(root_path: str, as_of: dt.date):
    retirees = Retiree.objects.filter(organization__path__startswith=root_path)
    ids = list(retirees.values_list("id_number", "birth_date", "gender", "retired_on", "retirement_kind"))
    assert ids
    for number, birth, gender, retired_on, kind in ids:
        parsed = idcard.parse(number)  # raises on a bad check character or date
        assert parsed.value == number
        assert parsed.birth_date == birth and parsed.gender == gender, number
        assert retired_on <= as_of, (number, retired_on)
        assert 45 <= age_on(birth, retired_on) <= 61, (number, birth, retired_on)
        if kind == "lixiu":
            assert dt.date(1925, 1, 1) <= birth <= dt.date(1935, 12, 31), (number, birth)

    memberships = Membership.objects.filter(organization__path__startswith=root_path).values_list(
        "joined_on", "full_on", "retiree__birth_date", "retiree__retirement_kind", "retiree__id_number")
    for joined, full, birth, kind, number in memberships:
        assert age_on(birth, joined) >= 18, (number, birth, joined)
        assert joined < full <= TODAY, (number, joined, full)
        assert joined <= as_of
        if kind == "lixiu":
            # 离休: joined before the founding of the People's Republic (DOMAIN.md §2).
            assert joined < FOUNDING, (number, joined)
