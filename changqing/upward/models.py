from django.conf import settings
from django.db import models
from django.urls import reverse

from changqing.core.scope import ScopeSpec


class ReportSnapshot(models.Model):
    """One produced set of upward statistics tables: the figures as they were when produced, so the next
    report can say what moved since. Generated from the records, never typed."""

    organization = models.ForeignKey("orgs.Organization", verbose_name="统计范围", on_delete=models.PROTECT,
                                     related_name="report_snapshots")
    on = models.DateField("统计截至日期")
    figures = models.JSONField("数字", default=dict)
    produced_at = models.DateTimeField("生成时间", auto_now_add=True, db_index=True)
    produced_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "上报统计表"
        verbose_name_plural = "上报统计表"
        ordering = ["-produced_at", "-id"]
        indexes = [models.Index(fields=["organization", "produced_at"], name="upward_snapshot_org_idx")]

    def __str__(self):
        return f"{self.organization.name}党内统计表（截至{self.on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("upward:snapshot", args=[self.pk])
