import datetime as dt

from changqing.core.idcard import check_char

_seq = iter(range(1, 10**6))


def id_number(birth: dt.date, male: bool = True) -> str:
    n = next(_seq)
    region = f"43{n // 500 % 100:02d}{n // 50000 % 100:02d}"
    first17 = f"{region}{birth:%Y%m%d}{(n % 500) * 2 + (1 if male else 0):03d}"
    return first17 + check_char(first17)


def member(org, name, *, status="full", joined=dt.date(1975, 7, 1), full_on=dt.date(1976, 7, 1),
           birth=dt.date(1950, 1, 1), history=True):
    """A retiree with a membership of `org`; through the members service (with history) by default."""
    from changqing.members import services
    from changqing.members.models import Membership, Retiree

    r = Retiree(name=name, gender="male", id_number=id_number(birth), birth_date=birth, retirement_kind="tuixiu",
                organization=org, phone="13800001234")
    r.save()
    if history:
        return services.membership_create(retiree=r, organization=org, status=status, joined_on=joined,
                                          full_on=full_on if status == "full" else None)
    return Membership.objects.create(retiree=r, organization=org, status=status, joined_on=joined,
                                     full_on=full_on if status == "full" else None)


def members(org, n, prefix="党员", **kw):
    return [member(org, f"{prefix}{i}", **kw) for i in range(n)]
