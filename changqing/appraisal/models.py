"""民主评议党员 (member_appraisal): a branch's yearly appraisal round, its steps, and the members' results.

Ballot secrecy is structural, as in honours: `BallotCast` records only THAT a member
has voted in a round (unique per round and voter), and the marks only increment the
counters of `Tally` (one row per round and appraised member, one column per grade)
with a queryset UPDATE — no row per ballot, no voter column, no timestamp, no change
log entry. Rows of marks, even without a voter column, could be re-linked to voters
by their ids or order of insertion; counters cannot.
"""
from django.conf import settings
from django.db import models
from django.urls import reverse

from changqing.core.changelog import ChangeLoggedModel
from changqing.core.scope import ScopeSpec


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


GRADE_ORDER = [Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASIC, Grade.UNQUALIFIED]


class RoundStatus(models.TextChoices):
    OPEN = "open", "进行中"
    PUBLISHED = "published", "已公示"


class AppraisalRound(ChangeLoggedModel):
    organization = models.ForeignKey("orgs.Organization", verbose_name="党支部", on_delete=models.PROTECT,
                                     related_name="appraisal_rounds")
    year = models.PositiveIntegerField("年度")
    status = models.CharField("状态", max_length=20, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    published_on = models.DateField("公示日期", null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="开启人", on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "民主评议党员"
        verbose_name_plural = "民主评议党员"
        ordering = ["-year", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="appraisal_one_round_a_year")]

    def __str__(self):
        return f"{self.organization.name} {self.year}年度民主评议党员"

    def get_absolute_url(self):
        return reverse("appraisal:round", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == RoundStatus.PUBLISHED


class AppraisalStep(ChangeLoggedModel):
    """One step of the round (学习教育, 个人自评, …), from the policy's list when the round opened."""

    round = models.ForeignKey(AppraisalRound, verbose_name="民主评议", on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField("顺序")
    name = models.CharField("步骤", max_length=60)
    held_on = models.DateField("日期", null=True, blank=True)
    record = models.TextField("情况记录", blank=True)

    scope_spec = ScopeSpec(org="round__organization")

    class Meta:
        verbose_name = "民主评议步骤"
        verbose_name_plural = "民主评议步骤"
        ordering = ["round_id", "order"]

    def __str__(self):
        return self.name


class SelfAppraisal(ChangeLoggedModel):
    round = models.ForeignKey(AppraisalRound, verbose_name="民主评议", on_delete=models.CASCADE,
                              related_name="self_appraisals")
    membership = models.ForeignKey("members.Membership", verbose_name="党员", on_delete=models.CASCADE,
                                   related_name="self_appraisals")
    text = models.TextField("个人自评")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    at_home = models.BooleanField("上门记录", default=False,
                                  help_text="本人不能到会或不会操作，由支部书记上门听取后代为记录")

    scope_spec = ScopeSpec(org="round__organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "个人自评"
        verbose_name_plural = "个人自评"
        constraints = [models.UniqueConstraint(fields=["round", "membership"], name="appraisal_one_self_appraisal")]


class BallotCast(ChangeLoggedModel):
    """That a member has cast their 民主测评 ballot in a round — never what they marked."""

    round = models.ForeignKey(AppraisalRound, verbose_name="民主评议", on_delete=models.CASCADE,
                              related_name="ballots_cast")
    voter = models.ForeignKey("members.Membership", verbose_name="投票党员", on_delete=models.CASCADE,
                              related_name="appraisal_ballots")
    at_home = models.BooleanField("上门投票", default=False)

    scope_spec = ScopeSpec(org="round__organization", retiree="voter__retiree")

    class Meta:
        verbose_name = "民主测评投票记录"
        verbose_name_plural = "民主测评投票记录"
        constraints = [models.UniqueConstraint(fields=["round", "voter"], name="appraisal_one_ballot_per_member")]


class Tally(models.Model):
    """The counted marks for one appraised member: only totals, changed by a queryset UPDATE."""

    round = models.ForeignKey(AppraisalRound, verbose_name="民主评议", on_delete=models.CASCADE,
                              related_name="tallies")
    subject = models.ForeignKey("members.Membership", verbose_name="被评议党员", on_delete=models.CASCADE,
                                related_name="appraisal_tallies")
    excellent = models.PositiveIntegerField("优秀", default=0)
    qualified = models.PositiveIntegerField("合格", default=0)
    basic = models.PositiveIntegerField("基本合格", default=0)
    unqualified = models.PositiveIntegerField("不合格", default=0)

    scope_spec = ScopeSpec(org="round__organization")

    class Meta:
        verbose_name = "民主测评票数"
        verbose_name_plural = "民主测评票数"
        constraints = [models.UniqueConstraint(fields=["round", "subject"], name="appraisal_one_tally")]

    def counts(self) -> list[int]:
        return [self.excellent, self.qualified, self.basic, self.unqualified]


class CommitteeGrade(ChangeLoggedModel):
    """支部委员会评定 (审定 by the 党员大会 or 支委会): the grade of one member and why."""

    round = models.ForeignKey(AppraisalRound, verbose_name="民主评议", on_delete=models.CASCADE,
                              related_name="grades")
    membership = models.ForeignKey("members.Membership", verbose_name="党员", on_delete=models.CASCADE,
                                   related_name="appraisal_grades")
    grade = models.CharField("评定等次", max_length=20, choices=Grade.choices)
    reason = models.TextField("评定理由", blank=True)

    scope_spec = ScopeSpec(org="round__organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "评定等次"
        verbose_name_plural = "评定等次"
        constraints = [models.UniqueConstraint(fields=["round", "membership"], name="appraisal_one_grade")]


class FollowUpKind(models.TextChoices):
    TALK = "talk", "谈话提醒"
    RECTIFY = "rectify", "限期改正"


class FollowUp(ChangeLoggedModel):
    """The follow-up the policy names for a 基本合格 / 不合格 grade. Membership itself is never changed."""

    round = models.ForeignKey(AppraisalRound, verbose_name="民主评议", on_delete=models.CASCADE,
                              related_name="follow_ups")
    membership = models.ForeignKey("members.Membership", verbose_name="党员", on_delete=models.CASCADE,
                                   related_name="appraisal_follow_ups")
    kind = models.CharField("处置方式", max_length=20, choices=FollowUpKind.choices)
    due_on = models.DateField("期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    note = models.TextField("情况记录", blank=True)

    scope_spec = ScopeSpec(org="round__organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "评议后续处置"
        verbose_name_plural = "评议后续处置"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "membership", "kind"], name="appraisal_one_follow_up")]
