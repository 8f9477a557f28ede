"""The shipped rubrics (DOMAIN.md §7, seed 000 篇1/篇4–5, seed 002), used by data migration 0002 and tests.

Each item: (code, name, weight, source, metric, related_metric, target, is_innovation, guidance).
"""
from .metrics import ATTENDANCE_RATE, CARE_VISITS, DUES_ARREARS, HOME_DELIVERY, MEETINGS_HELD, TERM_ON_TIME

STAR_BANDS = [
    {"min": 90, "grade": "5", "label": "五星级"},
    {"min": 80, "grade": "4", "label": "四星级"},
    {"min": 70, "grade": "3", "label": "三星级"},
    {"min": 60, "grade": "2", "label": "二星级"},
    {"min": 0, "grade": "1", "label": "一星级"},
]

STAR_ITEMS = [
    ("D1", "三会一课等组织生活按规定召开", 25, "data", MEETINGS_HELD, "", "1.00", False,
     "按适用的组织生活规则，全年应开已开；每少开一次按比例扣分"),
    ("D2", "党员参加组织生活", 15, "data", ATTENDANCE_RATE, "", "0.85", False, "出席率达到85%得满分"),
    ("D3", "行动不便党员送学上门", 10, "data", HOME_DELIVERY, "", "1.00", False, "行动不便、卧床党员全部覆盖得满分"),
    ("D4", "走访慰问离退休干部", 10, "data", CARE_VISITS, "", "0.60", False, "全年走访覆盖60%的离退休干部得满分"),
    ("D5", "党费按时足额交纳", 10, "data", DUES_ARREARS, "", "1.00", False, "无连续欠缴3个月以上党员得满分"),
    ("D6", "支部委员会按期换届", 5, "data", TERM_ON_TIME, "", "1.00", False, "年末班子任期未超期得满分"),
    ("M1", "组织生活记录真实完整", 10, "manual", "", MEETINGS_HELD, "1.00", False,
     "查阅会议记录：记录完整、真实，无照搬照抄、集中补记"),
    ("M2", "作用发挥与群众反映", 10, "manual", "", CARE_VISITS, "1.00", False,
     "志愿服务、双报到、群众评价"),
    ("M3", "创新工作与特色亮点", 5, "manual", "", "", "1.00", True,
     "有创新做法或特色品牌；评五星级须本项得分"),
]

FIVE_GOOD_BANDS = [{"min": 85, "grade": "pass", "label": "五好支部"}, {"min": 0, "grade": "", "label": "未达标"}]
FIVE_GOOD_ITEMS = [
    ("G1", "支部班子好", 20, "manual", "", TERM_ON_TIME, "1.00", False, "班子健全、按期换届、书记履职"),
    ("G2", "党员队伍好", 20, "manual", "", ATTENDANCE_RATE, "0.85", False, "党员参加组织生活、发挥作用"),
    ("G3", "组织设置好", 20, "manual", "", "", "1.00", False, "建制型、功能型设置合理，覆盖全体党员"),
    ("G4", "活动开展好（三会一课坚持情况）", 20, "manual", "", MEETINGS_HELD, "1.00", False,
     "三会一课、主题党日坚持经常"),
    ("G5", "群众反映好", 20, "manual", "", CARE_VISITS, "0.60", False, "走访、服务、群众评价"),
]

SIX_GOOD_BANDS = [{"min": 85, "grade": "pass", "label": "六好支部"}, {"min": 0, "grade": "", "label": "未达标"}]
SIX_GOOD_ITEMS = [
    ("S1", "组织设置好", 15, "manual", "", "", "1.00", False, "组织设置合理、覆盖全体离退休干部党员"),
    ("S2", "班子建设好", 15, "manual", "", TERM_ON_TIME, "1.00", False, "班子健全、按期换届"),
    ("S3", "党员队伍好", 15, "data", ATTENDANCE_RATE, "", "0.85", False, "党员参加组织生活"),
    ("S4", "学习活动好", 15, "data", HOME_DELIVERY, "", "1.00", False, "学习覆盖行动不便党员"),
    ("S5", "作用发挥好", 15, "manual", "", CARE_VISITS, "0.60", False, "志愿服务、关心关爱"),
    ("S6", "制度坚持好", 25, "data", MEETINGS_HELD, "", "1.00", False, "三会一课等制度坚持"),
]

RESPONSIBILITY_BANDS = [
    {"min": 90, "grade": "A", "label": "优秀"},
    {"min": 80, "grade": "B", "label": "良好"},
    {"min": 60, "grade": "C", "label": "合格"},
    {"min": 0, "grade": "D", "label": "不合格"},
]
RESPONSIBILITY_ITEMS = [
    ("R1", "所属支部组织生活落实", 25, "data", MEETINGS_HELD, "", "1.00", False, "所属支部应开已开合计"),
    ("R2", "所属党员参加组织生活", 15, "data", ATTENDANCE_RATE, "", "0.85", False, "所属支部出席人次合计"),
    ("R3", "送学上门覆盖", 10, "data", HOME_DELIVERY, "", "1.00", False, "所属支部行动不便党员合计"),
    ("R4", "走访慰问覆盖", 10, "data", CARE_VISITS, "", "0.60", False, "所属支部离退休干部合计"),
    ("R5", "党费收缴", 10, "data", DUES_ARREARS, "", "1.00", False, "所属支部党员合计"),
    ("R6", "所属支部按期换届", 10, "data", TERM_ON_TIME, "", "1.00", False, "按期换届的支部所占比例"),
    ("R7", "书记抓党建述职（述）", 10, "manual", "", "", "1.00", False, "书记本人述职，不以党组织述职代替"),
    ("R8", "述职评议与民主测评（评）", 10, "manual", "", MEETINGS_HELD, "1.00", False,
     "述职评议大会评议、民主测评结果"),
]

RUBRICS = [
    # code, name, kind, is_default, title, bands, innovation_required, items
    ("star", "离退休干部党支部星级评定（五星级管理）", "star_rating", True, "", STAR_BANDS, True, STAR_ITEMS),
    ("five_good", "“五好”支部评定（班子好、队伍好、设置好、活动好、反映好）", "model_branch", True, "五好支部", FIVE_GOOD_BANDS, False,
     FIVE_GOOD_ITEMS),
    ("six_good", "“六好”支部评定（2022年意见）", "model_branch", False, "六好支部", SIX_GOOD_BANDS, False,
     SIX_GOOD_ITEMS),
    ("responsibility", "离退休干部党建目标责任制考核（述评考）", "responsibility", True, "", RESPONSIBILITY_BANDS,
     False, RESPONSIBILITY_ITEMS),
]
FIRST_YEAR = 2018
