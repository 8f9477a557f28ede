"""Writes for 民主评议党员: keyword-only, atomic, Chinese messages keyed by field.

Nothing here changes a membership: 不合格 and 基本合格 only lead to the follow-ups the
policy names, with due dates the secretary is reminded of.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from changqing.core.scope import can
from changqing.members.models import Membership, MembershipState
from changqing.orgs.models import Organization, OrgKind
from changqing.policies.selectors import policy_for

from . import selectors
from .models import (AppraisalRound, AppraisalStep, BallotCast, CommitteeGrade, FollowUp, Grade, RoundStatus,
                     SelfAppraisal, Tally)
from .policy import APPRAISAL_RULES

CLOSED = "本年度民主评议已经公示，不能再修改"


def _require_manager(user, rnd: AppraisalRound):
    if not selectors.is_manager(user, rnd):
        raise PermissionDenied("只有本支部的书记或支委可以进行此操作")


def _require_open(rnd: AppraisalRound, field: str = "__all__"):
    if rnd.status != RoundStatus.OPEN:
        raise ValidationError({field: CLOSED})


@transaction.atomic
def round_open(*, user, organization: Organization, year: int, today: dt.date | None = None) -> AppraisalRound:
    """Open the year's round: its steps from the policy, and the roster (a tally per active member)."""
    today = today or timezone.localdate()
    if organization.kind != OrgKind.BRANCH:
        raise ValidationError({"organization": "民主评议党员以党支部为单位进行，请选择一个党支部"})
    if not can(user, "change", organization):
        raise PermissionDenied("只有本支部的书记或支委可以开启民主评议")
    if not 2000 <= year <= today.year + 1:
        raise ValidationError({"year": f"年度应在 2000 到 {today.year + 1} 之间"})
    if AppraisalRound.objects.filter(organization=organization, year=year).exists():
        raise ValidationError({"year": f"{organization.name}{year}年度的民主评议已经开启，每年一次"})
    members = list(Membership.objects.filter(organization=organization, state=MembershipState.ACTIVE))
    if not members:
        raise ValidationError({"organization": "该支部没有在册党员，不能开启民主评议"})
    rules = policy_for(APPRAISAL_RULES, organization, today)
    rnd = AppraisalRound.objects.create(organization=organization, year=year, opened_by=user)
    for i, name in enumerate(rules["steps"], start=1):
        AppraisalStep.objects.create(round=rnd, order=i, name=name)
    Tally.objects.bulk_create([Tally(round=rnd, subject=m) for m in members])
    return rnd


@transaction.atomic
def step_update(*, user, step: AppraisalStep, held_on: dt.date | None, record: str) -> AppraisalStep:
    _require_manager(user, step.round)
    _require_open(step.round)
    step.held_on, step.record = held_on, record.strip()
    step.save()
    return step


def _acting_for(user, rnd: AppraisalRound, membership: Membership, at_home: bool, field: str) -> bool:
    """Who writes: the member for themselves, or the secretary at a home visit (then marked so)."""
    if not selectors.in_roster(rnd, membership):
        raise ValidationError({field: "该党员不在本次民主评议的名单中"})
    own = selectors.own_membership(user)
    if own is not None and own.pk == membership.pk:
        return False
    _require_manager(user, rnd)
    if not at_home:
        raise ValidationError({field: "代为录入只用于上门听取本人意见：请勾选“上门记录”，或请本人登录填写"})
    return True


@transaction.atomic
def self_appraisal_save(*, user, round: AppraisalRound, membership: Membership, text: str,
                        at_home: bool = False) -> SelfAppraisal:
    rnd = round
    _require_open(rnd, "text")
    at_home = _acting_for(user, rnd, membership, at_home, "text")
    text = (text or "").strip()
    if len(text) < 10:
        raise ValidationError({"text": "请写下个人自评（至少 10 个字），如一年来学习、参加组织生活、发挥作用的情况和不足"})
    obj, _ = SelfAppraisal.objects.update_or_create(
        round=rnd, membership=membership,
        defaults={"text": text, "recorded_by": user, "at_home": at_home})
    return obj


def ballot_cast(*, user, round: AppraisalRound, voter: Membership, marks: dict[int, str],
                at_home: bool = False) -> BallotCast:
    """One secret 民主测评 ballot: a grade for every other member of the roster, counted at once.

    The BallotCast row (unique per round and voter) says that the voter voted; the marks only add
    to the tallies with a queryset UPDATE. A second ballot is refused; nothing can be changed after.
    """
    rnd = round
    with transaction.atomic():
        rnd = AppraisalRound.objects.select_for_update().get(pk=rnd.pk)
        _require_open(rnd)
        at_home = _acting_for(user, rnd, voter, at_home, "__all__")
        already = f"{voter.retiree.name}已经投过票，每名党员只能投一次，投出后不能修改"
        if BallotCast.objects.filter(round=rnd, voter=voter).exists():
            raise ValidationError({"__all__": already})
        subjects = [m.pk for m in selectors.roster(rnd) if m.pk != voter.pk]
        valid = {g.value for g in Grade}
        errors = {f"mark_{sid}": "请选择一个等次" for sid in subjects if marks.get(sid) not in valid}
        if set(marks) - set(subjects):
            errors["__all__"] = "选票上有不在名单中的党员，请刷新页面后重新填写"
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                cast = BallotCast.objects.create(round=rnd, voter=voter, at_home=at_home)
        except IntegrityError:  # the same member's second request at the same moment
            raise ValidationError({"__all__": already}) from None
        # Queryset UPDATEs: no per-ballot row, no change-log entry, no timestamp ties a mark to the voter.
        for grade in Grade:
            ids = [sid for sid in subjects if marks[sid] == grade.value]
            if ids:
                Tally.objects.filter(round=rnd, subject_id__in=ids).update(**{grade.value: F(grade.value) + 1})
    return cast


@transaction.atomic
def grade_set(*, user, round: AppraisalRound, membership: Membership, grade: str, reason: str = "") -> CommitteeGrade:
    """支部委员会评定: a member's grade and the reason (required for 基本合格 and 不合格)."""
    rnd = round
    _require_manager(user, rnd)
    _require_open(rnd, "grade")
    if not selectors.in_roster(rnd, membership):
        raise ValidationError({"grade": "该党员不在本次民主评议的名单中"})
    if grade not in {g.value for g in Grade}:
        raise ValidationError({"grade": "请选择评定等次"})
    reason = (reason or "").strip()
    if grade in (Grade.BASIC, Grade.UNQUALIFIED) and not reason:
        raise ValidationError({"reason": "评为基本合格或不合格时，请写明理由"})
    obj, _ = CommitteeGrade.objects.update_or_create(round=rnd, membership=membership,
                                                     defaults={"grade": grade, "reason": reason})
    return obj


@transaction.atomic
def round_publish(*, user, round: AppraisalRound, on: dt.date | None = None) -> list[FollowUp]:
    """结果公示: the round is closed, results go to the branch and the members' records; the follow-ups the
    policy names are created with their due dates. Memberships are never changed here."""
    rnd = AppraisalRound.objects.select_for_update().get(pk=round.pk)
    _require_manager(user, rnd)
    _require_open(rnd)
    on = on or timezone.localdate()
    rows = selectors.member_rows(rnd)
    missing = [r.membership.retiree.name for r in rows if r.grade is None]
    if missing:
        raise ValidationError({"__all__": f"还有 {len(missing)} 名党员没有评定等次：{'、'.join(missing[:10])}"})
    rules = policy_for(APPRAISAL_RULES, rnd.organization, on)
    days = {"talk": int(rules["talk_days"]), "rectify": int(rules["rectify_days"])}
    created = []
    for r in rows:
        kinds = {Grade.BASIC: rules["basic"], Grade.UNQUALIFIED: rules["unqualified"]}.get(r.grade.grade, [])
        for kind in kinds:
            created.append(FollowUp.objects.create(round=rnd, membership=r.membership, kind=kind,
                                                   due_on=on + dt.timedelta(days=days[kind])))
    rnd.status, rnd.published_on = RoundStatus.PUBLISHED, on
    rnd.save()
    return created


@transaction.atomic
def follow_up_done(*, user, follow_up: FollowUp, done_on: dt.date, note: str) -> FollowUp:
    _require_manager(user, follow_up.round)
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "完成日期不能晚于今天"})
    if not (note or "").strip():
        raise ValidationError({"note": "请简要记录谈话或改正的情况"})
    follow_up.done_on, follow_up.note = done_on, note.strip()
    follow_up.save()
    return follow_up
