"""Printables of a round (python-docx through core.documents, PDF via LibreOffice when installed):
the 民主测评表 ballots (one blank ballot per member), the branch's summary table, and one member's
result sheet. Every one carries the "who printed it, when" header line."""
from __future__ import annotations

from changqing.core import documents as d

from .models import GRADE_ORDER, AppraisalRound, Grade
from .selectors import MemberRow

BOX = "□"


def ballots(rnd: AppraisalRound, rows: list[MemberRow], *, watermark: str) -> bytes:
    """One blank 民主测评表 per member of the roster (a page each), for those who vote on paper."""
    from docx.enum.text import WD_BREAK

    doc = d.new_document(body_size=14, margins_cm=(2.5, 2.5, 2.5, 2.5))
    headers = ["序号", "姓名"] + [g.label for g in GRADE_ORDER]
    for i, _ in enumerate(rows):
        if i:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        d.para(doc, f"{rnd.organization.name}{rnd.year}年度民主评议党员", size=18, bold=True, font=d.SANS,
               align="center")
        d.para(doc, "民主测评表", size=20, bold=True, font=d.SANS, align="center", space_after=12)
        d.para(doc, "说明：本表不记名。请对每名党员在一个等次下的方框内打“√”，只能选一个等次。", size=12)
        table_rows = [[n, r.membership.retiree.name] + [BOX] * 4 for n, r in enumerate(rows, start=1)]
        d.table(doc, headers, table_rows, widths_cm=[1.5, 4.0, 2.6, 2.6, 2.6, 2.6], size=13, align_numbers=False)
        d.para(doc, "填写日期：　　　年　　月　　日", size=12, align="right")
    return d.mark_document(d.to_bytes(doc), watermark)


def summary(rnd: AppraisalRound, rows: list[MemberRow], *, watermark: str) -> bytes:
    """The branch's summary: per member the counted marks per grade, participation and the committee's grade."""
    doc = d.new_document(body_size=13, margins_cm=(2.5, 2.5, 2.0, 2.0))
    d.para(doc, f"{rnd.organization.name}{rnd.year}年度民主评议党员结果汇总表", size=18, bold=True, font=d.SANS,
           align="center", space_after=12)
    voted = sum(1 for r in rows if r.voted)
    d.para(doc, f"参评党员 {len(rows)} 名，参加测评 {voted} 名，完成自评 "
                f"{sum(1 for r in rows if r.self_appraisal)} 名（其中上门 {sum(1 for r in rows if r.at_home)} 名）。"
                + (f"结果于 {rnd.published_on:%Y年%m月%d日} 公示。" if rnd.published_on else "结果尚未公示。"), size=12)
    headers = ["序号", "姓名"] + [g.label for g in GRADE_ORDER] + ["参评方式", "支部评定"]
    table_rows = []
    for n, r in enumerate(rows, start=1):
        how = "上门" if r.at_home else ("到会/本人" if r.participated else "未参加")
        table_rows.append([n, r.membership.retiree.name, *r.counts, how,
                           r.grade.get_grade_display() if r.grade else "未评定"])
    d.table(doc, headers, table_rows, widths_cm=[1.2, 2.8, 1.6, 1.6, 2.0, 1.8, 2.2, 2.2], size=11)
    d.para(doc, "注：测评票不记名，表中只有各等次的票数合计。", size=11)
    return d.mark_document(d.to_bytes(doc), watermark)


def result_sheet(rnd: AppraisalRound, row: MemberRow, *, watermark: str) -> bytes:
    """One member's result: self-appraisal, counted marks, the committee's grade and reason, follow-ups."""
    doc = d.new_document(body_size=14)
    name = row.membership.retiree.name
    d.para(doc, f"{rnd.year}年度民主评议党员结果通知", size=20, bold=True, font=d.SANS, align="center",
           space_after=12)
    d.para(doc, f"{name}同志：", indent=False)
    grade = row.grade.get_grade_display() if row.grade else "未评定"
    d.para(doc, f"经{rnd.organization.name}民主评议、支部委员会评定并经党员大会或支委会审定，"
                f"你在{rnd.year}年度民主评议党员中的等次为：{grade}。")
    if row.grade and row.grade.reason:
        d.para(doc, f"评定理由：{row.grade.reason}")
    d.heading(doc, "一、个人自评")
    if row.self_appraisal:
        d.para(doc, row.self_appraisal.text)
        if row.self_appraisal.at_home:
            d.para(doc, "（本人不能到会，由支部上门听取后代为记录）", size=12)
    else:
        d.para(doc, "未提交。")
    d.heading(doc, "二、民主测评（不记名，票数合计）")
    d.table(doc, [g.label for g in GRADE_ORDER], [row.counts], size=13)
    if row.follow_ups:
        d.heading(doc, "三、后续处置")
        for f in row.follow_ups:
            state = f"已于{f.done_on:%Y年%m月%d日}完成" if f.done_on else "未完成"
            d.para(doc, f"{f.get_kind_display()}：期限 {f.due_on:%Y年%m月%d日}，{state}。")
    d.para(doc, f"中共{rnd.organization.name}", align="right", indent=False)
    if rnd.published_on:
        d.para(doc, f"{rnd.published_on:%Y年%m月%d日}", align="right", indent=False)
    return d.mark_document(d.to_bytes(doc), watermark)


GRADE_LABELS = {g.value: g.label for g in Grade}
