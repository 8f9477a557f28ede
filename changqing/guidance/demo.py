"""Seed 001's guidance stations (常德市武陵区): 3 pilot stations, each with a chief and a
deputy, 35 guides, serving 58 party organisations across 167 两新 organisations.

Only at county scale: the stations belong to their own 两新工委 root (WL), beside
the retired-cadre jurisdiction.
"""
from __future__ import annotations

import datetime as dt

from changqing.accounts.models import RoleAssignment, User
from changqing.core.roles import Role
from changqing.demo import names
from changqing.orgs.models import Organization, OrgKind, SetupKind

from .credit_code import ALPHABET, check_char
from .models import (
    GuidanceStation, Guide, GuideApplication, GuideEvaluation, GuideVisit, HelpRequest, ItemCompletion, ListItem,
    Material, MonthlyList, NewOrg, OrgSatisfaction, StandardItem, StationMeeting, StationMeetingAttendance,
)

STATIONS = [
    ("YA", "永安街道党建工作指导站", "永安街道党群服务中心", "永安街道", 12, 60),
    ("NP", "南坪街道党建工作指导站", "南坪街道党群服务中心", "南坪街道", 12, 55),
    ("GY", "工业园党建工作指导站", "武陵工业园党建阵地", "工业园", 11, 52),
]
ALONE_PARTY_ORGS, JOINT_PARTY_ORGS, JOINT_MEMBERS = 40, 18, 52
ENTERPRISE_WORDS = ("科技", "商贸", "建材", "物流", "食品", "医药", "电子", "机械", "餐饮", "文化传媒", "家居", "汽车服务")
SOCIAL_WORDS = ("社会工作服务中心", "志愿者协会", "养老服务中心", "商会", "行业协会", "培训学校", "幼儿园")
THEMES = {3: ("疫情防控", "指导员参与帮助企业复工复产"), 4: ("读书日", "邀请党员分享读书心得"),
          6: ("安全生产月", "入企开展安全隐患排查"), 7: ("文明创建", "深入开展文明创建提升活动")}
DEMO_PASSWORD = "changqing2026"


def _credit(rng, kind: str, used: set[str]) -> str:
    while True:
        prefix = "91" if kind == NewOrg.Kind.ENTERPRISE else rng.choice(("51", "52"))
        body = "".join(rng.choice(ALPHABET[:10]) for _ in range(8)) + rng.choice(ALPHABET)
        first17 = prefix + "430702" + body
        code = first17 + check_char(first17)
        if code not in used:
            used.add(code)
            return code


def extend(ctx):
    if ctx.scale != "county" or Organization.objects.filter(code="WL").exists():
        return
    rng, today = ctx.rng, ctx.today
    root = Organization(code="WL", name="武陵区委两新工委", kind=OrgKind.COMMITTEE, established_on=dt.date(2019, 5, 1))
    root.save()
    stations, guides, orgs = [], [], []
    for code, name, base, area, n_guides, _ in STATIONS:
        station = GuidanceStation(code=f"WL-{code}", name=name, organization=root, base=base, area=area,
                                  address=f"常德市武陵区{area}", established_on=dt.date(2021, 3, 15))
        station.save()
        stations.append(station)
        for role in (Guide.Role.CHIEF, Guide.Role.DEPUTY):
            guides.append(Guide(station=station, role=role, name=names.person_name(rng, rng.choice(("male", "female"))),
                                phone=names.phone(rng), unit=f"{area}党工委" if role == Guide.Role.CHIEF else "企业党委专职副书记",
                                appointed_on=dt.date(2021, 3, 15)))
        for _ in range(n_guides):
            guides.append(Guide(station=station, name=names.person_name(rng, rng.choice(("male", "female"))),
                                phone=names.phone(rng), unit=rng.choice(("街道组织委员", "社区党委书记", "企业党支部书记",
                                                                         "退休党务工作者", "区直机关党务干部")),
                                appointed_on=names.random_date(rng, dt.date(2021, 3, 15), dt.date(2023, 6, 30))))
    guides = Guide.objects.bulk_create(guides)
    items = []
    for station in stations:
        for key, label in StandardItem.SIX:
            met = rng.random() < 0.9
            items.append(StandardItem(station=station, key=key, name=label, met=met,
                                      checked_on=dt.date(2026, 6, rng.randint(1, 28)) if met else None))
        items.append(StandardItem(station=station, name="配备多媒体电教设备", is_local=True, met=True,
                                  checked_on=dt.date(2026, 6, 15)))
    StandardItem.objects.bulk_create(items)

    # 167 organisations; 40 with their own party branch, 52 in 18 joint branches, the rest none yet.
    used: set[str] = set()
    by_station = {s.pk: [g for g in guides if g.station_id == s.pk and g.role == Guide.Role.GUIDE] for s in stations}
    for station, (_, _, _, area, _, n_orgs) in zip(stations, STATIONS):
        for _ in range(n_orgs):
            kind = NewOrg.Kind.ENTERPRISE if rng.random() < 0.75 else NewOrg.Kind.SOCIAL
            word = rng.choice(ENTERPRISE_WORDS if kind == NewOrg.Kind.ENTERPRISE else SOCIAL_WORDS)
            name = f"常德{rng.choice(names.SURNAMES)}{rng.choice('华信德丰盛源达恒通宏')}{word}"
            name += "有限公司" if kind == NewOrg.Kind.ENTERPRISE else ""
            employees = rng.randint(8, 400)
            orgs.append(NewOrg(station=station, guide=rng.choice(by_station[station.pk]), kind=kind, name=name,
                               credit_code=_credit(rng, kind, used), address=f"常德市武陵区{area}{rng.choice(names.STREETS)}{rng.randint(1, 400)}号",
                               area=area, industry=word, person_in_charge=names.person_name(rng, "male"),
                               party_contact=names.person_name(rng, rng.choice(("male", "female"))),
                               party_contact_phone=names.phone(rng), employees=employees,
                               party_members=min(employees, rng.randint(0, 12))))
    rng.shuffle(orgs)
    party_orgs = []
    for i in range(ALONE_PARTY_ORGS):
        org = orgs[i]
        org.party_members = max(org.party_members, 3)
        org.employees = max(org.employees, org.party_members)
        org.party_org_status = NewOrg.PartyOrgStatus.ALONE
        party_orgs.append(Organization(code=f"WL-P{i + 1:03d}", name=f"{org.name}党支部", kind=OrgKind.BRANCH,
                                       parent=root, setup_kind=SetupKind.ALONE))
    joint = orgs[ALONE_PARTY_ORGS:ALONE_PARTY_ORGS + JOINT_MEMBERS]
    for j in range(JOINT_PARTY_ORGS):
        party_orgs.append(Organization(code=f"WL-J{j + 1:03d}", name=f"武陵区非公企业第{j + 1}联合党支部",
                                       kind=OrgKind.BRANCH, parent=root, setup_kind=SetupKind.COMBINED))
    for p in party_orgs:
        p.path = Organization.build_path(root.path, p.code)
        p.depth = 2
    party_orgs = Organization.objects.bulk_create(party_orgs)
    for i in range(ALONE_PARTY_ORGS):
        orgs[i].party_org = party_orgs[i]
    for k, org in enumerate(joint):
        org.party_org_status = NewOrg.PartyOrgStatus.JOINT
        org.party_org = party_orgs[ALONE_PARTY_ORGS + k % JOINT_PARTY_ORGS]
    orgs = NewOrg.objects.bulk_create(orgs)

    # Monthly rhythm for 2026: 例会, lists with completion, visits, help requests.
    meetings, attendance, lists, list_items, completions, visits, requests = [], [], [], [], [], [], []
    station_guides = {s.pk: [g for g in guides if g.station_id == s.pk] for s in stations}
    station_orgs = {s.pk: [o for o in orgs if o.station_id == s.pk] for s in stations}
    for month in range(1, today.month + (today.day >= 20)):
        first = dt.date(2026, month, 1)
        for station in stations:
            if not (month == 8 and station.code == "WL-GY"):  # one station skipped August
                meetings.append(StationMeeting(station=station, held_on=first.replace(day=rng.randint(5, 15)),
                                               topic=f"{month}月党建工作指导站例会", minutes="交流两新组织党建工作情况，部署本月清单事项。"))
            theme = THEMES.get(month, ("主题党日", "组织党员开展主题党日活动"))
            lists.append(MonthlyList(station=station, month=first, kind=MonthlyList.Kind.THEME_DAY,
                                     title=f"{month}月主题党日清单：{theme[0]}", published_on=first))
            lists.append(MonthlyList(station=station, month=first, kind=MonthlyList.Kind.WORK_PROMPT,
                                     title=f"{month}月工作提示清单", published_on=first))
    meetings = StationMeeting.objects.bulk_create(meetings)
    for m in meetings:
        for g in station_guides[m.station_id]:
            present = rng.random() < 0.88
            attendance.append(StationMeetingAttendance(meeting=m, guide=g, present=present,
                                                       note="" if present else rng.choice(("公务外出", "生病", "企业检查"))))
    StationMeetingAttendance.objects.bulk_create(attendance)
    lists = MonthlyList.objects.bulk_create(lists)
    for ml in lists:
        month = ml.month.month
        if ml.kind == MonthlyList.Kind.THEME_DAY:
            theme = THEMES.get(month, ("主题党日", "组织党员开展主题党日活动"))
            list_items.append(ListItem(monthly_list=ml, title=theme[0], description=theme[1],
                                       due_on=ml.month.replace(day=25)))
        else:
            list_items.append(ListItem(monthly_list=ml, title="按期召开党员大会或支委会", due_on=ml.month.replace(day=28)))
            list_items.append(ListItem(monthly_list=ml, title="更新党员花名册台账", due_on=ml.month.replace(day=28)))
    list_items = ListItem.objects.bulk_create(list_items)
    list_station = {ml.pk: ml.station_id for ml in lists}
    list_month = {ml.pk: ml.month for ml in lists}
    for item in list_items:
        recent = list_month[item.monthly_list_id].month == today.month
        for org in station_orgs[list_station[item.monthly_list_id]]:
            if rng.random() < (0.45 if recent else 0.82):
                completions.append(ItemCompletion(item=item, new_org=org, done_on=min(today, item.due_on -
                                                                                       dt.timedelta(days=rng.randint(0, 12)))))
    ItemCompletion.objects.bulk_create(completions)
    for org in orgs:
        days = set()
        for _ in range(rng.randint(1, 5)):
            visit = GuideVisit(guide=org.guide, new_org=org,
                               visited_on=names.random_date(rng, dt.date(2026, 1, 5), today),
                               content=rng.choice(("了解生产经营和党建工作情况", "指导规范“三会一课”记录",
                                                   "宣讲最新政策", "协助筹备主题党日活动")),
                               help_given=rng.choice(("", "", "协调解决用工招聘问题", "帮助对接金融服务")))
            if visit.visited_on not in days:  # one visit a day (guidance_visit_one_per_day); same draws either way
                days.add(visit.visited_on)
                visits.append(visit)
    GuideVisit.objects.bulk_create(visits)
    topics = [("党员组织关系如何转入", "新招聘的员工是党员，组织关系在老家，如何转到我们联合支部？"),
              ("主题党日活动场地", "企业没有会议室，主题党日活动去哪里开展？"),
              ("党费收缴标准", "员工工资由基本工资和绩效组成，党费基数怎么算？"),
              ("发展党员流程", "有员工递交了入党申请书，下一步怎么做？"),
              ("党建经费", "非公企业党组织的活动经费从哪里来？")]
    for i, org in enumerate(rng.sample(orgs, 24)):
        title, desc = topics[i % len(topics)]
        raised = names.random_date(rng, dt.date(2026, 2, 1), today)
        req = HelpRequest(new_org=org, title=title, description=desc, raised_by=org.party_contact, raised_on=raised)
        roll = rng.random()
        if roll < 0.7 and (today - raised).days > 3:
            req.status, req.guide = HelpRequest.Status.ANSWERED, org.guide
            req.answer, req.answered_on = "已电话联系并现场指导，按规定程序办理。", raised + dt.timedelta(days=rng.randint(1, 3))
            if roll < 0.5:
                req.status, req.closed_on, req.close_note = HelpRequest.Status.CLOSED, req.answered_on + dt.timedelta(days=2), "问题已解决"
        requests.append(req)
    HelpRequest.objects.bulk_create(requests)

    # Quarterly evaluations and satisfaction for the first three quarters of 2026.
    evaluations, ratings = [], []
    for g in guides:
        if g.role != Guide.Role.GUIDE:
            continue
        served = [o for o in orgs if o.guide_id == g.pk]
        for quarter in (1, 2, 3):
            base = rng.uniform(72, 97)
            evaluations.append(GuideEvaluation(guide=g, year=2026, quarter=quarter, score=round(base, 1),
                                               comments=rng.choice(("工作扎实，走访到位", "指导有方，企业认可", "需加强走访频次")),
                                               recommended=base >= 94 and quarter == 3))
            for o in served[:4]:
                ratings.append(OrgSatisfaction(guide=g, new_org=o, year=2026, quarter=quarter,
                                               rating=5 if base > 90 else rng.choice((3, 4, 4, 5))))
    GuideEvaluation.objects.bulk_create(evaluations)
    OrgSatisfaction.objects.bulk_create(ratings)
    # Applications under review and a shared board per station.
    from django.core.files.base import ContentFile

    applications, materials = [], []
    for station in stations:
        for status in ("pending", "approved", "rejected"):
            applications.append(GuideApplication(
                station=station, name=names.person_name(rng, rng.choice(("male", "female"))), phone=names.phone(rng),
                unit=rng.choice(("区直机关党务干部", "退休党务工作者", "社区党委委员")), is_party_member=True,
                experience="从事党务工作十余年", motivation="愿意为两新组织党建出力", status=status,
                reviewed_on=None if status == "pending" else dt.date(2026, 3, 1),
                review_note="" if status != "rejected" else "本期名额已满，下期优先考虑"))
        m = Material(station=station, title=f"{station.area}两新组织“三会一课”记录模板", non_classified=True,
                     description="供各两新组织党支部参考使用")
        m.file.save(f"{station.code}-三会一课记录模板.txt", ContentFile("会议时间：\n会议地点：\n主持人：\n".encode()),
                    save=False)
        materials.append(m)
    GuideApplication.objects.bulk_create(applications)
    Material.objects.bulk_create(materials)


def demo_users(ctx):
    """A station chief and a guide of 永安街道; the county admin also administers the 两新工委."""
    station = GuidanceStation.objects.filter(code="WL-YA").first()
    if station is None:
        return []
    out = []
    chief = station.guides.filter(role=Guide.Role.CHIEF).first()
    guide = station.guides.filter(role=Guide.Role.GUIDE).order_by("id").first()
    for username, person, role in (("zhanzhang", chief, Role.STATION_CHIEF), ("zhidaoyuan", guide, Role.GUIDE)):
        user, _ = User.objects.get_or_create(username=username, defaults={"full_name": person.name})
        user.full_name = person.name
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.role_assignments.all().delete()
        RoleAssignment.objects.create(user=user, role=role, station_id=station.pk)
        person.user = user
        person.save(update_fields=["user"])
        out.append({"username": username, "password": DEMO_PASSWORD, "role": role.label, "scope": station.name})
    admin = User.objects.filter(username="admin").first()
    if admin is not None:
        RoleAssignment.objects.get_or_create(user=admin, role=Role.BUREAU_ADMIN,
                                             organization=Organization.objects.get(code="WL"))
    return out
