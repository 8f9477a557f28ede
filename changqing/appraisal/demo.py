"""Demo 民主评议党员: last year's round, published, for the branches that held their appraisal meeting then
(the round is what that meeting decided). This year's is left for the demo secretary (shuji) to open, and the
demo member (dangyuan) to take part in. Deterministic (the app's own random stream)."""
from __future__ import annotations

import datetime as dt

from django.apps import apps

from changqing.demo.bulk import copy_insert, log_created
from changqing.core.tree import in_subtree
from changqing.members.models import Health, Membership, MembershipState
from changqing.orgs.models import Organization, OrgKind

from .models import (AppraisalRound, AppraisalStep, BallotCast, CommitteeGrade, FollowUp, Grade, RoundStatus,
                     SelfAppraisal, Tally)
from .policy import DEFAULT_STEPS

LIMIT = {"county": 400, "city": 40, "province": 40}  # branches with a published round (bounded at large scales)
SELF_TEXTS = [
    "一年来坚持参加支部组织生活和集中学习日，按时交纳党费；积极参加社区志愿服务。不足是理论学习不够系统，今后加强。",
    "能够认真学习党的创新理论，遵守党的纪律，关心支部建设。因身体原因参加活动较少，今后力所能及多做贡献。",
    "坚持读书看报，关心国家大事，带头参加楼栋义务巡逻，帮助困难邻居。存在学习深度不够的问题。",
    "退休不褪色，积极参加支部主题党日活动，为青少年讲革命传统故事。今后在发挥作用上还要更主动。",
]
STEP_RECORDS = ["组织党员集中学习党章和有关规定，行动不便的党员送学上门。", "党员对照党员标准撰写个人自评。",
                "召开党员大会开展互评，发放民主测评表，当场计票。", "支部委员会根据测评情况提出评定意见。",
                "党员大会审定评议结果。", "在支部公示评议结果，向每名党员反馈。"]
BASIC_REASON = "全年多次未参加组织生活，经提醒仍未按时交纳党费。"


def _branches(root):
    return list(Organization.objects.filter(in_subtree(root.path), kind=OrgKind.BRANCH,
                                            memberships__state=MembershipState.ACTIVE).distinct().order_by("path"))


def extend(ctx):
    rng, today, root = ctx.rng, ctx.today, ctx.root
    year = today.year - 1
    branches = _branches(root)
    if not branches:
        return
    # The demo's rounds match the appraisal meetings life's demo held (life sits above this app, so its
    # model is looked up by name: demo data only, no code of life is imported).
    meeting = apps.get_model("life", "Meeting")
    held = dict(meeting.objects.filter(in_subtree(root.path, "organization"), kind__code="member_appraisal",
                                       state="held", held_on__year=year)
                .values_list("organization_id", "held_on"))
    chosen = [b for b in branches if b.pk in held][:LIMIT.get(ctx.scale, 40)]
    ids = {b.pk for b in chosen}
    roster: dict[int, list[tuple[int, bool]]] = {}
    for mid, org_id, mob, health in (Membership.objects.filter(organization_id__in=ids, state=MembershipState.ACTIVE)
                                     .order_by("organization_id", "id")
                                     .values_list("id", "organization_id", "retiree__mobility_impaired",
                                                  "retiree__health")):
        roster.setdefault(org_id, []).append((mid, bool(mob) or health == Health.BEDRIDDEN))
    rounds = [AppraisalRound(organization=b, year=year, status=RoundStatus.PUBLISHED, published_on=held[b.pk])
              for b in chosen if b.pk in roster]
    rounds = copy_insert(AppraisalRound, rounds)
    steps, tallies, selfs, casts, grades, follow_ups = [], [], [], [], [], []
    for rnd in rounds:
        members = roster[rnd.organization_id]
        meeting_day = rnd.published_on
        for i, name in enumerate(DEFAULT_STEPS, start=1):
            steps.append(AppraisalStep(round=rnd, order=i, name=name, record=STEP_RECORDS[(i - 1) % len(STEP_RECORDS)],
                                       held_on=meeting_day - dt.timedelta(days=max(0, 4 - i) * 7)))
        n = len(members)
        basic_at = rng.randrange(n) if n >= 6 and rng.random() < 0.3 else None
        for k, (mid, immobile) in enumerate(members):
            selfs.append(SelfAppraisal(round=rnd, membership_id=mid, text=rng.choice(SELF_TEXTS), at_home=immobile))
            casts.append(BallotCast(round=rnd, voter_id=mid, at_home=immobile))
            voters = n - 1
            if k == basic_at:
                counts = [0, voters // 3, voters - voters // 3, 0]
            else:
                excellent = rng.randint(0, voters)
                qualified = voters - excellent
                counts = [excellent, qualified, 0, 0]
            tallies.append(Tally(round=rnd, subject_id=mid, excellent=counts[0], qualified=counts[1],
                                 basic=counts[2], unqualified=counts[3]))
            if k == basic_at:
                grade, reason = Grade.BASIC, BASIC_REASON
                follow_ups.append(FollowUp(round=rnd, membership_id=mid, kind="talk",
                                           due_on=meeting_day + dt.timedelta(days=30),
                                           done_on=meeting_day + dt.timedelta(days=rng.randint(5, 25)),
                                           note="支部书记上门谈话提醒，本人表示今后按时参加组织生活。"))
            else:
                grade = Grade.EXCELLENT if counts[0] * 2 > voters and rng.random() < 0.5 else Grade.QUALIFIED
                reason = ""
            grades.append(CommitteeGrade(round=rnd, membership_id=mid, grade=grade, reason=reason))
    copy_insert(AppraisalStep, steps)
    copy_insert(Tally, tallies)
    for model, objs in ((SelfAppraisal, selfs), (BallotCast, casts), (CommitteeGrade, grades), (FollowUp, follow_ups)):
        copy_insert(model, objs)
    if ctx.log_history:
        log_created(rounds, "organization")
        log_created(steps, "round__organization")
        for objs in (selfs, grades, follow_ups):
            log_created(objs, "round__organization", "membership__retiree")
        log_created(casts, "round__organization", "voter__retiree")
