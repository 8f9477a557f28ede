import datetime as dt

import pytest

from changqing.life.models import Attendance, Meeting, MeetingKind
from changqing.members.models import Membership
from conftest import make_retiree

_ids = iter(range(10_000))


def id_number(birth=dt.date(1950, 1, 1), seq=None):
    """A valid GB 11643 number for tests."""
    seq = seq if seq is not None else next(_ids)
    body = f"110105{birth:%Y%m%d}{seq % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def add_members(org, n, *, immobile=0):
    out = []
    for i in range(n):
        seq = next(_ids)
        gender = "male" if seq % 2 else "female"
        birth = dt.date(1945, 1, 1) + dt.timedelta(days=seq)
        num = id_number(birth, seq * 2 + (1 if gender == "male" else 0))
        r = make_retiree(org, f"党员{seq}", num, gender=gender, birth=birth, mobility_impaired=i < immobile)
        out.append(Membership.objects.get(retiree=r))
    return out


def hold(org, kind_code, day, members=(), status="present", **fields):
    m = Meeting.objects.create(organization=org, kind=MeetingKind.objects.get(code=kind_code), held_on=day,
                               topic=fields.pop("topic", "学习"), **fields)
    Attendance.objects.bulk_create([Attendance(meeting=m, membership=mem, status=status) for mem in members])
    return m


@pytest.fixture
def kinds(db):
    return {k.code: k for k in MeetingKind.objects.all()}
