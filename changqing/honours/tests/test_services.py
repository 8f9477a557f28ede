import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from changqing.core.roles import Role
from changqing.core.models import ObjectChange
from changqing.honours import selectors, services
from changqing.honours.models import Ballot, Decision, Nomination, NominationStatus, NomineeRule, Phase
from tests.factories import make_retiree, make_user

from .conftest import REASONS, TODAY, nominate


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# -- campaigns and phases ------------------------------------------------------------


def test_campaign_gets_the_four_categories_of_the_seed(campaign):
    assert [c.name for c in campaign.categories.all()] == [
        "最美老党员", "最美入党积极分子", "最美离退休干部党支部书记", "最美志愿者"]
    assert campaign.phase == Phase.NOMINATION


def test_campaign_dates_must_follow_each_other(tree, admin):
    with pytest.raises(ValidationError) as e:
        services.campaign_create(user=admin, organization=tree.root, year=2026, title="x",
                                 nomination_ends_on=dt.date(2026, 10, 1), review_ends_on=dt.date(2026, 9, 1),
                                 voting_starts_on=dt.date(2026, 8, 1), voting_ends_on=dt.date(2026, 7, 1))
    assert set(errors_of(e)) == {"review_ends_on", "voting_starts_on", "voting_ends_on"}


def test_only_a_manager_creates_a_campaign(tree, secretary_a):
    with pytest.raises(ValidationError) as e:
        services.campaign_create(user=secretary_a, organization=tree.a, year=2026, title="x",
                                 nomination_ends_on=TODAY, review_ends_on=TODAY, voting_starts_on=TODAY,
                                 voting_ends_on=TODAY)
    assert "organization" in errors_of(e)


def test_phases_cannot_skip_review(tree, admin, campaign):
    with pytest.raises(ValidationError, match="还没有任何提名"):
        services.campaign_advance(user=admin, campaign=campaign, today=TODAY)
    n = nominate(campaign, "最美老党员", tree.ra, admin)
    services.campaign_advance(user=admin, campaign=campaign, today=TODAY)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.REVIEW
    with pytest.raises(ValidationError, match="还有 1 个提名未审核"):
        services.campaign_advance(user=admin, campaign=campaign, today=TODAY)
    services.nomination_review(user=admin, nomination=n, approve=True, reason="同意")
    with pytest.raises(ValidationError, match="尚未到达"):
        services.campaign_advance(user=admin, campaign=campaign, today=dt.date(2026, 10, 20))
    services.campaign_advance(user=admin, campaign=campaign, today=TODAY)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.VOTING


def test_phase_change_needs_the_organiser_and_the_expected_phase(tree, admin, campaign, secretary_a):
    nominate(campaign, "最美老党员", tree.ra, admin)
    with pytest.raises(ValidationError, match="管理员"):
        services.campaign_advance(user=secretary_a, campaign=campaign, today=TODAY)
    with pytest.raises(ValidationError, match="已被他人变更"):
        services.campaign_advance(user=admin, campaign=campaign, expected_phase=Phase.REVIEW, today=TODAY)


def test_only_approved_nominations_stand(voting):
    assert set(selectors.candidates(voting.campaign)) == set(voting.noms)
    assert voting.rejected.status == NominationStatus.REJECTED
    assert voting.rejected.review_reason == "材料不实"


def test_review_reason_is_required_and_kept_in_history(tree, admin, campaign):
    n = nominate(campaign, "最美老党员", tree.ra, admin)
    services.campaign_advance(user=admin, campaign=campaign, today=TODAY)
    campaign.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        services.nomination_review(user=admin, nomination=n, approve=False, reason=" ")
    assert "reason" in errors_of(e)
    services.nomination_review(user=admin, nomination=n, approve=False, reason="材料不全")
    services.nomination_review(user=admin, nomination=n, approve=True, reason="补充材料后同意")
    history = ObjectChange.objects.filter(object_id=str(n.pk), content_type__model="nomination").order_by("id")
    reasons = [c.after.get("review_reason") for c in history]
    assert "材料不全" in reasons and "补充材料后同意" in reasons


# -- nominations ---------------------------------------------------------------------


def test_nomination_rules_in_chinese_beside_the_field(tree, admin, campaign, secretary_a):
    with pytest.raises(ValidationError) as e:
        nominate(campaign, "最美老党员", tree.rb, secretary_a)  # B's member, A's secretary
    assert "不在您的管理范围内" in errors_of(e)["retiree"][0]
    nominate(campaign, "最美老党员", tree.ra, secretary_a)
    with pytest.raises(ValidationError) as e:
        nominate(campaign, "最美老党员", tree.ra, admin)
    assert "不能重复提名" in errors_of(e)["retiree"][0]
    with pytest.raises(ValidationError) as e:
        nominate(campaign, "最美入党积极分子", tree.ra, admin)
    assert "已是党员" in errors_of(e)["retiree"][0]
    with pytest.raises(ValidationError) as e:
        nominate(campaign, "最美离退休干部党支部书记", tree.ra, admin)
    assert "不是现任书记" in errors_of(e)["retiree"][0]
    non_member = make_retiree(tree.a, "未入党者", "110105194912310045", member=False)
    nominate(campaign, "最美入党积极分子", non_member, secretary_a)
    with pytest.raises(ValidationError) as e:
        nominate(campaign, "最美老党员", non_member, admin)
    assert "不是在册党员" in errors_of(e)["retiree"][0]
    with pytest.raises(ValidationError) as e:
        services.nomination_create(user=admin, campaign=campaign, category=campaign.categories.first(),
                                   reasons="太短", retiree=tree.rb)
    assert "至少写 20 个字" in errors_of(e)["reasons"][0]


def test_deceased_and_outside_the_campaign_are_refused(tree, admin, campaign):
    tree.ra.status, tree.ra.deceased_on = "deceased", dt.date(2026, 1, 1)
    tree.ra.save()
    with pytest.raises(ValidationError) as e:
        nominate(campaign, "最美志愿者", tree.ra, admin)
    assert "已故" in errors_of(e)["retiree"][0]
    from changqing.orgs.models import Organization, OrgKind

    other = Organization.objects.create(code="X", name="另一党工委", kind=OrgKind.COMMITTEE)
    stranger = make_retiree(other, "外县人", "110105194912310053")
    with pytest.raises(ValidationError) as e:
        nominate(campaign, "最美志愿者", stranger, admin)
    assert "不在本次评选范围" in errors_of(e)["retiree"][0]


def test_only_secretary_or_higher_nominates(tree, campaign):
    liaison = make_user("liaison_a", Role.LIAISON, organization=tree.a)
    with pytest.raises(ValidationError, match="支部书记及以上"):
        nominate(campaign, "最美志愿者", tree.ra, liaison)


def test_organisation_category(tree, admin, campaign):
    cat = services.category_create(user=admin, campaign=campaign, name="示范离退休干部党支部",
                                   nominee_rule=NomineeRule.ORGANIZATION, quota=2, max_choices=2)
    n = services.nomination_create(user=admin, campaign=campaign, category=cat, reasons=REASONS, nominee_org=tree.a)
    assert n.nominee_name == "甲支部" and n.retiree is None
    with pytest.raises(ValidationError) as e:
        services.nomination_create(user=admin, campaign=campaign, category=cat, reasons=REASONS, nominee_org=tree.root)
    assert "不是党支部或党总支" in errors_of(e)["nominee_org"][0]


def test_category_choices_within_quota(admin, campaign):
    with pytest.raises(ValidationError) as e:
        services.category_create(user=admin, campaign=campaign, name="最美老党员", nominee_rule=NomineeRule.MEMBER,
                                 quota=2, max_choices=3)
    assert set(errors_of(e)) == {"name", "max_choices"}


def test_database_refuses_a_second_nomination(tree, admin, campaign):
    n = nominate(campaign, "最美老党员", tree.ra, admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.create(campaign=campaign, category=n.category, retiree=tree.ra, reasons=REASONS)


# -- voting --------------------------------------------------------------------------


def test_one_vote_per_voter_per_category_even_on_a_direct_second_call(tree, voting, secretary_a):
    cast = dict(user=secretary_a, campaign=voting.campaign, category=voting.category, today=TODAY)
    services.ballot_cast(**cast, nomination_ids=[voting.noms[0].pk])
    with pytest.raises(ValidationError) as e:
        services.ballot_cast(**cast, nomination_ids=[voting.noms[1].pk])
    field = f"category_{voting.category.pk}"
    assert "投过票" in errors_of(e)[field][0]
    totals = dict(Nomination.objects.filter(pk__in=[n.pk for n in voting.noms]).values_list("pk", "votes"))
    assert totals == {voting.noms[0].pk: 1, voting.noms[1].pk: 0, voting.noms[2].pk: 0}
    assert Ballot.objects.filter(voter=secretary_a).count() == 1


def test_database_constraint_holds_when_the_service_check_is_bypassed(voting, secretary_a):
    Ballot.objects.create(campaign=voting.campaign, category=voting.category, voter=secretary_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(campaign=voting.campaign, category=voting.category, voter=secretary_a)


def test_race_between_two_requests_answers_in_chinese(voting, secretary_a, monkeypatch):
    """Two requests of one voter pass the existence check together; the constraint stops the second."""
    Ballot.objects.create(campaign=voting.campaign, category=voting.category, voter=secretary_a)
    real_filter = Ballot.objects.filter
    monkeypatch.setattr(Ballot.objects, "filter", lambda *a, **k: real_filter(pk__in=[]))
    with pytest.raises(ValidationError, match="投过票"):
        services.ballot_cast(user=secretary_a, campaign=voting.campaign, category=voting.category,
                             nomination_ids=[voting.noms[0].pk], today=TODAY)
    monkeypatch.undo()
    assert Nomination.objects.get(pk=voting.noms[0].pk).votes == 0


def test_ballot_checks(tree, voting, secretary_a):
    cast = dict(user=secretary_a, campaign=voting.campaign, category=voting.category, today=TODAY)
    field = f"category_{voting.category.pk}"
    for ids, message in [([], "至少选择一名"), ([voting.noms[0].pk, voting.noms[1].pk], "最多选 1 名"),
                         ([voting.rejected.pk], "不是本类别的候选人")]:
        with pytest.raises(ValidationError) as e:
            services.ballot_cast(**cast, nomination_ids=ids)
        assert message in errors_of(e)[field][0]
    with pytest.raises(ValidationError, match="截止"):
        services.ballot_cast(**{**cast, "today": dt.date(2026, 12, 1)}, nomination_ids=[voting.noms[0].pk])
    assert not Ballot.objects.exists()


def test_several_choices_when_the_category_allows(tree, admin, voting, secretary_a):
    voting.category.quota = voting.category.max_choices = 2
    voting.category.save()
    services.ballot_cast(user=secretary_a, campaign=voting.campaign, category=voting.category, today=TODAY,
                         nomination_ids=[voting.noms[0].pk, voting.noms[1].pk])
    assert [n.votes for n in Nomination.objects.filter(pk__in=[voting.noms[0].pk, voting.noms[1].pk])] == [1, 1]


def test_who_may_vote(tree, voting, secretary_a):
    from changqing.orgs.models import Organization, OrgKind

    member = make_user("member_b", Role.MEMBER)
    member.retiree = tree.rb
    member.save()
    assert selectors.is_eligible_voter(member, voting.campaign)
    assert selectors.is_eligible_voter(secretary_a, voting.campaign)
    other = Organization.objects.create(code="Y", name="别处党工委", kind=OrgKind.COMMITTEE)
    outsider = make_user("outsider", Role.BRANCH_SECRETARY, organization=other)
    assert not selectors.is_eligible_voter(outsider, voting.campaign)
    assert voting.campaign not in selectors.campaigns_for(outsider)
    with pytest.raises(ValidationError, match="投票范围"):
        services.ballot_cast(user=outsider, campaign=voting.campaign, category=voting.category, today=TODAY,
                             nomination_ids=[voting.noms[0].pk])
    nobody = make_user("no_role")
    assert not selectors.is_eligible_voter(nobody, voting.campaign)


def test_voting_closed_outside_the_voting_phase(tree, admin, campaign, secretary_a):
    n = nominate(campaign, "最美老党员", tree.ra, admin)
    with pytest.raises(ValidationError, match="投票尚未开始"):
        services.ballot_cast(user=secretary_a, campaign=campaign, category=n.category, nomination_ids=[n.pk],
                             today=TODAY)


def test_ballot_is_secret(voting, secretary_a):
    """Nothing stored links the voter to the candidate: the ballot names no nomination, the change log holds
    the ballot (that they voted) but no change of any nomination."""
    before = ObjectChange.objects.count()
    services.ballot_cast(user=secretary_a, campaign=voting.campaign, category=voting.category, today=TODAY,
                         nomination_ids=[voting.noms[2].pk])
    new = list(ObjectChange.objects.order_by("id")[before:])
    assert [c.content_type.model for c in new] == ["ballot"]
    # The logged ballot has only these fields: none of them can hold a nomination.
    assert set(new[0].after) <= {"id", "campaign", "category", "voter", "cast_at", "created_at", "updated_at"}
    assert {f.name for f in Ballot._meta.concrete_fields} == {
        "id", "campaign", "category", "voter", "cast_at", "created_at", "updated_at", "row_version"}


# -- counting, ties, publication --------------------------------------------------------


def close_voting(admin, campaign):
    services.campaign_advance(user=admin, campaign=campaign, today=TODAY)
    campaign.refresh_from_db()


def test_tie_blocks_publication_until_the_organiser_decides(tree, admin, voting):
    a, b, c = voting.noms
    close_voting(admin, voting.campaign)
    services.offline_votes_record(user=admin, category=voting.category, ballots=20, votes={a.pk: 8, b.pk: 8, c.pk: 3})
    [cr] = [x for x in selectors.results(voting.campaign) if x.category.pk == voting.category.pk]
    assert cr.unresolved and cr.tie_seats == 1
    with pytest.raises(ValidationError, match="并列"):
        services.campaign_advance(user=admin, campaign=voting.campaign, today=TODAY)
    with pytest.raises(ValidationError) as e:
        services.tie_decide(user=admin, category=voting.category, winner_ids=[a.pk, b.pk], reason="会议决定")
    assert "正好选择 1 人" in errors_of(e)["winners"][0]
    with pytest.raises(ValidationError) as e:
        services.tie_decide(user=admin, category=voting.category, winner_ids=[c.pk], reason="会议决定")
    assert "并列的候选人中" in errors_of(e)["winners"][0]
    services.tie_decide(user=admin, category=voting.category, winner_ids=[b.pk], reason="党工委会议研究决定")
    services.campaign_advance(user=admin, campaign=voting.campaign, today=TODAY)
    voting.campaign.refresh_from_db()
    assert voting.campaign.phase == Phase.PUBLISHED and voting.campaign.published_on == TODAY
    assert set(Nomination.objects.filter(is_winner=True).values_list("pk", flat=True)) == {b.pk}
    assert Nomination.objects.get(pk=a.pk).decision == Decision.NOT_WINNER
    assert [w.pk for w in selectors.wins_of_retiree(b.retiree)] == [b.pk]


def test_quota_decides_winners_and_new_paper_counts_undo_a_decision(tree, admin, voting, secretary_a):
    a, b, c = voting.noms
    services.ballot_cast(user=secretary_a, campaign=voting.campaign, category=voting.category, today=TODAY,
                         nomination_ids=[c.pk])
    close_voting(admin, voting.campaign)
    services.offline_votes_record(user=admin, category=voting.category, ballots=10, votes={a.pk: 4, b.pk: 4, c.pk: 0})
    services.tie_decide(user=admin, category=voting.category, winner_ids=[a.pk], reason="决定")
    services.offline_votes_record(user=admin, category=voting.category, ballots=10, votes={a.pk: 4, b.pk: 5, c.pk: 0})
    assert not Nomination.objects.filter(campaign=voting.campaign).exclude(decision="").exists()
    [cr] = [x for x in selectors.results(voting.campaign) if x.category.pk == voting.category.pk]
    assert [(r.nomination.pk, r.rank, r.status) for r in cr.rows] == [(b.pk, 1, "winner"), (a.pk, 2, "out"),
                                                                      (c.pk, 3, "out")]
    assert cr.rows[2].nomination.total_votes == 1


def test_paper_votes_cannot_exceed_the_ballots(admin, voting):
    a, b, c = voting.noms
    close_voting(admin, voting.campaign)
    with pytest.raises(ValidationError) as e:
        services.offline_votes_record(user=admin, category=voting.category, ballots=5, votes={a.pk: 6, b.pk: 0})
    assert f"votes_{a.pk}" in errors_of(e)
    with pytest.raises(ValidationError) as e:
        services.offline_votes_record(user=admin, category=voting.category, ballots=5, votes={a.pk: 3, b.pk: 3})
    assert "ballots" in errors_of(e)
