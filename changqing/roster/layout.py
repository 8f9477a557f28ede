"""The roster sheet layout: one list of columns for the template, the export and the import.

Because the template, the export and the import read this same list, an
exported sheet is a valid import file and re-importing it changes nothing.
Each column knows the header we write, the headers real 台账 use for it
(公民身份号码, 入党时间, 手机…), and how its cells are read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from changqing.members.models import (
    Gender, Health, Living, MembershipState, MembershipStatus, PersonStatus, RetirementKind,
)

NOT_MEMBER = "none"  # 党员类别 value for a person who is not a party member

# GB 3304 ethnic groups, plus its two extra categories.
ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 "
    "佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 "
    "锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 "
    "赫哲族 门巴族 珞巴族 基诺族 其他未识别民族 外国血统中国籍人士"
).split()


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # what the template and the export write
    kind: str  # name | text | idnumber | date | choice | bool | phone | org_code | org_name | ethnicity
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label written in the sheet)
    synonyms: dict[str, str] = field(default_factory=dict)  # other words people write -> stored value
    width: int = 12
    hint: str = ""
    example: str = ""

    def labels(self) -> list[str]:
        return [label for _, label in self.choices]

    def label_of(self, value) -> str:
        return dict(self.choices).get(value, "")


def _yes_no():
    return (("1", "是"), ("0", "否"))


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "name", ("名字", "党员姓名", "人员姓名", "干部姓名"), required=True, max_length=50, width=10,
           hint="必填。", example="张宏伟"),
    Column("gender", "性别", "choice", (), choices=tuple((c.value, c.label) for c in Gender),
           synonyms={"男性": "male", "女性": "female", "m": "male", "f": "female"}, width=6,
           hint="男或女；可不填（由身份证号得出），填了须与身份证号一致。", example="男"),
    Column("ethnicity", "民族", "ethnicity", (), max_length=20, width=8, hint="如 汉族、回族；可只写“汉”“回”。不填按汉族。",
           example="汉族"),
    Column("id_number", "身份证号", "idnumber",
           ("公民身份号码", "身份证号码", "身份证", "身份证件号码", "证件号码", "公民身份证号", "公民身份证号码", "身份证号(18位)"),
           required=True, width=22, hint="必填，18位。请把这一列设为“文本”格式，否则 Excel 会把后几位变成 0。",
           example="110105194912310011"),
    Column("birth_date", "出生日期", "date", ("出生年月", "出生年月日", "生日"), width=12,
           hint="可不填（由身份证号得出）；填了须与身份证号一致。", example="1949-12-31"),
    Column("org_code", "组织编码", "org_code", ("支部编码", "党组织编码", "所在组织编码"), width=12,
           hint="所在党组织的编码；与“所在组织”填一项即可，都不填时导入到页面上选择的组织。", example="YS-B001"),
    Column("org_name", "所在组织", "org_name",
           ("所在党组织", "所在支部", "所在党支部", "党支部", "支部", "党组织", "支部名称", "服务管理组织", "党组织名称"),
           width=22, hint="党员填所在党支部，非党员填服务管理的组织，须写全称。", example="第一党支部"),
    Column("retirement_kind", "离退休类别", "choice", ("离退休", "离休/退休", "人员类别", "类别", "离退休情况"),
           choices=tuple((c.value, c.label) for c in RetirementKind),
           synonyms={"离休干部": "lixiu", "退休干部": "tuixiu", "离": "lixiu", "退": "tuixiu"}, width=10,
           hint="离休 或 退休；不填按退休。", example="退休"),
    Column("retired_on", "离退休日期", "date", ("离退休时间", "退休日期", "退休时间", "离休日期", "离休时间"), width=12,
           example="2009-12-01"),
    Column("former_unit", "原工作单位", "text", ("原单位", "退休前单位", "工作单位", "原工作单位及职务"), max_length=100, width=20,
           example="县农业局"),
    Column("former_post", "原职务", "text", ("职务", "原任职务"), max_length=100, width=12, example="副局长"),
    Column("rank", "职级", "text", ("级别", "职级待遇"), max_length=50, width=10, example="副处级"),
    Column("membership_status", "党员类别", "choice", ("政治面貌", "党员身份", "是否党员"),
           choices=tuple((c.value, c.label) for c in MembershipStatus) + ((NOT_MEMBER, "非党员"),),
           synonyms={"中共党员": "full", "党员": "full", "正式": "full", "是": "full", "中共预备党员": "probationary",
                     "预备": "probationary", "群众": NOT_MEMBER, "否": NOT_MEMBER, "无党派": NOT_MEMBER,
                     "无党派人士": NOT_MEMBER, "民主党派": NOT_MEMBER},
           width=10, hint="正式党员、预备党员或非党员。党员须填入党日期，正式党员还须填转正日期。", example="正式党员"),
    Column("joined_on", "入党日期", "date", ("入党时间", "入党年月", "入党年月日"), width=12,
           hint="可写 1970-03-01、1970.03、1970年3月；只写到月的按当月1日。", example="1970-03-01"),
    Column("full_on", "转正日期", "date", ("转正时间", "转正年月", "转正年月日"), width=12,
           hint="正式党员必填，须晚于入党日期；预备党员不填。", example="1971-03-01"),
    Column("joined_org_name", "入党时所在党组织", "text", ("入党时所在支部", "入党支部", "入党时所在单位"), max_length=100, width=18,
           example="县农业局机关党支部"),
    Column("membership_state", "党籍状态", "choice", (), choices=tuple((c.value, c.label) for c in MembershipState),
           width=10, hint="新登记的党员不填或填“在册”；转出、去世等变动请在人员台账中办理。", example="在册"),
    Column("phone", "联系电话", "phone", ("手机", "电话", "手机号", "手机号码", "联系方式", "电话号码", "本人电话", "本人联系电话"),
           max_length=20, width=14, hint="11位手机号或带区号的固定电话，只填一个。", example="13800001234"),
    Column("address", "居住地址", "text", ("家庭住址", "住址", "现住址", "家庭地址", "现居住地址", "居住地"), max_length=200,
           width=24, example="城关镇幸福路8号"),
    Column("community", "所在社区", "text", ("社区", "居住社区"), max_length=100, width=12, example="幸福社区"),
    Column("health", "健康状况", "choice", ("身体状况", "健康情况"), choices=tuple((c.value, c.label) for c in Health),
           synonyms={"健康": "good", "好": "good", "差": "poor", "卧床不起": "bedridden", "长期卧床": "bedridden"},
           width=10, hint="良好、一般、较差、卧床；不填按良好。", example="良好"),
    Column("mobility_impaired", "行动不便", "bool", ("是否行动不便",), choices=_yes_no(), width=8,
           hint="是 或 否；不填按否。", example="否"),
    Column("living", "居住情况", "choice", ("居住状况", "家庭情况", "居住方式"), choices=tuple((c.value, c.label) for c in Living),
           synonyms={"空巢": "empty_nest", "与配偶同住": "empty_nest", "空巢老人": "empty_nest", "独居老人": "alone",
                     "养老院": "care_home", "敬老院": "care_home", "子女同住": "with_family", "与子女共同居住": "with_family"},
           width=16, hint="与子女同住、空巢（与配偶同住）、独居、养老机构；可写“空巢”“养老院”。", example="与子女同住"),
    Column("family_contact", "家属联系人", "text", ("紧急联系人", "家属姓名"), max_length=50, width=10, example="张小明"),
    Column("family_relation", "与本人关系", "text", ("家属关系", "关系"), max_length=20, width=10, example="儿子"),
    Column("family_phone", "家属电话", "phone", ("紧急联系电话", "家属联系电话", "紧急联系人电话"), max_length=20, width=14,
           example="13900005678"),
    Column("specialties", "特长爱好", "text", ("特长", "爱好", "兴趣爱好"), max_length=200, width=16, example="书法、太极拳"),
    Column("service_needs", "服务需求", "text", ("需求",), max_length=200, width=16, example="送学上门"),
    Column("status", "状态", "choice", ("人员状态", "是否健在"), choices=tuple((c.value, c.label) for c in PersonStatus),
           synonyms={"在世": "alive", "去世": "deceased", "死亡": "deceased", "已去世": "deceased", "逝世": "deceased"},
           width=8, hint="健在 或 已故；已故须填去世日期。", example="健在"),
    Column("deceased_on", "去世日期", "date", ("去世时间", "逝世日期", "逝世时间"), width=12, example=""),
    Column("note", "备注", "text", (), max_length=2000, width=20, example=""),
)

BY_KEY = {c.key: c for c in COLUMNS}
ERROR_HEADER = "错误说明"  # the column we add to the error sheet; ignored when that sheet is imported again

RETIREE_FIELDS = ("name", "gender", "ethnicity", "id_number", "birth_date", "retirement_kind", "retired_on",
                  "former_unit", "former_post", "rank", "phone", "address", "community", "health",
                  "mobility_impaired", "living", "family_contact", "family_relation", "family_phone", "specialties",
                  "service_needs", "status", "deceased_on", "note")

_FULL_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_PAREN = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")


def to_half_width(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def normalize_header(raw) -> str:
    """'身份证号码\\n(18位)*' -> '身份证号码': no spaces, marks or notes in brackets."""
    if raw is None:
        return ""
    text = to_half_width(str(raw))
    text = _PAREN.sub("", text)
    return re.sub(r"[\s*:：#]", "", text).lower()


_ALIASES: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.header, *_c.aliases):
        _ALIASES[normalize_header(_name)] = _c.key


def column_for(raw_header) -> Column | None:
    key = _ALIASES.get(normalize_header(raw_header))
    return BY_KEY[key] if key else None
