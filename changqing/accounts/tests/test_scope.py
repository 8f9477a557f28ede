from django.db import connection
from django.test.utils import CaptureQueriesContext

from changqing.core.roles import Role
from changqing.core.scope import restrict, scope_for
from changqing.members.models import Membership, Retiree
from changqing.orgs.models import Organization
from tests.factories import make_user


def test_secretary_sees_only_own_branch(tree, secretary_a):
    assert set(restrict(Organization.objects.all(), secretary_a)) == {tree.a}
    assert set(restrict(Retiree.objects.all(), secretary_a)) == {tree.ra}
    assert set(restrict(Membership.objects.all(), secretary_a)) == {tree.ra.membership}


def test_bureau_admin_sees_subtree(tree, bureau_admin):
    assert restrict(Organization.objects.all(), bureau_admin).count() == 3
    assert restrict(Retiree.objects.all(), bureau_admin).count() == 2


def test_zone_lead_sees_zone_branches(tree):
    lead = make_user("lead", Role.ZONE_LEAD, zone=tree.zone_b)
    assert set(restrict(Organization.objects.all(), lead)) == {tree.b}
    assert set(restrict(Retiree.objects.all(), lead)) == {tree.rb}


def test_member_sees_only_self(tree):
    member = make_user("self", Role.MEMBER)
    member.retiree = tree.ra
    member.save()
    member.role_assignments.update()  # role already bound
    assert set(restrict(Retiree.objects.all(), member)) == {tree.ra}
    assert restrict(Organization.objects.all(), member).count() == 0


def test_user_without_roles_sees_nothing(tree):
    nobody = make_user("nobody")
    assert restrict(Retiree.objects.all(), nobody).count() == 0
    assert scope_for(nobody).empty


def test_change_action_excludes_read_only_roles(tree):
    committee = make_user("cm", Role.COMMITTEE_MEMBER, organization=tree.a)
    assert restrict(Retiree.objects.all(), committee, "view").count() == 1
    assert restrict(Retiree.objects.all(), committee, "change").count() == 0


def test_scope_is_one_query_per_action(tree, secretary_a):
    with CaptureQueriesContext(connection) as ctx:
        list(restrict(Retiree.objects.all(), secretary_a))
        list(restrict(Organization.objects.all(), secretary_a))
    assert len(ctx.captured_queries) == 3  # resolve assignments once, then one query per list


def test_moving_a_branch_moves_its_subtree(tree):
    group = Organization.objects.create(code="T-A-G1", name="甲支部第一党小组", kind="group", parent=tree.a)
    tree.a.parent = tree.b
    tree.a.save()
    group.refresh_from_db()
    assert group.path == "/T/T-B/T-A/T-A-G1/"
    assert group.depth == 4
    assert set(Organization.objects.filter(path__startswith=tree.b.path)) == {tree.b, tree.a, group}
