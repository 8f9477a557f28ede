import datetime as dt

from tests.factories import id_number, make_retiree

__all__ = ["id_number", "person"]


def person(org, name, birth=dt.date(1950, 1, 1), seq=1, male=True, member=True, **extra):
    """A retiree with a fixed ID number (from `seq`), by default a full member with history."""
    return make_retiree(org, name, id_number(birth, male, serial=seq, region=433127), gender="male" if male else "female",
                        birth=birth, member=member, joined=dt.date(birth.year + 25, 7, 1),
                        full_on=dt.date(birth.year + 26, 7, 1), history=True, **extra)
