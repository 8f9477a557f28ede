"""Care and service demo records (figures from seeds 002 and 003 where they give them)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from changqing.accounts.models import RoleAssignment, User
from changqing.core.roles import Role
from changqing.demo import names
from changqing.demo.bulk import copy_insert, log_created
from changqing.members.models import Retiree
from changqing.core.tree import in_subtree

from . import services
from .models import (
    AssistanceApplication, AssistanceProgramme, Booking, Campaign, CommunityDuty, Festival, HardshipReason,
    HardshipRecord, OralHistory, Pairing, Participation, RetireeRole, TeamMember, Venue, Visit, VolunteerActivity,
    VolunteerTeam,
)

TEAMS = [("夕阳红量血压服务队", "量血压、健康咨询"), ("夕阳红义务理发队", "义务理发"), ("夕阳红治安巡逻队", "治安巡逻、防诈宣传"),
         ("银发法律咨询服务队", "法律咨询、矛盾调解"), ("老党员宣讲团", "政策宣讲、党史宣讲"), ("关心下一代辅导队", "课后辅导、红色故事"),
         ("书画艺术服务队", "书法、绘画、春联"), ("文明劝导队", "文明劝导、交通劝导"), ("环境卫生志愿队", "环境整治、垃圾分类"),
         ("银龄助老队", "陪同就医、代购药品"), ("科技助农服务队", "农业技术、科技惠农"), ("红色文艺宣传队", "合唱、文艺演出"),
         ("智能手机帮学队", "智能手机培训"), ("社区议事服务队", "民情收集、建言献策"), ("爱心帮扶队", "结对帮扶、困难慰问")]
STORY_PARTS = {
    "start": ["我是{year}年参加工作的，那时候家里穷，读了几年私塾。", "{year}年，我在{place}参加了革命，那年我才十七岁。",
              "我老家在{place}，{year}年跟着队伍出来的。"],
    "middle": ["后来随军南下，一路走到湘西，参加了剿匪。", "解放战争时期我在后方搞支前，推着小车送粮食。",
               "土改的时候我在工作队，挨家挨户登记田亩。", "抗美援朝那几年，我们组织群众捐献飞机大炮。",
               "六十年代修水库，全县的人都上了工地，我们一干就是三年。", "改革开放以后我在县财政局，管了十几年的账。",
               "那时候下乡全靠两条腿，一个月走遍全乡四十多个村。", "剿匪那年冬天特别冷，我们在山里住了两个多月。"],
    "end": ["现在日子好了，我常跟孙子讲，要听党的话，跟党走。", "入党几十年，我最珍惜的就是这枚党员徽章。",
            "退休以后我还在老年大学教书法，能发挥一点余热就很满足。", "希望年轻人不要忘记过去，把我们的好传统传下去。"],
}
TAGS = ["南下干部", "剿匪", "土地改革", "支前", "抗美援朝", "水利建设", "改革开放", "老年大学", "入党故事"]


def extend(ctx):
    rng, today, root = ctx.rng, ctx.today, ctx.root
    people = Retiree.objects.filter(in_subtree(root.path, "organization"))
    alive = list(people.filter(status="alive").values_list("pk", "birth_date", "retirement_kind", "living", "health",
                                                          "organization_id", "specialties"))
    if not alive:
        return
    # Visits: routine visits over three years (fewer at city scale, still in bulk).
    visits = []
    rate = 0.5 if ctx.scale == "county" else 0.25
    for pk, birth, kind, living, health, org_id, _ in alive:
        for year in (2024, 2025, 2026):
            if rng.random() < rate + (0.2 if kind == "lixiu" else 0):
                end = today if year == today.year else dt.date(year, 12, 31)
                visits.append(Visit(retiree_id=pk, visited_on=names.random_date(rng, dt.date(year, 1, 5), end),
                                    kind=rng.choice(["routine", "routine", "illness"]) if health in ("poor", "bedridden") else "routine",
                                    visitors=rng.choice(["支部书记", "支委", "联络员", "老干部局干部"]),
                                    notes=rng.choice(["身体状况良好，精神矍铄", "反映小区电梯维修问题，已转社区", "送去学习资料",
                                                      "了解近况，子女照顾周到", "血压偏高，叮嘱按时服药"])))
    copy_insert(Visit, visits)
    if ctx.scale != "county":
        return

    # Hardship register, derived from living situation, health and age.
    hardship = []
    for pk, birth, kind, living, health, org_id, _ in alive:
        age = today.year - birth.year
        reasons = []
        if living == "alone":
            reasons.append(HardshipReason.ALONE)
        if living == "empty_nest" and age >= 75 and rng.random() < 0.4:
            reasons.append(HardshipReason.EMPTY_NEST)
        if health == "bedridden":
            reasons.append(HardshipReason.DISABLED)
        if age >= 90:
            reasons.append(HardshipReason.ADVANCED_AGE)
        if health == "poor" and rng.random() < 0.2:
            reasons.append(HardshipReason.SERIOUS_ILLNESS)
        if rng.random() < 0.02:
            reasons.append(HardshipReason.POVERTY)
        for r in reasons:
            hardship.append(HardshipRecord(retiree_id=pk, reason=r,
                                           since=names.random_date(rng, dt.date(2020, 1, 1), dt.date(2026, 6, 30))))
    hardship = copy_insert(HardshipRecord, hardship)

    # Festival campaigns of 2026: 春节 and 七一 done, 重阳 under way.
    plans = [("2026年春节走访慰问", Festival.SPRING, dt.date(2026, 1, 20), dt.date(2026, 2, 16), 0.97),
             ("2026年七一走访慰问老党员", Festival.JULY_FIRST, dt.date(2026, 6, 15), dt.date(2026, 7, 1), 0.95),
             ("2026年重阳节走访慰问", Festival.CHONGYANG, dt.date(2026, 10, 8), dt.date(2026, 11, 30), 0.62)]
    for name, festival, start, due, done_rate in plans:
        campaign = Campaign.objects.create(name=name, festival=festival, organization=root, starts_on=start, due_on=due,
                                           include_lixiu=True, include_hardship=True, min_age=80,
                                           include_members_only=festival == Festival.JULY_FIRST)
        services.campaign_build(campaign=campaign)
        targets = list(campaign.targets.all())
        festival_visits = []
        for t in targets:
            t.visitor = rng.choice(["县委老干部局", "支部书记", "联络员", "党工委委员"])
            if rng.random() < done_rate:
                festival_visits.append((t, Visit(retiree_id=t.retiree_id, kind="festival", campaign=campaign,
                                                 visited_on=names.random_date(rng, start, min(due, today)),
                                                 visitors=t.visitor, gifts=rng.choice(["米、油", "慰问品一份", "牛奶、水果"]),
                                                 amount=Decimal(rng.choice([300, 500, 800])))))
        created = copy_insert(Visit, [v for _, v in festival_visits])
        for (t, _), v in zip(festival_visits, created):
            t.visit = v
        type(targets[0]).objects.bulk_update(targets, ["visitor", "visit"]) if targets else None

    # 21 pairings (seed 003), with the demo carer holding four of them.
    carers = []
    for i, username in enumerate(["zhuanyuan"] + [f"carer{i:02d}" for i in range(1, 6)]):
        user, _ = User.objects.get_or_create(username=username, defaults={
            "full_name": "服务专员" if i == 0 else f"老干部局干部{names.person_name(rng, 'male')}"})
        if i:
            user.set_unusable_password()
            user.save()
            RoleAssignment.objects.get_or_create(user=user, role=Role.CARER)
        carers.append(user)
    hard_ids = list(dict.fromkeys(h.retiree_id for h in hardship))
    rng.shuffle(hard_ids)
    pairs = []
    for i, rid in enumerate(hard_ids[:21]):
        carer = carers[0] if i < 4 else carers[1 + i % 5]
        pairs.append(Pairing(carer=carer, retiree_id=rid, started_on=dt.date(2024, rng.randint(1, 12), 1),
                             cadence_days=rng.choice([30, 30, 60]), reason="困难、独居或老弱病残"))
    pairs = copy_insert(Pairing, pairs)
    pair_visits = []
    for i, p in enumerate(pairs):
        day = p.started_on + dt.timedelta(days=7)
        last = today - dt.timedelta(days=(80 if i % 5 == 0 else rng.randint(3, 25)))  # a few fall behind
        while day <= last:
            pair_visits.append(Visit(retiree_id=p.retiree_id, pairing=p, kind="pairing", visited_on=day,
                                     visitors=p.carer.display_name, notes="上门了解生活情况，帮助解决实际困难"))
            day += dt.timedelta(days=p.cadence_days + rng.randint(-5, 5))
    copy_insert(Visit, pair_visits)

    # Assistance: the special fund for 离休 cadres in difficulty, paid to them or their survivors.
    programme = AssistanceProgramme.objects.create(
        name="特殊困难离休干部帮扶资金", organization=root, lixiu_only=True, yearly_budget=Decimal("150000"),
        description="县委、县政府统筹设立，每年为困难离休干部或遗属发放帮扶资金")
    lixiu = list(people.filter(retirement_kind="lixiu").order_by("?")[:18]) if False else \
        list(people.filter(retirement_kind="lixiu").order_by("id")[:400])
    rng.shuffle(lixiu)
    apps = []
    for r in lixiu[:16]:
        for year in (2025, 2026):
            if rng.random() < 0.6:
                applied = dt.date(year, rng.randint(1, 9), rng.randint(1, 28))
                amount = Decimal(rng.choice([2000, 3000, 5000]))
                a = AssistanceApplication(programme=programme, retiree=r, applied_on=applied, amount_requested=amount,
                                          reason=rng.choice(["重病住院，医疗费用负担重", "独居高龄，生活困难", "配偶重病，家庭困难"]))
                if applied < today - dt.timedelta(days=20):
                    a.status, a.amount_approved, a.decided_on = "paid", amount, applied + dt.timedelta(days=10)
                    a.paid_on = applied + dt.timedelta(days=15)
                    dead = r.status == "deceased"
                    a.payee_name = names.person_name(rng, "female") if dead else r.name
                    a.payee_relation = "配偶" if dead else "本人"
                apps.append(a)
    copy_insert(AssistanceApplication, apps)

    # 15 volunteer teams, 500+ members, about 40 activities a year (seed 002).
    pool = [a for a in alive if today.year - a[1].year < 85]
    rng.shuffle(pool)
    teams = VolunteerTeam.objects.bulk_create([
        VolunteerTeam(name=n, organization=root, services=s, founded_on=dt.date(2019 + i % 4, 3, 5))
        for i, (n, s) in enumerate(TEAMS)])
    members, k = [], 0
    for i, team in enumerate(teams):
        size = 33 + (i * 7) % 9
        for pk, *_rest in pool[k:k + size]:
            members.append(TeamMember(team=team, retiree_id=pk, joined_on=team.founded_on,
                                      skills=team.services.split("、")[0]))
        team.leader_id = pool[k][0]
        k += size
    copy_insert(TeamMember, members)
    VolunteerTeam.objects.bulk_update(teams, ["leader"])
    by_team = {}
    for m in members:
        by_team.setdefault(m.team_id, []).append(m.retiree_id)
    activities, parts = [], []
    for year in (2024, 2025, 2026):
        end = today if year == today.year else dt.date(year, 12, 31)
        for _ in range(40 if year < today.year else 36):
            team = rng.choice(teams)
            activities.append(VolunteerActivity(team=team, held_on=names.random_date(rng, dt.date(year, 1, 10), end),
                                                title=f"{team.services.split('、')[0]}进社区", place=rng.choice(names.COMMUNITIES),
                                                beneficiaries=rng.randint(20, 150)))
    activities = copy_insert(VolunteerActivity, activities)
    for a in activities:
        for rid in rng.sample(by_team[a.team_id], min(len(by_team[a.team_id]), rng.randint(6, 15))):
            parts.append(Participation(activity=a, retiree_id=rid, hours=Decimal(rng.choice(["2", "2.5", "3", "4"]))))
    copy_insert(Participation, parts)

    # 双报到: 10 members, 111 duty days this year (seed 002).
    duty_people = [a[0] for a in pool[k:k + 10]]
    days = [11] * 10
    days[0] += 1  # 111 in all
    duties = []
    for rid, n in zip(duty_people, days):
        for d in sorted(rng.sample(range(1, 300), n)):
            duties.append(CommunityDuty(retiree_id=rid, community=rng.choice(names.COMMUNITIES),
                                        served_on=dt.date(2026, 1, 1) + dt.timedelta(days=d),
                                        content=rng.choice(["社区值班", "文明劝导", "疫苗接种引导", "环境整治"])))
    copy_insert(CommunityDuty, duties)

    roles = {}
    for kind, n in (("supervisor", 12), ("tutor", 15), ("propagandist", 10)):
        for pk, *_rest in rng.sample(pool, n):
            roles.setdefault((pk, kind), RetireeRole(retiree_id=pk, kind=kind,
                                                     since=dt.date(rng.randint(2018, 2025), 7, 1)))
    RetireeRole.objects.bulk_create(roles.values())

    # 85 red-memory interviews (seed 002).
    old = list(people.filter(retirement_kind="lixiu").values_list("pk", "name", "birth_date")[:85])
    stories = []
    for i in range(85):
        rid, name, birth = old[i % len(old)]
        year = max(birth.year + 16, 1944)
        parts = [rng.choice(STORY_PARTS["start"]).format(year=year, place=rng.choice(["湘西", "桑植", "永顺", "龙山"]))]
        parts += rng.sample(STORY_PARTS["middle"], 3) + [rng.choice(STORY_PARTS["end"])]
        tags = rng.sample(TAGS, 2)
        o = OralHistory(organization=root, title=f"{name}：{tags[0]}的岁月", interviewee_id=rid, interviewee_name=name,
                        interviewer=rng.choice(["县委老干部局", "县融媒体中心", "老年大学摄影班"]),
                        interviewed_on=names.random_date(rng, dt.date(2019, 3, 1), dt.date(2026, 10, 1)),
                        transcript="\n".join(parts), tags="、".join(tags))
        from .search import index_text

        o.search_tokens = index_text(o.title, o.tags, o.interviewee_name, o.transcript)
        stories.append(o)
    copy_insert(OralHistory, stories)

    venues = Venue.objects.bulk_create([
        Venue(name="老干部活动中心党员活动室", kind="activity_room", organization=root, address="永顺县老干部局二楼",
              capacity=60, equipment="投影仪、音响、党旗"),
        Venue(name="老年大学多功能教室", kind="classroom", organization=root, address="县老年大学三楼", capacity=80,
              equipment="电子白板、钢琴"),
        Venue(name="灵溪社区新时代文明实践站", kind="practice_station", organization=root, address="灵溪社区服务中心",
              capacity=40, equipment="图书角、血压计"),
    ])
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    bookings = []
    for d in range(1, 20, 3):
        day = today + dt.timedelta(days=d)
        bookings.append(Booking(venue=venues[d % 3], organization=root, purpose=rng.choice(["主题党日", "集中学习", "书法课"]),
                                starts_at=dt.datetime.combine(day, dt.time(9, 0), tz),
                                ends_at=dt.datetime.combine(day, dt.time(11, 0), tz), attendees=30))
    copy_insert(Booking, bookings)
    if ctx.log_history:
        log_created(hardship, "retiree__organization")
        log_created(pairs, "retiree__organization")
