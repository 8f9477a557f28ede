"""年度统计报告: the statistics table of seed 000 篇6 and its distributions, as of 31 December.

The figures come from `changqing.stats.selectors` (`FIGURES`, `annual_figures`,
`distributions`, `trend`), so the document says exactly what the 统计 pages
say; this module only lays them out: a table against the previous year, a
five-year trend line, and one table and bar chart per distribution, with
sentences generated from the numbers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from changqing.core import documents as D
from changqing.orgs.models import Organization

from . import charts
from .summary import _date, _widths, pct

TREND_YEARS = 5
# Rows of the table written as "其中" under the row above them (indent level).
INDENT = {"members": 1, "lixiu": 1, "lixiu_members": 2, "tuixiu": 1, "tuixiu_members": 2,
          "organizations_alone": 1, "organizations_combined": 1, "organizations_with_staff": 2,
          "organizations_community": 2, "organizations_other": 1}
ORG_KEYS_PREFIX = "organizations"


@dataclass
class StatisticsData:
    org: Organization
    year: int
    today: dt.date
    labels: list[tuple[str, str]] = field(default_factory=list)
    now: dict = field(default_factory=dict)
    before: dict = field(default_factory=dict)
    trend: list[dict] = field(default_factory=list)
    distributions: dict = field(default_factory=dict)

    @property
    def on(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    def figures(self) -> dict:
        return dict(self.now)


def stats_available() -> bool:
    try:
        from changqing.stats import selectors  # noqa: F401
    except ImportError:
        return False
    return all(hasattr(selectors, n) for n in ("FIGURES", "annual_figures", "distributions", "trend"))


def statistics_data(org: Organization, year: int, *, today: dt.date | None = None, progress=None) -> StatisticsData:
    from changqing.stats import selectors as S

    progress = progress or (lambda p, m: None)
    data = StatisticsData(org, year, today or timezone.localdate(), labels=list(S.FIGURES))
    progress(10, "正在统计年末人数和党组织")
    years = list(range(year - TREND_YEARS + 1, year + 1))
    data.trend = S.trend(org=org, years=years)
    by_year = {t["year"]: t["figures"] for t in data.trend}
    data.now = by_year.get(year) or S.annual_figures(org=org, on=data.on)
    data.before = by_year.get(year - 1) or S.annual_figures(org=org, on=dt.date(year - 1, 12, 31))
    progress(35, "正在统计结构分布")
    data.distributions = S.distributions(org=org, on=data.on)
    return data


def _change(now: int, before: int) -> str:
    d = now - before
    return "持平" if d == 0 else (f"+{d:,}" if d > 0 else f"{d:,}")


def render_statistics(data: StatisticsData) -> bytes:
    org, year, now, before = data.org, data.year, data.now, data.before
    label = dict(data.labels)
    doc = D.new_document(body_size=14, margins_cm=(3.0, 2.8, 2.6, 2.4))
    width = D.text_width_cm(doc)
    D.para(doc, org.name, size=22, bold=True, font=D.SANS, align="center", space_after=2)
    D.para(doc, f"{year}年度离退休干部党建工作统计报告", size=20, bold=True, font=D.SANS, align="center", space_after=4)
    D.para(doc, f"（统计截至{_date(data.on)}，根据平台数据生成）", size=12, align="center", space_after=14)

    retirees, members = now.get("retirees", 0), now.get("members", 0)
    D.heading(doc, "一、基本情况")
    D.para(doc, f"截至{_date(data.on)}，{org.name}共有离退休干部{retirees:,}人，比上年末{_more(retirees, before.get('retirees', 0), '人')}；"
                f"其中党员{members:,}人，占{pct(members, retirees)}%。离休干部{now.get('lixiu', 0):,}人"
                f"（其中党员{now.get('lixiu_members', 0):,}人），退休干部{now.get('tuixiu', 0):,}人"
                f"（其中党员{now.get('tuixiu_members', 0):,}人）。", size=14)
    orgs = now.get("organizations", 0)
    D.para(doc, f"离退休干部党组织{orgs:,}个，比上年末{_more(orgs, before.get('organizations', 0), '个')}；"
                f"其中单独设置{now.get('organizations_alone', 0):,}个，占{pct(now.get('organizations_alone', 0), orgs)}%；"
                f"与在职人员合编或编入社区{now.get('organizations_combined', 0):,}个"
                f"（与在职人员合编{now.get('organizations_with_staff', 0):,}个、"
                f"编入社区{now.get('organizations_community', 0):,}个）；"
                f"其他（老年大学临时、流动）{now.get('organizations_other', 0):,}个。", size=14)
    D.para(doc, "表1  离退休干部及党组织基本情况统计表", size=12, font=D.SANS, align="center", space_after=4,
           keep_with_next=True)
    rows = []
    for key, text in data.labels:
        unit = "个" if key.startswith(ORG_KEYS_PREFIX) else "人"
        lead = "其中：" if INDENT.get(key) and not text.startswith("其中") else ""
        rows.append(["\u3000" * INDENT.get(key, 0) + lead + text + f"（{unit}）",
                     now.get(key, 0), before.get(key, 0), _change(now.get(key, 0), before.get(key, 0))])
    D.table(doc, ["项目", f"{year}年末", f"{year - 1}年末", "增减"], rows,
            widths_cm=_widths(width, [8.0, 2.6, 2.6, 2.2]))
    if len(data.trend) > 1:
        labels = [f"{t['year']}年" for t in data.trend]
        D.picture(doc, charts.line_chart(
            f"近{len(data.trend)}年离退休干部和党员人数", labels,
            {label.get("retirees", "离退休干部"): [t["figures"].get("retirees", 0) for t in data.trend],
             "党员": [t["figures"].get("members", 0) for t in data.trend]}, unit="人"),
            width_cm=width * 0.9, caption=f"图1  {data.trend[0]['year']}—{year}年人数变化")

    D.heading(doc, "二、结构分布")
    n = 2
    for i, (key, dist) in enumerate(data.distributions.items()):
        buckets = [b for b in dist["buckets"]]
        if not dist["total"] or not buckets:
            continue
        D.para(doc, f"（{D.CN_NUM[i]}）{dist['label']}", size=14, bold=True, font=D.SANS, indent=False,
               keep_with_next=True)
        D.para(doc, _dist_sentence(key, dist), size=14, keep_with_next=True)
        D.picture(doc, charts.hbar_chart(dist["label"], [b["label"] for b in buckets], [b["count"] for b in buckets],
                                         unit="人", percents=[b["percent"] for b in buckets]),
                  width_cm=width * (0.95 if len(buckets) > 6 else 0.85), caption=f"图{n}  {dist['label']}")
        n += 1
    D.para(doc, "", space_after=18, keep_with_next=True)  # the signature stays together
    D.para(doc, org.name, size=14, align="right", indent=False, space_after=2, keep_with_next=True)
    D.para(doc, _date(data.today), size=14, align="right", indent=False)
    return D.to_bytes(doc)


def _more(now: int, before: int, unit: str) -> str:
    d = now - before
    if d == 0:
        return "持平"
    return f"增加{d:,}{unit}" if d > 0 else f"减少{-d:,}{unit}"


def _dist_sentence(key: str, dist: dict) -> str:
    buckets = dist["buckets"]
    top = max(buckets, key=lambda b: b["count"])
    who = "党员" if dist["figure"] == "members" else "离退休干部"
    shown = [b for b in buckets if b["count"]]
    if len(shown) > 6:  # many groups (zones): the largest three in words, all of them in the chart
        shown = sorted(shown, key=lambda b: -b["count"])[:3]
        text = f"纳入统计的{who}{dist['total']:,}人分布在{len(buckets)}个分组，人数最多的是" + "、".join(
            f"{b['label']}{b['count']:,}人（{b['percent']}%）" for b in shown) + "。"
        return text
    text = f"纳入统计的{who}{dist['total']:,}人中，" + "，".join(
        f"{b['label']}{b['count']:,}人（{b['percent']}%）" for b in shown) + "。"
    text += f"以{top['label']}的最多，占{top['percent']}%。"
    if key == "age":
        old = sum(b["count"] for b in buckets if b["label"].startswith(("80", "90")))
        text += f"80岁及以上的高龄老同志{old:,}人，占{pct(old, dist['total'])}%，关心照顾任务较重。"
    return text
