import datetime as dt

from changqing.core.idcard import check_char


def id_number(birth: dt.date, seq: int = 1, male: bool = True, region: str = "433127") -> str:
    """A valid GB 11643 number for a birth date; seq makes it unique."""
    tail = seq * 2 + (1 if male else 0)
    first17 = f"{region}{birth:%Y%m%d}{tail % 1000:03d}"
    return first17 + check_char(first17)


def person(org, name, birth=dt.date(1950, 1, 1), seq=1, male=True, member=True, **extra):
    """A retiree (and, by default, a full member via the service, so the history exists)."""
    from changqing.members import services
    from changqing.members.models import Retiree

    extra.setdefault("phone", "13800001234")
    r = Retiree(name=name, gender="male" if male else "female", id_number=id_number(birth, seq, male),
                birth_date=birth, retirement_kind="tuixiu", organization=org, **extra)
    r.save()
    if member:
        services.membership_create(retiree=r, organization=org, status="full", joined_on=dt.date(birth.year + 25, 7, 1),
                                   full_on=dt.date(birth.year + 26, 7, 1))
    return r
