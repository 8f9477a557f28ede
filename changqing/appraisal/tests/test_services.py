import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from changqing.appraisal import selectors, services
from changqing.appraisal.models import (AppraisalRound, BallotCast, CommitteeGrade, FollowUp, RoundStatus,
                                        SelfAppraisal, Tally)
from changqing.appraisal.policy import APPRAISAL_RULES, DEFAULT_STEPS
from changqing.members.models import Membership
from changqing.policies.services import policy_version_create
from conftest import TEST_TODAY

TEXT = "一年来坚持参加组织生活，按时交纳党费，参加社区志愿服务；不足是学习还不够系统。"


def grade_all(rnd, secretary, members, grades=None):
    grades = grades or {}
    for m in members:
        g = grades.get(m.pk, "qualified")
        services.grade_set(user=secretary, round=rnd, membership=m, grade=g,
                           reason="" if g in ("qualified", "excellent") else "全年多次无故不参加组织生活")


def test_round_opens_with_the_policy_steps_and_the_roster(rnd, members):
    assert [s.name for s in rnd.steps.all()] == DEFAULT_STEPS
    assert {m.pk for m in selectors.roster(rnd)} == {m.pk for m in members}


def test_one_round_per_branch_and_year(tree, secretary, rnd):
    with pytest.raises(ValidationError) as e:
        services.round_open(user=secretary, organization=tree.a, year=2026)
    assert "每年一次" in e.value.message_dict["year"][0]


def test_only_the_branch_opens_its_round(tree, secretary, members):
    with pytest.raises(PermissionDenied):
        services.round_open(user=secretary, organization=tree.b, year=2026)


def test_steps_come_from_a_branch_policy(tree, secretary, members):
    policy_version_create(kind=APPRAISAL_RULES, organization=tree.a, valid_from=dt.date(2026, 1, 1),
                          values={"steps": ["学习", "测评", "公示"], "basic": ["talk"], "unqualified": ["rectify"],
                                  "talk_days": 10, "rectify_days": 60})
    rnd = services.round_open(user=secretary, organization=tree.a, year=2026)
    assert [s.name for s in rnd.steps.all()] == ["学习", "测评", "公示"]


def test_member_writes_own_self_appraisal(rnd, members, voters):
    s = services.self_appraisal_save(user=voters[1], round=rnd, membership=members[1], text=TEXT)
    assert not s.at_home and s.recorded_by == voters[1]
    with pytest.raises(PermissionDenied):  # nobody else's
        services.self_appraisal_save(user=voters[1], round=rnd, membership=members[2], text=TEXT)


def test_secretary_records_at_home_and_it_is_marked(rnd, members, secretary):
    with pytest.raises(ValidationError) as e:
        services.self_appraisal_save(user=secretary, round=rnd, membership=members[0], text=TEXT)
    assert "上门记录" in e.value.message_dict["text"][0]
    s = services.self_appraisal_save(user=secretary, round=rnd, membership=members[0], text=TEXT, at_home=True)
    assert s.at_home
    row = next(r for r in selectors.member_rows(rnd) if r.membership.pk == members[0].pk)
    assert row.participated and row.at_home


def test_too_short_self_appraisal_is_refused(rnd, members, voters):
    with pytest.raises(ValidationError) as e:
        services.self_appraisal_save(user=voters[0], round=rnd, membership=members[0], text="好")
    assert "至少 10 个字" in e.value.message_dict["text"][0]


def marks_for(rnd, voter, grade="qualified", **special):
    return {m.pk: special.get(str(m.pk), grade) for m in selectors.roster(rnd) if m.pk != voter.pk}


def test_ballots_are_counted(rnd, members, voters):
    target = members[3]
    for i in range(3):
        marks = marks_for(rnd, members[i])
        marks[target.pk] = ["excellent", "basic", "excellent"][i]
        services.ballot_cast(user=voters[i], round=rnd, voter=members[i], marks=marks)
    t = Tally.objects.get(round=rnd, subject=target)
    assert t.counts() == [2, 0, 1, 0]
    assert Tally.objects.get(round=rnd, subject=members[0]).counts() == [0, 2, 0, 0]
    assert BallotCast.objects.filter(round=rnd).count() == 3


def test_one_ballot_per_member(rnd, members, voters):
    services.ballot_cast(user=voters[0], round=rnd, voter=members[0], marks=marks_for(rnd, members[0]))
    with pytest.raises(ValidationError) as e:
        services.ballot_cast(user=voters[0], round=rnd, voter=members[0], marks=marks_for(rnd, members[0]))
    assert "只能投一次" in e.value.messages[0]
    assert Tally.objects.get(round=rnd, subject=members[1]).qualified == 1


def test_a_ballot_must_mark_everyone(rnd, members, voters):
    marks = marks_for(rnd, members[0])
    marks.pop(members[2].pk)
    with pytest.raises(ValidationError) as e:
        services.ballot_cast(user=voters[0], round=rnd, voter=members[0], marks=marks)
    assert e.value.message_dict[f"mark_{members[2].pk}"] == ["请选择一个等次"]
    assert not BallotCast.objects.exists()


def test_ballot_secrecy_is_structural():
    """No table holds a voter and a mark together, and the marks have no row per ballot to re-link by."""
    cast_fields = {f.name for f in BallotCast._meta.get_fields()}
    assert not {"grade", "subject", "marks"} & cast_fields
    tally_fields = {f.name for f in Tally._meta.get_fields()}
    assert not {"voter", "created_at", "updated_at", "cast_at"} & tally_fields
    assert {f.name for f in Tally._meta.get_fields() if f.is_relation} == {"round", "subject"}


def test_no_change_log_ties_a_mark_to_a_voter(rnd, members, voters):
    from django.contrib.contenttypes.models import ContentType

    from changqing.core.models import ObjectChange

    services.ballot_cast(user=voters[0], round=rnd, voter=members[0], marks=marks_for(rnd, members[0], "basic"))
    assert not ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Tally)).exists()
    cast = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(BallotCast))
    assert cast.count() == 1 and "basic" not in str(cast.get().after)


def test_publish_needs_every_grade(rnd, members, secretary):
    services.grade_set(user=secretary, round=rnd, membership=members[0], grade="qualified")
    with pytest.raises(ValidationError) as e:
        services.round_publish(user=secretary, round=rnd)
    assert "还有 3 名党员没有评定等次" in e.value.messages[0]


def test_reason_required_for_low_grades(rnd, members, secretary):
    with pytest.raises(ValidationError) as e:
        services.grade_set(user=secretary, round=rnd, membership=members[0], grade="basic")
    assert "理由" in e.value.message_dict["reason"][0]


def test_publish_creates_follow_ups_and_never_touches_membership(rnd, members, secretary):
    before = list(Membership.objects.filter(pk__in=[m.pk for m in members]).values_list("state", "status"))
    grade_all(rnd, secretary, members, {members[1].pk: "basic", members[2].pk: "unqualified"})
    created = services.round_publish(user=secretary, round=rnd)
    today = TEST_TODAY
    got = sorted((f.membership_id, f.kind, f.due_on) for f in created)
    assert got == sorted([(members[1].pk, "talk", today + dt.timedelta(days=30)),
                          (members[2].pk, "talk", today + dt.timedelta(days=30)),
                          (members[2].pk, "rectify", today + dt.timedelta(days=90))])
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLISHED and rnd.published_on == today
    after = list(Membership.objects.filter(pk__in=[m.pk for m in members]).values_list("state", "status"))
    assert before == after
    with pytest.raises(ValidationError):  # closed after publication
        services.grade_set(user=secretary, round=rnd, membership=members[0], grade="excellent")


def test_follow_up_days_from_the_policy(tree, secretary, members):
    policy_version_create(kind=APPRAISAL_RULES, organization=tree.a, valid_from=dt.date(2026, 1, 1),
                          values={"steps": ["评议"], "basic": [], "unqualified": ["rectify"],
                                  "talk_days": 10, "rectify_days": 60})
    rnd = services.round_open(user=secretary, organization=tree.a, year=2026)
    grade_all(rnd, secretary, members, {members[1].pk: "basic", members[2].pk: "unqualified"})
    created = services.round_publish(user=secretary, round=rnd, on=dt.date(2026, 11, 24))
    assert [(f.membership_id, f.kind, f.due_on) for f in created] == [(members[2].pk, "rectify", dt.date(2027, 1, 23))]


def test_follow_up_done(rnd, members, secretary):
    grade_all(rnd, secretary, members, {members[1].pk: "basic"})
    [f] = services.round_publish(user=secretary, round=rnd)
    with pytest.raises(ValidationError):
        services.follow_up_done(user=secretary, follow_up=f, done_on=dt.date(2026, 11, 24), note="")
    services.follow_up_done(user=secretary, follow_up=f, done_on=dt.date(2026, 11, 24), note="已谈话，本人表示改正")
    assert FollowUp.objects.get(pk=f.pk).done_on == dt.date(2026, 11, 24)


def test_member_cannot_grade(rnd, members, voters):
    with pytest.raises(PermissionDenied):
        services.grade_set(user=voters[0], round=rnd, membership=members[0], grade="excellent")
    assert not CommitteeGrade.objects.exists()


def test_rounds_for_is_scoped(tree, rnd, voters):
    from changqing.core.roles import Role
    from tests.factories import make_retiree, make_user

    other = make_user("appr_sec_b", Role.BRANCH_SECRETARY, organization=tree.b)
    assert not selectors.rounds_for(other).exists()
    assert list(selectors.rounds_for(voters[0])) == [rnd]  # a member sees their own branch's round
    rb = make_retiree(tree.b, "乙支部党员")
    member_b = make_user("appr_mb", Role.MEMBER)
    member_b.retiree = rb
    member_b.save()
    assert not selectors.rounds_for(member_b).exists()
    assert AppraisalRound.objects.count() == 1 and not SelfAppraisal.objects.exists()
