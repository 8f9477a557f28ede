import pytest

from changqing.accounts.models import RoleAssignment
from changqing.core.roles import Role
from changqing.guidance.credit_code import check_char
from changqing.guidance.models import GuidanceStation, Guide, NewOrg
from changqing.orgs.models import Organization, OrgKind
from tests.factories import make_user


def valid_code(n: int) -> str:
    first17 = f"91430702{n:09d}"
    return first17 + check_char(first17)


def make_org(station, guide, n, **extra):
    data = dict(station=station, guide=guide, kind=NewOrg.Kind.ENTERPRISE, name=f"测试企业{n}",
                credit_code=valid_code(n), address="某路1号", area=station.area, person_in_charge="王某",
                employees=20, party_members=2)
    data.update(extra)
    return NewOrg.objects.create(**data)


@pytest.fixture
def stations(db):
    root = Organization.objects.create(code="LX", name="测试两新工委", kind=OrgKind.COMMITTEE)
    s1 = GuidanceStation.objects.create(code="S1", name="甲指导站", organization=root, base="甲阵地", area="甲街道")
    s2 = GuidanceStation.objects.create(code="S2", name="乙指导站专有", organization=root, base="乙阵地", area="乙街道")
    g1 = Guide.objects.create(station=s1, name="甲指导员")
    g2 = Guide.objects.create(station=s2, name="乙指导员专有")
    o1 = make_org(s1, g1, 1)
    o2 = make_org(s2, g2, 2, name="乙站企业专有")
    admin = make_user("lx_admin", Role.BUREAU_ADMIN, organization=root)
    guide_user = make_user("guide1")
    RoleAssignment.objects.create(user=guide_user, role=Role.GUIDE, station_id=s1.pk)
    g1.user = guide_user
    g1.save()
    chief_user = make_user("chief1")
    RoleAssignment.objects.create(user=chief_user, role=Role.STATION_CHIEF, station_id=s1.pk)
    return type("S", (), dict(root=root, s1=s1, s2=s2, g1=g1, g2=g2, o1=o1, o2=o2, admin=admin, guide=guide_user,
                               chief=chief_user))
