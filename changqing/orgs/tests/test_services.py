import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from changqing.accounts.models import RoleAssignment
from changqing.core.roles import Role
from changqing.members import services as member_services
from changqing.members.models import Membership, MembershipPeriod, Transfer
from changqing.orgs import services
from changqing.orgs.models import (
    CommitteeForm, CommitteeTerm, Election, Liaison, Organization, OrgKind, Post, Restructuring,
)
from changqing.orgs.selectors import eligible_memberships

from tests.factories import make_user

from .helpers import member, members

D = dt.date


@pytest.fixture
def branch(tree):
    return tree.a


def test_eligible_members_follow_history(tree):
    early = member(tree.a, "早在甲")
    probationary = member(tree.a, "预备甲", status="probationary", joined=D(2025, 1, 1))
    late = member(tree.b, "后转甲")
    member_services.membership_move(membership=late, to_org=tree.a, on=D(2024, 3, 1), reason="调整")
    ids = set(eligible_memberships(tree.a, D(2023, 6, 1)).values_list("pk", flat=True))
    assert early.pk in ids and late.pk not in ids and probationary.pk not in ids
    assert late.pk in set(eligible_memberships(tree.a, D(2024, 6, 1)).values_list("pk", flat=True))
    # In B until the move, so B counts them for a 2023 election and not afterwards.
    assert late.pk in set(eligible_memberships(tree.b, D(2023, 6, 1)).values_list("pk", flat=True))
    assert late.pk not in set(eligible_memberships(tree.b, D(2024, 6, 1)).values_list("pk", flat=True))


def _election(org, people, **kw):
    args = dict(organization=org, held_on=D(2026, 5, 10), seats=3, due_to_attend=len(people), present=len(people),
                # Winners one vote short of everyone present, the runner-up 3: within present × seats (one vote per
                # seat per voter, the ballots' total).
                candidates=[(m, len(people) - 1 if i < 3 else 3) for i, m in enumerate(people[:4])],
                secretary=people[0], deputy=people[1])
    args.update(kw)
    return services.election_record(**args)


def test_election_opens_term_and_closes_previous(branch):
    people = members(branch, 8)
    old = services.term_register(organization=branch, start_on=D(2023, 5, 1), form=CommitteeForm.COMMITTEE,
                                 posts=[(people[5], Post.SECRETARY, ""), (people[6], Post.MEMBER, ""),
                                        (people[7], Post.MEMBER, "")], number=3)
    election = _election(branch, people)
    old.refresh_from_db()
    term = CommitteeTerm.objects.get(organization=branch, ended_on__isnull=True)
    assert old.ended_on == D(2026, 5, 10) and term.election == election and term.number == 4
    assert term.end_on == D(2029, 5, 10) and term.form == CommitteeForm.COMMITTEE
    assert {p.membership_id: p.post for p in term.posts.all()} == {
        people[0].pk: Post.SECRETARY, people[1].pk: Post.DEPUTY, people[2].pk: Post.MEMBER}
    assert election.candidates.filter(elected=True).count() == 3 and election.votes_to_win == 5


def test_community_branch_gets_five_year_term(tree):
    people = members(tree.b, 7)
    assert tree.b.term_years == 3  # the fixture did not set it; the setting is per branch
    tree.b.term_years = 5
    tree.b.save()
    _election(tree.b, people)
    term = CommitteeTerm.objects.get(organization=tree.b, ended_on__isnull=True)
    assert term.years == 5 and term.end_on == D(2031, 5, 10)


def test_invalid_election_writes_nothing(branch):
    people = members(branch, 10)
    with pytest.raises(ValidationError) as exc:
        _election(branch, people, due_to_attend=10, present=8)  # exactly 4/5
    assert "present" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _election(branch, people, candidates=[(m, 9) for m in people[:3]])  # 3 seats need 4
    assert "candidates" in exc.value.message_dict
    assert not Election.objects.exists() and not CommitteeTerm.objects.exists()


def test_probationary_member_cannot_stand(branch):
    people = members(branch, 6)
    newcomer = member(branch, "预备党员甲", status="probationary", joined=D(2025, 9, 1))
    with pytest.raises(ValidationError) as exc:
        _election(branch, people, candidates=[(m, 6) for m in people[:3]] + [(newcomer, 1)])
    assert "预备党员甲在选举日不是本支部正式党员" in " ".join(exc.value.message_dict["candidates"])
    with pytest.raises(ValidationError) as exc:
        _election(branch, people, due_to_attend=8, present=8)  # 6 full members + 张宏伟 of the fixture
    assert "due_to_attend" in exc.value.message_dict
    assert not Election.objects.exists()


def test_unfilled_seats_record_election_without_new_term(branch):
    people = members(branch, 10)
    e = _election(branch, people, candidates=[(m, v) for m, v in zip(people[:4], (9, 8, 3, 2))])
    assert "差额名额需另行选举" in e.result_note and not CommitteeTerm.objects.exists()


def test_secretary_must_be_elected(branch):
    people = members(branch, 8)
    with pytest.raises(ValidationError) as exc:
        _election(branch, people, secretary=people[6])
    assert "secretary" in exc.value.message_dict and not Election.objects.exists()


def test_term_register_checks_posts(branch, tree):
    people = members(branch, 5)  # 6 full members with the fixture's: a secretary (and a deputy), no committee
    outsider = member(tree.b, "乙党员")
    bad = [
        ([(people[0], Post.MEMBER, "")], CommitteeForm.SECRETARY, "书记"),
        ([(people[0], Post.SECRETARY, ""), (people[1], Post.MEMBER, "")], CommitteeForm.COMMITTEE, "不设支部委员会"),
        ([(people[0], Post.SECRETARY, ""), (outsider, Post.DEPUTY, "")], CommitteeForm.SECRETARY, "乙党员"),
        ([(people[0], Post.SECRETARY, ""), (people[0], Post.DEPUTY, "")], CommitteeForm.SECRETARY, "两个职务"),
    ]
    for posts, form, text in bad:
        with pytest.raises(ValidationError) as exc:
            services.term_register(organization=branch, start_on=D(2024, 1, 1), form=form, posts=posts)
        assert text in " ".join(m for ms in exc.value.message_dict.values() for m in ms)
    with pytest.raises(ValidationError):
        services.term_register(organization=branch, start_on=D(2099, 1, 1), form=CommitteeForm.SECRETARY,
                               posts=[(people[0], Post.SECRETARY, "")])
    assert not CommitteeTerm.objects.exists()


def test_liaison_assignment_binds_and_hands_over_role(branch):
    user = make_user("liaison1")
    first = services.liaison_assign(organization=branch, name="王在职", unit="县财政局", phone="13900001111",
                                    start_on=D(2025, 1, 1), user=user)
    assert RoleAssignment.objects.filter(user=user, role=Role.LIAISON, organization=branch).exists()
    second = services.liaison_assign(organization=branch, name="李在职", unit="县财政局", phone="13900002222",
                                     start_on=D(2026, 3, 1))
    first.refresh_from_db()
    assert first.end_on == D(2026, 3, 1) and second.end_on is None
    assert not RoleAssignment.objects.filter(user=user, role=Role.LIAISON).exists()
    assert Liaison.objects.filter(organization=branch, end_on__isnull=True).count() == 1
    with pytest.raises(ValidationError) as exc:
        services.liaison_assign(organization=branch, name="", unit="", phone="", start_on=D(2026, 4, 1))
    assert set(exc.value.message_dict) == {"name", "unit", "phone"}


def test_liaison_contact_dates(branch):
    x = services.liaison_assign(organization=branch, name="王在职", unit="县财政局", phone="13900001111",
                                start_on=D(2026, 1, 1))
    services.liaison_contact_record(liaison=x, contacted_on=D(2026, 2, 3), way="life")
    for day in (D(2025, 12, 31), D(2099, 1, 1)):
        with pytest.raises(ValidationError):
            services.liaison_contact_record(liaison=x, contacted_on=day, way="life")
    assert x.contacts.count() == 1


def test_committee_member_assignment_and_visits(tree):
    user = make_user("gw1")
    a = services.committee_member_assign(committee_org=tree.root, organization=tree.a, name="田委员",
                                         start_on=D(2025, 1, 1), user=user)
    assert RoleAssignment.objects.filter(user=user, role=Role.COMMITTEE_MEMBER, organization=tree.a).exists()
    with pytest.raises(ValidationError) as exc:
        services.committee_member_assign(committee_org=tree.root, organization=tree.a, name="彭委员",
                                         start_on=D(2025, 1, 1))
    assert "田委员" in exc.value.message_dict["organization"][0]
    with pytest.raises(ValidationError):
        services.committee_member_assign(committee_org=tree.a, organization=tree.b, name="彭委员",
                                         start_on=D(2025, 1, 1))
    v = services.committee_visit_record(assignment=a, visited_on=D(2026, 3, 1), notes="指导三会一课")
    assert v.visitor == "田委员" and v.organization == tree.a
    with pytest.raises(ValidationError) as exc:
        services.committee_visit_record(assignment=a, visited_on=D(2026, 3, 2), notes=" ")
    assert "notes" in exc.value.message_dict
    services.committee_member_unassign(assignment=a, on=D(2026, 6, 1))
    assert not RoleAssignment.objects.filter(user=user, role=Role.COMMITTEE_MEMBER).exists()


def test_merge_moves_members_keeps_history_and_dissolves(tree):
    members(tree.a, 2, prefix="甲")  # A has people of its own too
    services.liaison_assign(organization=tree.b, name="乙联络员", unit="县委办", phone="13900001111",
                            start_on=D(2025, 1, 1))
    b_people = members(tree.b, 3, prefix="乙")
    services.term_register(organization=tree.b, start_on=D(2024, 1, 1), form=CommitteeForm.SECRETARY,
                           posts=[(b_people[0], Post.SECRETARY, "")])
    group = Organization.objects.create(code="T-B-G1", name="乙第一小组", kind=OrgKind.GROUP, parent=tree.b)
    nonmember = tree.rb  # rb is a member of B in the fixture; add a registry-only person too
    from changqing.members.models import Retiree
    plain = Retiree.objects.create(name="非党员乙", gender="male", id_number="11010519500101001X",
                                   birth_date=D(1950, 1, 1), retirement_kind="tuixiu", organization=tree.b)
    recs = services.branches_merge(target=tree.a, sources=[tree.b], on=D(2026, 6, 1), reason="人数少，就近合并",
                                   letter_no="县老组〔2026〕3号")
    tree.b.refresh_from_db()
    group.refresh_from_db()
    plain.refresh_from_db()
    assert tree.b.dissolved_on == D(2026, 6, 1) and Organization.objects.filter(pk=tree.b.pk).exists()
    assert recs[0].moved_members == 4 and recs[0].source == tree.b
    assert not Membership.objects.filter(organization=tree.b, state="active").exists()
    assert Membership.objects.filter(organization=tree.a, state="active").count() == 2 + 4 + 1  # +ra
    assert group.parent == tree.a and group.path.startswith(tree.a.path)
    assert plain.organization == tree.a
    # History: B's periods stay pointing at B; a Transfer per member; B's term and liaison end, not moved.
    m = b_people[1]
    assert list(m.periods.order_by("start_on").values_list("organization__code", "end_on")) == [
        ("T-B", D(2026, 6, 1)), ("T-A", None)]
    assert Transfer.objects.filter(from_org=tree.b, to_org=tree.a).count() == 4
    assert CommitteeTerm.objects.get(organization=tree.b).ended_on == D(2026, 6, 1)
    assert Liaison.objects.get(organization=tree.b).end_on == D(2026, 6, 1)
    assert Membership.objects.get(retiree=nonmember).organization == tree.a


def test_merge_is_all_or_nothing(tree):
    members(tree.b, 2)
    other = Organization.objects.create(code="T-C", name="丙支部", kind=OrgKind.BRANCH, parent=tree.root,
                                        dissolved_on=D(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.branches_merge(target=tree.a, sources=[tree.b, other], on=D(2026, 6, 1), reason="合并")
    tree.b.refresh_from_db()
    assert tree.b.dissolved_on is None
    assert Membership.objects.filter(organization=tree.b).count() == 3
    assert not Restructuring.objects.exists() and not Transfer.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.branches_merge(target=tree.a, sources=[tree.b], on=D(2026, 6, 1), reason=" ")
    assert "reason" in exc.value.message_dict


def test_split_moves_chosen_members(tree):
    people = members(tree.a, 5)
    new = Organization(code="T-A2", name="甲二支部", kind=OrgKind.BRANCH, parent=tree.root)
    rec = services.branch_split(source=tree.a, new_org=new, memberships=people[:2], on=D(2026, 6, 1),
                                reason="人数过多")
    assert rec.organization.code == "T-A2" and rec.moved_members == 2
    assert set(Membership.objects.filter(organization__code="T-A2").values_list("pk", flat=True)) == {
        people[0].pk, people[1].pk}
    assert MembershipPeriod.objects.filter(membership=people[0], organization=tree.a, end_on=D(2026, 6, 1)).exists()
    with pytest.raises(ValidationError) as exc:
        services.branch_split(source=tree.a, new_org=Organization(code="T-A3", name="甲三", kind=OrgKind.BRANCH),
                              memberships=[people[0]], on=D(2026, 6, 2), reason="再拆")
    assert "memberships" in exc.value.message_dict
    assert not Organization.objects.filter(code="T-A3").exists()


def test_move_rewrites_subtree_and_checks_kind(tree):
    gb = Organization.objects.create(code="T-GB", name="总支", kind=OrgKind.GENERAL_BRANCH, parent=tree.root)
    group = Organization.objects.create(code="T-A-G", name="甲小组", kind=OrgKind.GROUP, parent=tree.a)
    rec = services.organization_move(org=tree.a, new_parent=gb, on=D(2026, 6, 1), reason="归口管理")
    group.refresh_from_db()
    assert group.path == "/T/T-GB/T-A/T-A-G/" and rec.from_parent == tree.root and rec.to_parent == gb
    with pytest.raises(ValidationError) as exc:
        services.organization_move(org=tree.b, new_parent=tree.a, on=D(2026, 6, 1), reason="错误")
    assert "党支部的上级应是党工委/党委或党总支" in exc.value.message_dict["new_parent"][0]
    tree.b.refresh_from_db()
    assert tree.b.parent == tree.root and tree.b.path == "/T/T-B/"


def test_dissolve_refuses_org_with_members(tree):
    with pytest.raises(ValidationError):
        services.organization_dissolve(org=tree.a, on=D(2026, 6, 1), reason="撤销")
    empty = Organization.objects.create(code="T-E", name="空支部", kind=OrgKind.BRANCH, parent=tree.root)
    services.organization_dissolve(org=empty, on=D(2026, 6, 1), reason="无党员")
    empty.refresh_from_db()
    assert empty.dissolved_on == D(2026, 6, 1)


# -- correcting a recorded election ---------------------------------------------------------------

def _recorded(branch):
    people = members(branch, 8)
    old = services.term_register(organization=branch, start_on=D(2023, 5, 1), form=CommitteeForm.COMMITTEE,
                                 posts=[(people[5], Post.SECRETARY, ""), (people[6], Post.MEMBER, ""),
                                        (people[7], Post.MEMBER, "")], number=3)
    election = _election(branch, people)  # 2026-05-10; people[0..2] 7 votes, people[3] 3 votes
    return people, old, election


def _votes(election, **by_index):
    rows = list(election.candidates.order_by("id"))
    out = {c.pk: c.votes for c in rows}
    for i, v in by_index.items():
        out[rows[int(i[1:])].pk] = v
    return out


def test_election_correction_moves_the_term_and_keeps_a_note(branch, bureau_admin):
    people, old, election = _recorded(branch)
    services.election_correct(election=election, user=bureau_admin, reason="以选举报告原件为准",
                              held_on=D(2026, 5, 8), due_to_attend=8, present=8, votes=_votes(election, c3=2))
    election.refresh_from_db()
    old.refresh_from_db()
    term = CommitteeTerm.objects.get(election=election)
    assert election.held_on == D(2026, 5, 8) and term.start_on == D(2026, 5, 8) and term.end_on == D(2029, 5, 8)
    assert old.ended_on == D(2026, 5, 8)
    assert election.candidates.get(membership=people[3]).votes == 2
    assert "以选举报告原件为准" in election.correction_note
    assert "选举日期 2026年05月10日→2026年05月08日" in election.correction_note
    assert "得票 3→2" in election.correction_note
    from changqing.core.changelog import history_for
    assert any(h.before and h.before.get("held_on") == "2026-05-10" for h in history_for(election))


@pytest.mark.parametrize("change,field", [
    (dict(reason=""), "reason"),
    (dict(votes={"c2": 3, "c3": 7}), "candidates"),  # people[3] would now be elected instead of people[2]
    (dict(present=6), "present"),  # 6 of 8 is not more than 4/5
    (dict(held_on=D(2023, 4, 1)), "held_on"),  # before the previous term began
    (dict(held_on=D(2099, 1, 1)), "held_on"),
])
def test_bad_election_correction_changes_nothing(branch, bureau_admin, change, field):
    people, old, election = _recorded(branch)
    args = dict(election=election, user=bureau_admin, reason="核对原件", held_on=D(2026, 5, 10), due_to_attend=8,
                present=8, votes=_votes(election))
    if "votes" in change:
        change = {"votes": _votes(election, **change["votes"])}
    args.update(change)
    with pytest.raises(ValidationError) as exc:
        services.election_correct(**args)
    assert field in exc.value.message_dict
    election.refresh_from_db()
    assert election.held_on == D(2026, 5, 10) and election.correction_note == ""
    assert sorted(election.candidates.values_list("votes", flat=True)) == [3, 7, 7, 7]
    assert CommitteeTerm.objects.get(election=election).start_on == D(2026, 5, 10)
