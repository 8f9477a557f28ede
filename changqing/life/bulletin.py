"""月通报: the monthly bulletin generated from the data, as .docx (python-docx) and PDF.

The PDF comes from LibreOffice headless (`soffice --convert-to pdf`), which embeds
the Noto CJK glyphs installed by the set-up (Makefile `fonts`). Without LibreOffice
the .docx is still produced and the PDF is left out, said so on the page.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db.models import Count, Q

from changqing.core.documents import (  # noqa: F401 (soffice re-exported)
    SANS, SERIF, docx_to_pdf, mark_document, soffice, watermark_text,
)
from changqing.core.documents import para as _para
from changqing.core.documents import set_font as _set_font
from changqing.orgs.models import Organization
from changqing.core.tree import in_subtree

from . import engine, selectors
from .models import Attendance, AttendanceStatus, Bulletin, Meeting, MeetingState, StudyMode, StudyRecord
from .models import WorkItemCompletion, WorkListReceipt


@dataclass
class BulletinData:
    org: Organization
    month: dt.date
    period: engine.Period
    branches: int = 0
    complete: list[str] = field(default_factory=list)
    overdue: dict[str, list[str]] = field(default_factory=dict)
    meetings: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    deliveries: int = 0
    online: int = 0
    attendance_rate: float = 0.0
    receipts: int = 0
    acknowledged: int = 0
    items_done: int = 0
    items_total: int = 0
    late_entries: int = 0
    highlights: list[str] = field(default_factory=list)


def bulletin_data(org: Organization, month: dt.date, today: dt.date | None = None) -> BulletinData:
    """Everything the bulletin says, from bulk queries and the engine."""
    period = engine.parse_period(f"{month:%Y-%m}")
    today = today or engine.month_end(month) + dt.timedelta(days=1)
    data = BulletinData(org, month, period)
    results = selectors.compliance_results(org, period, today=max(today, period.end + dt.timedelta(days=1)))
    by_branch: dict[str, list[engine.RuleResult]] = {}
    for r in results:
        by_branch.setdefault(r.branch.name, []).append(r)
    data.branches = len(by_branch)
    for name, rs in by_branch.items():
        missed = [r.rule.name for r in rs if r.status != engine.DONE]
        if missed:
            data.overdue[name] = missed
        else:
            data.complete.append(name)
    meetings = Meeting.objects.filter(in_subtree(org.path, "organization"), state=MeetingState.HELD,
                                      held_on__gte=period.start, held_on__lte=period.end)
    data.meetings = meetings.count()
    data.by_kind = list(meetings.values_list("kind__name").annotate(n=Count("id")).order_by("kind__order"))
    att = Attendance.objects.filter(meeting__in=meetings).aggregate(
        total=Count("id"), present=Count("id", filter=Q(status__in=sorted(engine.PARTICIPATED))),
        delivered=Count("id", filter=Q(status=AttendanceStatus.HOME_DELIVERY)),
        online=Count("id", filter=Q(status=AttendanceStatus.ONLINE)))
    study = StudyRecord.objects.filter(in_subtree(org.path, "organization"), studied_on__gte=period.start,
                                       studied_on__lte=period.end)
    data.deliveries = att["delivered"] + study.filter(mode=StudyMode.HOME_DELIVERY).count()
    data.online = att["online"] + study.filter(mode=StudyMode.ONLINE).count()
    data.attendance_rate = att["present"] / att["total"] * 100 if att["total"] else 0.0
    receipts = WorkListReceipt.objects.filter(in_subtree(org.path, "organization"), work_list__month=month)
    data.receipts = receipts.count()
    data.acknowledged = receipts.filter(acknowledged_at__isnull=False).count()
    data.items_total = sum(len(r.work_list.items.all()) for r in receipts.select_related("work_list")
                           .prefetch_related("work_list__items"))
    data.items_done = WorkItemCompletion.objects.filter(receipt__in=receipts).count()
    # Records entered more than 30 days after the meeting: the integrity audit's first signal.
    data.late_entries = sum(1 for held, created in meetings.values_list("held_on", "created_at")
                            if (created.date() - held).days > 30)
    top = (meetings.values_list("organization__name").annotate(n=Count("id")).order_by("-n", "organization__name")[:3])
    data.highlights = [f"{name}本月开展组织生活{n}次" for name, n in top]
    if data.deliveries:
        data.highlights.append(f"为行动不便党员送学上门{data.deliveries}人次，做到“学习不漏一人”")
    return data


def render_docx(data: BulletinData) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = SERIF, Pt(15)
    m = data.month
    _para(doc, data.org.name, size=22, bold=True, font=SANS, align="center", space_after=4)
    _para(doc, "组织生活开展情况通报", size=22, bold=True, font=SANS, align="center", space_after=4)
    _para(doc, f"（{m.year}年第{m.month}期）", size=15, align="center", space_after=18)
    _para(doc, "所属各党组织：", size=15, indent=False)
    rate = len(data.complete) / data.branches * 100 if data.branches else 0
    _para(doc, f"现将{m.year}年{m.month}月各支部“三会一课”等组织生活开展情况通报如下。本通报依据平台录入的会议记录、"
               f"出席情况和送学上门记录自动统计，统计截至{engine.month_end(m):%Y年%m月%d日}。")
    _para(doc, "一、总体情况", size=16, bold=True, font=SANS, indent=False)
    kinds = "、".join(f"{k}{n}次" for k, n in data.by_kind) or "无"
    _para(doc, f"纳入统计的党支部{data.branches}个，本月应完成事项全部完成的{len(data.complete)}个，完成率{rate:.1f}%；"
               f"存在未完成事项的{len(data.overdue)}个。全月共开展组织生活{data.meetings}次，其中{kinds}。"
               f"党员参加率{data.attendance_rate:.1f}%（送学上门、线上参加计入），送学上门{data.deliveries}人次，"
               f"网上助学{data.online}人次。")
    if data.receipts:
        _para(doc, f"上级下发工作清单{data.receipts}份（按支部计），已签收{data.acknowledged}份；"
                   f"清单事项{data.items_total}项，已完成{data.items_done}项。")
    _para(doc, "二、完成较好的支部", size=16, bold=True, font=SANS, indent=False)
    _para(doc, "、".join(data.complete[:40]) + ("等" if len(data.complete) > 40 else "") + "。" if data.complete
          else "本月没有全部完成的支部。")
    _para(doc, "三、未按要求完成的支部", size=16, bold=True, font=SANS, indent=False)
    if data.overdue:
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("序号", "党支部", "未完成事项")):
            cell.text = ""
            _set_font(cell.paragraphs[0].add_run(text), SANS, 12, True)
        for i, (name, missed) in enumerate(sorted(data.overdue.items()), start=1):
            cells = table.add_row().cells
            for cell, text in zip(cells, (str(i), name, "、".join(missed))):
                cell.text = ""
                _set_font(cell.paragraphs[0].add_run(text), SERIF, 12)
        widths = (Cm(1.5), Cm(7), Cm(7.1))
        table.autofit = False
        for col, w in zip(table.columns, widths):
            col.width = w
        for row in table.rows:
            for cell, w in zip(row.cells, widths):
                cell.width = w
        _para(doc, "请以上支部对照要求，于下月10日前补开或说明情况，并如实录入。", space_after=6)
    else:
        _para(doc, "本月所有支部均按要求完成。")
    _para(doc, "四、工作亮点", size=16, bold=True, font=SANS, indent=False)
    for i, h in enumerate(data.highlights or ["无"], start=1):
        _para(doc, f"{i}. {h}。" if data.highlights else h)
    _para(doc, "五、有关要求", size=16, bold=True, font=SANS, indent=False)
    _para(doc, "各支部要坚持“三会一课”制度，如实记录、及时录入，会议结束后一周内完成录入；对年老体弱、行动不便的党员，"
               "要做到送学上门，确保每名党员都能参加组织生活。")
    if data.late_entries:
        _para(doc, f"本月有{data.late_entries}条会议记录在会后30天以上才录入，请各支部注意及时录入。")
    _para(doc, "", space_after=24)
    _para(doc, data.org.name, align="right", indent=False, space_after=2)
    _para(doc, f"{engine.month_end(m) + dt.timedelta(days=5):%Y年%m月%d日}".replace("年0", "年").replace("月0", "月"),
          align="right", indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def bulletin_generate(*, organization: Organization, month: dt.date, user=None) -> Bulletin:
    data = bulletin_data(organization, month.replace(day=1))
    docx = mark_document(render_docx(data), watermark_text(user))
    pdf = docx_to_pdf(docx)
    b = Bulletin(organization=organization, month=month.replace(day=1), generated_by=user)
    name = f"{organization.code}-{month:%Y%m}"
    b.docx.save(f"{name}.docx", ContentFile(docx), save=False)
    if pdf:
        b.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    b.save()
    return b
