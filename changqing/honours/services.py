"""Writes of 评选表彰: keyword-only, atomic, Chinese errors keyed by field."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from changqing.core.scope import restrict
from changqing.members.models import Membership, MembershipState, PersonStatus
from changqing.orgs.models import CommitteePost, OrgKind, Post

from . import rules, selectors
from .models import (
    DEFAULT_CATEGORIES,
    PHASE_ORDER,
    Ballot,
    Campaign,
    Category,
    Decision,
    Nomination,
    NominationStatus,
    NomineeRule,
    Phase,
)

MIN_REASON_CHARS = 20
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png", ".wps"}


def _require_organiser(user, campaign):
    if not selectors.is_organiser(user, campaign):
        raise ValidationError("只有评选组织单位的管理员可以进行此操作")


def _check_dates(*, nomination_ends_on, review_ends_on, voting_starts_on, voting_ends_on):
    errors = {}
    if review_ends_on < nomination_ends_on:
        errors["review_ends_on"] = "审核截止日期不能早于提名截止日期"
    if voting_starts_on < review_ends_on:
        errors["voting_starts_on"] = "投票开始日期不能早于审核截止日期"
    if voting_ends_on < voting_starts_on:
        errors["voting_ends_on"] = "投票截止日期不能早于投票开始日期"
    if errors:
        raise ValidationError(errors)


# -- campaigns ----------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, user, organization, year: int, title: str, nomination_ends_on: dt.date,
                    review_ends_on: dt.date, voting_starts_on: dt.date, voting_ends_on: dt.date, note: str = "",
                    categories=DEFAULT_CATEGORIES, quota: int = 3) -> Campaign:
    """Create a campaign in the nomination phase with the seed's four categories by default."""
    from changqing.orgs.models import Organization

    if not restrict(Organization.objects.filter(pk=organization.pk), user, "manage").exists():
        raise ValidationError({"organization": "只能为您管理范围内的组织创建评选"})
    _check_dates(nomination_ends_on=nomination_ends_on, review_ends_on=review_ends_on,
                 voting_starts_on=voting_starts_on, voting_ends_on=voting_ends_on)
    if Campaign.objects.filter(organization=organization, year=year, title=title).exists():
        raise ValidationError({"title": f"{organization.name}{year}年度已有同名评选"})
    campaign = Campaign.objects.create(
        organization=organization, year=year, title=title, nomination_ends_on=nomination_ends_on,
        review_ends_on=review_ends_on, voting_starts_on=voting_starts_on, voting_ends_on=voting_ends_on,
        note=note, created_by=user)
    for i, (name, rule) in enumerate(categories, start=1):
        Category.objects.create(campaign=campaign, name=name, nominee_rule=rule, quota=quota, order=i * 10)
    return campaign


@transaction.atomic
def campaign_update(*, user, campaign: Campaign, title: str, nomination_ends_on: dt.date, review_ends_on: dt.date,
                    voting_starts_on: dt.date, voting_ends_on: dt.date, note: str = "") -> Campaign:
    _require_organiser(user, campaign)
    if campaign.phase == Phase.PUBLISHED:
        raise ValidationError("结果已公布，评选不能再修改")
    _check_dates(nomination_ends_on=nomination_ends_on, review_ends_on=review_ends_on,
                 voting_starts_on=voting_starts_on, voting_ends_on=voting_ends_on)
    if Campaign.objects.filter(organization=campaign.organization, year=campaign.year, title=title).exclude(
            pk=campaign.pk).exists():
        raise ValidationError({"title": "本年度已有同名评选"})
    campaign.title, campaign.note = title, note
    campaign.nomination_ends_on, campaign.review_ends_on = nomination_ends_on, review_ends_on
    campaign.voting_starts_on, campaign.voting_ends_on = voting_starts_on, voting_ends_on
    campaign.save()
    return campaign


def next_phase(phase: str) -> str | None:
    i = PHASE_ORDER.index(phase)
    return PHASE_ORDER[i + 1] if i + 1 < len(PHASE_ORDER) else None


def advance_problems(campaign: Campaign, today: dt.date) -> list[str]:
    """Why the campaign cannot move to its next phase (empty = it can)."""
    problems = []
    noms = Nomination.objects.filter(campaign=campaign)
    if campaign.phase == Phase.NOMINATION:
        if not noms.exists():
            problems.append("还没有任何提名，不能进入审核")
    elif campaign.phase == Phase.REVIEW:
        pending = noms.filter(status=NominationStatus.PENDING).count()
        if pending:
            problems.append(f"还有 {pending} 个提名未审核，审核完成后才能开始投票")
        if not noms.filter(status=NominationStatus.APPROVED).exists():
            problems.append("没有审核通过的候选人，不能开始投票")
        if today < campaign.voting_starts_on:
            problems.append(f"计划投票开始日期为{campaign.voting_starts_on:%Y年%m月%d日}，尚未到达；如需提前，请先修改日期")
    elif campaign.phase == Phase.COUNTING:
        unresolved = [cr.category.name for cr in selectors.results(campaign) if cr.unresolved]
        if unresolved:
            problems.append("以下类别有并列票数需要组织决定当选人：" + "、".join(unresolved))
    elif campaign.phase == Phase.PUBLISHED:
        problems.append("结果已公布，评选已结束")
    return problems


@transaction.atomic
def campaign_advance(*, user, campaign: Campaign, expected_phase: str | None = None,
                     today: dt.date | None = None) -> Campaign:
    """Move to the next phase: nomination → review → voting → counting → published, never back."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_organiser(user, campaign)
    if expected_phase and expected_phase != campaign.phase:
        raise ValidationError("评选阶段已被他人变更，请刷新页面后再操作")
    today = today or timezone.localdate()
    problems = advance_problems(campaign, today)
    if problems:
        raise ValidationError(problems)
    campaign.phase = next_phase(campaign.phase)
    if campaign.phase == Phase.PUBLISHED:
        winners = set()
        for cr in selectors.results(campaign):
            winners |= {r.nomination.pk for r in cr.rows if r.status == rules.WINNER}
        for n in Nomination.objects.filter(campaign=campaign):
            if n.is_winner != (n.pk in winners):
                n.is_winner = n.pk in winners
                n.save(update_fields=["is_winner", "updated_at"])
        campaign.published_on = today
    campaign.save()
    return campaign


# -- categories ---------------------------------------------------------------------


def _check_category(campaign, *, name, quota, max_choices, category=None):
    errors = {}
    if quota < 1:
        errors["quota"] = "评选名额至少为 1 名"
    if max_choices < 1:
        errors["max_choices"] = "每人至少可选 1 名"
    elif max_choices > quota:
        errors["max_choices"] = f"每人最多可选人数不能超过评选名额（{quota} 名）"
    same = Category.objects.filter(campaign=campaign, name=name)
    if category is not None:
        same = same.exclude(pk=category.pk)
    if same.exists():
        errors["name"] = f"本次评选已有“{name}”类别"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def category_create(*, user, campaign: Campaign, name: str, nominee_rule: str, quota: int, max_choices: int = 1,
                    order: int = 0) -> Category:
    _require_organiser(user, campaign)
    if campaign.phase != Phase.NOMINATION:
        raise ValidationError("提名阶段结束后不能再增加评选类别")
    _check_category(campaign, name=name, quota=quota, max_choices=max_choices)
    return Category.objects.create(campaign=campaign, name=name, nominee_rule=nominee_rule, quota=quota,
                                   max_choices=max_choices, order=order)


@transaction.atomic
def category_update(*, user, category: Category, name: str, nominee_rule: str, quota: int, max_choices: int,
                    order: int) -> Category:
    campaign = Campaign.objects.select_related("organization").get(pk=category.campaign_id)  # the phase now
    _require_organiser(user, campaign)
    if campaign.phase not in (Phase.NOMINATION, Phase.REVIEW):
        raise ValidationError("投票开始后不能再修改评选类别")
    _check_category(campaign, name=name, quota=quota, max_choices=max_choices, category=category)
    if nominee_rule != category.nominee_rule and category.nominations.exists():
        raise ValidationError({"nominee_rule": "本类别已有提名，不能再改变提名对象"})
    category.name, category.nominee_rule, category.quota = name, nominee_rule, quota
    category.max_choices, category.order = max_choices, order
    category.save()
    return category


# -- nominations --------------------------------------------------------------------


def _check_retiree_rule(category: Category, retiree) -> str | None:
    active = Membership.objects.filter(retiree=retiree, state=MembershipState.ACTIVE)
    if category.nominee_rule == NomineeRule.MEMBER and not active.exists():
        return f"“{category.name}”只能提名在册党员，{retiree.name}不是在册党员"
    if category.nominee_rule == NomineeRule.ACTIVIST and active.exists():
        return f"“{category.name}”提名尚未入党的同志，{retiree.name}已是党员"
    if category.nominee_rule == NomineeRule.SECRETARY and not CommitteePost.objects.filter(
            membership__retiree=retiree, post=Post.SECRETARY, term__ended_on__isnull=True).exists():
        return f"“{category.name}”只能提名现任党支部书记，班子记录中{retiree.name}不是现任书记"
    return None


def _check_attachment(attachment) -> str | None:
    if not attachment:
        return None
    import os

    ext = os.path.splitext(attachment.name)[1].lower()
    if ext not in ATTACHMENT_EXTENSIONS:
        return "附件只接受 PDF、Word、WPS 文档或 JPG、PNG 图片"
    if attachment.size > ATTACHMENT_MAX_BYTES:
        return "附件不能超过 10 MB"
    from changqing.core.uploads import check_content

    try:
        check_content(attachment)  # a "PDF" or a photo is parsed: a renamed file is refused
    except ValidationError as exc:
        return exc.messages[0]
    return None


@transaction.atomic
def nomination_create(*, user, campaign: Campaign, category: Category, reasons: str, retiree=None,
                      nominee_org=None, attachment=None) -> Nomination:
    errors = {}
    campaign = Campaign.objects.select_related("organization").get(pk=campaign.pk)  # the phase now
    if campaign.phase != Phase.NOMINATION:
        raise ValidationError("提名阶段已结束，不能再提名")
    if not selectors.can_nominate(user, campaign):
        raise ValidationError("只有支部书记及以上的同志可以提名")
    if category.campaign_id != campaign.pk:
        raise ValidationError({"category": "该类别不属于本次评选"})
    reasons = (reasons or "").strip()
    if len(reasons) < MIN_REASON_CHARS:
        errors["reasons"] = f"事迹材料请至少写 {MIN_REASON_CHARS} 个字（现有 {len(reasons)} 个字）"
    problem = _check_attachment(attachment)
    if problem:
        errors["attachment"] = problem
    if category.for_organizations:
        field = "nominee_org"
        if nominee_org is None:
            errors[field] = f"“{category.name}”请选择被提名的党组织"
        elif not nominee_org.path.startswith(campaign.organization.path):
            errors[field] = f"{nominee_org.name}不在本次评选范围（{campaign.organization.name}）内"
        elif not selectors.nominee_orgs(user, campaign).filter(pk=nominee_org.pk).exists():
            errors[field] = (f"{nominee_org.name}已撤销，不能提名" if nominee_org.dissolved_on else
                             f"{nominee_org.name}不是党支部或党总支" if nominee_org.kind not in (
                                 OrgKind.BRANCH, OrgKind.GENERAL_BRANCH) else
                             f"{nominee_org.name}不在您的管理范围内")
        elif Nomination.objects.filter(category=category, nominee_org=nominee_org).exists():
            errors[field] = f"{nominee_org.name}已被提名参评“{category.name}”，不能重复提名"
        retiree = None
    else:
        field = "retiree"
        if retiree is None:
            errors[field] = "请选择被提名人"
        elif retiree.status == PersonStatus.DECEASED:
            errors[field] = f"{retiree.name}已故，不能被提名"
        elif not retiree.organization.path.startswith(campaign.organization.path):
            errors[field] = f"{retiree.name}不在本次评选范围（{campaign.organization.name}）内"
        elif not selectors.nominee_retirees(user, campaign).filter(pk=retiree.pk).exists():
            errors[field] = f"{retiree.name}不在您的管理范围内"
        elif Nomination.objects.filter(category=category, retiree=retiree).exists():
            errors[field] = f"{retiree.name}已被提名参评“{category.name}”，不能重复提名"
        else:
            problem = _check_retiree_rule(category, retiree)
            if problem:
                errors[field] = problem
        nominee_org = None
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Nomination.objects.create(campaign=campaign, category=category, retiree=retiree,
                                             nominee_org=nominee_org, reasons=reasons,
                                             attachment=attachment or "", nominated_by=user)
    except IntegrityError:  # a second nomination of the same nominee saved at the same moment
        raise ValidationError({field: f"{(retiree or nominee_org)}已被提名参评“{category.name}”，不能重复提名"}) from None


@transaction.atomic
def nomination_withdraw(*, user, nomination: Nomination):
    campaign = Campaign.objects.select_related("organization").get(pk=nomination.campaign_id)  # the phase now
    if campaign.phase != Phase.NOMINATION:
        raise ValidationError("提名阶段已结束，提名不能撤回")
    if nomination.nominated_by_id != user.pk and not selectors.is_organiser(user, campaign):
        raise ValidationError("只有提名人或组织单位管理员可以撤回提名")
    nomination.delete()


@transaction.atomic
def nomination_review(*, user, nomination: Nomination, approve: bool, reason: str) -> Nomination:
    """审核: approve or reject with a reason; a later review in the same phase replaces it (history keeps both)."""
    campaign = Campaign.objects.select_related("organization").get(pk=nomination.campaign_id)  # the phase now
    _require_organiser(user, campaign)
    if campaign.phase != Phase.REVIEW:
        raise ValidationError("只有在审核阶段才能审核提名")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写审核意见" + ("" if approve else "（不通过的理由）")})
    nomination.status = NominationStatus.APPROVED if approve else NominationStatus.REJECTED
    nomination.review_reason = reason[:300]
    nomination.reviewed_by = user
    nomination.reviewed_at = timezone.now()
    nomination.save()
    return nomination


# -- voting -------------------------------------------------------------------------


def voting_closed_reason(campaign: Campaign, today: dt.date) -> str | None:
    if campaign.phase in (Phase.NOMINATION, Phase.REVIEW):
        return "投票尚未开始"
    if campaign.phase != Phase.VOTING:
        return "投票已结束"
    if today > campaign.voting_ends_on:
        return f"投票已于{campaign.voting_ends_on:%Y年%m月%d日}截止"
    return None


@transaction.atomic
def ballot_cast(*, user, campaign: Campaign, category: Category, nomination_ids: list[int],
                today: dt.date | None = None) -> Ballot:
    """One secret ballot of one voter in one category: at most `max_choices` approved candidates.

    The Ballot row (unique per category and voter) says that the voter voted; the
    choice only adds to the candidates' totals. No change after casting.
    """
    field = f"category_{category.pk}"
    campaign = Campaign.objects.select_related("organization").get(pk=campaign.pk)  # the phase now
    closed = voting_closed_reason(campaign, today or timezone.localdate())
    if closed:
        raise ValidationError({field: closed})
    if category.campaign_id != campaign.pk:
        raise ValidationError({field: "该类别不属于本次评选"})
    if not selectors.is_eligible_voter(user, campaign):
        raise ValidationError({field: "您不在本次评选的投票范围内"})
    already = f"您已在“{category.name}”类别投过票，每人每类只能投一次，投出后不能修改"
    if Ballot.objects.filter(category=category, voter=user).exists():
        raise ValidationError({field: already})
    ids = list(dict.fromkeys(int(i) for i in nomination_ids))
    if not ids:
        raise ValidationError({field: f"请在“{category.name}”中至少选择一名候选人"})
    if len(ids) > category.max_choices:
        raise ValidationError({field: f"“{category.name}”每人最多选 {category.max_choices} 名，您选了 {len(ids)} 名"})
    valid = set(Nomination.objects.filter(pk__in=ids, category=category, status=NominationStatus.APPROVED)
                .values_list("pk", flat=True))
    if valid != set(ids):
        raise ValidationError({field: "所选的人不是本类别的候选人，请刷新页面后重新选择"})
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(campaign=campaign, category=category, voter=user)
    except IntegrityError:  # the same voter's second request arrived at the same moment
        raise ValidationError({field: already}) from None
    # A queryset UPDATE: no per-voter row, no change-log entry, no timestamp ties the choice to the voter.
    Nomination.objects.filter(pk__in=ids).update(votes=F("votes") + 1)
    return ballot


# -- counting -----------------------------------------------------------------------


@transaction.atomic
def offline_votes_record(*, user, category: Category, ballots: int, votes: dict[int, int]) -> Category:
    """线下计票: paper ballots collected at branch meetings, entered by the organiser while counting."""
    campaign = Campaign.objects.select_related("organization").get(pk=category.campaign_id)  # the phase now
    _require_organiser(user, campaign)
    if campaign.phase != Phase.COUNTING:
        raise ValidationError("只有在计票阶段才能录入线下票数")
    errors = {}
    noms = {n.pk: n for n in Nomination.objects.filter(category=category, status=NominationStatus.APPROVED)}
    for pk, n in votes.items():
        if pk not in noms:
            raise ValidationError("所填候选人不是本类别的候选人")
        if n < 0:
            errors[f"votes_{pk}"] = "票数不能为负数"
        elif n > ballots:
            errors[f"votes_{pk}"] = f"{noms[pk].nominee_name}的线下得票（{n}）不能多于收回的选票（{ballots} 张）"
    if not errors and sum(votes.values()) > ballots * category.max_choices:
        errors["ballots"] = (f"各候选人线下得票合计 {sum(votes.values())} 票，超过 {ballots} 张选票"
                             f"×每张最多 {category.max_choices} 人")
    if errors:
        raise ValidationError(errors)
    category.offline_ballots = ballots
    category.save()
    changed = any(noms[pk].offline_votes != n for pk, n in votes.items())
    for pk, nom in noms.items():
        new = votes.get(pk, nom.offline_votes)
        if nom.offline_votes != new or (changed and nom.decision):
            nom.offline_votes = new
            if changed:  # new totals: an earlier decision on a tie no longer holds
                nom.decision, nom.decision_reason = Decision.NONE, ""
            nom.save()
    return category


@transaction.atomic
def tie_decide(*, user, category: Category, winner_ids: list[int], reason: str) -> Category:
    """The organiser decides who of the candidates tied on the last places wins."""
    campaign = Campaign.objects.select_related("organization").get(pk=category.campaign_id)  # the phase now
    _require_organiser(user, campaign)
    if campaign.phase != Phase.COUNTING:
        raise ValidationError("只有在计票阶段才能决定并列人选")
    cr = next(c for c in selectors.results(campaign) if c.category.pk == category.pk)
    tied = {r.nomination.pk: r.nomination for r in cr.tied}
    if not tied:
        raise ValidationError("本类别没有并列票数，无需决定")
    chosen = set(winner_ids)
    errors = {}
    if not chosen <= set(tied):
        errors["winners"] = "只能在并列的候选人中选择"
    elif len(chosen) != cr.tie_seats:
        errors["winners"] = f"并列的候选人争 {cr.tie_seats} 个名额，请正好选择 {cr.tie_seats} 人（现选 {len(chosen)} 人）"
    if not (reason or "").strip():
        errors["reason"] = "请写明决定的依据（如党工委会议研究决定）"
    if errors:
        raise ValidationError(errors)
    for pk, n in tied.items():
        n.decision = Decision.WINNER if pk in chosen else Decision.NOT_WINNER
        n.decision_reason = reason.strip()[:300]
        n.save()
    return category
