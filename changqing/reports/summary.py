"""年度工作总结: the year's work of a jurisdiction, written from its data.

`summary_data(org, year)` gathers the figures with bulk queries per area
(organisational life through the life engine, dues through the dues
selectors, care, volunteers, guidance stations, confirmed audit findings,
star ratings when the evaluation app provides them); `render_summary(data)`
writes the .docx: prose sentences generated from the figures, tables and
charts. Every figure covers the subtree of `org` (path prefix).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from changqing.core import documents as D
from changqing.orgs.models import Organization
from changqing.core.tree import in_subtree

from . import charts

ZERO = Decimal("0")
MISSED_SHOWN = 15  # branches listed by name with what they missed; the rest are counted


def pct(n, total) -> float:
    return round(100 * float(n) / float(total), 1) if total else 0.0


def money(v) -> str:
    return f"{Decimal(v or 0):,.2f}"


@dataclass
class SummaryData:
    org: Organization
    year: int
    today: dt.date
    life: dict = field(default_factory=dict)
    dues: dict = field(default_factory=dict)
    care: dict = field(default_factory=dict)
    volunteers: dict = field(default_factory=dict)
    guidance: dict | None = None
    audit: dict = field(default_factory=dict)
    evaluation: dict | None = None

    def figures(self) -> dict:
        """The headline numbers, stored with the generated report and shown on its page."""
        return {
            "branches": self.life.get("branches", 0), "meetings": self.life.get("meetings", 0),
            "attendance_rate": self.life.get("attendance_rate", 0.0), "deliveries": self.life.get("deliveries", 0),
            "dues_due": str(self.dues.get("due", ZERO)), "dues_paid": str(self.dues.get("paid", ZERO)),
            "visits": self.care.get("visits", 0), "volunteer_hours": float(self.volunteers.get("hours", 0)),
            "findings_confirmed": self.audit.get("confirmed", 0),
        }


def summary_data(org: Organization, year: int, *, today: dt.date | None = None, progress=None) -> SummaryData:
    today = today or timezone.localdate()
    progress = progress or (lambda p, m: None)
    data = SummaryData(org, year, today)
    progress(10, "正在统计组织生活")
    data.life = _life(org, year, today)
    progress(30, "正在统计党费收缴")
    data.dues = _dues(org, year, today)
    progress(50, "正在统计关怀服务和志愿服务")
    data.care = _care(org, year)
    data.volunteers = _volunteers(org, year)
    progress(60, "正在统计指导站、审计和评星")
    data.guidance = _guidance(org, year)
    data.audit = _audit(org, year)
    data.evaluation = _evaluation(org, year)
    return data


# -- organisational life ------------------------------------------------------------------------

def _life(org, year, today) -> dict:
    from changqing.life import engine, selectors
    from changqing.life.models import Attendance, AttendanceStatus, Meeting, MeetingState, StudyMode, StudyRecord

    period = engine.parse_period(str(year))
    results = selectors.compliance_results(org, period, today=max(today, period.end + dt.timedelta(days=1)))
    by_branch: dict[str, list] = defaultdict(list)
    by_rule: dict[str, dict] = {}
    for r in results:
        by_branch[r.branch.name].append(r)
        row = by_rule.setdefault(r.rule.name, {"rule": r.rule.name, "branches": 0, "required": 0, "held": 0,
                                               "done": 0})
        row["branches"] += 1
        row["required"] += r.required
        row["held"] += min(r.held, r.required) if r.required else 0
        row["done"] += r.status == engine.DONE
    complete = sorted(name for name, rs in by_branch.items() if all(r.status == engine.DONE for r in rs))
    missed = {name: [r.rule.name for r in rs if r.status != engine.DONE] for name, rs in by_branch.items()}
    missed = {k: v for k, v in sorted(missed.items()) if v}
    meetings = Meeting.objects.filter(in_subtree(org.path, "organization"), state=MeetingState.HELD,
                                      held_on__year=year)
    by_kind = list(meetings.values_list("kind__name").annotate(n=Count("id")).order_by("kind__order"))
    by_month = dict(meetings.annotate(m=ExtractMonth("held_on")).values_list("m").annotate(n=Count("id")))
    att = Attendance.objects.filter(meeting__in=meetings).aggregate(
        total=Count("id"), took_part=Count("id", filter=Q(status__in=sorted(engine.PARTICIPATED))),
        delivered=Count("id", filter=Q(status=AttendanceStatus.HOME_DELIVERY)),
        online=Count("id", filter=Q(status=AttendanceStatus.ONLINE)))
    study = StudyRecord.objects.filter(in_subtree(org.path, "organization"), studied_on__year=year)
    study_delivered = study.filter(mode=StudyMode.HOME_DELIVERY).count()
    rules = sorted(by_rule.values(), key=lambda r: -r["branches"])
    return {
        "branches": len(by_branch), "complete": complete, "missed": missed,
        "complete_rate": pct(len(complete), len(by_branch)),
        "rules": [dict(r, rate=pct(r["held"], r["required"])) for r in rules],
        "meetings": sum(n for _, n in by_kind), "by_kind": by_kind,
        "by_month": [by_month.get(m, 0) for m in range(1, 13)],
        "attendance_total": att["total"], "attendance_rate": pct(att["took_part"], att["total"]),
        "deliveries": att["delivered"] + study_delivered, "online": att["online"],
        "study_records": study.count(),
    }


# -- dues ---------------------------------------------------------------------------------------

def _dues(org, year, today) -> dict:
    from changqing.dues import rules
    from changqing.dues.models import DuesPayment, PaymentKind
    from changqing.dues.selectors import compute, death_month_owed, last_closed_month, owing_in
    from changqing.members.models import Membership

    months = rules.month_range(dt.date(year, 1, 1), 12)
    as_of = min(last_closed_month(today), dt.date(year, 12, 1))
    # Whoever owed dues for a month of the year, today's members or not (dues.selectors.owes_q, as the
    # dashboards): compute() leaves out the months before joining and after dying or transferring out.
    members = owing_in(Membership.objects.filter(in_subtree(org.path, "organization")), months,
                       death_month_owed(org, months[-1]))
    rows = compute(members, months, as_of=as_of) if as_of >= months[0] else []
    due_by_month = [ZERO] * 12
    paid_by_month = [ZERO] * 12
    waived = unassessed = 0
    for r in rows:
        for i, m in enumerate(months):
            md = r.months[m]
            if md.settled == "not_due":
                continue
            if md.due is None:
                unassessed += 1
                continue
            due_by_month[i] += md.due
            paid_by_month[i] += md.paid
            waived += md.settled == "waived"
    arrears = Counter()
    for r in rows:
        if not r.owes(as_of):  # no longer a member by then (or not yet): no reminder to give
            continue
        if r.arrears_months >= 6:
            arrears["6"] += 1
        elif r.arrears_months >= 3:
            arrears["3"] += 1
    payments = DuesPayment.objects.filter(in_subtree(org.path, "organization"), paid_on__year=year)
    voluntary = payments.filter(kind=PaymentKind.VOLUNTARY).aggregate(n=Count("id"), s=Sum("amount"))
    due, paid = sum(due_by_month, ZERO), sum(paid_by_month, ZERO)
    return {
        "members": sum(any(r.owes(m) for m in months) for r in rows),
        "due": due, "paid": paid, "rate": pct(paid, due), "as_of": as_of,
        "due_by_month": due_by_month, "paid_by_month": paid_by_month, "waived_months": waived,
        "unassessed_months": unassessed, "arrears_3": arrears["3"], "arrears_6": arrears["6"],
        "payments": payments.count(), "voluntary_count": voluntary["n"] or 0, "voluntary_sum": voluntary["s"] or ZERO,
    }


# -- care and volunteers ------------------------------------------------------------------------

def _care(org, year) -> dict:
    from changqing.care.models import (
        AssistanceApplication,
        CampaignTarget,
        HardshipReason,
        HardshipRecord,
        Visit,
        VisitKind,
    )
    from changqing.members.models import PersonStatus, Retiree

    under = in_subtree(org.path, "retiree__organization")
    end = dt.date(year, 12, 31)
    visits = Visit.objects.filter(under, visited_on__year=year)
    labels = dict(VisitKind.choices)
    by_kind = [(labels[k], n) for k, n in visits.values_list("kind").annotate(n=Count("id")).order_by("-n")]
    reached = visits.values("retiree").distinct().count()
    people = Retiree.objects.filter(in_subtree(org.path, "organization")).filter(
        Q(status=PersonStatus.ALIVE) | Q(deceased_on__gt=end)).count()
    campaigns = list(CampaignTarget.objects.filter(under, campaign__starts_on__year=year)
                     .values("campaign__name", "campaign__due_on")
                     .annotate(targets=Count("id"), done=Count("id", filter=Q(visit__isnull=False)))
                     .order_by("campaign__due_on", "campaign__name"))
    hardship_labels = dict(HardshipReason.choices)
    hardship = [(hardship_labels.get(k, k), n) for k, n in HardshipRecord.objects.filter(
        under, Q(until__isnull=True) | Q(until__gt=end), since__lte=end)
        .values_list("reason").annotate(n=Count("retiree", distinct=True)).order_by("-n")]
    paid = AssistanceApplication.objects.filter(under, paid_on__year=year).aggregate(
        n=Count("id"), s=Sum("amount_approved"))
    return {
        "visits": visits.count(), "by_kind": by_kind, "reached": reached, "people": people,
        "coverage": pct(reached, people), "amount": visits.aggregate(s=Sum("amount"))["s"] or ZERO,
        "birthday_visits": dict(by_kind).get(labels[VisitKind.BIRTHDAY], 0),
        "campaigns": [{"name": c["campaign__name"], "targets": c["targets"], "done": c["done"],
                       "rate": pct(c["done"], c["targets"])} for c in campaigns],
        "hardship": hardship, "assistance_count": paid["n"] or 0, "assistance_sum": paid["s"] or ZERO,
    }


def _volunteers(org, year) -> dict:
    from changqing.care.models import CommunityDuty, Participation, VolunteerTeam

    part = Participation.objects.filter(in_subtree(org.path, "retiree__organization"), activity__held_on__year=year)
    agg = part.aggregate(people=Count("retiree", distinct=True), hours=Sum("hours"),
                         activities=Count("activity", distinct=True))
    by_team = list(part.values_list("activity__team__name").annotate(h=Sum("hours"), p=Count("retiree", distinct=True))
                   .order_by("-h")[:10])
    duty = CommunityDuty.objects.filter(in_subtree(org.path, "retiree__organization"), served_on__year=year) \
        .aggregate(people=Count("retiree", distinct=True), days=Sum("days"))
    return {
        "teams": VolunteerTeam.objects.filter(in_subtree(org.path, "organization")).count(),
        "people": agg["people"] or 0, "hours": agg["hours"] or ZERO, "activities": agg["activities"] or 0,
        "by_team": [(name, float(h or 0), p) for name, h, p in by_team],
        "duty_people": duty["people"] or 0, "duty_days": duty["days"] or ZERO,
    }


# -- guidance stations, audit, evaluation ------------------------------------------------------------

def _guidance(org, year) -> dict | None:
    try:
        from changqing.guidance.models import GuidanceStation, GuideVisit, NewOrg, StationMeeting
    except ImportError:
        return None
    stations = GuidanceStation.objects.filter(in_subtree(org.path, "organization"))
    n = stations.count()
    if not n:
        return None
    return {
        "stations": n,
        "new_orgs": NewOrg.objects.filter(station__in=stations).count(),
        "visits": GuideVisit.objects.filter(new_org__station__in=stations, visited_on__year=year).count(),
        "meetings": StationMeeting.objects.filter(station__in=stations, held_on__year=year).count(),
    }


def _audit(org, year) -> dict:
    from changqing.audit.models import Finding, FindingKind, FindingStatus

    findings = Finding.objects.filter(in_subtree(org.path, "organization"), period=year)
    labels = dict(FindingKind.choices)
    confirmed = [(labels.get(k, k), n) for k, n in findings.filter(status=FindingStatus.CONFIRMED)
                 .values_list("kind").annotate(n=Count("id")).order_by("-n")]
    return {
        "confirmed": sum(n for _, n in confirmed), "by_kind": confirmed,
        "open": findings.filter(status=FindingStatus.OPEN).count(),
        "dismissed": findings.filter(status=FindingStatus.DISMISSED).count(),
    }


def _evaluation(org, year) -> dict | None:
    """Star ratings (五星级管理) of the year from the evaluation app; None (no section) when there are none."""
    try:
        from changqing.evaluation.models import Assessment, AssessmentState, RubricKind
    except ImportError:
        return None
    stars = Assessment.objects.filter(in_subtree(org.path, "organization"), year=year,
                                      kind=RubricKind.STAR_RATING)
    total = stars.count()
    if not total:
        return None
    confirmed = stars.filter(state=AssessmentState.CONFIRMED)
    counted = confirmed if confirmed.exists() else stars
    grades = dict(counted.values_list("grade").annotate(n=Count("id")))
    rows = [[f"{'★' * g}（{g}星）", grades.get(str(g), 0), f"{pct(grades.get(str(g), 0), counted.count())}%"]
            for g in range(5, 0, -1)]
    high = sum(grades.get(str(g), 0) for g in (4, 5))
    state = "已确认" if counted is confirmed else "已评定（尚未全部确认）"
    return {
        "total": total, "confirmed": confirmed.count(), "high": high,
        "text": f"{year}年度参加星级评定的党组织{total}个，{state}{counted.count()}个，"
                f"其中四星级及以上{high}个，占{pct(high, counted.count())}%。",
        "headers": ["星级", "党组织数", "占比"], "rows": rows,
    }


# -- the document ---------------------------------------------------------------------------------

def render_summary(data: SummaryData) -> bytes:
    org, year = data.org, data.year
    doc = D.new_document(body_size=14, margins_cm=(3.0, 2.8, 2.6, 2.4))
    width = D.text_width_cm(doc)
    D.para(doc, org.name, size=22, bold=True, font=D.SANS, align="center", space_after=2)
    D.para(doc, f"{year}年度工作总结", size=22, bold=True, font=D.SANS, align="center", space_after=4)
    D.para(doc, f"（根据平台数据生成，统计截至{_date(min(data.today, dt.date(year, 12, 31)))}）", size=12,
           align="center", space_after=14)
    life, dues, care, vol = data.life, data.dues, data.care, data.volunteers
    done = []
    if life["meetings"]:
        done.append(f"开展组织生活{life['meetings']:,}次，党员参加率{life['attendance_rate']}%")
    if dues["paid"]:
        done.append(f"党费实缴{money(dues['paid'])}元")
    if care["visits"]:
        done.append(f"走访慰问{care['visits']:,}人次")
    if vol["hours"]:
        done.append(f"志愿服务{_num(vol['hours'])}小时")
    D.para(doc, f"{year}年，{org.name}在上级党组织的领导下，坚持以党的建设为统领，落实“三会一课”等组织生活制度，"
                f"做好党费收缴、走访慰问和志愿服务等工作。"
                + (f"全年共{'；'.join(done)}。" if done else f"平台上{year}年录入的工作记录较少，以下各项请结合实际补充。")
                + "现将全年工作总结如下。", size=14)

    sections = [("组织生活", _section_life), ("党费收缴", _section_dues), ("关怀服务", _section_care),
                ("志愿服务", _section_volunteers)]
    if data.guidance:
        sections.append(("两新组织党建指导站", _section_guidance))
    sections.append(("诚信审计", _section_audit))
    if data.evaluation:
        sections.append(("星级评定", _section_evaluation))
    for i, (name, fn) in enumerate(sections):
        D.heading(doc, f"{D.CN_NUM[i]}、{name}")
        fn(doc, data, width)
    D.heading(doc, f"{D.CN_NUM[len(sections)]}、存在的不足和下一步打算")
    for s in _next_steps(data):
        D.para(doc, s, size=14)
    D.para(doc, "", space_after=18, keep_with_next=True)  # the signature stays together
    D.para(doc, org.name, size=14, align="right", indent=False, space_after=2, keep_with_next=True)
    D.para(doc, _date(data.today), size=14, align="right", indent=False)
    return D.to_bytes(doc)


def _section_life(doc, data, width):
    life = data.life
    if not life["meetings"]:
        D.para(doc, f"纳入统计的党支部{life['branches']}个，{data.year}年平台上没有录入组织生活记录，"
                    "无法统计完成情况，请各支部及时补录。", size=14)
        return
    kinds = "、".join(f"{k}{n}次" for k, n in life["by_kind"]) or "无"
    D.para(doc, f"纳入统计的党支部{life['branches']}个，全年各项组织生活全部按要求完成的{len(life['complete'])}个，"
                f"完成率{life['complete_rate']}%。全年共开展组织生活{life['meetings']:,}次，其中{kinds}。"
                f"应参加组织生活{life['attendance_total']:,}人次，党员参加率{life['attendance_rate']}%"
                f"（线上参加、送学上门计入）；为行动不便的老党员送学上门{life['deliveries']:,}人次，"
                f"网上助学{life['online']:,}人次，做到“学习不漏一人”。", size=14)
    if life["rules"]:
        rows = [[r["rule"], r["branches"], r["required"], r["held"], f"{r['rate']}%", r["done"]] for r in life["rules"]]
        D.para(doc, "表1  各项组织生活完成情况", size=12, font=D.SANS, align="center", space_after=4,
               keep_with_next=True)
        D.table(doc, ["项目", "支部数", "应开（次）", "已开（次）", "完成率", "全部完成的支部"], rows,
                widths_cm=_widths(width, [4.0, 2.0, 2.4, 2.4, 2.0, 3.2]))
    D.picture(doc, charts.vbar_chart(f"{data.year}年各月组织生活次数", [f"{m}月" for m in range(1, 13)],
                                     {"开展次数": life["by_month"]}, unit="次"),
              width_cm=width, caption="图1  各月组织生活开展次数")
    if life["missed"]:
        D.para(doc, f"有{len(life['missed'])}个支部存在未按要求完成的事项，主要是：", size=14, keep_with_next=True)
        rows = [[i, name, "、".join(m)] for i, (name, m) in enumerate(list(life["missed"].items())[:MISSED_SHOWN],
                                                                      start=1)]
        D.table(doc, ["序号", "党支部", "未完成事项"], rows, widths_cm=_widths(width, [1.4, 7.0, 7.6]))
        if len(life["missed"]) > MISSED_SHOWN:
            D.para(doc, f"另有{len(life['missed']) - MISSED_SHOWN}个支部，详见“组织生活”中的逾期清单。", size=12)


def _section_dues(doc, data, width):
    dues = data.dues
    if not dues["members"] or not (dues["due"] or dues["paid"]):
        D.para(doc, f"全年应交党费的党员{dues['members']:,}人，{data.year}年平台上没有录入党费基数和缴纳记录。",
               size=14)
        return
    D.para(doc, f"全年应交党费的党员{dues['members']:,}人，截至{dues['as_of'].year}年{dues['as_of'].month}月，"
                f"全年应缴党费{money(dues['due'])}元，实缴{money(dues['paid'])}元，收缴率{dues['rate']}%。"
                + (f"困难减免{dues['waived_months']:,}人月。" if dues["waived_months"] else "")
                + (f"连续3至5个月未缴的{dues['arrears_3']}人，连续6个月及以上未缴的{dues['arrears_6']}人，"
                   "要按规定提醒并由支部谈话。" if dues["arrears_3"] or dues["arrears_6"]
                   else "没有连续3个月以上未缴党费的党员。")
                + (f"自愿多交党费{dues['voluntary_count']}笔，共{money(dues['voluntary_sum'])}元。"
                   if dues["voluntary_count"] else ""), size=14)
    D.picture(doc, charts.vbar_chart(f"{data.year}年各月党费应缴与实缴", [f"{m}月" for m in range(1, 13)],
                                     {"应缴": [float(v) for v in dues["due_by_month"]],
                                      "实缴": [float(v) for v in dues["paid_by_month"]]}, unit="元"),
              width_cm=width, caption="图2  各月党费应缴与实缴")


def _section_care(doc, data, width):
    care = data.care
    if not care["visits"]:
        D.para(doc, f"{data.year}年平台上没有录入走访慰问记录。", size=14)
        if care["hardship"]:
            D.para(doc, "年末困难登记在册：" + "、".join(f"{k}{n}人" for k, n in care["hardship"]) + "。", size=14)
        return
    kinds = "、".join(f"{k}{n}次" for k, n in care["by_kind"]) or "无"
    D.para(doc, f"全年走访慰问{care['visits']:,}人次，覆盖离退休干部{care['reached']:,}人，"
                f"占{care['people']:,}人的{care['coverage']}%，其中{kinds}。"
                + (f"发放慰问金{money(care['amount'])}元。" if care["amount"] else "")
                + (f"为老同志过生日、政治生日{care['birthday_visits']}次。" if care["birthday_visits"] else "")
                + (f"发放帮扶资金{care['assistance_count']}笔，共{money(care['assistance_sum'])}元。"
                   if care["assistance_count"] else ""), size=14)
    if care["campaigns"]:
        D.para(doc, "表2  节日慰问活动完成情况", size=12, font=D.SANS, align="center", space_after=4,
               keep_with_next=True)
        D.table(doc, ["慰问活动", "慰问对象（人）", "已走访（人）", "完成率"],
                [[c["name"], c["targets"], c["done"], f"{c['rate']}%"] for c in care["campaigns"]],
                widths_cm=_widths(width, [7.0, 3.0, 3.0, 2.4]))
    if care["hardship"]:
        D.para(doc, "年末困难登记在册：" + "、".join(f"{k}{n}人" for k, n in care["hardship"]) + "。", size=14)
    if care["by_kind"]:
        labels = [k for k, _ in care["by_kind"]]
        values = [n for _, n in care["by_kind"]]
        D.picture(doc, charts.hbar_chart("走访慰问类型", labels, values, unit="人次",
                                         percents=[pct(v, care["visits"]) for v in values]),
                  width_cm=width * 0.9, caption="图3  走访慰问按类型")


def _section_volunteers(doc, data, width):
    v = data.volunteers
    if not v["activities"]:
        D.para(doc, f"共有志愿服务队{v['teams']}支，{data.year}年平台上没有录入志愿服务活动。", size=14)
        return
    D.para(doc, f"共有志愿服务队{v['teams']}支，全年{v['people']:,}名老同志参加志愿服务活动{v['activities']:,}次，"
                f"服务时长{_num(v['hours'])}小时"
                + (f"；{v['duty_people']}名党员到社区报到服务，共{_num(v['duty_days'])}天" if v["duty_people"] else "")
                + "，发挥了老干部“银发先锋”的作用。", size=14)
    if v["by_team"]:
        D.table(doc, ["服务队", "参加人数", "服务时长（小时）"], [[n, p, h] for n, h, p in v["by_team"]],
                widths_cm=_widths(width, [8.0, 3.0, 4.0]))


def _section_guidance(doc, data, width):
    g = data.guidance
    D.para(doc, f"辖区内建有党建工作指导站{g['stations']}个，联系两新组织{g['new_orgs']}家；"
                f"全年指导员走访{g['visits']}次，召开指导站例会{g['meetings']}次。", size=14)


def _section_audit(doc, data, width):
    a = data.audit
    if not (a["confirmed"] or a["open"] or a["dismissed"]):
        D.para(doc, f"{data.year}年度尚未开展组织生活记录诚信审计。", size=14)
        return
    text = f"经对{data.year}年度组织生活记录开展诚信审计，确认问题{a['confirmed']}项"
    if a["by_kind"]:
        text += "（" + "、".join(f"{k}{n}项" for k, n in a["by_kind"]) + "）"
    text += f"，排除{a['dismissed']}项，尚有{a['open']}项待核实。"
    if a["confirmed"]:
        text += "已确认的问题已责成有关支部整改，如实补正记录。"
    D.para(doc, text, size=14)


def _section_evaluation(doc, data, width):
    ev = data.evaluation
    rows = ev.get("rows") or []
    D.para(doc, ev.get("text") or "本年度星级评定情况如下。", size=14)
    if rows:
        D.table(doc, ev.get("headers") or ["星级", "支部数"], rows, widths_cm=_widths(width, [6.0, 4.0, 4.0]))


def _next_steps(data) -> list[str]:
    out = []
    if data.life["missed"]:
        out.append(f"一是组织生活仍有{len(data.life['missed'])}个支部未全部按要求完成，"
                   "下一步要督促补开，对行动不便的老党员继续做好送学上门。")
    if data.dues.get("arrears_3") or data.dues.get("arrears_6"):
        n = data.dues["arrears_3"] + data.dues["arrears_6"]
        out.append(f"{_ordinal(len(out))}是仍有{n}名党员连续3个月以上未缴党费，要逐一谈话提醒，按规定处理。")
    if data.care["coverage"] < 100:
        out.append(f"{_ordinal(len(out))}是走访覆盖率为{data.care['coverage']}%，"
                   "要对高龄、独居、困难的老同志做到走访全覆盖。")
    if data.audit.get("open"):
        out.append(f"{_ordinal(len(out))}是尚有{data.audit['open']}项诚信审计发现待核实，要尽快核实处理。")
    if not out:
        out.append("各项工作总体完成较好。下一步要继续坚持“三会一课”制度，做好关心关爱和志愿服务，巩固成效。")
    return out


def _ordinal(i: int) -> str:
    return "一二三四五六"[i]


def _widths(total: float, parts: list[float]) -> list[float]:
    s = sum(parts)
    return [round(total * p / s, 2) for p in parts]


def _num(v) -> str:
    v = float(v or 0)
    return f"{v:,.1f}" if v != int(v) else f"{int(v):,}"


def _date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
