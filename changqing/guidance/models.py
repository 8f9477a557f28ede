"""Guidance stations for 两新 organisations (seed 001).

A 两新工委 (an Organization of kind committee) sets up stations; each station
has a chief, a deputy and guides, and covers 两新 organisations (NewOrg).
Station-scoped records carry `scope_path` = the station's own path under its
committee ("/WL/~S-YA/"), so a bureau admin of the committee reaches them by
the usual subtree prefix and a station chief or guide reaches only theirs.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from changqing.core.files import PrivateFileField, PrivateImageField
from changqing.core.uploads import validate_content
from changqing.core.scope import ScopeSpec
from changqing.core.changelog import ChangeLoggedModel
from changqing.core.fieldcrypt import BlindIndexField, EncryptedCharField
from changqing.orgs.models import code_validator

from . import credit_code

PHOTO_EXTENSIONS = ["jpg", "jpeg", "png"]
MATERIAL_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "jpg", "jpeg", "png", "txt"]
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def validate_upload_size(f):
    if f.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"文件不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024}MB，当前为 {f.size / 1024 / 1024:.1f}MB")


def validate_credit_code(value):
    try:
        credit_code.validate(value)
    except credit_code.CreditCodeError as exc:
        raise ValidationError(str(exc)) from None


class GuidanceStation(ChangeLoggedModel):
    code = models.CharField("站点编码", max_length=32, unique=True, validators=[code_validator])
    name = models.CharField("指导站名称", max_length=100)
    organization = models.ForeignKey("orgs.Organization", verbose_name="所属两新工委", on_delete=models.PROTECT,
                                     related_name="guidance_stations")
    base = models.CharField("依托阵地", max_length=200, help_text="如：永安街道党群服务中心")
    area = models.CharField("服务片区", max_length=100, help_text="街道、园区等，用于按片区统计覆盖情况")
    address = models.CharField("地址", max_length=200, blank=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    scope_path = models.CharField("数据范围路径", max_length=440, editable=False, db_index=True)

    scope_spec = ScopeSpec(org_path="scope_path")

    class Meta:
        verbose_name = "党建工作指导站"
        verbose_name_plural = "党建工作指导站"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("guidance:station_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.scope_path = f"{self.organization.path}~S-{self.code}/"
        super().save(*args, **kwargs)

    def leader(self, role):
        return next((g for g in self.guides.all() if g.role == role and g.status == Guide.Status.ACTIVE), None)

    @property
    def chief(self):
        return self.leader(Guide.Role.CHIEF)

    @property
    def deputy(self):
        return self.leader(Guide.Role.DEPUTY)


class StandardItem(ChangeLoggedModel):
    """One item of the "6+X" standard: the 六有 plus local X items."""

    SIX = [
        ("sign", "有站组标牌"),
        ("place", "有固定场所"),
        ("rules", "有上墙制度"),
        ("materials", "有学习资料"),
        ("equipment", "有办公设施"),
        ("chart", "有指导组架构图"),
    ]

    station = models.ForeignKey(GuidanceStation, verbose_name="指导站", on_delete=models.CASCADE,
                                related_name="standard_items")
    key = models.CharField("标准项", max_length=20, blank=True, help_text="六有标准项的代码；本地 X 项留空")
    name = models.CharField("名称", max_length=100)
    is_local = models.BooleanField("本地X项", default=False)
    met = models.BooleanField("已达标", default=False)
    checked_on = models.DateField("检查日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    scope_spec = ScopeSpec(org_path="station__scope_path")

    class Meta:
        verbose_name = "6+X 标准项"
        verbose_name_plural = "6+X 标准项"
        ordering = ["station", "is_local", "id"]
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="guidance_standard_unique_name")]

    def __str__(self):
        return f"{self.station.name}：{self.name}"

    def clean(self):
        if self.met and not self.checked_on:
            raise ValidationError({"checked_on": "标记为已达标时需填写检查日期"})


class StandardEvidence(ChangeLoggedModel):
    item = models.ForeignKey(StandardItem, verbose_name="标准项", on_delete=models.CASCADE, related_name="evidence")
    photo = PrivateImageField("佐证照片", upload_to="guidance/evidence/%Y/%m/",
                              validators=[FileExtensionValidator(PHOTO_EXTENSIONS), validate_upload_size,
                                                                                validate_content])
    caption = models.CharField("说明", max_length=200, blank=True)

    scope_spec = ScopeSpec(org_path="item__station__scope_path")

    class Meta:
        verbose_name = "佐证照片"
        verbose_name_plural = "佐证照片"

    def __str__(self):
        return self.caption or self.photo.original_name


class Guide(ChangeLoggedModel):
    """A 党建指导员 (or the chief/deputy of a station)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "在岗"
        LEFT = "left", "已离岗"

    class Role(models.TextChoices):
        CHIEF = "chief", "站长"
        DEPUTY = "deputy", "副站长"
        GUIDE = "guide", "指导员"

    station = models.ForeignKey(GuidanceStation, verbose_name="指导站", on_delete=models.PROTECT, related_name="guides")
    role = models.CharField("岗位", max_length=10, choices=Role.choices, default=Role.GUIDE)
    name = models.CharField("姓名", max_length=50)
    phone = EncryptedCharField("联系电话", max_length=20, blank=True)
    phone_hash = BlindIndexField(of="phone", db_index=True)
    unit = models.CharField("工作单位及职务", max_length=100, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="guide_profile")
    appointed_on = models.DateField("选派日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)

    scope_spec = ScopeSpec(org_path="station__scope_path")

    class Meta:
        verbose_name = "党建指导员"
        verbose_name_plural = "党建指导员"
        ordering = ["station", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("guidance:guide_detail", args=[self.pk])

    def clean(self):
        if self.role in (self.Role.CHIEF, self.Role.DEPUTY) and self.status == self.Status.ACTIVE and self.station_id:
            clash = Guide.objects.filter(station_id=self.station_id, role=self.role, status=self.Status.ACTIVE)
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError({"role": f"该指导站已有在岗{self.get_role_display()}，每站只设1名"})


class GuideApplication(ChangeLoggedModel):
    """自愿报名 + 党工委审核: guides are chosen by application and review."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"

    station = models.ForeignKey(GuidanceStation, verbose_name="申请加入的指导站", on_delete=models.CASCADE,
                                related_name="applications")
    name = models.CharField("姓名", max_length=50)
    phone = EncryptedCharField("联系电话", max_length=20)
    phone_hash = BlindIndexField(of="phone", db_index=True)
    unit = models.CharField("工作单位及职务", max_length=100)
    is_party_member = models.BooleanField("中共党员", default=True)
    experience = models.TextField("党务工作经历", blank=True)
    motivation = models.TextField("报名理由")
    status = models.CharField("审核状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_on = models.DateField("审核日期", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    guide = models.OneToOneField(Guide, verbose_name="录用后的指导员", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="application")

    scope_spec = ScopeSpec(org_path="station__scope_path")

    class Meta:
        verbose_name = "指导员报名"
        verbose_name_plural = "指导员报名"
        ordering = ["status", "-created_at"]

    def __str__(self):
        return f"{self.name}（{self.get_status_display()}）"

    def get_absolute_url(self):
        return reverse("guidance:application_detail", args=[self.pk])


class NewOrg(ChangeLoggedModel):
    """A 两新 organisation in the dynamic database; every change is kept in the change log."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "非公有制企业"
        SOCIAL = "social", "社会组织"

    class PartyOrgStatus(models.TextChoices):
        NONE = "none", "未建党组织"
        ALONE = "alone", "单独建立"
        JOINT = "joint", "联合建立"

    station = models.ForeignKey(GuidanceStation, verbose_name="指导站", on_delete=models.PROTECT,
                                related_name="new_orgs")
    guide = models.ForeignKey(Guide, verbose_name="联系指导员", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="new_orgs")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=150)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code])
    address = models.CharField("地址", max_length=200)
    area = models.CharField("所在片区", max_length=100, blank=True)
    industry = models.CharField("行业", max_length=50, blank=True)
    person_in_charge = models.CharField("出资人/负责人", max_length=50)
    party_contact = models.CharField("党务联系人", max_length=50, blank=True)
    party_contact_phone = EncryptedCharField("党务联系人电话", max_length=20, blank=True)
    party_contact_phone_hash = BlindIndexField(of="party_contact_phone", db_index=True)
    employees = models.PositiveIntegerField("从业人员数", default=0)
    party_members = models.PositiveIntegerField("党员数", default=0)
    party_org_status = models.CharField("党组织建立情况", max_length=10, choices=PartyOrgStatus.choices,
                                        default=PartyOrgStatus.NONE)
    party_org = models.ForeignKey("orgs.Organization", verbose_name="所属党组织", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="new_orgs",
                                  help_text="会议、活动和党员花名册用与离退休支部相同的功能记录在该党组织下")
    active = models.BooleanField("在库", default=True)

    scope_spec = ScopeSpec(org_path="station__scope_path")

    class Meta:
        verbose_name = "两新组织"
        verbose_name_plural = "两新组织"
        ordering = ["station", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("guidance:neworg_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.credit_code:
            try:
                self.credit_code = credit_code.validate(self.credit_code)
            except credit_code.CreditCodeError as exc:
                errors["credit_code"] = str(exc)
        if self.party_members and self.employees and self.party_members > self.employees:
            errors["party_members"] = "党员数不能多于从业人员数"
        if self.party_org_status == self.PartyOrgStatus.NONE and self.party_org_id:
            errors["party_org_status"] = "已关联党组织，请选择“单独建立”或“联合建立”"
        if self.party_org_status == self.PartyOrgStatus.ALONE and self.party_members and self.party_members < 3:
            errors["party_org_status"] = "党员不足3人不能单独建立党支部（《支部工作条例》第五条），请选择联合建立"
        if self.guide_id and self.station_id and self.guide.station_id != self.station_id:
            errors["guide"] = "联系指导员必须属于同一指导站"
        if errors:
            raise ValidationError(errors)


class GuideVisit(ChangeLoggedModel):
    guide = models.ForeignKey(Guide, verbose_name="指导员", on_delete=models.PROTECT, related_name="visits")
    new_org = models.ForeignKey(NewOrg, verbose_name="走访组织", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("走访日期")
    content = models.TextField("走访内容")
    help_given = models.TextField("帮助解决的问题", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org_path="new_org__station__scope_path")

    class Meta:
        verbose_name = "指导员走访"
        verbose_name_plural = "指导员走访"
        ordering = ["-visited_on", "-id"]
        # The same guide's visit to the same organisation on one day is one record, whoever enters it.
        constraints = [models.UniqueConstraint(
            fields=["guide", "new_org", "visited_on"], name="guidance_visit_one_per_day",
            violation_error_message="这位指导员这一天对该组织的走访已经记录过了（可能是别人刚刚录入的）")]

    def __str__(self):
        return f"{self.guide} 走访 {self.new_org}"

    def clean(self):
        if self.guide_id and self.new_org_id and self.guide.station_id != self.new_org.station_id:
            raise ValidationError({"new_org": "只能走访本指导站联系的组织"})


class StationMeeting(ChangeLoggedModel):
    """每月一次的指导站工作例会."""

    station = models.ForeignKey(GuidanceStation, verbose_name="指导站", on_delete=models.PROTECT,
                                related_name="meetings")
    held_on = models.DateField("会议日期")
    topic = models.CharField("会议主题", max_length=200)
    minutes = models.TextField("会议纪要", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org_path="station__scope_path")

    class Meta:
        verbose_name = "指导站例会"
        verbose_name_plural = "指导站例会"
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.station.name} {self.held_on:%Y年%m月}例会"

    def get_absolute_url(self):
        return reverse("guidance:meeting_detail", args=[self.pk])


class StationMeetingAttendance(ChangeLoggedModel):
    meeting = models.ForeignKey(StationMeeting, verbose_name="例会", on_delete=models.CASCADE, related_name="attendance")
    guide = models.ForeignKey(Guide, verbose_name="指导员", on_delete=models.CASCADE, related_name="meeting_attendance")
    present = models.BooleanField("出席", default=True)
    note = models.CharField("缺席原因", max_length=100, blank=True)

    scope_spec = ScopeSpec(org_path="meeting__station__scope_path")

    class Meta:
        verbose_name = "例会出席"
        verbose_name_plural = "例会出席"
        constraints = [models.UniqueConstraint(fields=["meeting", "guide"], name="guidance_attendance_unique")]

    def __str__(self):
        return f"{self.guide.name}：{'出席' if self.present else '缺席'}"


class MonthlyList(ChangeLoggedModel):
    """工作提示清单 / 主题党日清单 a station publishes each month."""

    class Kind(models.TextChoices):
        WORK_PROMPT = "work_prompt", "工作提示清单"
        THEME_DAY = "theme_day", "主题党日清单"

    station = models.ForeignKey(GuidanceStation, verbose_name="指导站", on_delete=models.PROTECT,
                                related_name="monthly_lists")
    month = models.DateField("月份", help_text="该月第一天")
    kind = models.CharField("清单类型", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    published_on = models.DateField("发布日期", null=True, blank=True)

    scope_spec = ScopeSpec(org_path="station__scope_path")

    class Meta:
        verbose_name = "月度清单"
        verbose_name_plural = "月度清单"
        ordering = ["-month", "station", "kind"]
        constraints = [models.UniqueConstraint(fields=["station", "month", "kind"], name="guidance_list_unique")]

    def __str__(self):
        return f"{self.station.name} {self.month:%Y年%m月}{self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("guidance:list_detail", args=[self.pk])

    def clean(self):
        if self.month and self.month.day != 1:
            self.month = self.month.replace(day=1)


class ListItem(ChangeLoggedModel):
    monthly_list = models.ForeignKey(MonthlyList, verbose_name="清单", on_delete=models.CASCADE, related_name="items")
    title = models.CharField("事项", max_length=200)
    description = models.TextField("要求", blank=True)
    due_on = models.DateField("完成时限")

    scope_spec = ScopeSpec(org_path="monthly_list__station__scope_path")

    class Meta:
        verbose_name = "清单事项"
        verbose_name_plural = "清单事项"
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title


class ItemCompletion(ChangeLoggedModel):
    item = models.ForeignKey(ListItem, verbose_name="事项", on_delete=models.CASCADE, related_name="completions")
    new_org = models.ForeignKey(NewOrg, verbose_name="组织", on_delete=models.CASCADE, related_name="completions")
    done_on = models.DateField("完成日期")
    note = models.CharField("完成情况", max_length=300, blank=True)

    scope_spec = ScopeSpec(org_path="new_org__station__scope_path")

    class Meta:
        verbose_name = "事项完成情况"
        verbose_name_plural = "事项完成情况"
        constraints = [models.UniqueConstraint(fields=["item", "new_org"], name="guidance_completion_unique")]

    def __str__(self):
        return f"{self.new_org} 完成 {self.item}"


class HelpRequest(ChangeLoggedModel):
    """A problem a 两新 organisation raises; a guide answers; tracked to closure."""

    class Status(models.TextChoices):
        OPEN = "open", "待答复"
        ANSWERED = "answered", "已答复"
        CLOSED = "closed", "已办结"

    new_org = models.ForeignKey(NewOrg, verbose_name="提出组织", on_delete=models.PROTECT, related_name="help_requests")
    title = models.CharField("问题", max_length=200)
    description = models.TextField("具体情况")
    raised_by = models.CharField("提出人", max_length=50)
    raised_on = models.DateField("提出日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    guide = models.ForeignKey(Guide, verbose_name="答复指导员", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="help_answers")
    answer = models.TextField("答复", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    close_note = models.CharField("办结说明", max_length=300, blank=True)

    scope_spec = ScopeSpec(org_path="new_org__station__scope_path")

    class Meta:
        verbose_name = "求助事项"
        verbose_name_plural = "求助事项"
        ordering = ["status", "-raised_on"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("guidance:help_detail", args=[self.pk])


class Material(ChangeLoggedModel):
    """Shared board of non-classified materials, replacing the WeChat group's file sharing."""

    station = models.ForeignKey(GuidanceStation, verbose_name="指导站", on_delete=models.CASCADE,
                                related_name="materials")
    title = models.CharField("标题", max_length=200)
    description = models.TextField("说明", blank=True)
    file = PrivateFileField("文件", upload_to="guidance/materials/%Y/%m/",
                            validators=[FileExtensionValidator(MATERIAL_EXTENSIONS), validate_upload_size,
                                                                                validate_content])
    non_classified = models.BooleanField("我确认该材料不涉密", default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org_path="station__scope_path")

    class Meta:
        verbose_name = "共享材料"
        verbose_name_plural = "共享材料"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def clean(self):
        if not self.non_classified:
            raise ValidationError({"non_classified": "只能上传非涉密材料，请确认后勾选"})


class GuideEvaluation(ChangeLoggedModel):
    """每季度对站内指导员进行综合评价."""

    guide = models.ForeignKey(Guide, verbose_name="指导员", on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField("季度", choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")])
    score = models.DecimalField("综合评分", max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    comments = models.TextField("评价意见", blank=True)
    recommended = models.BooleanField("推荐为优秀党务工作者", default=False)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评价人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    scope_spec = ScopeSpec(org_path="guide__station__scope_path")

    class Meta:
        verbose_name = "指导员季度评价"
        verbose_name_plural = "指导员季度评价"
        ordering = ["-year", "-quarter", "-score"]
        constraints = [models.UniqueConstraint(fields=["guide", "year", "quarter"], name="guidance_eval_unique")]

    def __str__(self):
        return f"{self.guide} {self.year}年第{self.quarter}季度"


class OrgSatisfaction(ChangeLoggedModel):
    """A served organisation's satisfaction with its guide for a quarter (1–5)."""

    guide = models.ForeignKey(Guide, verbose_name="指导员", on_delete=models.CASCADE, related_name="satisfaction")
    new_org = models.ForeignKey(NewOrg, verbose_name="组织", on_delete=models.CASCADE, related_name="satisfaction")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    rating = models.PositiveSmallIntegerField("满意度", choices=[(5, "非常满意"), (4, "满意"), (3, "基本满意"),
                                                               (2, "不太满意"), (1, "不满意")])
    comment = models.CharField("意见建议", max_length=300, blank=True)

    scope_spec = ScopeSpec(org_path="new_org__station__scope_path")

    class Meta:
        verbose_name = "组织满意度"
        verbose_name_plural = "组织满意度"
        constraints = [models.UniqueConstraint(fields=["guide", "new_org", "year", "quarter"],
                                               name="guidance_satisfaction_unique")]

    def __str__(self):
        return f"{self.new_org} 对 {self.guide}：{self.get_rating_display()}"
