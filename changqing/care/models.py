"""Care and service (issue 6): they reach every retired cadre, party member or not.

Visits and festival campaigns, pairings with carers, the hardship register,
assistance funds, volunteer teams and hours, 双报到 duty days, roles taken on by
retirees, the red-memory archive and venues with bookings.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from changqing.core.files import PrivateFileField, PrivateImageField
from changqing.core.uploads import validate_content
from changqing.core.scope import ScopeSpec
from changqing.core.changelog import ChangeLoggedModel

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # interviews carry audio and video
MEDIA_EXTENSIONS = ["mp3", "m4a", "wav", "mp4", "mov", "jpg", "jpeg", "png", "pdf", "docx"]


def validate_media_size(f):
    if f.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"文件不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024}MB")


RETIREE_SCOPE = ScopeSpec(org="retiree__organization", retiree="retiree")


class VisitKind(models.TextChoices):
    ROUTINE = "routine", "日常走访"
    FESTIVAL = "festival", "节日慰问"
    ILLNESS = "illness", "探望病人"
    BEREAVEMENT = "bereavement", "吊唁慰问"
    BIRTHDAY = "birthday", "生日/政治生日"
    PAIRING = "pairing", "结对帮扶走访"


class Festival(models.TextChoices):
    SPRING = "spring", "春节"
    JULY_FIRST = "july_first", "七一"
    CHONGYANG = "chongyang", "重阳节"
    OTHER = "other", "其他"


class Campaign(ChangeLoggedModel):
    """A festival campaign: a target list built from rules, assigned visitors, completion tracked."""

    name = models.CharField("活动名称", max_length=100)
    festival = models.CharField("节日", max_length=20, choices=Festival.choices)
    organization = models.ForeignKey("orgs.Organization", verbose_name="范围（组织及下级）", on_delete=models.PROTECT,
                                     related_name="care_campaigns")
    starts_on = models.DateField("开始日期")
    due_on = models.DateField("完成期限")
    include_lixiu = models.BooleanField("全部离休干部", default=True)
    include_hardship = models.BooleanField("困难登记在册的人员", default=True)
    min_age = models.PositiveSmallIntegerField("年满（岁）以上的全部人员", null=True, blank=True, default=80,
                                               help_text="留空表示不按年龄选")
    include_members_only = models.BooleanField("只限党员", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "节日慰问活动"
        verbose_name_plural = "节日慰问活动"
        ordering = ["-starts_on"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("care:campaign_detail", args=[self.pk])

    def clean(self):
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": "完成期限不能早于开始日期"})
        if not (self.include_lixiu or self.include_hardship or self.min_age):
            raise ValidationError("请至少选择一条名单规则（离休、困难或年龄）")


class Pairing(ChangeLoggedModel):
    """结对帮扶 / 一对一服务: a carer paired with a retiree, with a visit cadence."""

    carer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="服务专员", on_delete=models.PROTECT,
                              related_name="care_pairings")
    retiree = models.ForeignKey("members.Retiree", verbose_name="帮扶对象", on_delete=models.PROTECT,
                                related_name="pairings")
    started_on = models.DateField("结对日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    cadence_days = models.PositiveSmallIntegerField("走访周期（天）", default=30, validators=[MinValueValidator(1)])
    reason = models.CharField("结对原因", max_length=200, blank=True)

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "结对帮扶"
        verbose_name_plural = "结对帮扶"
        ordering = ["carer", "retiree__name"]

    def __str__(self):
        return f"{self.carer} — {self.retiree}"

    def get_absolute_url(self):
        return reverse("care:pairing_detail", args=[self.pk])

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "结束日期不能早于结对日期"})


class Visit(ChangeLoggedModel):
    """走访慰问: who visited whom, when, what kind, what was given."""

    retiree = models.ForeignKey("members.Retiree", verbose_name="走访对象", on_delete=models.PROTECT,
                                related_name="care_visits")
    visited_on = models.DateField("走访日期")
    kind = models.CharField("走访类型", max_length=20, choices=VisitKind.choices, default=VisitKind.ROUTINE)
    visitors = models.CharField("走访人", max_length=200)
    notes = models.TextField("走访情况", blank=True)
    gifts = models.CharField("慰问品", max_length=200, blank=True)
    amount = models.DecimalField("慰问金（元）", max_digits=9, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(0)])
    campaign = models.ForeignKey(Campaign, verbose_name="所属慰问活动", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="visits")
    pairing = models.ForeignKey(Pairing, verbose_name="结对", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="visits")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Optional, never required, never counted or scored: a photo proves nothing (减负), a voice note saves typing.
    photo = PrivateImageField("照片", upload_to="care/visits/%Y/", blank=True)
    voice = PrivateFileField("语音记录", upload_to="care/visits/%Y/", blank=True)

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "走访慰问"
        verbose_name_plural = "走访慰问"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["retiree", "-visited_on"], name="care_visit_retiree_idx")]
        # Two carers recording the same visit at once: the database keeps one (core.conflicts).
        constraints = [models.UniqueConstraint(
            fields=["retiree", "visited_on", "visitors", "kind"], name="care_visit_one_per_day_and_visitor",
            violation_error_message="这次走访（同一对象、同一天、同一走访人、同一类型）已经记录过了（可能是别人刚刚录入的），请到走访记录中查看")]

    def __str__(self):
        return f"{self.visited_on:%Y-%m-%d} 走访 {self.retiree}"

    def get_absolute_url(self):
        return reverse("care:visit_detail", args=[self.pk])


class CampaignTarget(ChangeLoggedModel):
    campaign = models.ForeignKey(Campaign, verbose_name="活动", on_delete=models.CASCADE, related_name="targets")
    retiree = models.ForeignKey("members.Retiree", verbose_name="慰问对象", on_delete=models.CASCADE,
                                related_name="campaign_targets")
    reasons = models.CharField("入选原因", max_length=100)
    visitor = models.CharField("责任走访人", max_length=100, blank=True)
    visit = models.ForeignKey(Visit, verbose_name="完成的走访", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "慰问对象"
        verbose_name_plural = "慰问对象"
        constraints = [models.UniqueConstraint(fields=["campaign", "retiree"], name="care_target_unique")]

    def __str__(self):
        return f"慰问对象：{self.retiree.name}"


class HardshipReason(models.TextChoices):
    POVERTY = "poverty", "生活困难"
    ALONE = "alone", "独居"
    EMPTY_NEST = "empty_nest", "空巢"
    DISABLED = "disabled", "失能"
    ADVANCED_AGE = "advanced_age", "高龄"
    SERIOUS_ILLNESS = "serious_illness", "重病"


class HardshipRecord(ChangeLoggedModel):
    retiree = models.ForeignKey("members.Retiree", verbose_name="离退休干部", on_delete=models.CASCADE,
                                related_name="hardships")
    reason = models.CharField("困难类型", max_length=20, choices=HardshipReason.choices)
    since = models.DateField("登记日期")
    until = models.DateField("解除日期", null=True, blank=True)
    note = models.CharField("情况说明", max_length=300, blank=True)

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "困难登记"
        verbose_name_plural = "困难登记"
        ordering = ["-since"]

    def __str__(self):
        return f"{self.retiree} {self.get_reason_display()}"

    def clean(self):
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": "解除日期不能早于登记日期"})


class AssistanceProgramme(ChangeLoggedModel):
    """帮扶资金 programme, e.g. 特殊困难离休干部帮扶资金."""

    name = models.CharField("资金名称", max_length=100)
    organization = models.ForeignKey("orgs.Organization", verbose_name="设立单位", on_delete=models.PROTECT,
                                     related_name="assistance_programmes")
    description = models.TextField("发放对象和标准", blank=True)
    lixiu_only = models.BooleanField("仅限离休干部或其遗属", default=False)
    yearly_budget = models.DecimalField("年度预算（元）", max_digits=12, decimal_places=2, null=True, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "帮扶资金"
        verbose_name_plural = "帮扶资金"

    def __str__(self):
        return self.name


class AssistanceApplication(ChangeLoggedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"
        PAID = "paid", "已发放"

    programme = models.ForeignKey(AssistanceProgramme, verbose_name="帮扶资金", on_delete=models.PROTECT,
                                  related_name="applications")
    retiree = models.ForeignKey("members.Retiree", verbose_name="帮扶对象", on_delete=models.PROTECT,
                                related_name="assistance")
    applied_on = models.DateField("申请日期")
    reason = models.TextField("困难情况")
    amount_requested = models.DecimalField("申请金额（元）", max_digits=9, decimal_places=2,
                                           validators=[MinValueValidator(0.01)])
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    amount_approved = models.DecimalField("批准金额（元）", max_digits=9, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    payee_name = models.CharField("领款人", max_length=50, blank=True, help_text="本人或遗属")
    payee_relation = models.CharField("与本人关系", max_length=20, blank=True, help_text="本人、配偶、子女……")

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "帮扶申请"
        verbose_name_plural = "帮扶申请"
        ordering = ["-applied_on"]

    def __str__(self):
        return f"{self.retiree} {self.programme}"

    def get_absolute_url(self):
        return reverse("care:assistance_detail", args=[self.pk])


class VolunteerTeam(ChangeLoggedModel):
    name = models.CharField("服务队名称", max_length=100)
    organization = models.ForeignKey("orgs.Organization", verbose_name="所属组织", on_delete=models.PROTECT,
                                     related_name="volunteer_teams")
    services = models.CharField("服务项目", max_length=200, help_text="如：量血压、义务理发、治安巡逻，用顿号分隔")
    leader = models.ForeignKey("members.Retiree", verbose_name="队长", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    founded_on = models.DateField("成立日期", null=True, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = "志愿服务队"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("care:team_detail", args=[self.pk])


class TeamMember(ChangeLoggedModel):
    team = models.ForeignKey(VolunteerTeam, verbose_name="服务队", on_delete=models.CASCADE, related_name="members")
    retiree = models.ForeignKey("members.Retiree", verbose_name="队员", on_delete=models.CASCADE,
                                related_name="volunteer_teams")
    joined_on = models.DateField("加入日期")
    skills = models.CharField("能提供的服务", max_length=200, blank=True)

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "服务队队员"
        verbose_name_plural = "服务队队员"
        constraints = [models.UniqueConstraint(fields=["team", "retiree"], name="care_team_member_unique")]

    def __str__(self):
        return f"队员：{self.retiree.name}"


class VolunteerActivity(ChangeLoggedModel):
    team = models.ForeignKey(VolunteerTeam, verbose_name="服务队", on_delete=models.PROTECT, related_name="activities")
    held_on = models.DateField("活动日期")
    title = models.CharField("活动内容", max_length=200)
    place = models.CharField("地点", max_length=100, blank=True)
    beneficiaries = models.PositiveIntegerField("服务人次", default=0)

    scope_spec = ScopeSpec(org="team__organization")

    class Meta:
        verbose_name = "志愿服务活动"
        verbose_name_plural = "志愿服务活动"
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("care:activity_detail", args=[self.pk])


class Participation(ChangeLoggedModel):
    activity = models.ForeignKey(VolunteerActivity, verbose_name="志愿服务活动", on_delete=models.CASCADE,
                                 related_name="participants")
    retiree = models.ForeignKey("members.Retiree", verbose_name="参加人", on_delete=models.CASCADE,
                                related_name="volunteer_hours")
    hours = models.DecimalField("服务时长（小时）", max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(0.5)])

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "志愿服务时长"
        verbose_name_plural = "志愿服务时长"
        constraints = [models.UniqueConstraint(fields=["activity", "retiree"], name="care_participation_unique")]

    def __str__(self):
        # The change log loads retiree once per batch (scope_spec.retiree).
        return f"{self.retiree.name}：{self.hours}小时"


class CommunityDuty(ChangeLoggedModel):
    """双报到: a member reporting to their residential community for duty days."""

    retiree = models.ForeignKey("members.Retiree", verbose_name="党员", on_delete=models.CASCADE,
                                related_name="community_duties")
    community = models.CharField("报到社区", max_length=100)
    served_on = models.DateField("服务日期")
    days = models.DecimalField("天数", max_digits=4, decimal_places=1, default=1, validators=[MinValueValidator(0.5)])
    content = models.CharField("服务内容", max_length=200)

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "双报到服务"
        verbose_name_plural = "双报到服务"
        ordering = ["-served_on"]

    def __str__(self):
        return f"{self.retiree} {self.community} {self.served_on:%Y-%m-%d}"


class RetireeRole(ChangeLoggedModel):
    """Roles retirees take on (seed 003): 社会风气监督员, 关心下一代辅导员, 政策宣传员."""

    class Kind(models.TextChoices):
        SUPERVISOR = "supervisor", "社会风气监督员"
        TUTOR = "tutor", "关心下一代辅导员"
        PROPAGANDIST = "propagandist", "政策宣传员"

    retiree = models.ForeignKey("members.Retiree", verbose_name="离退休干部", on_delete=models.CASCADE,
                                related_name="service_roles")
    kind = models.CharField("角色", max_length=20, choices=Kind.choices)
    since = models.DateField("担任日期")
    note = models.CharField("说明", max_length=200, blank=True)

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "发挥作用角色"
        verbose_name_plural = "发挥作用角色"
        constraints = [models.UniqueConstraint(fields=["retiree", "kind"], name="care_role_unique")]

    def __str__(self):
        return f"{self.retiree} {self.get_kind_display()}"


class OralHistory(ChangeLoggedModel):
    """红色记忆: an interview with an old member, its transcript, media and tags."""

    organization = models.ForeignKey("orgs.Organization", verbose_name="所属组织", on_delete=models.PROTECT,
                                     related_name="oral_histories")
    title = models.CharField("标题", max_length=200)
    interviewee = models.ForeignKey("members.Retiree", verbose_name="受访者（在册）", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="oral_histories")
    interviewee_name = models.CharField("受访者", max_length=50)
    interviewer = models.CharField("采访人", max_length=100)
    interviewed_on = models.DateField("采访日期")
    transcript = models.TextField("访谈文字稿")
    tags = models.CharField("标签", max_length=200, blank=True, help_text="用逗号或顿号分隔，如：解放战争、南下干部")
    search_tokens = models.TextField(editable=False, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "红色记忆访谈"
        verbose_name_plural = "红色记忆访谈"
        ordering = ["-interviewed_on"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("care:oral_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        from .search import index_text

        self.search_tokens = index_text(self.title, self.tags, self.interviewee_name, self.transcript)
        super().save(*args, **kwargs)

    @property
    def tag_list(self) -> list[str]:
        import re

        return [t for t in re.split(r"[,，、;；\s]+", self.tags) if t]


class OralHistoryMedia(ChangeLoggedModel):
    interview = models.ForeignKey(OralHistory, verbose_name="访谈", on_delete=models.CASCADE, related_name="media")
    file = PrivateFileField("文件", upload_to="care/oral/%Y/",
                            validators=[FileExtensionValidator(MEDIA_EXTENSIONS), validate_media_size,
                                                                             validate_content])
    caption = models.CharField("说明", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="interview__organization")

    class Meta:
        verbose_name = "访谈音视频"
        verbose_name_plural = "访谈音视频"

    def __str__(self):
        return self.caption or self.file.original_name


class Venue(ChangeLoggedModel):
    class Kind(models.TextChoices):
        ACTIVITY_ROOM = "activity_room", "党员活动室"
        CLASSROOM = "classroom", "老年大学教室"
        PRACTICE_STATION = "practice_station", "新时代文明实践站"
        OTHER = "other", "其他"

    name = models.CharField("阵地名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    organization = models.ForeignKey("orgs.Organization", verbose_name="管理组织", on_delete=models.PROTECT,
                                     related_name="venues")
    address = models.CharField("地址", max_length=200)
    capacity = models.PositiveIntegerField("容纳人数", validators=[MinValueValidator(1)])
    equipment = models.CharField("设施设备", max_length=300, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "活动阵地"
        verbose_name_plural = "活动阵地"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("care:venue_detail", args=[self.pk])


class Booking(ChangeLoggedModel):
    venue = models.ForeignKey(Venue, verbose_name="阵地", on_delete=models.CASCADE, related_name="bookings")
    organization = models.ForeignKey("orgs.Organization", verbose_name="使用组织", on_delete=models.PROTECT,
                                     related_name="venue_bookings")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    purpose = models.CharField("用途", max_length=200)
    attendees = models.PositiveIntegerField("预计人数", default=10, validators=[MinValueValidator(1)])
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="预约人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org="venue__organization")

    class Meta:
        verbose_name = "阵地预约"
        verbose_name_plural = "阵地预约"
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["venue", "starts_at"], name="care_booking_venue_idx")]

    def __str__(self):
        return f"{self.venue} {self.starts_at:%Y-%m-%d %H:%M} {self.purpose}"
