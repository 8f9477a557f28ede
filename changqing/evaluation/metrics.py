"""Data metrics and how each maps to a score (pure Python, no database).

Every metric is a ratio of two counted figures (numerator / denominator) for a
branch and a year; a unit's figure is the sum of its branches' figures. An item
of weight W and target T (a ratio, e.g. 0.85 for attendance) scores

    score = W × min(1, ratio / T)        rounded half up to 0.1

and a metric whose denominator is 0 (nothing was due, e.g. no immobile member)
scores the full weight and says "不适用". The figures are kept on the score, so
the explain page shows exactly what the score came from.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MEETINGS_HELD = "meetings_held"
ATTENDANCE_RATE = "attendance_rate"
HOME_DELIVERY = "home_delivery_coverage"
CARE_VISITS = "care_visit_coverage"
DUES_ARREARS = "dues_arrears"
TERM_ON_TIME = "term_on_time"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    numerator: str  # key in the figures dict
    denominator: str
    num_label: str
    den_label: str
    formula: str  # how the ratio is read, in Chinese, for the explain page


METRICS: dict[str, Metric] = {m.key: m for m in [
    Metric(MEETINGS_HELD, "三会一课等组织生活按规定召开", "held", "required", "已开（每条规则不超过应开数）", "应开",
           "按支部适用的组织生活规则逐条计算全年应开与已开次数（谈心谈话按每名党员计），已开次数每条不超过应开数，"
           "比率 = 已开合计 ÷ 应开合计"),
    Metric(ATTENDANCE_RATE, "党员参加组织生活出席率", "participated", "recorded", "参加人次（出席、线上、送学上门）",
           "登记人次",
           "计入组织生活的会议全年登记的出席情况中，出席、线上参加、送学上门的人次 ÷ 全部登记人次"),
    Metric(HOME_DELIVERY, "行动不便党员送学上门覆盖", "reached", "immobile", "已覆盖人数", "行动不便/卧床党员人数",
           "行动不便或卧床的在册党员中，全年有参加记录（含送学上门、网上助学）且每次请假当月都有送学上门的人数 ÷ 这类党员人数"),
    Metric(CARE_VISITS, "走访慰问覆盖", "visited", "retirees", "全年走访过的人数", "在世离退休干部人数",
           "在本组织登记的在世离退休干部中，全年至少有一次走访慰问记录的人数 ÷ 人数"),
    Metric(DUES_ARREARS, "党费按时交纳", "on_time", "members", "未连续欠缴3个月及以上的人数", "在册党员人数",
           "年末（或上月末，取早者）连续欠缴党费3个月及以上的党员不计，比率 = (党员人数 − 欠缴人数) ÷ 党员人数"),
    Metric(TERM_ON_TIME, "支部委员会按期换届", "on_time", "branches", "年末未超期的支部数", "支部数",
           "年末（或今天，取早者）现任班子任期未届满记 1，已超期或未录入班子记 0"),
]}

METRIC_CHOICES = [(m.key, m.label) for m in METRICS.values()]

_TENTH = Decimal("0.1")


def to_tenth(x) -> Decimal:
    return Decimal(x).quantize(_TENTH, rounding=ROUND_HALF_UP)


def ratio(metric: str, figures: dict) -> Decimal | None:
    """numerator / denominator of a metric's figures; None when nothing was due."""
    m = METRICS[metric]
    den = int(figures.get(m.denominator) or 0)
    if den <= 0:
        return None
    return Decimal(int(figures.get(m.numerator) or 0)) / Decimal(den)


def score(metric: str, figures: dict, weight, target=Decimal(1)) -> Decimal:
    """The documented formula: W × min(1, ratio / T); full weight when not applicable."""
    weight = Decimal(weight)
    r = ratio(metric, figures)
    if r is None:
        return to_tenth(weight)
    target = Decimal(target) if Decimal(target) > 0 else Decimal(1)
    return to_tenth(weight * min(Decimal(1), r / target))


def describe(metric: str, figures: dict) -> str:
    """One Chinese sentence of the figures: 已开 40 / 应开 45（88.9%）."""
    m = METRICS[metric]
    r = ratio(metric, figures)
    num, den = figures.get(m.numerator, 0), figures.get(m.denominator, 0)
    if r is None:
        return f"{m.den_label}为 0，不适用（得满分）"
    return f"{m.num_label} {num} / {m.den_label} {den}（{r * 100:.1f}%）"


def add(into: dict, figures: dict) -> dict:
    """Sum the counted figures of several organisations (lists are concatenated, other values dropped)."""
    for k, v in figures.items():
        if isinstance(v, bool):
            continue
        if isinstance(v, int):
            into[k] = into.get(k, 0) + v
    return into


def grade_for(total: Decimal, bands: list[dict], *, innovation_required: bool = False,
              innovation_score: Decimal | None = None) -> tuple[str, str]:
    """(grade, label) of a total under the version's bands, highest first.

    With `innovation_required`, the top band needs an innovation item scored above 0
    (DOMAIN.md §7: 5★ ≥90 plus an innovation item); otherwise the next band applies.
    """
    ordered = sorted(bands, key=lambda b: -Decimal(str(b["min"])))
    for i, band in enumerate(ordered):
        if total >= Decimal(str(band["min"])):
            if i == 0 and innovation_required and not (innovation_score and innovation_score > 0):
                continue
            return str(band.get("grade", "")), band["label"]
    return "", "未评定"
