"""Rules as data, one mechanism (issue 14 §4).

A Policy is "the rules of one kind set on one organisation": they apply to it and
everything under it unless a nearer organisation sets its own (nearest wins). A
Policy has versions, each valid from a date and optionally to a date, so a change
from 2027 leaves 2026 as it was. What a version holds (`values`, JSON) is checked by
its kind (kinds.py); a kind that points at a richer rule store (a life ruleset, an
evaluation rubric) holds that record's id.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from changqing.core.scope import ScopeSpec
from changqing.core.changelog import ChangeLoggedModel

from . import kinds


class Policy(ChangeLoggedModel):
    kind = models.CharField("规则类别", max_length=40)
    organization = models.ForeignKey("orgs.Organization", verbose_name="适用组织", on_delete=models.CASCADE,
                                     related_name="policies")

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "规则设置"
        verbose_name_plural = "规则设置"
        ordering = ["organization__path", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "organization"], name="policies_kind_org_unique")]

    def __str__(self):
        return f"{self.organization}：{self.kind_label}"

    @property
    def kind_label(self) -> str:
        k = kinds.get(self.kind)
        return k.label if k else self.kind

    def get_absolute_url(self):
        return reverse("policies:detail", args=[self.pk])


class PolicyVersion(ChangeLoggedModel):
    policy = models.ForeignKey(Policy, verbose_name="规则设置", on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="空白表示一直有效，直到下一版本生效")
    values = models.JSONField("规则内容", default=dict)
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org="policy__organization")

    class Meta:
        verbose_name = "规则版本"
        verbose_name_plural = "规则版本"
        ordering = ["policy", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "valid_from"], name="policies_version_from_unique"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="policies_version_to_after_from"),
        ]
        indexes = [models.Index(fields=["policy", "valid_from"], name="policies_version_idx")]

    def __str__(self):
        return f"{self.policy}（{self.period_text}）"

    @property
    def period_text(self) -> str:
        start = "一直" if self.valid_from <= kinds.FAR_PAST else f"{self.valid_from:%Y-%m-%d}起"
        return f"{start}至{self.valid_to:%Y-%m-%d}" if self.valid_to else f"{start}有效"

    def covers(self, on) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)
