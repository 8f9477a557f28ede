"""Deterministic demo data: `seed_demo --scale county|city|province --seed N`.

county   — modelled on seed 003 (永顺县): one 党工委, 52 retired-cadre branches in
           12 zones (unit, joint, community and town branches, named as the seed
           names them: 县政府办老干党支部, 天鹅湖社区退休党支部), a senior-university
           temporary general branch with 15 temporary class branches, 1,491
           retirees (286 离休 born 1925–1935, the rest 退休), seasonal absences
           (winter in 三亚) over the last three winters and the current one.
city     — exactly seed 000 篇6 as of 2018-12-31: 33,226 retirees, 889 离休 (613
           party members), 32,337 退休 (17,768 members); 881 party organisations,
           234 set up alone and 647 combined with in-service staff or in
           communities. The district/county 党工委 and 机关工委 above them are not
           counted among the 881.
province — about 1,000,000 party members: cities built like the city demo,
           scaled, under one province root; written district by district in
           batches so memory stays bounded by a batch and a district.

People are plausible as a whole: given names follow the birth decade, former
units match the branch (a school's branch holds its teachers), health and
living situations follow age, every party date is possible (joined at 18 or
older; 离休 members joined before 1949-10-01, DOMAIN.md §2), retirement dates
are on or before the scale's reference date.

Rows are written in batches with COPY (demo.bulk.copy_insert: exactly the rows
bulk_create would write, ids included); the change log gets one insert per
batch (demo.bulk.log_created, the records of core.changelog.bulk_log_changes).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction
from django.db.models import Max

from changqing.members.models import (
    Absence, Health, Living, Membership, MembershipState, MembershipStatus, Retiree, RetirementKind, name_pinyin,
)
from changqing.orgs.models import Nature, Organization, OrgKind, SetupKind, Zone

from . import names
from .names import COUNTY_BRANCHES, cn_number
from .bulk import copy_insert, log_created

BATCH = 5000
TODAY = dt.date(2026, 11, 24)
FOUNDING = dt.date(1949, 10, 1)  # 离休: joined the revolution before this day
ROOTS = {"county": "YS", "city": "BB", "province": "P"}

# ---------------------------------------------------------------------------
# County (seed 003, 永顺县)
# ---------------------------------------------------------------------------
COUNTY_TOTAL, COUNTY_LIXIU = 1491, 286
COUNTY_LIXIU_MEMBERS, COUNTY_TUIXIU_MEMBERS = 197, 904
UNIVERSITY_CLASSES = ["书法", "绘画", "声乐", "舞蹈", "太极", "摄影", "诗词", "电脑", "保健", "京剧", "器乐", "英语", "烹饪",
                      "园艺", "手工"]
COUNTY_ZONES = ["党政综合", "政法", "教育一", "教育二", "卫生健康", "财税金融", "农林水", "城建交通", "经济商贸", "城区社区一",
                "城区社区二", "乡镇"]
COUNTY_OFFICE_UNITS = tuple(u for b in COUNTY_BRANCHES for u in b[2] if b[3] == "office")
COUNTY_COMMUNITIES = ("天鹅湖社区", "灵溪社区", "猛洞河社区", "溪州社区", "芙蓉社区", "桂花社区", "连洞社区", "望城社区")

# ---------------------------------------------------------------------------
# City (seed 000 篇6, 蚌埠市) and the province built of cities like it
# ---------------------------------------------------------------------------
CITY_FIGURES = {"retirees": 33226, "lixiu": 889, "lixiu_members": 613, "tuixiu": 32337, "tuixiu_members": 17768,
                "orgs": 881, "alone": 234, "combined": 400, "community": 247}
CITY_AS_OF = dt.date(2018, 12, 31)
# (code, name of the committee above the branches, place, region code, share of the 881 organisations).
# 篇6: four districts and 五河县 set up retired-cadre 党工委; elsewhere the branches sit under 机关工委.
CITY_DISTRICTS = [
    ("D1", "市直机关工委", "市直", "01", 0.25),
    ("D2", "龙子湖区直机关离退休干部党工委", "龙子湖区", "02", 0.10),
    ("D3", "蚌山区直机关离退休干部党工委", "蚌山区", "03", 0.11),
    ("D4", "禹会区直机关离退休干部党工委", "禹会区", "04", 0.10),
    ("D5", "淮上区直机关离退休干部党工委", "淮上区", "11", 0.08),
    ("D6", "怀远县直机关工委", "怀远县", "21", 0.15),
    ("D7", "五河县离退休干部党工委", "五河县", "22", 0.10),
    ("D8", "固镇县直机关工委", "固镇县", "23", 0.11),
]
MUNICIPAL_UNITS = (
    "市委办公室", "市政府办公室", "市人大常委会机关", "市政协机关", "市纪委监委", "市委组织部", "市委宣传部", "市委统战部",
    "市委政法委", "市发展改革委", "市教育局", "市科技局", "市经信局", "市公安局", "市民政局", "市司法局", "市财政局", "市人社局",
    "市自然资源和规划局", "市生态环境局", "市住建局", "市交通运输局", "市水利局", "市农业农村局", "市商务局", "市文旅局",
    "市卫健委", "市应急管理局", "市审计局", "市国资委", "市市场监管局", "市统计局", "市医保局", "市城管局", "市林业局",
    "市总工会", "团市委", "市妇联", "市供销社", "市粮食局", "市档案馆", "市委党校", "市广播电视台", "市中级人民法院",
    "市人民检察院", "市税务局", "市气象局", "市烟草专卖局", "市邮政管理局", "市供电公司",
)
MUNICIPAL_SCHOOLS = ("蚌埠第一中学", "蚌埠第二中学", "蚌埠第三中学", "蚌埠铁路中学", "蚌埠第二实验小学", "市职业教育中心")
MUNICIPAL_HOSPITALS = ("市第一人民医院", "市第二人民医院", "市第三人民医院", "市第五人民医院", "市中医院", "市妇幼保健院")
LOCAL_UNITS = ("委办", "政府办", "人大机关", "政协机关", "纪委监委", "委组织部", "委宣传部", "公安局", "财政局", "教育局", "人社局",
               "民政局", "住建局", "农业农村局", "水利局", "交通运输局", "市场监管局", "审计局", "统计局", "司法局", "卫健委",
               "文旅局", "自然资源局", "城管局", "商务局", "人民法院", "人民检察院", "供销社", "税务局")
LOCAL_SCHOOLS = ("第一中学", "第二中学", "实验小学", "职业中学")
LOCAL_HOSPITALS = ("人民医院", "中医院")
TOWNS = ("城关镇", "新集镇", "双桥镇", "河溜镇", "龙亢镇", "古城镇", "马城镇", "新马桥镇", "王庄镇", "湖沟镇", "小圩镇", "武桥镇")
STREETS = ("东风街道", "延安街道", "治淮街道", "解放街道", "朝阳街道", "纬四街道", "曹山街道", "黄庄街道", "长淮卫镇", "小蚌埠镇")
COMMUNITY_WORDS = ("和平", "建设", "光明", "幸福", "南山", "新村", "东升", "春晖", "花园", "胜利", "锦绣", "秀水", "学苑",
                   "宏业", "翠竹", "金桥", "华夏", "天河", "龙湖", "凤凰")
PROVINCE_CITIES = [("合肥", "3401"), ("芜湖", "3402"), ("蚌埠", "3403"), ("淮南", "3404"), ("马鞍山", "3405"),
                   ("淮北", "3406"), ("铜陵", "3407"), ("安庆", "3408"), ("黄山", "3410"), ("滁州", "3411"),
                   ("阜阳", "3412"), ("宿州", "3413"), ("六安", "3415"), ("亳州", "3416"), ("池州", "3417"),
                   ("宣城", "3418")]
PROVINCE_DISTRICTS = [("D1", "市直机关工委", "市直", "01", 0.25), ("D2", "城东区离退休干部党工委", "城东区", "02", 0.12),
                      ("D3", "城西区离退休干部党工委", "城西区", "03", 0.12), ("D4", "城南区离退休干部党工委", "城南区", "04", 0.11),
                      ("D5", "东县离退休干部党工委", "东县", "21", 0.14), ("D6", "西县直机关工委", "西县", "22", 0.13),
                      ("D7", "南县离退休干部党工委", "南县", "23", 0.13)]
MEMBERS_PER_PROVINCE_CITY = 65_000


@dataclass(frozen=True)
class Place:
    """Where a branch's people live and were registered."""

    address_prefix: str  # 永顺县灵溪镇 / 蚌埠市蚌山区
    region: str  # six-digit ID region code
    area_code: str  # landline prefix
    local: str | None = None  # surname bias (names.LOCAL_SURNAMES)
    ethnicities: tuple[tuple[str, int], ...] = (("汉族", 97), ("回族", 2), ("满族", 1))


YONGSHUN_ETHNICITIES = (("土家族", 56), ("汉族", 28), ("苗族", 13), ("白族", 1), ("侗族", 1), ("回族", 1))


@dataclass
class BranchPlan:
    """What the people writer needs to know about one branch."""

    org: Organization
    place: Place
    units: tuple[str, ...]  # former units its people come from
    career: str  # school | hospital | office | town | community
    communities: tuple[str, ...] = ()
    # How many people of each kind: 离休 members, 离休 others, 退休 members, 退休 others.
    lixiu_members: int = 0
    lixiu_others: int = 0
    tuixiu_members: int = 0
    tuixiu_others: int = 0

    @property
    def total(self) -> int:
        return self.lixiu_members + self.lixiu_others + self.tuixiu_members + self.tuixiu_others


@dataclass
class Counts:
    organizations: int = 0
    zones: int = 0
    retirees: int = 0
    members: int = 0
    absences: int = 0


@dataclass
class LoadResult:
    scale: str
    seed: int
    counts: Counts
    roots: list[str]
    generator_seconds: float
    extender_seconds: float = 0.0
    extenders: list[str] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    # Highest primary key per table once the generator was done (before the extenders),
    # so a benchmark can take exactly the rows the generator wrote.
    watermarks: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows the generator itself wrote (organisations, zones, people, memberships, absences)."""
        c = self.counts
        return c.organizations + c.zones + c.retirees + c.members + c.absences


@lru_cache(maxsize=4096)  # common names repeat; bounded so a province run stays flat
def _pinyin(name: str) -> tuple[str, str]:
    return name_pinyin(name)


def allocate(total: int, weights: list[float], *, minimum: int = 0, cap: int | None = None) -> list[int]:
    """Split `total` over `weights` exactly (largest remainder), each at least `minimum`, at most `cap`."""
    n = len(weights)
    if n == 0:
        return []
    base = [minimum] * n
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("total below the minimum")
    weight_sum = sum(weights) or 1.0
    shares = [rest * w / weight_sum for w in weights]
    out = [b + int(s) for b, s in zip(base, shares)]
    order = sorted(range(n), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    if cap is not None:
        if cap * n < total:
            raise ValueError("total above the cap")
        excess = sum(max(0, v - cap) for v in out)
        out = [min(v, cap) for v in out]
        i = 0
        by_room = sorted(range(n), key=lambda k: (out[k], k))
        while excess:
            k = by_room[i % n]
            if out[k] < cap:
                out[k] += 1
                excess -= 1
            i += 1
    return out


def weighted_pick(rng: random.Random, capacities: list[int], weights: list[float], k: int) -> list[int]:
    """How many of k picks land in each bucket: k slots drawn without replacement,
    a bucket with capacity c and weight w offering c slots of weight w (Efraimidis–Spirakis keys)."""
    keys = []
    for bucket, (capacity, w) in enumerate(zip(capacities, weights)):
        w = max(w, 1e-6)
        for _ in range(capacity):
            keys.append((rng.random() ** (1.0 / w), bucket))
    keys.sort(reverse=True)
    out = [0] * len(capacities)
    for _, bucket in keys[:k]:
        out[bucket] += 1
    return out


class DemoGenerator:
    def __init__(self, seed: int = 1, log_history: bool = True, progress=None, batch_size: int = BATCH):
        self.rng = random.Random(seed)
        self.seed = seed
        self.log_history = log_history
        self.progress = progress or (lambda message: None)
        self.batch_size = batch_size
        self.counts = Counts()
        self.roots: list[str] = []  # jurisdiction roots created, for the app extenders
        self.batches: list[int] = []  # size of every people batch written (for the streaming test)

    # -- organisations -------------------------------------------------
    def _orgs(self, items: list[Organization]) -> list[Organization]:
        for org in items:
            parent_path = org.parent.path if org.parent_id else None
            org.path = Organization.build_path(parent_path, org.code)
            org.depth = org.path.strip("/").count("/") + 1
        created = copy_insert(Organization, items, batch_size=self.batch_size)
        if self.log_history:
            log_created(created)
        self.counts.organizations += len(created)
        return created

    def _zones(self, items: list[Zone]) -> list[Zone]:
        created = copy_insert(Zone, items)
        if self.log_history:
            log_created(created)
        self.counts.zones += len(created)
        return created

    # -- people ----------------------------------------------------------
    def _birth_and_retirement(self, kind: str, gender: str, member: bool, as_of: dt.date) -> tuple[dt.date, dt.date]:
        rng = self.rng
        if kind == RetirementKind.LIXIU:
            # A 离休 party member joined before 1949-10-01 at 18 or older, so was born by 1931-09-30.
            latest = dt.date(1931, 9, 30) if member else dt.date(1935, 12, 31)
            birth = names.random_date(rng, dt.date(1925, 1, 1), latest)
            retire_age = 60 if gender == "male" else 55
        else:
            retire_age = 60 if gender == "male" else rng.choice((55, 55, 55, 50))
            latest = names.add_years(as_of, -retire_age) - dt.timedelta(days=31)
            earliest = dt.date(1934, 1, 1)
            span = (latest - earliest).days
            # More of the recently retired than of the very old.
            birth = earliest + dt.timedelta(days=int(rng.triangular(0, span, span * 0.8)))
        retired = names.add_years(birth, retire_age)
        retired = (retired.replace(day=1) + dt.timedelta(days=32)).replace(day=1)  # from the next month
        return birth, min(retired, as_of)

    def _person(self, branch: BranchPlan, kind: str, member: bool, as_of: dt.date) -> Retiree:
        rng = self.rng
        place = branch.place
        lixiu = kind == RetirementKind.LIXIU
        gender = "male" if rng.random() < (0.82 if lixiu else 0.58) else "female"
        birth, retired = self._birth_and_retirement(kind, gender, member, as_of)
        age = TODAY.year - birth.year - ((TODAY.month, TODAY.day) < (birth.month, birth.day))
        health = rng.choices([Health.GOOD, Health.FAIR, Health.POOR, Health.BEDRIDDEN], weights=_health_weights(age))[0]
        living = rng.choices([Living.WITH_FAMILY, Living.EMPTY_NEST, Living.ALONE, Living.CARE_HOME],
                             weights=_living_weights(age))[0]
        name = names.person_name(rng, gender, birth.year, place.local)
        community = rng.choice(branch.communities) if branch.communities else None
        addr, community = names.address(rng, place.address_prefix, community)
        unit = rng.choice(branch.units)
        if lixiu:
            post, rank = rng.choice(names.LIXIU_CAREERS)
        else:
            post, rank = rng.choice(names.CAREERS["office" if branch.career == "community" else branch.career])
        relation, relative = self._relative(name, gender, birth.year, living, place)
        landline_only = age >= 85 and rng.random() < 0.4
        full, initials = _pinyin(name)
        ethnicities, weights = zip(*place.ethnicities)
        specialties = rng.sample(names.SPECIALTIES, rng.choice((0, 1, 1, 2)) if age < 85 else rng.choice((0, 0, 1)))
        needs = []
        if age >= 75 or health in (Health.POOR, Health.BEDRIDDEN):
            needs = rng.sample(names.NEEDS, rng.randint(1, 3) if age >= 85 else rng.randint(0, 2))
        return Retiree(
            name=name, name_pinyin=full, name_initials=initials, gender=gender,
            ethnicity=rng.choices(ethnicities, weights=weights)[0],
            id_number=names.id_number(rng, place.region, birth, gender, self._used_ids), birth_date=birth,
            retirement_kind=kind, retired_on=retired, former_unit=unit, former_post=post, rank=rank,
            phone=names.landline(rng, place.area_code) if landline_only else names.phone(rng),
            address=addr, community=community, health=health,
            mobility_impaired=health == Health.BEDRIDDEN or (health == Health.POOR and rng.random() < 0.75)
            or (age >= 90 and rng.random() < 0.4),
            living=living, family_contact=relative, family_relation=relation, family_phone=names.phone(rng),
            specialties="、".join(specialties), service_needs="、".join(needs),
            organization=branch.org,
        )

    def _relative(self, name: str, gender: str, birth_year: int, living: str, place: Place) -> tuple[str, str]:
        rng = self.rng
        if living == Living.EMPTY_NEST and birth_year >= 1936 and rng.random() < 0.7:
            spouse_gender = "female" if gender == "male" else "male"
            return "配偶", names.person_name(rng, spouse_gender, birth_year + rng.randint(-3, 3), place.local)
        relation = rng.choice(names.CHILD_RELATIONS)
        child_gender = "male" if relation in ("儿子", "女婿", "孙子", "侄子") else "female"
        # A son or grandson (and usually a nephew) carries the family name.
        family = name[0] if relation in ("儿子", "孙子", "侄子") and gender == "male" else None
        child_year = birth_year + (rng.randint(22, 32) if relation != "孙子" else rng.randint(48, 58))
        return relation, names.person_name(rng, child_gender, child_year, place.local, family=family)

    def _membership(self, retiree: Retiree, as_of: dt.date) -> Membership:
        rng = self.rng
        b = retiree.birth_date
        earliest = names.add_years(b, 18)
        if retiree.retirement_kind == RetirementKind.LIXIU:
            latest = FOUNDING - dt.timedelta(days=1)
            span = (latest - earliest).days
            # Most joined in the last years of the war of liberation.
            joined = earliest + dt.timedelta(days=int(rng.triangular(0, span, span * 0.85)))
            joined_org = rng.choice(("华中野战军某部党支部", "湘西游击队党支部", "中共地下党组织", "新四军某部党支部",
                                     "晋察冀边区某区委", "华东野战军某部党支部"))
        else:
            latest = min(retiree.retired_on or as_of, names.add_years(b, 50), as_of - dt.timedelta(days=366))
            span = max(1, (latest - earliest).days)
            joined = earliest + dt.timedelta(days=int(rng.triangular(0, span, span * 0.25)))
            joined_org = f"{retiree.former_unit}党支部" if retiree.former_unit else ""
        return Membership(retiree=retiree, organization=retiree.organization, status=MembershipStatus.FULL,
                          state=MembershipState.ACTIVE, joined_on=joined, full_on=names.add_years(joined, 1),
                          joined_org_name=joined_org)

    def _people(self, branches: list[BranchPlan], as_of: dt.date) -> Iterator[tuple[BranchPlan, str, bool]]:
        for branch in branches:
            slots = ([(RetirementKind.LIXIU, True)] * branch.lixiu_members
                     + [(RetirementKind.LIXIU, False)] * branch.lixiu_others
                     + [(RetirementKind.TUIXIU, True)] * branch.tuixiu_members
                     + [(RetirementKind.TUIXIU, False)] * branch.tuixiu_others)
            self.rng.shuffle(slots)
            for kind, member in slots:
                yield branch, kind, member

    def _write_people(self, branches: list[BranchPlan], as_of: dt.date, absence_rate: float = 0.0):
        """Write everyone planned for `branches` in batches; IDs are unique per region code,
        so the set of used numbers only lives while these branches are written."""
        self._used_ids: set[str] = set()
        batch: list[tuple[Retiree, bool]] = []

        def flush():
            if not batch:
                return
            with transaction.atomic():
                retirees = copy_insert(Retiree, [r for r, _ in batch], batch_size=self.batch_size)
                members = [self._membership(r, as_of) for r, (_, is_member) in zip(retirees, batch) if is_member]
                copy_insert(Membership, members, batch_size=self.batch_size)
                absences = []
                for m in members:
                    r = m.retiree
                    mobile = r.health in (Health.GOOD, Health.FAIR) and r.birth_date.year >= 1940
                    if mobile and self.rng.random() < absence_rate:
                        absences.extend(self._winters(r))
                copy_insert(Absence, absences, batch_size=self.batch_size)
                if self.log_history:
                    log_created(retirees)
                    log_created(members)
                    log_created(absences)
            self.batches.append(len(retirees))
            self.counts.retirees += len(retirees)
            self.counts.members += len(members)
            self.counts.absences += len(absences)
            self.progress(f"已写入 {self.counts.retirees} 名离退休干部")
            batch.clear()
            # Model instances with a file field (Retiree.photo) sit in reference cycles; collect
            # them now so a long run's memory stays at about one batch (~50 ms per batch).
            del retirees, members, absences
            gc.collect()

        for branch, kind, is_member in self._people(branches, as_of):
            batch.append((self._person(branch, kind, is_member, as_of), is_member))
            if len(batch) >= self.batch_size:
                flush()
        flush()
        self._used_ids = set()

    def _winters(self, retiree: Retiree) -> list[Absence]:
        """Seasonal stays in the south (南迁三亚): the last three winters and the one under way.

        Most stay three to five months and report to the branch (some forget); a few
        stay seven months, over the six-month limit, and should hold a temporary
        relationship at the host — most do, some have not yet (seed 000 篇6, DOMAIN.md §6).
        """
        rng = self.rng
        out = []
        place, host = rng.choice(names.SOUTH_PLACES)
        for year in (2023, 2024, 2025, 2026):
            if rng.random() > 0.8:
                continue
            start = dt.date(year, 11, rng.randint(1, 20) if year == 2026 else rng.randint(1, 28))
            months = rng.choices((3, 4, 5, 7), weights=(30, 35, 20, 15))[0]
            planned_end = start + dt.timedelta(days=30 * months + rng.randint(0, 10))
            ongoing = planned_end > TODAY
            absence = Absence(retiree=retiree, start_on=start, expected_end_on=planned_end,
                              end_on=None if ongoing else planned_end, place=place, reason="冬季异地居住（候鸟养老）",
                              contact_phone=retiree.phone if retiree.phone.startswith("1") else "")
            if months > 6:
                if rng.random() < 0.8 or not ongoing:
                    absence.host_org_name = host
                    absence.host_since = start + dt.timedelta(days=rng.randint(3, 40))
                    absence.host_since = min(absence.host_since, TODAY)
            elif rng.random() < 0.8:
                last = min(planned_end, TODAY)
                absence.last_report_on = last - dt.timedelta(days=rng.randint(0, min(25, (last - start).days)))
            out.append(absence)
        return out

    # -- scales ----------------------------------------------------------
    def county(self) -> Counts:
        rng = self.rng
        place = Place("永顺县灵溪镇", "433127", "0743", "湘西", YONGSHUN_ETHNICITIES)
        root = self._orgs([Organization(code="YS", name="永顺县离退休干部党工委", kind=OrgKind.COMMITTEE,
                                        established_on=dt.date(2016, 3, 1), address="永顺县委老干部局三楼",
                                        contact_phone="0743-5222501")])[0]
        self.roots.append(root.code)
        zones = self._zones([Zone(code=f"YS-Z{i:02d}", name=f"第{cn_number(i)}片组（{label}）", organization=root)
                             for i, label in enumerate(COUNTY_ZONES, start=1)])
        orgs = []
        for i, (name, zone_index, units, career, setup, _, _) in enumerate(COUNTY_BRANCHES, start=1):
            if setup == "community":
                address = f"永顺县灵溪镇{name.replace('退休党支部', '')}党群服务中心老党员活动室"
            else:
                address = f"{_yongshun(units[0])}老干部活动室"
            orgs.append(Organization(
                code=f"YS-B{i:03d}", name=name, kind=OrgKind.BRANCH, setup_kind=setup, parent=root,
                nature=Nature.STRUCTURAL, zone=zones[zone_index],
                established_on=names.random_date(rng, dt.date(2005, 1, 1), dt.date(2017, 12, 31)),
                term_years=5 if setup == SetupKind.COMMUNITY else 3, address=address,
                contact_phone=names.landline(rng, "0743")))
        orgs = self._orgs(orgs)
        for zone in zones:
            in_zone = [b for b in orgs if b.zone_id == zone.pk]
            zone.lead_org, zone.deputy_org = in_zone[0], in_zone[1]
        Zone.objects.bulk_update(zones, ["lead_org", "deputy_org"])
        university = self._orgs([Organization(
            code="YS-U", name="县老年大学临时党总支", kind=OrgKind.GENERAL_BRANCH, parent=root,
            setup_kind=SetupKind.SENIOR_UNIVERSITY, nature=Nature.FUNCTIONAL, established_on=dt.date(2015, 9, 1),
            address="永顺县老年大学")])[0]
        self._orgs([Organization(code=f"YS-U{i:02d}", name=f"老年大学{cls}班临时党支部", kind=OrgKind.BRANCH,
                                 parent=university, setup_kind=SetupKind.SENIOR_UNIVERSITY, nature=Nature.FUNCTIONAL,
                                 established_on=dt.date(2015, 9, 1), address=f"永顺县老年大学{cls}教室")
                    for i, cls in enumerate(UNIVERSITY_CLASSES, start=1)])

        plans = []
        for org, (name, _, units, career, setup, _, _) in zip(orgs, COUNTY_BRANCHES):
            if setup == "community":
                community = name.replace("退休党支部", "")
                plans.append(BranchPlan(org, place, COUNTY_OFFICE_UNITS, "community", (community,)))
            elif career == "town":
                town = name.replace("离退休干部党支部", "")
                plans.append(BranchPlan(org, Place(f"永顺县{town}", "433127", "0743", "湘西", YONGSHUN_ETHNICITIES),
                                        units, career, (f"{town[:-1]}社区",)))
            else:
                plans.append(BranchPlan(org, place, units, career, COUNTY_COMMUNITIES))
        size = [b[5] * rng.uniform(0.85, 1.15) for b in COUNTY_BRANCHES]
        lixiu_weight = [b[6] for b in COUNTY_BRANCHES]
        self._fill(plans, size, lixiu_weight, lixiu_members=COUNTY_LIXIU_MEMBERS,
                   lixiu_others=COUNTY_LIXIU - COUNTY_LIXIU_MEMBERS, tuixiu_members=COUNTY_TUIXIU_MEMBERS,
                   tuixiu_others=COUNTY_TOTAL - COUNTY_LIXIU - COUNTY_TUIXIU_MEMBERS)
        self._write_people(plans, TODAY, absence_rate=0.12)
        return self.counts

    def _fill(self, plans: list[BranchPlan], size: list[float], lixiu_weight: list[float], *, lixiu_members: int,
              lixiu_others: int, tuixiu_members: int, tuixiu_others: int):
        """Spread the exact totals over the branches: every branch gets ≥3 members and ≤50."""
        rng = self.rng
        members = allocate(lixiu_members + tuixiu_members, size, minimum=3, cap=50)
        others = allocate(lixiu_others + tuixiu_others, size)
        lixiu_m = weighted_pick(rng, members, lixiu_weight, lixiu_members)
        lixiu_o = weighted_pick(rng, others, lixiu_weight, lixiu_others)
        for plan, m, o, lm, lo in zip(plans, members, others, lixiu_m, lixiu_o):
            plan.lixiu_members, plan.tuixiu_members = lm, m - lm
            plan.lixiu_others, plan.tuixiu_others = lo, o - lo

    def city(self, prefix: str = "BB", city_name: str = "蚌埠", city_code: str = "3403", parent: Organization | None = None,
             scale: float = 1.0, districts=CITY_DISTRICTS) -> Counts:
        """Seed 000 篇6's figures exactly (scale 1); a province city is the same shape scaled."""
        rng = self.rng
        f = CITY_FIGURES
        n_orgs = max(len(districts), round(f["orgs"] * scale))
        n_alone = max(1, round(f["alone"] * scale))
        n_combined = round(f["combined"] * scale)
        n_community = n_orgs - n_alone - n_combined
        lixiu_members = round(f["lixiu_members"] * scale)
        lixiu_others = round(f["lixiu"] * scale) - lixiu_members
        tuixiu_members = round((f["lixiu_members"] + f["tuixiu_members"]) * scale) - lixiu_members
        tuixiu_others = round(f["retirees"] * scale) - lixiu_members - lixiu_others - tuixiu_members
        area_code = "0552" if city_code == "3403" else f"05{city_code[2:]}"

        root = self._orgs([Organization(code=prefix, name=f"{city_name}市委老干部局（离退休干部党组织）", kind=OrgKind.COMMITTEE,
                                        parent=parent, established_on=dt.date(2010, 1, 1),
                                        address=f"{city_name}市委老干部局")])[0]
        self.roots.append(root.code)
        committees = self._orgs([Organization(code=f"{prefix}-{code}", name=_committee_name(city_name, city_code, place, name),
                                              kind=OrgKind.COMMITTEE, parent=root,
                                              established_on=dt.date(2012, 1, 1) if "党工委" in name else dt.date(1990, 1, 1))
                                 for code, name, place, _, _ in districts])
        per_district = allocate(n_orgs, [d[4] for d in districts], minimum=1)
        setups = ["alone"] * n_alone + ["combined"] * n_combined + ["community"] * n_community
        rng.shuffle(setups)

        # Build every district's organisations (names only) first: the exact totals are
        # spread over the whole city, then people are written district by district.
        plans_by_district: list[list[BranchPlan]] = []
        counter = 0
        start = 0
        for (code, _, place_name, region_suffix, _), committee, count in zip(districts, committees, per_district):
            setups_here = setups[start:start + count]
            start += count
            if place_name == "市直":
                prefix_addr = f"{city_name}市蚌山区" if city_code == "3403" else f"{city_name}市"
            else:
                prefix_addr = f"{city_name}市{place_name}"
            place = Place(prefix_addr, f"{city_code}{region_suffix}", area_code)
            orgs, plans = self._district_orgs(prefix, committee, place_name, place, setups_here, counter, city_name)
            counter += len(orgs)
            plans_by_district.append(plans)
        all_plans = [p for plans in plans_by_district for p in plans]
        weight = {"alone": 38.0, "combined": 10.0, "community": 20.0}
        lixiu_w = {"alone": 3.0, "combined": 1.0, "community": 2.0}
        size = [weight[p.org.setup_kind] * rng.uniform(0.6, 1.4) for p in all_plans]
        self._fill(all_plans, size, [lixiu_w[p.org.setup_kind] for p in all_plans], lixiu_members=lixiu_members,
                   lixiu_others=lixiu_others, tuixiu_members=tuixiu_members, tuixiu_others=tuixiu_others)
        for plans in plans_by_district:
            self._write_people(plans, CITY_AS_OF, absence_rate=0.05)
        return self.counts

    def _district_orgs(self, prefix: str, committee: Organization, place_name: str, place: Place, setups: list[str],
                       counter: int, city_name: str = "蚌埠") -> tuple[list[Organization], list[BranchPlan]]:
        """Organisations of one district: alone branches (a big unit's as a 党总支 with branches),
        branches combined with a unit's in-service staff, and community branches."""
        rng = self.rng
        if place_name == "市直":
            units = [(u, "office") for u in MUNICIPAL_UNITS] \
                + [(u.replace("蚌埠", city_name), "school") for u in MUNICIPAL_SCHOOLS] \
                + [(u, "hospital") for u in MUNICIPAL_HOSPITALS]
        else:
            short = place_name[-1]  # 区 / 县
            units = [(f"{place_name}{u}", "office") for u in LOCAL_UNITS] \
                + [(f"{place_name}{u}", "school") for u in LOCAL_SCHOOLS] \
                + [(f"{place_name}{u}", "hospital") for u in LOCAL_HOSPITALS] \
                + [(f"{place_name}{t}", "town") for t in (TOWNS if short == "县" else STREETS)[:8]]
        rng.shuffle(units)
        used_names: set[str] = set()

        def unique(stem: str, suffix: str, number: int | None = None) -> str:
            """stem+suffix, or stem+第N+suffix when numbered or when the unit has several."""
            name = f"{stem}{suffix}" if number is None else f"{stem}第{cn_number(number)}{suffix}"
            n = number or 1
            while name in used_names:
                n += 1
                name = f"{stem}第{cn_number(n)}{suffix}"
            used_names.add(name)
            return name

        orgs_spec: list[tuple[str, str, str | None, tuple[str, ...], str]] = []  # (name, setup, parent_key, units, career)
        alone = setups.count("alone")
        n_general = alone // 25
        unit_index = 0

        def next_unit():
            nonlocal unit_index
            unit = units[unit_index % len(units)]
            unit_index += 1
            return unit

        for _ in range(n_general):
            unit, career = next_unit()
            key = unique(unit, "离退休干部党总支")
            orgs_spec.append((key, "alone", None, (unit,), career))
            for k in range(3):
                orgs_spec.append((unique(f"{unit}离退休干部", "党支部", number=k + 1), "alone", key,
                                  (unit,), career))
        for _ in range(alone - 4 * n_general):
            unit, career = next_unit()
            label = {"school": "退休教师党支部", "hospital": "离退休党支部"}.get(career, "离退休干部党支部")
            orgs_spec.append((unique(unit, label), "alone", None, (unit,), career))
        for _ in range(setups.count("combined")):
            unit, career = next_unit()
            # Retired members sit in one of the unit's in-service branches (与在职人员合编).
            stem = f"{unit}机关" if career in ("office", "town") else unit
            orgs_spec.append((unique(stem, "党支部", number=rng.randint(2, 6)), "combined", None, (unit,), career))
        office_units = tuple(u for u, c in units if c == "office")
        street_pool = TOWNS[:4] if place_name.endswith("县") else STREETS
        for _ in range(setups.count("community")):
            community = f"{rng.choice(COMMUNITY_WORDS)}社区"
            stem = f"{'' if place_name == '市直' else place_name}{rng.choice(street_pool)}{community}"
            orgs_spec.append((unique(stem, "离退休党员党支部"), "community", None, office_units, "community"))

        by_key: dict[str, Organization] = {}
        tops, children = [], []
        for i, (name, setup, parent_key, org_units, career) in enumerate(orgs_spec, start=counter + 1):
            is_general = name.endswith("党总支")
            org = Organization(code=f"{prefix}-B{i:04d}" if not is_general else f"{prefix}-G{i:04d}", name=name,
                               kind=OrgKind.GENERAL_BRANCH if is_general else OrgKind.BRANCH, setup_kind=setup,
                               parent=committee, nature=Nature.STRUCTURAL,
                               term_years=5 if setup == SetupKind.COMMUNITY else 3,
                               established_on=names.random_date(rng, dt.date(1990, 1, 1), dt.date(2018, 6, 30)),
                               address=f"{place.address_prefix}{name.replace('离退休党员党支部', '党群服务中心') if setup == 'community' else org_units[0] + '老干部活动室'}")
            by_key[name] = org
            (children if parent_key else tops).append((org, parent_key))
        self._orgs([o for o, _ in tops])
        for org, parent_key in children:
            org.parent = by_key[parent_key]
        self._orgs([o for o, _ in children])
        orgs = [o for o, _ in tops] + [o for o, _ in children]
        plans = []
        for (name, setup, _, org_units, career) in orgs_spec:
            org = by_key[name]
            if org.kind == OrgKind.GENERAL_BRANCH:
                continue
            communities = (name.split("街道")[-1].split("镇")[-1].split("第")[0].replace("离退休党员党支部", ""),) \
                if setup == "community" else ()
            plans.append(BranchPlan(org, place, org_units, career, communities))
        return orgs, plans

    def province(self, target_members: int = 1_000_000, members_per_city: int = MEMBERS_PER_PROVINCE_CITY) -> Counts:
        """Cities shaped like the city demo under one province root, written district by district.

        Memory is bounded by one city's plan (a few counters per branch), one district's
        used ID numbers and one batch of rows, whatever the target."""
        root = self._orgs([Organization(code=ROOTS["province"], name="安徽省委老干部局（全省离退休干部党组织）",
                                        kind=OrgKind.COMMITTEE, established_on=dt.date(2008, 1, 1))])[0]
        n_cities = max(1, math.ceil(target_members / members_per_city))
        per_city = allocate(target_members, [1.0] * n_cities)
        members_in_city = CITY_FIGURES["lixiu_members"] + CITY_FIGURES["tuixiu_members"]
        for i, members in enumerate(per_city, start=1):
            if i <= len(PROVINCE_CITIES):
                city_name, code = PROVINCE_CITIES[i - 1]
            else:
                city_name, code = f"第{i}", f"{35 + (i - 1) // 99}{(i - 1) % 99 + 1:02d}"
            self.city(prefix=f"P{i:02d}", city_name=city_name, city_code=code, parent=root,
                      scale=members / members_in_city, districts=PROVINCE_DISTRICTS)
            self.progress(f"省级数据：{i}/{n_cities} 个市，{self.counts.members} 名党员")
        return self.counts


def _committee_name(city_name: str, city_code: str, place: str, name: str) -> str:
    if place == "市直":
        return f"{city_name}{name}"
    return name if city_code == "3403" else f"{city_name}市{name}"


def _health_weights(age: int) -> tuple[int, int, int, int]:
    """良好 / 一般 / 较差 / 卧床 by age: most of the 离休 generation (90+) are frail."""
    if age < 70:
        return 55, 35, 8, 2
    if age < 80:
        return 35, 42, 18, 5
    if age < 90:
        return 15, 40, 33, 12
    return 5, 30, 40, 25


def _living_weights(age: int) -> tuple[int, int, int, int]:
    """与子女同住 / 空巢 / 独居 / 养老机构 by age."""
    if age < 75:
        return 30, 58, 10, 2
    if age < 85:
        return 38, 40, 17, 5
    return 50, 15, 20, 15


def _yongshun(unit: str) -> str:
    """县政府办 → 永顺县政府办; 灵溪镇中心学校 → 永顺县灵溪镇中心学校."""
    return f"永顺{unit}" if unit.startswith("县") else f"永顺县{unit}"


def load_demo(scale: str = "county", seed: int = 1, *, members: int = 1_000_000, log_history: bool | None = None,
              progress: Callable[[str], None] | None = None, extenders: bool = True) -> LoadResult:
    """What `seed_demo` does: the generator, then every app's extender, then the demo logins."""
    from changqing.core.changelog import unlogged
    from changqing.core.context import acting_as

    from .extend import extra_demo_users, run_extenders
    from .users import create_demo_users

    if log_history is None:
        log_history = scale == "county"
    gen = DemoGenerator(seed=seed, log_history=log_history, progress=progress)
    # Without history (city, province, --no-history) nothing is logged; with it, the ORM's writes are
    # logged by the change-logged QuerySet and the COPY writes by log_created.
    with acting_as(None), (contextlib.nullcontext() if log_history else unlogged()):
        started = time.perf_counter()
        if scale == "county":
            gen.county()
        elif scale == "city":
            gen.city()
        elif scale == "province":
            gen.province(target_members=members)
        else:
            raise ValueError(f"unknown scale {scale!r}")
        generated = time.perf_counter()
        gen.progress(f"组织和人员 … {generated - started:.1f} 秒")
        watermarks = {model._meta.db_table: model.objects.aggregate(m=Max("pk"))["m"] or 0
                      for model in (Organization, Zone, Retiree, Membership, Absence)}
        ran = []
        if extenders:
            for code in gen.roots:
                ran = run_extenders(scale, seed, Organization.objects.get(code=code), TODAY, gen.log_history,
                                    progress or (lambda m: None))
        extended = time.perf_counter()
        root = Organization.objects.get(code=ROOTS[scale])
        users = create_demo_users(root.code)
        users += extra_demo_users(scale, seed, root, TODAY)
    return LoadResult(scale=scale, seed=seed, counts=gen.counts, roots=list(gen.roots),
                      generator_seconds=generated - started, extender_seconds=extended - generated, extenders=ran,
                      users=users, watermarks=watermarks)
