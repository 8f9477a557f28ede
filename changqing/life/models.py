"""Organisational life (DOMAIN.md §4, §6): meetings with attendance, rulesets, learning, work lists.

A Meeting keeps the organisation it happened in (never rewritten when members
move) and, beside the date it claims, when and by whom it was entered: the
integrity audit compares the two. Rulesets are data (Ruleset → RulesetVersion
→ Rule); which one an organisation follows from which day is a policy
(changqing.policies, kind "life.ruleset"), as are the six-month warnings
("warning_months"). The compliance engine (engine.py) applies them in pure Python.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from changqing.core.files import PrivateFileField, register_file_access
from changqing.core.scope import ScopeSpec
from changqing.core.changelog import AttachedFile, ChangeLoggedModel


class MeetingKind(ChangeLoggedModel):
    """三会一课 and every other kind; an administrator may add more."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=100)
    counts_as_org_life = models.BooleanField("计入组织生活", default=True,
                                             help_text="参加此类会议算作参加组织生活（六个月规则）")
    has_votes = models.BooleanField("可表决", default=False)

    # Reference data every user reads unrestricted; only administrators edit it (manage).
    scope_spec = ScopeSpec()

    class Meta:
        verbose_name = "会议类型"
        verbose_name_plural = "会议类型"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Period(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"


class Ruleset(ChangeLoggedModel):
    """A set of meeting frequencies. Owned by the bureau that made it (none = shipped default)."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    owner = models.ForeignKey("orgs.Organization", verbose_name="制定单位", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="rulesets")
    based_on = models.ForeignKey("self", verbose_name="复制自", null=True, blank=True, on_delete=models.SET_NULL)
    is_fallback = models.BooleanField("未指定时默认使用", default=False)
    description = models.TextField("说明", blank=True)

    scope_spec = ScopeSpec(org="owner")

    class Meta:
        verbose_name = "组织生活规则"
        verbose_name_plural = "组织生活规则"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("life:ruleset_detail", args=[self.pk])

    def current_version(self, on=None):
        """The newest version already in effect on a date (today by default)."""
        on = on or timezone.localdate()
        return (self.versions.filter(effective_from__lte=on).order_by("-number").first()
                or self.versions.order_by("number").first())


class RulesetVersion(ChangeLoggedModel):
    ruleset = models.ForeignKey(Ruleset, verbose_name="规则", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("版本号")
    effective_from = models.DateField("生效日期")
    due_soon_days = models.PositiveSmallIntegerField("提前提醒天数", default=15)
    note = models.CharField("修订说明", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="ruleset__owner")

    class Meta:
        verbose_name = "规则版本"
        verbose_name_plural = "规则版本"
        ordering = ["ruleset", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "number"], name="life_ruleset_version_unique")]

    def __str__(self):
        return f"{self.ruleset.name} 第{self.number}版"


class Rule(ChangeLoggedModel):
    version = models.ForeignKey(RulesetVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="rules")
    kind = models.ForeignKey(MeetingKind, verbose_name="会议类型", on_delete=models.PROTECT)
    count = models.PositiveSmallIntegerField("至少次数", default=1)
    period = models.CharField("周期", max_length=10, choices=Period.choices)
    per_member = models.BooleanField("对每名党员", default=False, help_text="如谈心谈话：每名党员每周期至少一次")

    scope_spec = ScopeSpec(org="version__ruleset__owner")

    class Meta:
        verbose_name = "规则条目"
        verbose_name_plural = "规则条目"
        ordering = ["version", "kind__order"]
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="life_rule_kind_unique")]

    def __str__(self):
        who = "每名党员" if self.per_member else ""
        return f"{self.kind.name}：{who}{self.get_period_display()}至少{self.count}次"


class MeetingState(models.TextChoices):
    PLANNED = "planned", "计划"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class Meeting(ChangeLoggedModel):
    organization = models.ForeignKey("orgs.Organization", verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="meetings")
    kind = models.ForeignKey(MeetingKind, verbose_name="会议类型", on_delete=models.PROTECT, related_name="meetings")
    state = models.CharField("状态", max_length=10, choices=MeetingState.choices, default=MeetingState.HELD)
    held_on = models.DateField("会议日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    topic = models.CharField("主题", max_length=200)
    host = models.CharField("主持人", max_length=50, blank=True)
    recorder = models.CharField("记录人", max_length=50, blank=True)
    minutes = models.TextField("会议记录", blank=True)
    resolutions = models.TextField("决议事项", blank=True)
    votes_for = models.PositiveIntegerField("赞成票", null=True, blank=True)
    votes_against = models.PositiveIntegerField("反对票", null=True, blank=True)
    votes_abstain = models.PositiveIntegerField("弃权票", null=True, blank=True)
    # Not auto_now_add: the demo and imports set when a record was really entered.
    created_at = models.DateTimeField("录入时间", default=timezone.now, editable=False, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_by_name = models.CharField("录入人姓名", max_length=50, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "会议活动记录"
        verbose_name_plural = "会议活动记录"
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "held_on"], name="life_meeting_org_date_idx"),
            models.Index(fields=["held_on", "kind"], name="life_meeting_date_kind_idx"),
        ]
        # Two secretaries recording the same meeting at once: the database keeps one (core.conflicts).
        constraints = [models.UniqueConstraint(
            fields=["organization", "held_on", "kind"], condition=models.Q(state="held"),
            name="life_meeting_one_held_per_day",
            violation_error_message="本支部这一天的这类会议已经记录过了（可能是别人刚刚录入的），请到会议列表中查看或修改那条记录")]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.kind.name}"

    def get_absolute_url(self):
        return reverse("life:meeting_detail", args=[self.pk])

    @property
    def entry_lag_days(self) -> int | None:
        if not self.created_at:
            return None
        return (timezone.localdate(self.created_at) - self.held_on).days


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    ONLINE = "online", "线上参加"
    HOME_DELIVERY = "home_delivery", "送学上门"
    EXCUSED = "excused", "请假"
    ABSENT = "absent", "缺席"


PARTICIPATED = {AttendanceStatus.PRESENT, AttendanceStatus.ONLINE, AttendanceStatus.HOME_DELIVERY}


class Attendance(ChangeLoggedModel):
    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendances")
    membership = models.ForeignKey("members.Membership", verbose_name="党员", on_delete=models.PROTECT,
                                   related_name="attendances")
    status = models.CharField("出席情况", max_length=20, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.PRESENT)
    reason = models.CharField("请假事由", max_length=100, blank=True)
    deliverer = models.CharField("送学人", max_length=50, blank=True)
    material = models.CharField("送学内容", max_length=200, blank=True)
    feedback = models.CharField("党员反馈", max_length=300, blank=True)
    delivered_on = models.DateField("送学日期", null=True, blank=True)

    scope_spec = ScopeSpec(org="meeting__organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "出席情况"
        verbose_name_plural = "出席情况"
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="life_attendance_unique")]
        indexes = [models.Index(fields=["membership", "status"], name="life_att_member_idx")]

    def __str__(self):
        # The change log names whom: its batches load membership__retiree once (scope_spec.retiree).
        return f"{self.membership.retiree.name}：{self.get_status_display()}"

    def clean(self):
        errors = {}
        if self.status == AttendanceStatus.EXCUSED and not self.reason.strip():
            errors["reason"] = "请假需填写事由"
        if self.status == AttendanceStatus.HOME_DELIVERY:
            if not self.deliverer.strip():
                errors["deliverer"] = "送学上门需填写送学人"
            if not self.material.strip():
                errors["material"] = "送学上门需填写送学内容"
        if errors:
            raise ValidationError(errors)


class MeetingAttachment(AttachedFile):
    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attachments")
    file = PrivateFileField("文件", upload_to="life/meetings/%Y/%m/")

    scope_spec = ScopeSpec(org="meeting__organization")

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"


# ---- learning -------------------------------------------------------------------------------

class StudyMaterial(ChangeLoggedModel):
    organization = models.ForeignKey("orgs.Organization", verbose_name="发布组织", on_delete=models.PROTECT,
                                     related_name="study_materials")
    title = models.CharField("学习材料", max_length=200)
    source = models.CharField("出处", max_length=200, blank=True)
    published_on = models.DateField("发布日期")
    summary = models.TextField("内容提要", blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "学习材料"
        verbose_name_plural = "学习材料"
        ordering = ["-published_on"]

    def __str__(self):
        return self.title


class StudyMode(models.TextChoices):
    MEETING = "meeting", "集中学习"
    HOME_DELIVERY = "home_delivery", "送学上门"
    ONLINE = "online", "网上助学"
    SELF = "self", "个人自学"


class StudyRecord(ChangeLoggedModel):
    """学习纪实档案: one member's learning on a day, with notes and reflections."""

    membership = models.ForeignKey("members.Membership", verbose_name="党员", on_delete=models.PROTECT,
                                   related_name="study_records")
    organization = models.ForeignKey("orgs.Organization", verbose_name="所在党组织", on_delete=models.PROTECT,
                                     related_name="study_records")
    studied_on = models.DateField("学习日期")
    mode = models.CharField("方式", max_length=20, choices=StudyMode.choices)
    material = models.ForeignKey(StudyMaterial, verbose_name="学习材料", null=True, blank=True,
                                 on_delete=models.SET_NULL)
    material_title = models.CharField("学习内容", max_length=200, blank=True)
    deliverer = models.CharField("送学人", max_length=50, blank=True)
    notes = models.TextField("学习笔记", blank=True)
    reflection = models.TextField("心得体会 / 党员反馈", blank=True)
    meeting = models.ForeignKey(Meeting, verbose_name="对应会议", null=True, blank=True, on_delete=models.SET_NULL)

    scope_spec = ScopeSpec(org="organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "学习纪实"
        verbose_name_plural = "学习纪实"
        ordering = ["-studied_on"]
        indexes = [models.Index(fields=["organization", "studied_on"], name="life_study_org_date_idx")]

    def __str__(self):
        return f"{self.studied_on} {self.get_mode_display()}"

    def clean(self):
        if self.mode == StudyMode.HOME_DELIVERY and not self.deliverer.strip():
            raise ValidationError({"deliverer": "送学上门需填写送学人"})


class CourseKind(models.TextChoices):
    PARTY_SCHOOL = "party_school", "党校培训"
    REPORT = "report", "专题报告会"
    READING = "reading", "读书班"


class TrainingCourse(ChangeLoggedModel):
    organization = models.ForeignKey("orgs.Organization", verbose_name="举办组织", on_delete=models.PROTECT,
                                     related_name="training_courses")
    name = models.CharField("培训名称", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=CourseKind.choices)
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期", null=True, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-start_on"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("life:course_detail", args=[self.pk])


class TrainingSession(ChangeLoggedModel):
    course = models.ForeignKey(TrainingCourse, verbose_name="培训班", on_delete=models.CASCADE,
                               related_name="sessions")
    held_on = models.DateField("日期")
    topic = models.CharField("专题", max_length=200)
    speaker = models.CharField("主讲人", max_length=50, blank=True)
    attendees = models.ManyToManyField("members.Retiree", verbose_name="参训人员", blank=True,
                                       related_name="training_sessions")

    scope_spec = ScopeSpec(org="course__organization")

    class Meta:
        verbose_name = "培训场次"
        verbose_name_plural = "培训场次"
        ordering = ["held_on"]

    def __str__(self):
        return f"{self.held_on} {self.topic}"


# ---- work lists and the monthly bulletin ----------------------------------------------------

class WorkListKind(models.TextChoices):
    WORK_TIPS = "work_tips", "工作提示清单"
    THEME_DAY = "theme_day", "主题党日清单"


class EvidenceKind(models.TextChoices):
    MEETING = "meeting", "会议记录"
    PHOTO = "photo", "活动照片"
    REPORT = "report", "书面报告"


class WorkList(ChangeLoggedModel):
    publisher = models.ForeignKey("orgs.Organization", verbose_name="发布组织", on_delete=models.PROTECT,
                                  related_name="work_lists")
    kind = models.CharField("清单类型", max_length=20, choices=WorkListKind.choices)
    month = models.DateField("月份", help_text="该月第一天")
    title = models.CharField("标题", max_length=200)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    scope_spec = ScopeSpec(org="publisher")

    class Meta:
        verbose_name = "工作清单"
        verbose_name_plural = "工作清单"
        ordering = ["-month", "kind"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("life:worklist_detail", args=[self.pk])


class WorkItem(ChangeLoggedModel):
    work_list = models.ForeignKey(WorkList, verbose_name="清单", on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("序号", default=1)
    title = models.CharField("事项", max_length=300)
    due_on = models.DateField("完成时限")
    evidence = models.CharField("佐证材料", max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.MEETING)
    kind = models.ForeignKey(MeetingKind, verbose_name="对应会议类型", null=True, blank=True,
                             on_delete=models.SET_NULL)

    scope_spec = ScopeSpec(org="work_list__publisher")

    class Meta:
        verbose_name = "清单事项"
        verbose_name_plural = "清单事项"
        ordering = ["work_list", "order"]

    def __str__(self):
        return self.title


class WorkListReceipt(ChangeLoggedModel):
    """A branch's copy of a published list: acknowledged, then items completed."""

    work_list = models.ForeignKey(WorkList, verbose_name="清单", on_delete=models.CASCADE, related_name="receipts")
    organization = models.ForeignKey("orgs.Organization", verbose_name="支部", on_delete=models.CASCADE,
                                     related_name="work_list_receipts")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签收人", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "清单签收"
        verbose_name_plural = "清单签收"
        constraints = [models.UniqueConstraint(fields=["work_list", "organization"], name="life_receipt_unique")]

    def __str__(self):
        return f"{self.organization} {self.work_list}"

    def get_absolute_url(self):
        return reverse("life:receipt_detail", args=[self.pk])


class WorkItemCompletion(ChangeLoggedModel):
    receipt = models.ForeignKey(WorkListReceipt, verbose_name="签收", on_delete=models.CASCADE,
                                related_name="completions")
    item = models.ForeignKey(WorkItem, verbose_name="事项", on_delete=models.CASCADE, related_name="completions")
    meeting = models.ForeignKey(Meeting, verbose_name="对应会议", null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField("说明", max_length=200, blank=True)
    completed_on = models.DateField("完成日期")

    scope_spec = ScopeSpec(org="receipt__organization")

    class Meta:
        verbose_name = "事项完成"
        verbose_name_plural = "事项完成"
        constraints = [models.UniqueConstraint(fields=["receipt", "item"], name="life_completion_unique")]


class Bulletin(ChangeLoggedModel):
    """月通报: generated from the data as .docx and PDF."""

    organization = models.ForeignKey("orgs.Organization", verbose_name="通报单位", on_delete=models.PROTECT,
                                     related_name="bulletins")
    month = models.DateField("月份")
    docx = PrivateFileField("Word 文件", upload_to="life/bulletins/")
    pdf = PrivateFileField("PDF 文件", upload_to="life/bulletins/", blank=True)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "月通报"
        verbose_name_plural = "月通报"
        ordering = ["-month", "-id"]

    def __str__(self):
        return f"{self.organization} {self.month:%Y年%m月}通报"


def _bulletin_file(request, bulletin, fieldfile):
    from changqing.core.export_gate import ExportGate

    fmt = "pdf" if fieldfile.field.name == "pdf" else "docx"
    return ExportGate(request).file(bulletin, fieldfile, f"{bulletin}.{fmt}", f"下载「{bulletin}」{fmt}",
                                    org_path=bulletin.organization.path)


register_file_access(Bulletin, serve=_bulletin_file)
