"""Evaluation (DOMAIN.md §7; seed 000 篇1, 篇4–5; seed 002 五好).

Rubrics are data, versioned like the organisational-life rulesets: Rubric →
RubricVersion (grade bands, the year it applies from) → RubricItem (weight;
either a data `metric` or a manual item, optionally naming the `related_metric`
that speaks to the same thing). An Assessment keeps the version it was scored
with, so a revised rubric never rescores the past. Each ItemScore keeps the
score computed from the records beside the reviewer's score and reason.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from changqing.core.files import PrivateFileField
from changqing.core.scope import ScopeSpec
from changqing.core.changelog import AttachedFile, ChangeLoggedModel

from .metrics import METRIC_CHOICES


class RubricKind(models.TextChoices):
    STAR_RATING = "star_rating", "星级评定（五星级管理）"
    MODEL_BRANCH = "model_branch", "示范支部（五好/六好）"
    RESPONSIBILITY = "responsibility", "党建目标责任制"


class Rubric(ChangeLoggedModel):
    """A scoring scheme. Owned by the bureau that made it (none = shipped default)."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类别", max_length=20, choices=RubricKind.choices)
    owner = models.ForeignKey("orgs.Organization", verbose_name="制定单位", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="rubrics")
    based_on = models.ForeignKey("self", verbose_name="复制自", null=True, blank=True, on_delete=models.SET_NULL)
    is_default = models.BooleanField("本类别默认使用", default=False)
    title = models.CharField("达标称号", max_length=40, blank=True,
                             help_text="示范支部评定达到最高档时的称号，如“五好支部”")
    description = models.TextField("说明", blank=True)

    scope_spec = ScopeSpec(org="owner")

    class Meta:
        verbose_name = "考核细则"
        verbose_name_plural = "考核细则"
        ordering = ["kind", "code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evaluation:rubric_detail", args=[self.pk])

    def version_for(self, year: int):
        """The newest version in effect for a year (else the first one)."""
        versions = sorted(self.versions.all(), key=lambda v: v.number)
        in_effect = [v for v in versions if v.from_year <= year]
        return (in_effect or versions[:1] or [None])[-1]


class RubricVersion(ChangeLoggedModel):
    rubric = models.ForeignKey(Rubric, verbose_name="考核细则", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("版本号")
    from_year = models.PositiveSmallIntegerField("适用起始年度")
    # [{"min": 90, "grade": "5", "label": "五星级"}, ...] highest first; the last has min 0.
    bands = models.JSONField("评定档次", default=list)
    innovation_required = models.BooleanField(
        "最高档须有创新项得分", default=False,
        help_text="如五星级：总分达到90分且“创新工作”项得分大于0，否则降为下一档")
    note = models.CharField("修订说明", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="rubric__owner")

    class Meta:
        verbose_name = "考核细则版本"
        verbose_name_plural = "考核细则版本"
        ordering = ["rubric", "-number"]
        constraints = [models.UniqueConstraint(fields=["rubric", "number"], name="eval_rubric_version_unique")]

    def __str__(self):
        return f"{self.rubric.name} 第{self.number}版（{self.from_year}年起）"

    @property
    def total_weight(self) -> Decimal:
        return sum((i.weight for i in self.items.all()), Decimal(0))

    def bands_text(self) -> str:
        return "；".join(f"{b['label']} ≥{b['min']}分" for b in self.bands)


class ItemSource(models.TextChoices):
    DATA = "data", "数据计算"
    MANUAL = "manual", "人工评分"


class RubricItem(ChangeLoggedModel):
    version = models.ForeignKey(RubricVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="items")
    code = models.SlugField("编号", max_length=20)
    name = models.CharField("考核项目", max_length=80)
    order = models.PositiveSmallIntegerField("排序", default=10)
    weight = models.DecimalField("分值", max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    source = models.CharField("评分方式", max_length=10, choices=ItemSource.choices)
    metric = models.CharField("数据指标", max_length=40, choices=METRIC_CHOICES, blank=True)
    related_metric = models.CharField("相关数据指标", max_length=40, choices=METRIC_CHOICES, blank=True,
                                      help_text="人工评分项可对照的数据指标（诚信审计据此比对）")
    target = models.DecimalField("满分标准（比率）", max_digits=4, decimal_places=2, default=Decimal("1.00"),
                                 help_text="比率达到该值即得满分，如出席率 0.85")
    is_innovation = models.BooleanField("创新项", default=False)
    guidance = models.CharField("评分标准", max_length=300, blank=True)

    scope_spec = ScopeSpec(org="version__rubric__owner")

    class Meta:
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        ordering = ["version", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="eval_item_code_unique")]

    def __str__(self):
        return f"{self.name}（{self.weight}分）"

    @property
    def scoring_metric(self) -> str:
        """The metric whose figures are kept on the score: its own, or the related one."""
        return self.metric if self.source == ItemSource.DATA else self.related_metric


class AssessmentState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    CONFIRMED = "confirmed", "已确认"


class Assessment(ChangeLoggedModel):
    """One organisation's yearly score under one rubric."""

    organization = models.ForeignKey("orgs.Organization", verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="assessments")
    year = models.PositiveSmallIntegerField("年度")
    rubric = models.ForeignKey(Rubric, verbose_name="考核细则", on_delete=models.PROTECT, related_name="assessments")
    version = models.ForeignKey(RubricVersion, verbose_name="细则版本", on_delete=models.PROTECT,
                                related_name="assessments")
    kind = models.CharField("类别", max_length=20, choices=RubricKind.choices)
    state = models.CharField("状态", max_length=10, choices=AssessmentState.choices, default=AssessmentState.DRAFT)
    total = models.DecimalField("总分", max_digits=5, decimal_places=1, default=Decimal(0))
    grade = models.CharField("档次", max_length=10, blank=True, help_text="星级评定为星数 1–5")
    grade_label = models.CharField("评定结果", max_length=20, blank=True)
    unscored = models.PositiveSmallIntegerField("未评分项数", default=0)
    computed_at = models.DateTimeField("数据计算时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    returned_reason = models.CharField("退回理由", max_length=300, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["-year", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year", "rubric"],
                                               name="eval_assessment_unique")]
        indexes = [models.Index(fields=["year", "kind"], name="eval_assessment_year_kind")]

    def __str__(self):
        return f"{self.organization.name} {self.year}年{self.rubric.name}"

    def get_absolute_url(self):
        return reverse("evaluation:assessment", args=[self.pk])

    @property
    def stars(self) -> int | None:
        return int(self.grade) if self.kind == RubricKind.STAR_RATING and self.grade.isdigit() else None


class ItemScore(ChangeLoggedModel):
    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(RubricItem, verbose_name="考核项目", on_delete=models.PROTECT, related_name="scores")
    computed_score = models.DecimalField("数据得分", max_digits=5, decimal_places=1, null=True, blank=True,
                                         help_text="由记录计算；人工项为相关指标折算的参考分")
    figures = models.JSONField("数据", default=dict, blank=True)
    reviewer_score = models.DecimalField("评分人给分", max_digits=5, decimal_places=1, null=True, blank=True)
    final_score = models.DecimalField("最终得分", max_digits=5, decimal_places=1, null=True, blank=True)
    reason = models.TextField("评分理由", blank=True)
    evidence_text = models.TextField("佐证说明", blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评分人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reviewer_name = models.CharField("评分人姓名", max_length=50, blank=True)
    reviewed_at = models.DateTimeField("评分时间", null=True, blank=True)

    scope_spec = ScopeSpec(org="assessment__organization")

    class Meta:
        verbose_name = "考核项目得分"
        verbose_name_plural = "考核项目得分"
        ordering = ["assessment", "item__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="eval_score_unique")]

    def __str__(self):
        return f"{self.item.name}：{self.final_score if self.final_score is not None else '未评分'}"

    @property
    def overridden(self) -> bool:
        return self.item.source == ItemSource.DATA and self.reviewer_score is not None


class ScoreEvidence(AttachedFile):
    score = models.ForeignKey(ItemScore, verbose_name="评分项", on_delete=models.CASCADE, related_name="evidence")
    file = PrivateFileField("佐证材料", upload_to="evaluation/evidence/%Y/")

    scope_spec = ScopeSpec(org="score__assessment__organization")

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"


class Designation(ChangeLoggedModel):
    """示范支部: designated by the bureau for a year on the basis of a 五好/六好 assessment; revocable."""

    organization = models.ForeignKey("orgs.Organization", verbose_name="支部", on_delete=models.PROTECT,
                                     related_name="designations")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("称号", max_length=40)
    basis = models.ForeignKey(Assessment, verbose_name="评定依据", on_delete=models.PROTECT,
                              related_name="designations")
    designated_on = models.DateField("命名日期")
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="命名人", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.CharField("撤销理由", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "示范支部"
        verbose_name_plural = "示范支部"
        ordering = ["-year", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year", "title"],
                                               name="eval_designation_unique")]

    def __str__(self):
        return f"{self.year}年{self.title}：{self.organization.name}"

    def get_absolute_url(self):
        return reverse("evaluation:designation", args=[self.pk])

    @property
    def active(self) -> bool:
        return self.revoked_on is None
