"""Realistic Chinese names, addresses and ID numbers for the demo data."""
from __future__ import annotations

import datetime as dt
import random

from changqing.core.idcard import check_char

# Common surnames, roughly by frequency (the first ones repeat to weight them).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = [max(1, 30 - i // 4) for i in range(len(SURNAMES))]
MALE_GIVEN = "国建华明军伟志强文平德庆永宏海忠林生荣兴春祥福山民光新富贵成安立学才武振益中世"
FEMALE_GIVEN = "秀英兰玉珍芳桂华凤淑梅丽琴云霞萍红娟翠荣美金素洁慧敏静丹婷月莲菊香爱"
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


def person_name(rng: random.Random, gender: str) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    pool = MALE_GIVEN if gender == "male" else FEMALE_GIVEN
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    return surname + given


def id_number(rng: random.Random, region: str, birth: dt.date, gender: str, used: set[str]) -> str:
    """A valid, unique 18-character number (GB 11643)."""
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
    return rng.choice(("138", "139", "150", "152", "137", "186", "189", "133")) + f"{rng.randrange(10**8):08d}"


def address(rng: random.Random, county: str) -> tuple[str, str]:
    community = rng.choice(COMMUNITIES)
    return f"{county}{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 12)}栋{rng.randint(1, 6)}0{rng.randint(1, 4)}室", community


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))
