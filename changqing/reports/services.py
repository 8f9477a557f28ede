"""Writes: generate a yearly document (.docx, and PDF through LibreOffice) and keep it as a GeneratedReport."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from changqing.core import documents
from changqing.orgs.models import Organization, OrgKind

from .models import GeneratedReport, ReportKind

FIRST_YEAR = 2000


def check_request(*, organization: Organization | None, year: int | None, kind: str, today: dt.date | None = None):
    """The Chinese reasons a generation cannot be asked for, keyed by field."""
    today = today or timezone.localdate()
    errors = {}
    if organization is None:
        errors["organization"] = "请选择单位"
    elif organization.kind == OrgKind.GROUP:
        errors["organization"] = "党小组不单独出年度报告，请选择所在党支部或上级组织"
    if year is None or not FIRST_YEAR <= year <= today.year:
        errors["year"] = f"年度应在 {FIRST_YEAR} 年到 {today.year} 年之间"
    if kind not in ReportKind.values:
        errors["kind"] = "请选择报告类型"
    elif kind == ReportKind.STATISTICS:
        from .statistics import stats_available

        if not stats_available():
            errors["kind"] = "统计模块尚未启用，暂不能生成年度统计报告"
    if errors:
        raise ValidationError(errors)


def report_generate(*, organization: Organization, year: int, kind: str, user=None, job=None,
                    progress=None, today: dt.date | None = None) -> GeneratedReport:
    """Build the document from the data, convert it to PDF, store both; progress(percent, message) as it goes."""
    check_request(organization=organization, year=year, kind=kind, today=today)
    progress = progress or (lambda p, m: None)
    if kind == ReportKind.SUMMARY:
        from .summary import render_summary, summary_data

        data = summary_data(organization, year, today=today, progress=progress)
        progress(70, "正在排版 Word 文档和图表")
        docx = render_summary(data)
    else:
        from .statistics import render_statistics, statistics_data

        data = statistics_data(organization, year, today=today, progress=progress)
        progress(70, "正在排版 Word 文档和图表")
        docx = render_statistics(data)
    docx = documents.mark_document(docx, documents.watermark_text(user))
    progress(80, "正在转换为 PDF")
    pdf, note = None, ""
    if documents.soffice() is None:
        note = "服务器未安装 LibreOffice，只生成了 Word 文件"
    else:
        try:
            pdf = documents.docx_to_pdf(docx)
        except Exception:  # a broken office install must not lose the .docx
            pdf = None
        if pdf is None:
            note = "PDF 转换失败，只生成了 Word 文件"
    report = GeneratedReport(organization=organization, year=year, kind=kind, created_by=user, job=job,
                             figures=_jsonable(data.figures()), pdf_note=note)
    name = f"{organization.code}-{year}-{kind}-{timezone.now():%Y%m%d%H%M%S}"
    report.docx.save(f"{name}.docx", ContentFile(docx), save=False)
    if pdf:
        report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    report.save()
    progress(100, "已完成")
    return report


def _jsonable(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        out[k] = v if isinstance(v, (int, float, str, bool)) or v is None else str(v)
    return out
