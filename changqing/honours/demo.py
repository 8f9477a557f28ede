"""Demo selections: the finished 2025 "四个最美" (published, paper ballots counted, one tie decided by the
党工委) and the 2026 one open for voting, so the demo logins can vote."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from changqing.members.models import MembershipState, PersonStatus, Retiree
from changqing.orgs.models import CommitteePost, Organization, OrgKind, Post
from changqing.core.tree import in_subtree

from . import rules
from .models import DEFAULT_CATEGORIES, Campaign, Category, Decision, Nomination, NominationStatus, NomineeRule, Phase

POOL_LIMIT = 5000  # bounded reads at city and province scale

DEEDS = {
    NomineeRule.MEMBER: ["入党{years}年来始终坚持参加组织生活，年过八旬仍每月按时交纳党费、参加集中学习日。",
                         "退休后主动担任楼栋党小组长，组织党员学习党的二十大精神，带头宣讲政策。",
                         "坚持为社区青少年讲述革命传统故事，累计宣讲{n}场，深受群众好评。"],
    NomineeRule.ACTIVIST: ["多次向党组织递交入党申请书，积极参加支部组织的学习和志愿服务活动。",
                           "退休后热心公益，带领邻里开展环境整治，主动向党组织靠拢，思想进步明显。",
                           "认真学习党的理论，参加老年大学党史课程全勤，在社区调解邻里纠纷{n}起。"],
    NomineeRule.SECRETARY: ["担任支部书记以来，坚持“三会一课”制度，支部组织生活记录完整规范。",
                            "带领支部开展送学上门，为行动不便的老党员送学{n}次，做到一个不落。",
                            "建立支部微信群和结对帮扶机制，组织党员为困难群众捐款捐物。"],
    NomineeRule.ANY_RETIREE: ["参加夕阳红志愿服务队，常年在社区义务量血压、理发，服务时长超过{n}小时。",
                              "组织老年志愿者开展治安巡逻和防诈骗宣传，所在小区连续多年无刑事案件。",
                              "坚持在关心下一代工作中辅导留守儿童，被孩子们亲切地称为“爷爷奶奶老师”。"],
    NomineeRule.ORGANIZATION: ["支部班子团结，组织生活规范，党员参学率高，多次开展志愿服务。",
                               "创新开展“银发先锋”活动，组织党员参与社区治理，群众满意度高。",
                               "坚持集中学习日制度，对行动不便党员实行送学上门全覆盖。"],
}


def _reasons(rng, rule) -> str:
    parts = rng.sample(DEEDS[rule], 2)
    return "".join(p.format(years=rng.randint(30, 70), n=rng.randint(12, 300)) for p in parts)


def _pools(root):
    alive = Retiree.objects.filter(in_subtree(root.path, "organization"), status=PersonStatus.ALIVE)
    members = list(alive.filter(membership__state=MembershipState.ACTIVE).order_by("id")
                   .values_list("id", flat=True)[:POOL_LIMIT])
    activists = list(alive.exclude(membership__state=MembershipState.ACTIVE).order_by("id")
                     .values_list("id", flat=True)[:POOL_LIMIT])
    secretaries = list(CommitteePost.objects.filter(
        in_subtree(root.path, "term__organization"), post=Post.SECRETARY, term__ended_on__isnull=True,
        membership__retiree__status=PersonStatus.ALIVE).order_by("id")
        .values_list("membership__retiree_id", flat=True)[:POOL_LIMIT])
    everyone = list(alive.order_by("id").values_list("id", flat=True)[:POOL_LIMIT])
    orgs = list(Organization.objects.filter(in_subtree(root.path), kind=OrgKind.BRANCH,
                                            dissolved_on__isnull=True).order_by("path")
                .values_list("id", flat=True)[:POOL_LIMIT])
    return {NomineeRule.MEMBER: members, NomineeRule.ACTIVIST: activists, NomineeRule.SECRETARY: secretaries,
            NomineeRule.ANY_RETIREE: everyone, NomineeRule.ORGANIZATION: orgs}


def extend(ctx):
    rng, today, root = ctx.rng, ctx.today, ctx.root
    pools = _pools(root)
    categories_spec = list(DEFAULT_CATEGORIES) + [("示范离退休干部党支部", NomineeRule.ORGANIZATION)]
    last = Campaign(organization=root, year=today.year - 1, title=f"{today.year - 1}年度“四个最美”评选",
                    phase=Phase.PUBLISHED, nomination_ends_on=dt.date(today.year - 1, 5, 31),
                    review_ends_on=dt.date(today.year - 1, 6, 15), voting_starts_on=dt.date(today.year - 1, 6, 16),
                    voting_ends_on=dt.date(today.year - 1, 6, 28), published_on=dt.date(today.year - 1, 7, 1),
                    note="按照“以情感动人、以特吸引人、以奖激励人”的要求，评选“四个最美”和示范离退休干部党支部。"
                         "各支部在支部大会上组织纸质投票，结果由党工委汇总。")
    current = Campaign(organization=root, year=today.year, title=f"{today.year}年度“四个最美”评选",
                       phase=Phase.VOTING, nomination_ends_on=today - dt.timedelta(days=40),
                       review_ends_on=today - dt.timedelta(days=14), voting_starts_on=today - dt.timedelta(days=7),
                       voting_ends_on=today + dt.timedelta(days=6),
                       note="请各支部组织党员登录平台投票；不会使用手机的老同志可在支部大会上填写纸质选票。")
    campaigns = Campaign.objects.bulk_create([last, current])
    cats = []
    for campaign in campaigns:
        spec = categories_spec if campaign is last else DEFAULT_CATEGORIES
        for i, (name, rule) in enumerate(spec, start=1):
            multi = campaign is current and rule == NomineeRule.MEMBER  # shows "每人最多选 2 名"
            cats.append(Category(campaign=campaign, name=name, nominee_rule=rule, quota=3,
                                 max_choices=2 if multi else 1, order=i * 10))
    cats = Category.objects.bulk_create(cats)
    noms = []
    for cat in cats:
        pool = pools[cat.nominee_rule]
        n = min(len(pool), rng.randint(7, 10))
        chosen = rng.sample(pool, n)
        for k, nominee in enumerate(chosen):
            rejected = k >= n - 1 and n > 4  # the last one of each category did not pass review
            fields = {"nominee_org_id": nominee} if cat.nominee_rule == NomineeRule.ORGANIZATION else {
                "retiree_id": nominee}
            noms.append(Nomination(
                campaign=cat.campaign, category=cat, reasons=_reasons(rng, cat.nominee_rule),
                status=NominationStatus.REJECTED if rejected else NominationStatus.APPROVED,
                review_reason="事迹材料不够具体，与其他候选人相比差距较大" if rejected else "事迹突出，材料属实，同意作为候选人",
                **fields))
    _count_last(rng, [c for c in cats if c.campaign is last], [x for x in noms if x.campaign is last])
    Category.objects.bulk_update([c for c in cats if c.campaign is last], ["offline_ballots"])
    Nomination.objects.bulk_create(noms)
    for campaign in campaigns:  # entered during the nomination phase, reviewed during the review phase
        nominated = dt.datetime.combine(campaign.nomination_ends_on - dt.timedelta(days=10), dt.time(10))
        reviewed = dt.datetime.combine(campaign.review_ends_on - dt.timedelta(days=2), dt.time(15))
        Nomination.objects.filter(campaign=campaign).update(
            created_at=timezone.make_aware(nominated), reviewed_at=timezone.make_aware(reviewed))
    ctx.progress(f"评选表彰：2 次评选，{len(noms)} 个提名")


def _count_last(rng, cats, noms):
    """Paper ballots of last year's campaign; the third place of one category is tied and decided."""
    tie_done = False
    for cat in cats:
        cands = [n for n in noms if n.category is cat and n.status == NominationStatus.APPROVED]
        cat.offline_ballots = rng.randint(600, 900)
        weights = [0.1 + rng.random() ** 2 for _ in cands]
        valid = int(cat.offline_ballots * 0.95)  # a few blank or spoilt ballots
        for n, w in zip(cands, weights):
            n.offline_votes = int(valid * w / sum(weights))
        if not tie_done and len(cands) > cat.quota:
            ordered = sorted(cands, key=lambda n: -n.offline_votes)
            a, b = ordered[cat.quota - 1], ordered[cat.quota]
            a.offline_votes = b.offline_votes  # lowering keeps the total within the ballots
            if len(ordered) > cat.quota + 1 and ordered[cat.quota + 1].offline_votes == b.offline_votes:
                ordered[cat.quota + 1].offline_votes -= 1
            a.decision, b.decision = Decision.WINNER, Decision.NOT_WINNER
            a.decision_reason = b.decision_reason = "票数并列，经党工委会议研究，按服务年限较长者当选"
            tie_done = True
        result = rules.rank([rules.Candidate(i, n.offline_votes, n.decision) for i, n in enumerate(cands)], cat.quota)
        for i in result.winner_ids:
            cands[i].is_winner = True
