"""Users whose only roles name no organisation: carers (pairs) and guidance-station roles.

A carer's assignment reaches retirees through their pairings, a station chief's or
guide's through the station; the bureau admin above those pairings or that station
must still find, open and manage the account, and an admin of another subtree must not.
"""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from changqing.accounts.models import RoleAssignment, User
from changqing.core.roles import Role
from changqing.core.scope import home_path, restrict
from changqing.care.models import Pairing
from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation
from changqing.guidance.models import GuidanceStation
from changqing.orgs.models import Organization, OrgKind
from tests.factories import make_user


@pytest.fixture
def world(tree):
    """Admin "mine" holds branch A and the 两新工委 W; admin "theirs" holds branch B and the 两新工委 V."""
    w = Organization.objects.create(code="W", name="甲两新工委", kind=OrgKind.COMMITTEE)
    v = Organization.objects.create(code="V", name="乙两新工委", kind=OrgKind.COMMITTEE)
    station_w = GuidanceStation.objects.create(code="W-1", name="甲指导站", organization=w, base="甲阵地", area="甲街道")
    station_v = GuidanceStation.objects.create(code="V-1", name="乙指导站", organization=v, base="乙阵地", area="乙街道")
    mine = make_user("admin_mine", Role.BUREAU_ADMIN, organization=tree.a)
    RoleAssignment.objects.create(user=mine, role=Role.BUREAU_ADMIN, organization=w)
    theirs = make_user("admin_theirs", Role.BUREAU_ADMIN, organization=tree.b)
    RoleAssignment.objects.create(user=theirs, role=Role.BUREAU_ADMIN, organization=v)

    def carer(username, retiree):
        user = make_user(username, Role.CARER)
        Pairing.objects.create(carer=user, retiree=retiree, started_on=dt.date(2024, 1, 1))
        return user

    return type("World", (), dict(
        tree=tree, w=w, v=v, station_w=station_w, station_v=station_v, mine=mine, theirs=theirs,
        carer_in=carer("carer_in", tree.ra), carer_out=carer("carer_out", tree.rb),
        chief_in=make_user("chief_in", Role.STATION_CHIEF, station_id=station_w.pk),
        guide_in=make_user("guide_in", Role.GUIDE, station_id=station_w.pk),
        chief_out=make_user("chief_out", Role.STATION_CHIEF, station_id=station_v.pk),
    ))


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _listed(client) -> set[str]:
    page = client.get("/accounts/users/").content.decode()
    return {name for name in ("carer_in", "carer_out", "chief_in", "guide_in", "chief_out") if name in page}


def test_admin_lists_carers_and_station_roles_of_their_subtree_only(world):
    assert _listed(_client(world.mine)) == {"carer_in", "chief_in", "guide_in"}
    page = _client(world.mine).get("/accounts/users/").content.decode()
    assert "服务专员/结对干部（结对对象）" in page and "指导站站长（指导站）" in page
    assert _listed(_client(world.theirs)) == {"carer_out", "chief_out"}


def test_admin_opens_and_deactivates_them_but_not_the_others(world):
    c = _client(world.mine)
    for user in (world.carer_in, world.chief_in, world.guide_in):
        page = c.get(f"/accounts/users/{user.pk}/")
        assert page.status_code == 200
        assert "移除" in page.content.decode()  # the role shows on the page, with its remove button
        assert c.post(f"/accounts/users/{user.pk}/", {"user-full_name": "改名", "save_user": "1"}).status_code == 302
        user.refresh_from_db()
        assert not user.is_active and user.full_name == "改名"  # is_active left unticked: deactivated
    for user in (world.carer_out, world.chief_out):
        assert c.get(f"/accounts/users/{user.pk}/").status_code == 404
        assert c.post(f"/accounts/users/{user.pk}/", {"user-full_name": "改名", "save_user": "1"}).status_code == 404
        user.refresh_from_db()
        assert user.is_active and user.full_name == user.username


def test_admin_removes_their_roles_and_the_event_is_filed_where_they_see_it(world):
    c = _client(world.mine)
    for user in (world.carer_in, world.chief_in):
        ra = user.role_assignments.get()
        assert c.post(f"/accounts/roles/{ra.pk}/remove/", {"confirm": "1"}).status_code == 302
        assert not RoleAssignment.objects.filter(pk=ra.pk).exists()
    for user in (world.carer_out, world.chief_out):
        ra = user.role_assignments.get()
        assert c.post(f"/accounts/roles/{ra.pk}/remove/").status_code == 404
        assert RoleAssignment.objects.filter(pk=ra.pk).exists()
    events = OperationLog.objects.filter(event=OperationLog.Event.ROLE_CHANGE)
    assert sorted(events.values_list("org_path", flat=True)) == sorted([world.tree.a.path, world.station_w.scope_path])
    assert restrict(events, world.mine, "manage").count() == 2
    assert not restrict(events, world.theirs, "manage").exists()


def test_home_path_and_logins_of_carers_and_station_roles(world):
    assert home_path(world.carer_in) == world.tree.a.path
    assert home_path(world.chief_in) == world.station_w.scope_path
    assert home_path(world.chief_out) == world.station_v.scope_path
    # Pairs in two branches: filed under the organisation above both.
    Pairing.objects.create(carer=world.carer_in, retiree=world.tree.rb, started_on=dt.date(2024, 1, 1))
    assert home_path(world.carer_in) == world.tree.root.path
    login = log_operation(OperationLog.Event.LOGIN, user=world.chief_in)
    assert login.org_path == world.station_w.scope_path
    logs = OperationLog.objects.filter(pk=login.pk)
    assert restrict(logs, world.mine, "manage").exists() and not restrict(logs, world.theirs, "manage").exists()


def test_a_carer_belongs_where_their_current_pairs_are(world):
    # Moved from A to B: only B's admin manages them now.
    Pairing.objects.filter(carer=world.carer_in).update(ended_on=dt.date(2025, 1, 1))
    Pairing.objects.create(carer=world.carer_in, retiree=world.tree.rb, started_on=dt.date(2025, 1, 1))
    assert "carer_in" not in _listed(_client(world.mine)) and "carer_in" in _listed(_client(world.theirs))
    assert home_path(world.carer_in) == world.tree.b.path
    # Every pair ended: the account stays with the admins of its past pairs instead of falling out of reach.
    Pairing.objects.filter(carer=world.carer_in).update(ended_on=dt.date(2025, 6, 1))
    assert {"carer_in"} <= _listed(_client(world.mine)) and {"carer_in"} <= _listed(_client(world.theirs))


def test_a_carer_assignment_naming_an_organisation_belongs_there(world):
    loose = make_user("carer_named", Role.CARER, organization=world.tree.a)  # no pairs yet
    assert restrict(User.objects.filter(pk=loose.pk), world.mine, "manage").exists()
    assert not restrict(User.objects.filter(pk=loose.pk), world.theirs, "manage").exists()
    assert home_path(loose) == world.tree.a.path


def test_user_list_queries_do_not_grow_with_carers_and_station_roles(world):
    c = _client(world.mine)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/accounts/users/").status_code == 200
        return len(ctx.captured_queries)

    def add(start, stop):
        users = User.objects.bulk_create([User(username=f"p{i}", full_name=f"专员{i}") for i in range(start, stop)])
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=u, role=Role.CARER) for u in users]
            + [RoleAssignment(user=u, role=Role.GUIDE, station_id=world.station_w.pk) for u in users])
        Pairing.objects.bulk_create([Pairing(carer=u, retiree=world.tree.ra, started_on=dt.date(2024, 1, 1))
                                     for u in users])

    add(0, 3)
    small = count()
    add(3, 40)
    assert count() == small
    assert "p39" in c.get("/accounts/users/?q=p39").content.decode()


# -- giving these roles in the product's own user pages -------------------------------------------

NEW = {"username": "new_one", "full_name": "新同志", "phone": "13900000001", "password": "Qingshan-2026",
       "role-note": ""}


def test_admin_creates_a_carer_under_an_organisation_and_then_pairs_them(world):
    c = _client(world.mine)
    form = c.get("/accounts/users/new/").content.decode()
    assert 'value="carer"' in form and 'value="station_chief"' in form and 'value="guide"' in form
    response = c.post("/accounts/users/new/", {**NEW, "role-role": Role.CARER, "role-organization": world.tree.a.pk})
    assert response.status_code == 302, response.content.decode()
    carer = User.objects.get(username="new_one")
    ra = carer.role_assignments.get()
    assert (ra.role, ra.organization_id, ra.station_id) == (Role.CARER, world.tree.a.pk, None)
    assert "new_one" in c.get("/accounts/users/").content.decode()  # in reach before any pairing
    assert "new_one" not in _client(world.theirs).get("/accounts/users/").content.decode()
    pairing_form = c.get("/care/pairings/new/").content.decode()
    assert f'value="{carer.pk}"' in pairing_form


def test_a_carer_needs_an_organisation_said_beside_it(world):
    before = User.objects.count()
    response = _client(world.mine).post("/accounts/users/new/", {**NEW, "role-role": Role.CARER,
                                                                  "role-organization": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="id_role-organization".*?errorlist.*?服务专员需要指定所属组织', html, re.S)
    assert User.objects.count() == before


def test_admin_gives_a_station_role_of_their_own_stations_only(world):
    c = _client(world.mine)
    form = c.get("/accounts/users/new/").content.decode()
    assert "甲指导站" in form and "乙指导站" not in form  # the other 两新工委's station is not offered
    missing = c.post("/accounts/users/new/", {**NEW, "role-role": Role.GUIDE})
    assert missing.status_code == 200
    assert re.search(r'id="id_role-station_id".*?errorlist.*?该角色需要指定指导站', missing.content.decode(), re.S)
    other = c.post("/accounts/users/new/", {**NEW, "role-role": Role.GUIDE, "role-station_id": world.station_v.pk})
    assert other.status_code == 200 and not User.objects.filter(username="new_one").exists()
    ok = c.post("/accounts/users/new/", {**NEW, "role-role": Role.GUIDE, "role-station_id": world.station_w.pk,
                                         "role-organization": world.tree.a.pk})
    assert ok.status_code == 302
    ra = User.objects.get(username="new_one").role_assignments.get()
    assert (ra.role, ra.station_id) == (Role.GUIDE, world.station_w.pk)
    assert "new_one" in c.get("/accounts/users/").content.decode()
    assert "new_one" not in _client(world.theirs).get("/accounts/users/").content.decode()


def test_a_station_chosen_for_another_role_is_not_kept(world):
    c = _client(world.mine)
    c.post("/accounts/users/new/", {**NEW, "role-role": Role.LIAISON, "role-organization": world.tree.a.pk,
                                    "role-station_id": world.station_w.pk})
    ra = User.objects.get(username="new_one").role_assignments.get()
    assert (ra.role, ra.station_id) == (Role.LIAISON, None)


def test_the_pairing_form_offers_carers_within_reach_only(world):
    page = _client(world.mine).get("/care/pairings/new/").content.decode()
    assert f'value="{world.carer_in.pk}"' in page
    assert f'value="{world.carer_out.pk}"' not in page
