"""Realistic Chinese names, addresses, phones and ID numbers for the demo data.

Given names follow the fashion of the birth decade (a 1928 child is 德福 or
桂英, a 1950 one 建国 or 秀兰, a 1963 one 卫东 or 红梅); surnames can be biased
to a locality (永顺 is 彭、向、田、覃 country).
"""
from __future__ import annotations

import datetime as dt
import random
from functools import lru_cache

from changqing.core.idcard import check_char

# Common surnames, roughly by frequency (earlier ones weigh more).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = [max(1, 30 - i // 4) for i in range(len(SURNAMES))]
# Extra weight for surnames frequent in a place (湘西土家族苗族自治州 for the county demo).
LOCAL_SURNAMES = {
    "湘西": {"彭": 40, "向": 35, "田": 30, "覃": 20, "王": 20, "张": 18, "李": 15, "黄": 12, "杨": 10, "龙": 10, "石": 10,
             "符": 8, "鲁": 6, "瞿": 5},
}

# Given-name characters by the decade of birth. Two-character given names dominate
# for these generations; a few have one character.
MALE_GIVEN = {
    1920: "德福 贵荣 祥发 德林 玉山 清廷 宝生 桂生 富贵 顺和 茂林 绍先 志清 焕章 振华 明德 光荣 庆云 金山 树森",
    1940: "国华 建民 新民 志明 德忠 中和 文华 春林 和平 学文 荣华 光明 庆丰 胜利 援朝 解放 振国 立新 汉生 长青",
    1950: "建国 建华 国庆 卫国 建军 跃进 永红 志强 国平 建平 新民 抗美 东升 红旗 向东 建设 国栋 爱民 利民 伟民",
    1960: "卫东 卫红 红兵 建军 向阳 永红 志勇 伟东 海波 国强 立新 明华 小平 文军 卫星 跃华 红军 新华 建新 晓东",
}
FEMALE_GIVEN = {
    1920: "秀英 桂英 淑珍 玉兰 桂兰 凤英 秀兰 翠英 玉珍 素珍 玉梅 桂芝 金凤 银花 淑贞 秀珍 月娥 素英",
    1940: "秀英 秀兰 桂兰 玉兰 淑华 玉珍 凤兰 秀珍 素华 淑英 美华 秀芳 桂珍 玉华 淑兰 凤琴 惠英 月华",
    1950: "秀兰 桂芳 淑芬 建英 玉华 丽华 美玲 建华 红英 秀云 素芳 晓梅 爱华 桂荣 玉芬 凤霞 翠华 国英",
    1960: "红梅 红霞 丽娟 红英 卫红 爱华 丽萍 建萍 小红 海燕 小平 艳华 红艳 丽华 晓红 春梅 秀梅 立红",
}
# A single-character given name is used by some (张华、李琴).
MALE_SINGLE = "华明军伟强平德林斌峰勇刚毅杰"
FEMALE_SINGLE = "琴英芳萍霞红梅丽娟燕华敏静"

STREETS = ("人民路", "解放路", "建设路", "胜利路", "中山路", "和平路", "新华路", "文化路", "团结路", "光明街", "朝阳路", "育才路")
COMMUNITIES = ("天鹅湖社区", "灵溪社区", "猛洞河社区", "溪州社区", "老司城社区", "芙蓉社区", "桂花社区", "连洞社区",
               "望城社区", "花桥社区", "红旗社区", "东门社区")
SPECIALTIES = ("书法", "绘画", "摄影", "太极拳", "合唱", "象棋", "京剧", "诗词", "园艺", "门球", "医疗保健", "法律咨询",
               "农业技术", "历史研究", "计算机", "舞蹈")
NEEDS = ("上门送学", "健康体检", "代购药品", "法律咨询", "家政服务", "陪同就医", "心理慰藉", "智能手机培训")
UNITS = ("县政府办", "县委办", "县财政局", "县教育局", "县卫健局", "县公安局", "县人社局", "县住建局", "县交通局", "县农业农村局",
         "县林业局", "县水利局", "县民政局", "县审计局", "县税务局", "县人民法院", "县人民检察院", "县人民医院", "县第一中学",
         "县供销社", "县商务局", "县文旅局", "县自然资源局", "县市场监管局", "县统计局", "县司法局")
POSTS = ("科员", "副科长", "科长", "副局长", "局长", "主任科员", "副主任", "主任", "教师", "医师", "会计", "工程师", "副县长", "调研员")
RANKS = ("科员", "副科级", "正科级", "副处级", "正处级", "专业技术十级", "专业技术七级")
ETHNICITIES = ["汉族"] * 6 + ["土家族"] * 5 + ["苗族"] * 2 + ["回族", "白族", "侗族"]

# What a unit's retirees were: (post, rank) pairs, by the kind of unit.
CAREERS = {
    "school": [("教师", "专业技术十级"), ("教师", "专业技术八级"), ("高级教师", "专业技术七级"), ("教导主任", "专业技术七级"),
               ("副校长", "副科级"), ("校长", "正科级"), ("会计", "专业技术十二级")],
    "hospital": [("护士", "专业技术十级"), ("医师", "专业技术九级"), ("主治医师", "专业技术八级"), ("副主任医师", "专业技术六级"),
                 ("护士长", "专业技术八级"), ("科主任", "专业技术五级"), ("副院长", "副科级"), ("药剂师", "专业技术九级")],
    "office": [("科员", "科员"), ("办事员", "办事员"), ("主任科员", "四级主任科员"), ("副科长", "副科级"), ("科长", "正科级"),
               ("副局长", "副科级"), ("局长", "正科级"), ("调研员", "正科级"), ("工程师", "专业技术九级"), ("会计", "专业技术十级")],
    "town": [("干事", "科员"), ("站长", "副科级"), ("副乡镇长", "副科级"), ("乡镇长", "正科级"), ("党委书记", "正科级"),
             ("会计", "专业技术十级"), ("所长", "副科级")],
}
LIXIU_CAREERS = [("局长", "享受副处级待遇"), ("副县长", "副处级"), ("县委常委", "副处级"), ("科长", "享受正科级待遇"),
                 ("公社书记", "正科级"), ("校长", "享受副处级待遇"), ("院长", "享受正科级待遇"), ("主任", "正科级"),
                 ("区委书记", "享受副处级待遇"), ("科员", "享受副科级待遇")]
CHILD_RELATIONS = ("儿子", "女儿", "儿子", "女儿", "儿媳", "女婿", "孙子", "侄子")
SOUTH_PLACES = (("海南省三亚市", "三亚市天涯区候鸟老人临时党支部"), ("海南省海口市", "海口市美兰区流动党员党支部"),
                ("广西北海市", "北海市银海区候鸟党支部"), ("云南省西双版纳州景洪市", "景洪市允景洪街道流动党员党支部"),
                ("海南省琼海市", "琼海市博鳌镇候鸟人才党支部"))


def _era(year: int) -> int:
    return 1920 if year < 1938 else 1940 if year < 1949 else 1950 if year < 1960 else 1960


@lru_cache(maxsize=None)
def _given_pool(gender: str, era: int) -> tuple[tuple[str, ...], str]:
    table = MALE_GIVEN if gender == "male" else FEMALE_GIVEN
    pairs = tuple(table[era].split())
    return pairs, "".join(pairs)


@lru_cache(maxsize=None)
def _surname_table(local: str | None) -> tuple[tuple[str, ...], tuple[int, ...]]:
    bonus = LOCAL_SURNAMES.get(local or "", {})
    surnames = list(SURNAMES) + [s for s in bonus if s not in SURNAMES]
    weights = [SURNAME_WEIGHTS[i] if i < len(SURNAME_WEIGHTS) else 1 for i in range(len(surnames))]
    weights = [w + bonus.get(s, 0) for s, w in zip(surnames, weights)]
    cumulative, total = [], 0
    for w in weights:
        total += w
        cumulative.append(total)
    return tuple(surnames), tuple(cumulative)


def surname(rng: random.Random, local: str | None = None) -> str:
    surnames, cumulative = _surname_table(local)
    return rng.choices(surnames, cum_weights=cumulative)[0]


def person_name(rng: random.Random, gender: str, birth_year: int | None = None, local: str | None = None,
                family: str | None = None) -> str:
    """A name fitting the birth decade; `family` forces the surname (a son's)."""
    era = _era(birth_year or rng.randint(1930, 1965))
    pairs, chars = _given_pool(gender, era)
    roll = rng.random()
    if roll < 0.78:
        given = rng.choice(pairs)
    elif roll < 0.9:
        first, second = rng.sample(pairs, 2)
        given = first[0] + second[1]
    else:
        given = rng.choice(MALE_SINGLE if gender == "male" else FEMALE_SINGLE)
    return (family or surname(rng, local)) + given


def id_number(rng: random.Random, region: str, birth: dt.date, gender: str, used: set[str]) -> str:
    """A valid 18-character number (GB 11643), unique within `used`.

    Callers keep one `used` set per region code, so uniqueness across regions
    comes from the region prefix and memory stays bounded by a region's size.
    """
    while True:
        seq = rng.randrange(0, 1000)
        # The 17th digit: odd for men, even for women.
        if (seq % 2 == 1) != (gender == "male"):
            seq = (seq + 1) % 1000
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        value = first17 + check_char(first17)
        if value not in used:
            used.add(value)
            return value


def phone(rng: random.Random) -> str:
    return rng.choice(("138", "139", "150", "152", "137", "186", "189", "133", "135", "158")) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random, area_code: str) -> str:
    return f"{area_code}-{rng.randint(2, 8)}{rng.randrange(10**6):06d}"


def address(rng: random.Random, county: str, community: str | None = None) -> tuple[str, str]:
    community = community or rng.choice(COMMUNITIES)
    return (f"{county}{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 12)}栋{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
            community)


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes 1 March, so someone
    born on 29 February is 18 on add_years(birth, 18) by the usual reckoning."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals, as in 第十二片组."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


# The county demo's branches (the generator builds them; orgs' demo reads the units of the joint ones).
# (name, zone index, former units, career, setup, size weight, 离休 weight). B001 and B002 are the seed's own names.
COUNTY_BRANCHES = [
    ("县政府办老干党支部", 0, ("县政府办",), "office", "alone", 1.4, 3.0),
    ("天鹅湖社区退休党支部", 9, (), "community", "community", 1.6, 1.5),
    ("县委办离退休干部党支部", 0, ("县委办",), "office", "alone", 1.2, 3.0),
    ("县人大机关离退休干部党支部", 0, ("县人大常委会机关",), "office", "alone", 0.8, 2.5),
    ("县政协机关离退休干部党支部", 0, ("县政协机关",), "office", "alone", 0.7, 2.5),
    ("县委组织部老干部局联合党支部", 0, ("县委组织部", "县委老干部局"), "office", "joint", 0.6, 2.0),
    ("县公安局离退休干部党支部", 1, ("县公安局",), "office", "alone", 1.5, 1.5),
    ("县人民法院离退休干部党支部", 1, ("县人民法院",), "office", "alone", 0.9, 1.5),
    ("县人民检察院离退休干部党支部", 1, ("县人民检察院",), "office", "alone", 0.8, 1.5),
    ("县司法局离退休干部党支部", 1, ("县司法局",), "office", "alone", 0.6, 1.0),
    ("县教育局机关离退休干部党支部", 2, ("县教育局",), "office", "alone", 1.0, 1.0),
    ("县第一中学退休教师党支部", 2, ("县第一中学",), "school", "alone", 1.8, 0.5),
    ("县第二中学退休教师党支部", 2, ("县第二中学",), "school", "alone", 1.4, 0.3),
    ("县民族中学退休教师党支部", 2, ("县民族中学",), "school", "alone", 1.3, 0.3),
    ("县职业中专退休教师党支部", 2, ("县职业中专",), "school", "alone", 0.9, 0.2),
    ("灵溪镇中小学退休教师党支部", 3, ("灵溪镇中心学校", "灵溪镇第一小学"), "school", "alone", 1.6, 0.3),
    ("县城区小学退休教师联合党支部", 3, ("县第一小学", "县第二小学", "县实验小学"), "school", "joint", 1.5, 0.2),
    ("首车镇教育系统退休教师党支部", 3, ("首车镇中心学校",), "school", "alone", 1.0, 0.2),
    ("石堤镇教育系统退休教师党支部", 3, ("石堤镇中心学校",), "school", "alone", 0.9, 0.2),
    ("县人民医院离退休党支部", 4, ("县人民医院",), "hospital", "alone", 1.7, 0.8),
    ("县中医院离退休党支部", 4, ("县中医院",), "hospital", "alone", 1.1, 0.5),
    ("县卫健局机关离退休干部党支部", 4, ("县卫健局",), "office", "alone", 0.7, 1.0),
    ("县疾控中心妇幼保健院离退休联合党支部", 4, ("县疾控中心", "县妇幼保健院"), "hospital", "joint", 0.7, 0.3),
    ("县财政局离退休干部党支部", 5, ("县财政局",), "office", "alone", 1.0, 1.5),
    ("县税务局离退休干部党支部", 5, ("县税务局",), "office", "alone", 1.0, 1.0),
    ("县审计局统计局离退休干部联合党支部", 5, ("县审计局", "县统计局"), "office", "joint", 0.6, 1.0),
    ("县人民银行离退休干部党支部", 5, ("县人民银行",), "office", "alone", 0.6, 1.0),
    ("县农商银行离退休党支部", 5, ("县农商银行",), "office", "combined", 0.7, 0.3),
    ("县农业农村局离退休干部党支部", 6, ("县农业农村局",), "office", "alone", 1.2, 1.5),
    ("县林业局离退休干部党支部", 6, ("县林业局",), "office", "alone", 1.0, 1.5),
    ("县水利局离退休干部党支部", 6, ("县水利局",), "office", "alone", 0.9, 1.0),
    ("县畜牧水产局农机局离退休联合党支部", 6, ("县畜牧水产局", "县农机事务中心"), "office", "joint", 0.6, 1.0),
    ("县住建局离退休干部党支部", 7, ("县住建局",), "office", "alone", 0.9, 1.0),
    ("县交通运输局离退休干部党支部", 7, ("县交通运输局",), "office", "alone", 1.0, 1.0),
    ("县自然资源局离退休干部党支部", 7, ("县自然资源局",), "office", "alone", 0.8, 0.8),
    ("县供电公司离退休党支部", 7, ("县供电公司",), "office", "combined", 0.8, 0.5),
    ("县供销社离退休干部党支部", 8, ("县供销社",), "office", "alone", 1.1, 2.0),
    ("县商务局粮食局离退休干部联合党支部", 8, ("县商务局", "县粮食局"), "office", "joint", 0.8, 1.5),
    ("县市场监管局离退休干部党支部", 8, ("县市场监管局",), "office", "alone", 0.8, 0.8),
    ("县文旅广体局离退休干部党支部", 8, ("县文旅广体局",), "office", "alone", 0.7, 1.0),
    ("灵溪社区退休党支部", 9, (), "community", "community", 1.3, 1.5),
    ("猛洞河社区退休党支部", 9, (), "community", "community", 1.1, 1.5),
    ("溪州社区退休党支部", 9, (), "community", "community", 1.0, 1.5),
    ("芙蓉社区退休党支部", 10, (), "community", "community", 1.0, 1.2),
    ("桂花社区退休党支部", 10, (), "community", "community", 0.9, 1.2),
    ("连洞社区退休党支部", 10, (), "community", "community", 0.9, 1.2),
    ("望城社区退休党支部", 10, (), "community", "community", 0.8, 1.2),
    ("首车镇离退休干部党支部", 11, ("首车镇人民政府",), "town", "alone", 0.7, 1.5),
    ("石堤镇离退休干部党支部", 11, ("石堤镇人民政府",), "town", "alone", 0.7, 1.5),
    ("泽家镇离退休干部党支部", 11, ("泽家镇人民政府",), "town", "alone", 0.6, 1.5),
    ("青天坪镇离退休干部党支部", 11, ("青天坪镇人民政府",), "town", "alone", 0.5, 1.5),
    ("芙蓉镇离退休干部党支部", 11, ("芙蓉镇人民政府",), "town", "alone", 0.7, 1.5),
]
