import pytest

from changqing.life.models import Attendance, Meeting, MeetingKind
from tests.factories import add_members  # noqa: F401  (imported by the life tests with hold)


def hold(org, kind_code, day, members=(), status="present", **fields):
    m = Meeting.objects.create(organization=org, kind=MeetingKind.objects.get(code=kind_code), held_on=day,
                               topic=fields.pop("topic", "学习"), **fields)
    Attendance.objects.bulk_create([Attendance(meeting=m, membership=mem, status=status) for mem in members])
    return m


@pytest.fixture
def kinds(db):
    return {k.code: k for k in MeetingKind.objects.all()}
