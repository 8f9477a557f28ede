"""Deterministic demo data: `seed_demo --scale county|city|province --seed N`.

county   — modelled on seed 003 (永顺县): one 党工委 of 7 members, 52 retired-cadre
           branches in 12 zones, a senior-university general branch with 15
           temporary branches, 1,491 retirees (a few hundred 离休 born 1925–1935),
           seasonal absences (winter in 三亚) over three years.
city     — exactly seed 000 篇6 as of 2018-12-31: 33,226 retirees, 889 离休 (613
           party members), 32,337 退休 (17,768 members); 881 party organisations,
           234 set up alone and 647 combined with in-service staff or in communities.
           The district/county 党工委 above them are not counted among the 881.
province — about 1,000,000 party members across many cities, streamed in batches
           so memory stays bounded.

Rows are written with bulk_create in batches; the change log gets one bulk
insert per batch (see core.changelog.bulk_log_changes).
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from changqing.core.changelog import bulk_log_changes
from changqing.members.models import (
    Absence, Health, Living, Membership, MembershipState, MembershipStatus, Retiree, RetirementKind, name_pinyin,
)
from changqing.orgs.models import Nature, Organization, OrgKind, SetupKind, Zone

from . import names

BATCH = 5000
TODAY = dt.date(2026, 11, 24)

# Branch names the seeds give, then generic ones built from former units.
SEED_BRANCH_NAMES = ["县政府办老干党支部", "天鹅湖社区退休党支部", "县老科协临时党支部"]
UNIVERSITY_CLASSES = ["书法", "绘画", "声乐", "舞蹈", "太极", "摄影", "诗词", "电脑", "保健", "京剧", "器乐", "英语", "烹饪",
                      "园艺", "手工"]


@dataclass
class Counts:
    organizations: int = 0
    zones: int = 0
    retirees: int = 0
    members: int = 0
    absences: int = 0


class DemoGenerator:
    def __init__(self, seed: int = 1, log_history: bool = True, progress=None):
        self.rng = random.Random(seed)
        self.seed = seed
        self.used_ids: set[str] = set()
        self.log_history = log_history
        self.progress = progress or (lambda message: None)
        self.counts = Counts()
        self.roots: list[str] = []  # jurisdiction roots created, for the app extenders

    # -- organisations -------------------------------------------------
    def _orgs(self, items: list[Organization]) -> list[Organization]:
        for org in items:
            parent_path = org.parent.path if org.parent_id else None
            org.path = Organization.build_path(parent_path, org.code)
            org.depth = org.path.strip("/").count("/") + 1
        created = Organization.objects.bulk_create(items, batch_size=BATCH)
        if self.log_history:
            bulk_log_changes(created)
        self.counts.organizations += len(created)
        return created

    def _zones(self, items: list[Zone]) -> list[Zone]:
        created = Zone.objects.bulk_create(items)
        if self.log_history:
            bulk_log_changes(created)
        self.counts.zones += len(created)
        return created

    # -- people ----------------------------------------------------------
    def _person(self, org: Organization, kind: str, county: str, region: str) -> Retiree:
        rng = self.rng
        gender = "male" if rng.random() < (0.8 if kind == RetirementKind.LIXIU else 0.58) else "female"
        if kind == RetirementKind.LIXIU:
            birth = names.random_date(rng, dt.date(1925, 1, 1), dt.date(1935, 12, 31))
            retired = dt.date(birth.year + rng.choice((55, 60)), rng.randint(1, 12), 1)
        else:
            birth = names.random_date(rng, dt.date(1938, 1, 1), dt.date(1966, 6, 30))
            retired = dt.date(birth.year + (60 if gender == "male" else rng.choice((50, 55))), birth.month, 1)
        age = TODAY.year - birth.year
        health = rng.choices([Health.GOOD, Health.FAIR, Health.POOR, Health.BEDRIDDEN],
                             weights=[max(5, 100 - age), 40, max(2, age - 60), max(1, age - 75)])[0]
        living = rng.choices([Living.WITH_FAMILY, Living.EMPTY_NEST, Living.ALONE, Living.CARE_HOME],
                             weights=[45, 35, 12 + max(0, age - 80), 3 + max(0, age - 85)])[0]
        addr, community = names.address(rng, county)
        name = names.person_name(rng, gender)
        full, initials = name_pinyin(name)
        return Retiree(
            name=name, name_pinyin=full, name_initials=initials, gender=gender,
            ethnicity=rng.choice(names.ETHNICITIES),
            id_number=names.id_number(rng, region, birth, gender, self.used_ids), birth_date=birth,
            retirement_kind=kind, retired_on=retired, former_unit=rng.choice(names.UNITS),
            former_post=rng.choice(names.POSTS), rank=rng.choice(names.RANKS), phone=names.phone(rng),
            address=addr, community=community, health=health,
            mobility_impaired=health in (Health.POOR, Health.BEDRIDDEN) and rng.random() < 0.8,
            living=living, family_contact=names.person_name(rng, rng.choice(("male", "female"))),
            family_phone=names.phone(rng),
            specialties="、".join(rng.sample(names.SPECIALTIES, rng.randint(0, 2))),
            service_needs="、".join(rng.sample(names.NEEDS, rng.randint(0, 2))) if age > 75 else "",
            organization=org,
        )

    def _membership(self, retiree: Retiree) -> Membership:
        rng = self.rng
        b = retiree.birth_date
        if retiree.retirement_kind == RetirementKind.LIXIU:
            joined = names.random_date(rng, dt.date(max(b.year + 18, 1938), 1, 1), dt.date(b.year + 30, 12, 31))
        else:
            joined = names.random_date(rng, dt.date(b.year + 20, 1, 1), dt.date(min(b.year + 50, 2012), 12, 31))
        return Membership(retiree=retiree, organization=retiree.organization, status=MembershipStatus.FULL,
                          state=MembershipState.ACTIVE, joined_on=joined, full_on=joined + dt.timedelta(days=365))

    def _write_people(self, plan: Iterator[tuple[Organization, str, bool]], county: str, region: str,
                      absence_rate: float = 0.0):
        """plan yields (organisation, retirement kind, is party member)."""
        batch: list[tuple[Retiree, bool]] = []

        def flush():
            if not batch:
                return
            with transaction.atomic():
                retirees = Retiree.objects.bulk_create([r for r, _ in batch], batch_size=BATCH)
                members = [self._membership(r) for r, is_member in zip(retirees, [m for _, m in batch]) if is_member]
                Membership.objects.bulk_create(members, batch_size=BATCH)
                absences = []
                for m in members:
                    if self.rng.random() < absence_rate:
                        absences.extend(self._winters(m.retiree))
                Absence.objects.bulk_create(absences, batch_size=BATCH)
                if self.log_history:
                    bulk_log_changes(retirees)
                    bulk_log_changes(members)
                    bulk_log_changes(absences)
            self.counts.retirees += len(retirees)
            self.counts.members += len(members)
            self.counts.absences += len(absences)
            self.progress(f"已写入 {self.counts.retirees} 名离退休干部")
            batch.clear()

        for org, kind, is_member in plan:
            batch.append((self._person(org, kind, county, region), is_member))
            if len(batch) >= BATCH:
                flush()
        flush()

    def _winters(self, retiree: Retiree) -> list[Absence]:
        """Seasonal stays in the south over the last three winters (南迁三亚)."""
        out = []
        place = self.rng.choice(("海南省三亚市", "海南省海口市", "广西北海市", "云南省西双版纳"))
        for year in (2023, 2024, 2025):
            if self.rng.random() < 0.8:
                start = dt.date(year, 11, self.rng.randint(1, 28))
                months = self.rng.choice((3, 4, 5, 7))  # a few stay past six months
                end = start + dt.timedelta(days=30 * months)
                out.append(Absence(retiree=retiree, start_on=start, end_on=end, place=place, reason="冬季异地居住"))
        return out

    # -- scales ----------------------------------------------------------
    def county(self) -> Counts:
        rng = self.rng
        root = self._orgs([Organization(code="YS", name="永顺县离退休干部党工委", kind=OrgKind.COMMITTEE,
                                        established_on=dt.date(2016, 3, 1), address="永顺县老干部局")])[0]
        self.roots.append(root.code)
        zones = self._zones([Zone(code=f"YS-Z{i:02d}", name=f"第{_cn(i)}片组", organization=root)
                             for i in range(1, 13)])
        branch_names = list(SEED_BRANCH_NAMES[:2])
        for unit in names.UNITS:
            candidate = f"{unit}离退休干部党支部"
            if candidate not in branch_names and unit != "县政府办":
                branch_names.append(candidate)
        for community in names.COMMUNITIES:
            if len(branch_names) >= 52:
                break
            candidate = f"{community}退休党支部"
            if candidate not in branch_names:
                branch_names.append(candidate)
        i = 0
        while len(branch_names) < 52:
            i += 1
            branch_names.append(f"县直机关第{_cn(i)}离退休干部联合党支部")
        branches = []
        for i, name in enumerate(branch_names[:52], start=1):
            setup = SetupKind.COMMUNITY if "社区" in name else (SetupKind.COMBINED if "联合" in name else SetupKind.ALONE)
            branches.append(Organization(
                code=f"YS-B{i:03d}", name=name, kind=OrgKind.BRANCH, setup_kind=setup, parent=root,
                nature=Nature.STRUCTURAL, zone=zones[(i - 1) % 12],
                established_on=names.random_date(rng, dt.date(2005, 1, 1), dt.date(2017, 12, 31)),
                term_years=5 if setup == SetupKind.COMMUNITY else 3, address=f"{name[:-3]}活动室"))
        branches = self._orgs(branches)
        for z_index, zone in enumerate(zones):
            in_zone = [b for b in branches if b.zone_id == zone.pk]
            zone.lead_org, zone.deputy_org = in_zone[0], in_zone[1]
        Zone.objects.bulk_update(zones, ["lead_org", "deputy_org"])
        university = self._orgs([Organization(
            code="YS-U", name="县老年大学临时党总支", kind=OrgKind.GENERAL_BRANCH, parent=root,
            setup_kind=SetupKind.SENIOR_UNIVERSITY, nature=Nature.FUNCTIONAL, established_on=dt.date(2015, 9, 1))])[0]
        self._orgs([Organization(code=f"YS-U{i:02d}", name=f"老年大学{cls}班临时党支部", kind=OrgKind.BRANCH,
                                 parent=university, setup_kind=SetupKind.SENIOR_UNIVERSITY, nature=Nature.FUNCTIONAL,
                                 established_on=dt.date(2015, 9, 1))
                    for i, cls in enumerate(UNIVERSITY_CLASSES, start=1)])

        # 1,491 retirees on the 52 branches' rolls; sizes vary (8 to ~50).
        weights = [rng.uniform(0.5, 2.0) for _ in branches]
        lixiu_total, total = 286, 1491

        def plan():
            for n in range(total):
                org = rng.choices(branches, weights=weights)[0]
                kind = RetirementKind.LIXIU if n < lixiu_total else RetirementKind.TUIXIU
                is_member = rng.random() < (0.72 if kind == RetirementKind.LIXIU else 0.78)
                yield org, kind, is_member

        self._write_people(plan(), "永顺县", "433127", absence_rate=0.08)
        return self.counts

    def city(self, prefix: str = "BB", city_name: str = "蚌埠市", region: str = "340300") -> Counts:
        """Seed 000 篇6's figures exactly."""
        rng = self.rng
        root = self._orgs([Organization(code=prefix, name=f"{city_name}委老干部局离退休干部党建工作领导小组",
                                        kind=OrgKind.COMMITTEE, established_on=dt.date(2010, 1, 1))])[0]
        self.roots.append(root.code)
        districts = ["龙子湖区", "蚌山区", "禹会区", "淮上区", "怀远县", "五河县", "固镇县", "市直机关"]
        committees = self._orgs([Organization(code=f"{prefix}-D{i}", name=f"{d}离退休干部党工委", kind=OrgKind.COMMITTEE,
                                              parent=root, established_on=dt.date(2012, 1, 1))
                                 for i, d in enumerate(districts, start=1)])
        setups = [SetupKind.ALONE] * 234 + [SetupKind.COMBINED] * 400 + [SetupKind.COMMUNITY] * 247
        rng.shuffle(setups)
        branches = []
        for i, setup in enumerate(setups, start=1):
            parent = committees[(i - 1) % len(committees)]
            label = {"alone": "离退休干部党支部", "combined": "机关党支部（含离退休党员）", "community": "社区党支部（离退休党员）"}[setup]
            branches.append(Organization(code=f"{prefix}-B{i:04d}", name=f"{parent.name[:-5]}第{i}{label}",
                                         kind=OrgKind.BRANCH, setup_kind=setup, parent=parent,
                                         term_years=5 if setup == SetupKind.COMMUNITY else 3,
                                         established_on=names.random_date(rng, dt.date(1990, 1, 1), dt.date(2018, 6, 30))))
        branches = self._orgs(branches)
        plan_rows = ([(RetirementKind.LIXIU, True)] * 613 + [(RetirementKind.LIXIU, False)] * (889 - 613)
                     + [(RetirementKind.TUIXIU, True)] * 17768 + [(RetirementKind.TUIXIU, False)] * (32337 - 17768))
        rng.shuffle(plan_rows)

        def plan():
            for n, (kind, is_member) in enumerate(plan_rows):
                # Every branch gets members first, so none is left empty.
                org = branches[n % len(branches)] if n < len(branches) * 3 else rng.choice(branches)
                yield org, kind, is_member

        self._write_people(plan(), city_name, region, absence_rate=0.05)
        return self.counts

    def province(self, target_members: int = 1_000_000) -> Counts:
        """Many city-sized jurisdictions, streamed; stops once the member target is reached."""
        regions = ["340100", "340200", "340300", "340400", "340500", "340600", "340700", "340800", "341000",
                   "341100", "341200", "341300", "341500", "341600", "341700", "341800"]
        i = 0
        while self.counts.members < target_members:
            region = regions[i % len(regions)]
            self.city(prefix=f"P{i:02d}", city_name=f"第{i + 1}市", region=region)
            i += 1
            self.progress(f"省级数据：{i} 个市，{self.counts.members} 名党员")
        return self.counts


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
