"""评选表彰: the yearly "四个最美" selection (seed 000 篇1) — campaigns, nominations, secret ballots, results.

A campaign belongs to an organiser organisation; its subtree is both the pool of
nominees and the electorate. Ballot secrecy is structural: a `Ballot` row records
only that a voter has voted in a category (unique per voter and category), and
the choice itself only increments the chosen nominations' `votes` totals with a
queryset UPDATE (no change-log row, no timestamp), so no row links a voter to a
candidate.
"""
from django.conf import settings
from django.db import models
from django.urls import reverse

from changqing.core.files import PrivateFileField, register_file_access
from changqing.core.scope import ScopeSpec
from changqing.core.changelog import ChangeLoggedModel


class Phase(models.TextChoices):
    NOMINATION = "nomination", "提名"
    REVIEW = "review", "审核"
    VOTING = "voting", "投票"
    COUNTING = "counting", "计票"
    PUBLISHED = "published", "结果已公布"


PHASE_ORDER = [Phase.NOMINATION, Phase.REVIEW, Phase.VOTING, Phase.COUNTING, Phase.PUBLISHED]


class NomineeRule(models.TextChoices):
    """Who may be nominated in a category; the first four are seed 000 篇1's 四个最美."""

    MEMBER = "member", "在册党员"
    ACTIVIST = "activist", "尚未入党的离退休干部（入党积极分子）"
    SECRETARY = "secretary", "现任党支部书记"
    ANY_RETIREE = "any", "离退休干部均可"
    ORGANIZATION = "organization", "党组织（党支部、党总支）"


# Seed 000 篇1: “四个最美”(最美老党员、最美入党积极分子、最美离退休干部党支部书记、最美志愿者)
DEFAULT_CATEGORIES = [
    ("最美老党员", NomineeRule.MEMBER),
    ("最美入党积极分子", NomineeRule.ACTIVIST),
    ("最美离退休干部党支部书记", NomineeRule.SECRETARY),
    ("最美志愿者", NomineeRule.ANY_RETIREE),
]


class Campaign(ChangeLoggedModel):
    """评选活动: one selection run by an organisation for its subtree in a year."""

    organization = models.ForeignKey("orgs.Organization", verbose_name="组织单位（范围含下级）",
                                     on_delete=models.PROTECT, related_name="honour_campaigns")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("评选名称", max_length=100)
    phase = models.CharField("当前阶段", max_length=12, choices=Phase.choices, default=Phase.NOMINATION)
    nomination_ends_on = models.DateField("提名截止日期")
    review_ends_on = models.DateField("审核截止日期")
    voting_starts_on = models.DateField("投票开始日期")
    voting_ends_on = models.DateField("投票截止日期")
    published_on = models.DateField("结果公布日期", null=True, blank=True)
    note = models.TextField("评选说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "评选活动"
        verbose_name_plural = "评选活动"
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "year", "title"],
                                               name="honours_campaign_unique_title")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("honours:campaign_detail", args=[self.pk])


class Category(ChangeLoggedModel):
    """评选类别 of a campaign, with its quota of winners and how many candidates a voter may choose."""

    campaign = models.ForeignKey(Campaign, verbose_name="评选活动", on_delete=models.CASCADE, related_name="categories")
    name = models.CharField("类别名称", max_length=50)
    nominee_rule = models.CharField("提名对象", max_length=12, choices=NomineeRule.choices, default=NomineeRule.MEMBER)
    quota = models.PositiveSmallIntegerField("评选名额", default=3)
    max_choices = models.PositiveSmallIntegerField("每人最多可选", default=1,
                                                   help_text="每位投票人在本类别最多选几名候选人，默认 1 名，不超过评选名额")
    order = models.PositiveSmallIntegerField("排序", default=0)
    offline_ballots = models.PositiveIntegerField("线下收回选票张数", default=0)

    scope_spec = ScopeSpec(org="campaign__organization")

    class Meta:
        verbose_name = "评选类别"
        verbose_name_plural = "评选类别"
        ordering = ["campaign_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="honours_category_unique_name",
                                    violation_error_message="本次评选已有同名类别"),
            models.CheckConstraint(condition=models.Q(quota__gte=1), name="honours_category_quota_positive",
                                   violation_error_message="评选名额至少为 1 名"),
            models.CheckConstraint(condition=models.Q(max_choices__gte=1, max_choices__lte=models.F("quota")),
                                   name="honours_category_choices_within_quota",
                                   violation_error_message="每人最多可选人数应在 1 名到评选名额之间"),
        ]

    def __str__(self):
        return f"{self.campaign.title} · {self.name}"

    @property
    def for_organizations(self) -> bool:
        return self.nominee_rule == NomineeRule.ORGANIZATION


class NominationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "审核通过"
    REJECTED = "rejected", "未通过"


class Decision(models.TextChoices):
    """The organiser's call on a candidate tied for the last place."""

    NONE = "", "—"
    WINNER = "winner", "确定当选"
    NOT_WINNER = "not_winner", "确定不当选"


class Nomination(ChangeLoggedModel):
    """A nominee (a retiree or an organisation, by the category's rule) with their 事迹材料."""

    campaign = models.ForeignKey(Campaign, verbose_name="评选活动", on_delete=models.CASCADE, related_name="nominations")
    category = models.ForeignKey(Category, verbose_name="评选类别", on_delete=models.CASCADE, related_name="nominations")
    retiree = models.ForeignKey("members.Retiree", verbose_name="被提名人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="honour_nominations")
    nominee_org = models.ForeignKey("orgs.Organization", verbose_name="被提名组织", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="honour_nominations")
    reasons = models.TextField("事迹材料")
    attachment = PrivateFileField("事迹材料附件", upload_to="honours/%Y/", blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提名人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("审核状态", max_length=10, choices=NominationStatus.choices,
                              default=NominationStatus.PENDING, db_index=True)
    review_reason = models.CharField("审核意见", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    # Totals only: incremented by ballot_cast with a queryset UPDATE, never per voter.
    votes = models.PositiveIntegerField("网上得票", default=0)
    offline_votes = models.PositiveIntegerField("线下得票", default=0)
    decision = models.CharField("并列时的决定", max_length=12, choices=Decision.choices, default="", blank=True)
    decision_reason = models.CharField("决定理由", max_length=300, blank=True)
    is_winner = models.BooleanField("当选", default=False)

    scope_spec = ScopeSpec(org="retiree__organization", retiree="retiree", more_orgs=("nominee_org",))
    # The secret ballot: a history of the online tally would tie each ballot (who, when) to its choice.
    changelog_skip_fields = ("votes",)

    class Meta:
        verbose_name = "提名"
        verbose_name_plural = "提名"
        ordering = ["category__order", "category_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "retiree"], condition=models.Q(retiree__isnull=False),
                                    name="honours_nomination_retiree_once"),
            models.UniqueConstraint(fields=["category", "nominee_org"], condition=models.Q(nominee_org__isnull=False),
                                    name="honours_nomination_org_once"),
            models.CheckConstraint(condition=models.Q(retiree__isnull=False, nominee_org__isnull=True)
                                   | models.Q(retiree__isnull=True, nominee_org__isnull=False),
                                   name="honours_nomination_one_nominee"),
        ]

    def __str__(self):
        return f"{self.nominee_name}（{self.category.name}）"

    def get_absolute_url(self):
        return reverse("honours:nomination_detail", args=[self.pk])

    @property
    def nominee_name(self) -> str:
        return self.retiree.name if self.retiree_id else self.nominee_org.name

    @property
    def nominee_unit(self) -> str:
        """Where the nominee belongs: the retiree's organisation, or the organisation itself."""
        return self.retiree.organization.name if self.retiree_id else self.nominee_org.name

    @property
    def total_votes(self) -> int:
        return self.votes + self.offline_votes


class Ballot(ChangeLoggedModel):
    """That a voter has voted in one category — never for whom."""

    campaign = models.ForeignKey(Campaign, verbose_name="评选活动", on_delete=models.CASCADE, related_name="ballots")
    category = models.ForeignKey(Category, verbose_name="评选类别", on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="投票人", on_delete=models.PROTECT,
                              related_name="honour_ballots")
    cast_at = models.DateTimeField("投票时间", auto_now_add=True)

    scope_spec = ScopeSpec(org="campaign__organization")

    class Meta:
        verbose_name = "投票记录"
        verbose_name_plural = "投票记录"
        ordering = ["category_id", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "voter"], name="honours_one_ballot_per_category")]

    def __str__(self):
        return f"{self.category.name} 已投票"


def _attachment_file(request, nomination, fieldfile):
    from changqing.core.export_gate import ExportGate

    # 事迹材料 may hold personal data: its download is an export, logged.
    return ExportGate(request).file(nomination, fieldfile, fieldfile.original_name,
                                    f"下载{nomination.nominee_name}的事迹材料附件",
                                    org_path=nomination.changelog_org_path())


register_file_access(Nomination, serve=_attachment_file)
