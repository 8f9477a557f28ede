import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changqing.accounts.models import RoleAssignment
from changqing.core.roles import Role
from changqing.members.models import Membership
from changqing.orgs import services
from changqing.orgs.models import (
    CommitteeForm, CommitteeMemberAssignment, CommitteeTerm, CommitteeVisit, Election, Liaison, LiaisonContact,
    Organization, OrgKind, Post, Restructuring, Zone,
)

from tests.factories import make_user

from .helpers import members

D = dt.date


@pytest.fixture
def admin_client(client, bureau_admin):
    client.force_login(bureau_admin)
    return client


def _errors(response, field):
    form = response.context["form"]
    return " ".join(form.errors.get(field, []))


# -- organisation create / edit ------------------------------------------------------------

def _org_post(tree, **kw):
    data = {"code": "T-C", "name": "丙支部", "kind": "branch", "setup_kind": "alone", "nature": "structural",
            "parent": tree.root.pk, "term_years": 3}
    data.update(kw)
    return data


@pytest.mark.parametrize("field,changes,message", [
    ("code", {"code": "丙 1"}, "编码只能包含字母"),
    ("code", {"code": "t-a"}, "已被其他组织使用"),
    ("name", {"name": ""}, "该字段是必填项"),
    ("parent", {"kind": "group"}, "党小组的上级应是党支部"),
    ("parent", {"kind": "general_branch", "parent": "__a__"}, "党总支的上级应是党工委/党委"),
    ("parent", {"parent": ""}, "请选择上级组织"),
    ("parent", {"parent": "__outside__"}, "不在您的管理范围内"),
    ("contact_phone", {"contact_phone": "电话"}, "电话只能包含数字"),
    ("zone", {"kind": "group", "parent": "__a__", "zone": "__zone__"}, "只有党支部、党总支编入片组"),
])
def test_org_create_rejects_bad_input(admin_client, tree, field, changes, message):
    outside = Organization.objects.create(code="X", name="外单位党委", kind=OrgKind.COMMITTEE)
    subs = {"__a__": tree.a.pk, "__outside__": outside.pk, "__zone__": tree.zone_a.pk}
    data = _org_post(tree, **{k: subs.get(v, v) for k, v in changes.items()})
    before = Organization.objects.count()
    response = admin_client.post(reverse("orgs:create"), data)
    assert response.status_code == 200
    assert message in _errors(response, field), response.context["form"].errors
    assert Organization.objects.count() == before


def test_org_create_builds_group_under_branch(admin_client, tree):
    response = admin_client.post(reverse("orgs:create"), _org_post(tree, code="t-a-g1", name="甲一组", kind="group",
                                                                   parent=tree.a.pk))
    group = Organization.objects.get(code="T-A-G1")
    assert response.status_code == 302 and group.path == "/T/T-A/T-A-G1/" and group.depth == 3


def test_org_create_term_years_follow_setup_kind(admin_client, tree):
    admin_client.post(reverse("orgs:create"), _org_post(tree, code="T-C", setup_kind="community", term_years=""))
    admin_client.post(reverse("orgs:create"), _org_post(tree, code="T-D", term_years=""))
    admin_client.post(reverse("orgs:create"), _org_post(tree, code="T-E", setup_kind="community", term_years="3"))
    years = dict(Organization.objects.filter(code__in=["T-C", "T-D", "T-E"]).values_list("code", "term_years"))
    assert years == {"T-C": 5, "T-D": 3, "T-E": 3}


def test_org_edit_refuses_kind_that_orphans_children(admin_client, tree):
    Organization.objects.create(code="T-A-G", name="甲小组", kind=OrgKind.GROUP, parent=tree.a)
    data = _org_post(tree, code="T-A", name="甲支部", kind="general_branch")
    response = admin_client.post(reverse("orgs:edit", args=["T-A"]), data)
    assert "下级组织「甲小组」是党小组" in _errors(response, "kind")
    tree.a.refresh_from_db()
    assert tree.a.kind == OrgKind.BRANCH


def test_secretary_cannot_create_or_edit_orgs(client, secretary_a, tree):
    client.force_login(secretary_a)
    assert client.get(reverse("orgs:create")).status_code == 403
    assert client.post(reverse("orgs:edit", args=["T-A"]), _org_post(tree, code="T-A")).status_code == 403


def test_zone_form_rejects_same_lead_and_deputy(admin_client, tree):
    response = admin_client.post(reverse("orgs:zone_create"), {"code": "T-ZC", "name": "丙片组",
                                                               "organization": tree.root.pk,
                                                               "lead_org": tree.a.pk, "deputy_org": tree.a.pk})
    assert "不能与片组长单位相同" in _errors(response, "deputy_org")
    assert not Zone.objects.filter(code="T-ZC").exists()


# -- elections and terms -------------------------------------------------------------------------

def _election_post(people, **kw):
    data = {"e-held_on": "2026-05-10", "e-seats": "3", "e-due_to_attend": str(len(people) + 1),
            "e-present": str(len(people) + 1), "e-win_basis": "due", "e-secretary": people[0].pk,
            "e-deputy": people[1].pk, "c-TOTAL_FORMS": "9", "c-INITIAL_FORMS": "0", "c-MIN_NUM_FORMS": "0",
            "c-MAX_NUM_FORMS": "30"}
    for i, m in enumerate(people[:4]):
        data[f"c-{i}-membership"] = m.pk
        data[f"c-{i}-votes"] = str(len(people) if i < 3 else 1)
    data.update(kw)
    return data


def test_election_form_records_election_and_term(admin_client, tree):
    people = members(tree.a, 7)
    response = admin_client.post(reverse("orgs:election_create", args=["T-A"]), _election_post(people))
    election = Election.objects.get()
    assert response.status_code == 302 and response["Location"] == election.get_absolute_url()
    term = CommitteeTerm.objects.get(organization=tree.a)
    assert term.posts.get(post=Post.SECRETARY).membership == people[0]
    page = admin_client.get(election.get_absolute_url()).content.decode()
    assert "当选3名，选举有效" in page


@pytest.mark.parametrize("changes,field,message", [
    ({"e-present": "6"}, "present", "未超过应到会8人的4/5"),  # 6/8 < 4/5; 7/8 passes
    ({"c-3-membership": "", "c-3-votes": ""}, "candidates", "候选人应不少于4名"),
    ({"e-held_on": "2099-01-01"}, "held_on", "不能晚于今天"),
    ({"e-due_to_attend": "9", "e-present": "9"}, "due_to_attend", "有选举权的正式党员人数（8）"),
    ({"e-seats": "0"}, "seats", "大于或等于1"),
    ({"c-4-votes": "3"}, "c-4-membership", "请选择候选人"),
])
def test_election_form_rejects_bad_input(admin_client, tree, changes, field, message):
    people = members(tree.a, 7)
    response = admin_client.post(reverse("orgs:election_create", args=["T-A"]), _election_post(people, **changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    if field == "candidates":
        assert 'id="candidates_errors"' in page
    assert not Election.objects.exists() and not CommitteeTerm.objects.exists()


def test_term_form_requires_secretary_and_valid_committee(admin_client, tree):
    people = members(tree.a, 3)
    url = reverse("orgs:term_create", args=["T-A"])
    response = admin_client.post(url, {"start_on": "2025-01-01", "years": "3", "form": "committee",
                                       "secretary": "", "members": [people[1].pk]})
    assert "该字段是必填项" in _errors(response, "secretary")
    response = admin_client.post(url, {"start_on": "2025-01-01", "years": "3", "form": "committee",
                                       "secretary": people[0].pk, "members": [people[1].pk]})
    assert "不足7人，不设支部委员会" in " ".join(response.context["form"].errors["form"])
    assert not CommitteeTerm.objects.exists()
    response = admin_client.post(url, {"start_on": "2025-01-01", "years": "3", "form": "secretary",
                                       "secretary": people[0].pk})
    assert response.status_code == 302 and CommitteeTerm.objects.get().end_on == D(2028, 1, 1)


def test_secretary_records_own_branch_only(client, secretary_a, tree):
    client.force_login(secretary_a)
    assert client.get(reverse("orgs:election_create", args=["T-A"])).status_code == 200
    assert client.get(reverse("orgs:election_create", args=["T-B"])).status_code == 404
    assert client.get(reverse("orgs:liaison_create", args=["T-A"])).status_code == 404  # needs manage


# -- liaisons and 党工委 members ----------------------------------------------------------------------

def test_liaison_form_bad_phone_then_binds_account(admin_client, tree):
    user = make_user("zaizhi", Role.LIAISON, organization=tree.b)  # an account in the admin's jurisdiction
    url = reverse("orgs:liaison_create", args=["T-A"])
    data = {"name": "王在职", "unit": "县委办", "phone": "abc", "start_on": "2026-01-01", "user": user.pk}
    response = admin_client.post(url, data)
    assert "请填写有效的电话号码" in _errors(response, "phone") and not Liaison.objects.exists()
    response = admin_client.post(url, {**data, "phone": "0743-5221234"})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=user, role=Role.LIAISON, organization=tree.a).exists()


@pytest.mark.today  # "finished months" of the liaison year are counted up to today
def test_liaison_contact_form(admin_client, tree):
    x = services.liaison_assign(organization=tree.a, name="王在职", unit="县委办", phone="13900001111",
                                start_on=D(2026, 1, 1))
    url = x.get_absolute_url()
    response = admin_client.post(url, {"contacted_on": "2025-06-01", "way": "life"})
    assert "不在王在职担任联络员的期间内" in _errors(response, "contacted_on")
    response = admin_client.post(url, {"contacted_on": "2099-06-01", "way": "life"})
    assert "不能晚于今天" in _errors(response, "contacted_on")
    response = admin_client.post(url, {"contacted_on": "2026-03-01", "way": "nonsense"})
    assert "way" in response.context["form"].errors
    assert not LiaisonContact.objects.exists()
    assert admin_client.post(url, {"contacted_on": "2026-03-01", "way": "visit", "notes": "走访"}).status_code == 302
    page = admin_client.get(url).content.decode()
    assert "已联系" in page and "未联系" in page  # March done, other finished months missed


@pytest.mark.today  # the yearly visit count is of this year
def test_committee_member_records_own_visit(client, tree):
    user = make_user("gw")
    a = services.committee_member_assign(committee_org=tree.root, organization=tree.a, name="田委员",
                                         start_on=D(2025, 1, 1), user=user)
    client.force_login(user)
    url = a.get_absolute_url()
    response = client.post(url, {"visited_on": "2026-03-01", "visitor": "", "notes": ""})
    assert "该字段是必填项" in _errors(response, "notes") and not CommitteeVisit.objects.exists()
    assert client.post(url, {"visited_on": "2026-03-01", "notes": "指导组织生活会"}).status_code == 302
    page = client.get(url).content.decode()
    assert "到点指导：1/4 次" in page
    home = client.get("/").content.decode()
    assert "今年到点指导" in home and "1/4" in home


def test_assignment_create_form(admin_client, tree):
    response = admin_client.post(reverse("orgs:assignment_create", args=["T-A"]), {"name": "", "start_on": "x"})
    assert "name" in response.context["form"].errors and "start_on" in response.context["form"].errors
    response = admin_client.post(reverse("orgs:assignment_create", args=["T-A"]),
                                 {"name": "田委员", "post": "委员", "start_on": "2026-01-01"})
    assert response.status_code == 302 and CommitteeMemberAssignment.objects.get().committee_org == tree.root


# -- restructuring forms -------------------------------------------------------------------------

def test_merge_form(admin_client, tree):
    url = reverse("orgs:merge", args=["T-A"])
    response = admin_client.post(url, {"on": "2026-06-01", "reason": ""})
    assert "sources" in response.context["form"].errors and "reason" in response.context["form"].errors
    response = admin_client.post(url, {"sources": [tree.a.pk], "on": "2026-06-01", "reason": "合并"})
    assert "sources" in response.context["form"].errors  # itself is not a choice
    assert admin_client.post(url, {"sources": [tree.b.pk], "on": "2026-06-01", "reason": "就近合并"}).status_code == 302
    tree.b.refresh_from_db()
    assert tree.b.dissolved_on == D(2026, 6, 1)
    assert Membership.objects.get(retiree=tree.rb).organization == tree.a
    assert "乙支部专有名称 并入 甲支部" in admin_client.get(tree.a.get_absolute_url()).content.decode()


def test_split_form(admin_client, tree):
    people = members(tree.a, 4)
    url = reverse("orgs:split", args=["T-A"])
    data = {"code": "t-b", "name": "甲二", "setup_kind": "alone", "memberships": [people[0].pk], "on": "2026-06-01",
            "reason": "人数多"}
    response = admin_client.post(url, data)
    assert "已被其他组织使用" in _errors(response, "code")
    response = admin_client.post(url, {**data, "code": "T-A2", "memberships": []})
    assert "memberships" in response.context["form"].errors
    assert not Organization.objects.filter(code="T-A2").exists()
    assert admin_client.post(url, {**data, "code": "T-A2"}).status_code == 302
    assert Membership.objects.get(pk=people[0].pk).organization.code == "T-A2"


def test_move_form(admin_client, tree):
    url = reverse("orgs:move", args=["T-B"])
    response = admin_client.post(url, {"new_parent": tree.a.pk, "on": "2026-06-01", "reason": "归口"})
    assert "党支部的上级应是" in _errors(response, "new_parent")
    tree.b.refresh_from_db()
    assert tree.b.parent == tree.root and not Restructuring.objects.exists()


# -- lists, tree and panels: query counts that do not grow -----------------------------------------

def _grow(tree, n, start=0):
    """n more branches, each with 4 members, a term, a liaison with contacts, an assignment with a visit."""
    for i in range(start, start + n):
        org = Organization.objects.create(code=f"T-N{i}", name=f"新支部{i}", kind=OrgKind.BRANCH, parent=tree.root,
                                          zone=tree.zone_a)
        people = members(org, 4, prefix=f"新{i}党员", history=False)
        services.term_register(organization=org, start_on=D(2023, 12, 1 + i % 20), form=CommitteeForm.SECRETARY,
                               posts=[(people[0], Post.SECRETARY, "")])
        x = services.liaison_assign(organization=org, name=f"联络员{i}", unit="县委办", phone="13900001111",
                                    start_on=D(2025, 1, 1))
        services.liaison_contact_record(liaison=x, contacted_on=D(2026, 2, 1), way="life")
        a = services.committee_member_assign(committee_org=tree.root, organization=org, name=f"委员{i}",
                                             start_on=D(2025, 1, 1))
        services.committee_visit_record(assignment=a, visited_on=D(2026, 2, 1), notes="指导")


URLS = ["orgs:tree", "orgs:list", "orgs:terms", "orgs:warnings", "orgs:liaisons", "orgs:assignments",
        "orgs:elections", "orgs:restructurings", "orgs:zones", "core:home"]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_list_query_counts_do_not_grow(admin_client, tree):
    _grow(tree, 2)
    urls = [reverse(u) for u in URLS] + [reverse("orgs:tree_children", args=["T"]), reverse("orgs:detail", args=["T"]),
                                         reverse("orgs:detail", args=["T-N0"]), reverse("orgs:committee", args=["T-N0"]),
                                         reverse("orgs:warnings") + "?warning=too_few"]
    small = {u: _queries(admin_client, u) for u in urls}
    _grow(tree, 10, start=2)
    large = {u: _queries(admin_client, u) for u in urls}
    grew = {u: (small[u], large[u]) for u in urls if large[u] > small[u]}
    assert not grew, grew


def test_home_panels_link_to_records(admin_client, tree, today):
    _grow(tree, 2)
    CommitteeTerm.objects.filter(organization__code="T-N0").update(end_on=D(2026, 1, 1))  # overdue
    CommitteeTerm.objects.filter(organization__code="T-N1").update(end_on=today + dt.timedelta(days=20))
    page = admin_client.get("/").content.decode()
    assert "换届提醒" in page and "支部规模提醒" in page and "联系与指导" in page
    overdue = admin_client.get(reverse("orgs:terms") + "?state=overdue")
    assert "新支部0" in overdue.content.decode() and "新支部1" not in overdue.content.decode()
    soon = admin_client.get(reverse("orgs:terms") + "?state=due_soon").content.decode()
    assert "新支部1" in soon and "新支部0" not in soon
    warnings = admin_client.get(reverse("orgs:warnings") + "?warning=too_few").content.decode()
    assert "甲支部" in warnings and "新支部0" not in warnings  # 1 full member vs 4
    missed = admin_client.get(reverse("orgs:liaisons") + "?missed=3").content.decode()
    assert "联络员0" in missed


def test_tree_expands_children_and_counts(admin_client, tree):
    Organization.objects.create(code="T-A-G", name="甲第一小组", kind=OrgKind.GROUP, parent=tree.a)
    page = admin_client.get(reverse("orgs:tree")).content.decode()
    assert "测试党工委" in page and "甲支部" in page and 'hx-get="/orgs/tree/T-A/"' in page
    kids = admin_client.get(reverse("orgs:tree_children", args=["T-A"])).content.decode()
    assert "甲第一小组" in kids
    assert "党员 2" in page  # the committee's subtree total


def test_tree_hides_other_branches_from_secretary(client, secretary_a, tree):
    client.force_login(secretary_a)
    page = client.get(reverse("orgs:tree")).content.decode()
    assert "甲支部" in page and "乙支部专有名称" not in page and "测试党工委" not in page
    assert client.get(reverse("orgs:tree_children", args=["T-B"])).status_code == 404


def test_api_terms_are_scoped(client, secretary_a, tree):
    for org in (tree.a, tree.b):
        people = members(org, 2, prefix=org.code)
        services.term_register(organization=org, start_on=D(2025, 1, 1), form=CommitteeForm.SECRETARY,
                               posts=[(people[0], Post.SECRETARY, "")])
    client.force_login(secretary_a)
    data = client.get("/api/v1/committee-terms/").json()
    assert data["count"] == 1 and data["results"][0]["organization_code"] == "T-A"
    assert data["results"][0]["posts"][0]["post"] == "secretary"


def test_election_correction_page(admin_client, tree):
    people = members(tree.a, 7)
    admin_client.post(reverse("orgs:election_create", args=["T-A"]), _election_post(people))
    election = Election.objects.get()
    url = reverse("orgs:election_correct", args=[election.pk])
    assert "更正此选举记录" in admin_client.get(election.get_absolute_url()).content.decode()
    form = admin_client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["held_on"] = "2026-05-09"
    response = admin_client.post(url, data)  # no reason
    assert "请填写更正原因" in _errors(response, "reason")
    election.refresh_from_db()
    assert election.held_on == D(2026, 5, 10)
    data["reason"] = "以选举报告原件为准"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    page = admin_client.get(election.get_absolute_url()).content.decode()
    assert "更正记录" in page and "以选举报告原件为准" in page and "2026年5月9日" in page


def test_election_correction_needs_change_rights(client, tree):
    people = members(tree.a, 7)
    election = services.election_record(
        organization=tree.a, held_on=D(2026, 5, 10), seats=3, due_to_attend=8, present=8,
        candidates=[(m, 8 if i < 3 else 0) for i, m in enumerate(people[:4])], secretary=people[0])
    viewer = make_user("gw-view", Role.COMMITTEE_MEMBER, organization=tree.root)  # may view, not change
    client.force_login(viewer)
    assert client.get(election.get_absolute_url()).status_code == 200
    assert "更正此选举记录" not in client.get(election.get_absolute_url()).content.decode()
    assert client.get(reverse("orgs:election_correct", args=[election.pk])).status_code in (403, 404)
