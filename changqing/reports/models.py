"""Generated yearly documents: 年度统计报告 and 年度工作总结 of a jurisdiction, as .docx and PDF."""
from django.conf import settings
from django.db import models
from django.urls import reverse

from changqing.core.files import PrivateFileField, register_file_access
from changqing.core.scope import ScopeSpec


class ReportKind(models.TextChoices):
    STATISTICS = "statistics", "年度统计报告"
    SUMMARY = "summary", "年度工作总结"


class GeneratedReport(models.Model):
    """One generation of a yearly document. Files are served only through the scoped, logged download view
    (the checked file view, core/files.py; nginx denies /media/): they hold no personal data but are not public."""

    organization = models.ForeignKey("orgs.Organization", verbose_name="单位", on_delete=models.PROTECT,
                                     related_name="generated_reports")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类型", max_length=20, choices=ReportKind.choices)
    docx = PrivateFileField("Word 文件", upload_to="reports/%Y/", blank=True)
    pdf = PrivateFileField("PDF 文件", upload_to="reports/%Y/", blank=True)
    pdf_note = models.CharField("PDF 说明", max_length=200, blank=True,
                                help_text="未生成 PDF 时的原因，例如服务器未安装 LibreOffice")
    figures = models.JSONField("主要数字", default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True, db_index=True)
    job = models.ForeignKey("core.Job", verbose_name="后台任务", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "year", "kind"], name="reports_org_year_kind_idx")]

    def __str__(self):
        return f"{self.organization.name}{self.year}年度{self.get_kind_display()[2:]}"

    @property
    def title(self) -> str:
        return str(self)

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.pk])


def _report_file(request, report, fieldfile):
    from changqing.core.export_gate import ExportGate

    fmt = "pdf" if fieldfile.field.name == "pdf" else "docx"
    return ExportGate(request).file(report, fieldfile, f"{report}.{fmt}", f"下载《{report}》{fmt.upper()}",
                                    org_path=report.organization.path, data={"report_id": report.pk, "format": fmt})


register_file_access(GeneratedReport, action="export", serve=_report_file)
