"""Integrity audit findings (DOMAIN.md §9) and the demo's planted ground truth."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from changqing.core.scope import ScopeSpec
from changqing.core.changelog import ChangeLoggedModel


class FindingKind(models.TextChoices):
    BACKFILL = "backfill", "事后补录"
    RUSH = "rush", "考核前突击补录"
    COPIED_MINUTES = "copied_minutes", "会议记录雷同"
    IMPOSSIBLE_ATTENDANCE = "impossible_attendance", "不可能的出席"
    ELECTION_CONTRADICTION = "election_contradiction", "选举与任期矛盾"
    RATING_CONTRADICTION = "rating_contradiction", "评星与事实不符"
    PHOTO_REUSE = "photo_reuse", "照片重复使用"
    ELECTION_TIMING = "election_timing", "换届不按期且无批复"


class Severity(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class FindingStatus(models.TextChoices):
    OPEN = "open", "待核实"
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "已排除"


class Finding(ChangeLoggedModel):
    kind = models.CharField("问题类型", max_length=30, choices=FindingKind.choices, db_index=True)
    organization = models.ForeignKey("orgs.Organization", verbose_name="支部", on_delete=models.CASCADE,
                                     related_name="audit_findings")
    key = models.CharField("标识", max_length=120, editable=False,
                           help_text="同一问题在多次审计间的稳定标识")
    period = models.PositiveSmallIntegerField("审计年度", db_index=True)
    record_ids = models.JSONField("相关记录", default=dict)
    score = models.FloatField("可疑程度", default=0)
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    evidence = models.JSONField("证据", default=dict)
    evidence_digest = models.CharField("证据摘要", max_length=64, editable=False)
    status = models.CharField("核实状态", max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核实人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    reason = models.CharField("核实说明", max_length=300, blank=True)
    last_seen_at = models.DateTimeField("最近一次审计发现", null=True, blank=True)

    scope_spec = ScopeSpec(org="organization")

    @property
    def score_word(self) -> str:
        """How much the record needs checking, in a word for the branch (issue 18: not 「可疑程度 100%」)."""
        return "较高" if self.score >= 0.8 else "中等" if self.score >= 0.5 else "较低"

    class Meta:
        verbose_name = "审计发现"
        verbose_name_plural = "审计发现"
        ordering = ["-score", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="audit_finding_kind_key")]
        indexes = [models.Index(fields=["organization", "status"], name="audit_finding_org_status_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}"

    def get_absolute_url(self):
        return reverse("audit:finding_detail", args=[self.pk])


class PlantedFake(models.Model):
    """Ground truth the demo generator plants (with its seed) to measure the audit's precision and recall."""

    kind = models.CharField("问题类型", max_length=30, choices=FindingKind.choices)
    organization = models.ForeignKey("orgs.Organization", verbose_name="支部", on_delete=models.CASCADE,
                                     related_name="+")
    key = models.CharField("标识", max_length=120)
    note = models.CharField("说明", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "演示埋设的问题"
        verbose_name_plural = "演示埋设的问题"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="audit_planted_kind_key")]

    def __str__(self):
        return f"{self.kind} {self.key}"


class PhotoHash(models.Model):
    """Perceptual hash of a meeting photo, computed once (the file is read only when the hash is missing)."""

    attachment = models.OneToOneField("life.MeetingAttachment", verbose_name="照片", on_delete=models.CASCADE,
                                      related_name="audit_hash")
    dhash = models.BigIntegerField("dHash")  # 64 bits stored signed; of the photo with its borders trimmed
    crops = models.BinaryField("裁剪哈希", default=b"", editable=False)  # engine.photo_hashes: 256 × uint64
    version = models.PositiveSmallIntegerField("算法版本", default=1)  # 2: trimmed, with crops

    scope_spec = ScopeSpec(org="attachment__meeting__organization")

    class Meta:
        verbose_name = "照片感知哈希"
        verbose_name_plural = "照片感知哈希"
