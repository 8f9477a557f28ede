import datetime as dt

from tests.factories import make_member


def member(org, name, *, status="full", joined=dt.date(1975, 7, 1), full_on=dt.date(1976, 7, 1),
           birth=dt.date(1950, 1, 1), history=True):
    """A member of `org`; through the members service (with history) by default."""
    return make_member(org, name, status=status, joined=joined, full_on=full_on, birth=birth, history=history)


def members(org, n, prefix="党员", **kw):
    return [member(org, f"{prefix}{i}", **kw) for i in range(n)]
