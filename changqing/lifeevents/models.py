"""Life events of a retired cadre (issue 20): hospital stays, death, health and living profile,
silver talent, living elsewhere — each linked to the work that follows from it.

The person is `members.Retiree`; every record here scopes through it (org subtree or a carer's
pairs). What follows from an event (a visit task, the death checklist, a raised care level) is
written by `services.py` in the same transaction, and told as a `LifeEvent` a person can read.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from changqing.core.changelog import ChangeLoggedModel
from changqing.core.fieldcrypt import BlindIndexField, EncryptedCharField
from changqing.core.scope import ScopeSpec

RETIREE_SCOPE = ScopeSpec(org="retiree__organization", retiree="retiree")


def codes(stored: str) -> list[str]:
    """Choice codes kept as ",a,b," (a comma on each side, so `icontains=",a,"` filters on every database)."""
    return [c for c in (stored or "").split(",") if c]


def join_codes(values) -> str:
    values = [v for v in values or () if v]
    return f",{','.join(values)}," if values else ""


class StayReason(models.TextChoices):
    CHRONIC = "chronic", "慢性病复发/加重"
    ACUTE = "acute", "急症"
    INJURY = "injury", "跌倒/外伤"
    SURGERY = "surgery", "手术"
    CHECKUP = "checkup", "检查/调养"
    OTHER = "other", "其他"


class HospitalStay(ChangeLoggedModel):
    """住院: admission (and later discharge). A stay opens a visit task (services.stay_admit)."""

    retiree = models.ForeignKey("members.Retiree", verbose_name="老同志", on_delete=models.CASCADE,
                                related_name="hospital_stays")
    hospital = models.CharField("医院", max_length=100)
    ward = models.CharField("科室/病房", max_length=100, blank=True)
    reason = models.CharField("住院原因类别", max_length=20, choices=StayReason.choices, default=StayReason.OTHER)
    admitted_on = models.DateField("入院日期")
    discharged_on = models.DateField("出院日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "住院记录"
        verbose_name_plural = "住院记录"
        ordering = ["-admitted_on", "-id"]
        indexes = [models.Index(fields=["retiree", "admitted_on"], name="lifeevents_stay_retiree_idx")]

    def __str__(self):
        return f"{self.retiree.name} {self.admitted_on:%Y-%m-%d} 入院 {self.hospital}"

    def get_absolute_url(self):
        return reverse("lifeevents:stay_edit", args=[self.pk])

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.admitted_on and self.admitted_on > today:
            errors["admitted_on"] = "入院日期不能晚于今天"
        if self.discharged_on and self.admitted_on and self.discharged_on < self.admitted_on:
            errors["discharged_on"] = "出院日期不能早于入院日期"
        elif self.discharged_on and self.discharged_on > today:
            errors["discharged_on"] = "出院日期不能晚于今天"
        if errors:
            raise ValidationError(errors)

    @property
    def days(self) -> int:
        end = self.discharged_on or timezone.localdate()
        return (end - self.admitted_on).days + 1


class TaskStatus(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


class VisitTask(ChangeLoggedModel):
    """探望任务: who should visit whom by when; a recorded visit of the person closes it."""

    retiree = models.ForeignKey("members.Retiree", verbose_name="老同志", on_delete=models.CASCADE,
                                related_name="visit_tasks")
    stay = models.ForeignKey(HospitalStay, verbose_name="住院记录", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="tasks")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="负责人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="lifeevent_tasks")
    due_on = models.DateField("探望期限")
    status = models.CharField("状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    closed_on = models.DateField("完成/取消日期", null=True, blank=True)
    visit = models.ForeignKey("care.Visit", verbose_name="完成的走访", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    close_note = models.CharField("说明", max_length=200, blank=True)

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "探望任务"
        verbose_name_plural = "探望任务"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="lifeevents_task_status_idx")]

    def __str__(self):
        return f"探望 {self.retiree.name}（{self.due_on:%m月%d日}前）"


class DeathCause(models.TextChoices):
    ILLNESS = "illness", "因病"
    AGE = "age", "年老"
    ACCIDENT = "accident", "意外"
    OTHER = "other", "其他"


class DeathRecord(ChangeLoggedModel):
    """登记去世: one action and everything that follows (services.death_record); reversible with its history."""

    retiree = models.ForeignKey("members.Retiree", verbose_name="老同志", on_delete=models.CASCADE,
                                related_name="death_records")
    died_on = models.DateField("去世日期")
    cause = models.CharField("原因类别", max_length=20, choices=DeathCause.choices, blank=True)
    reported_by = models.CharField("报告人", max_length=50, help_text="如：家属王某（儿子）、社区")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    # What the record did, so a reversal undoes exactly that (pairings ended, tasks cancelled).
    effects = models.JSONField("登记时的处理", default=dict, blank=True)
    reversed_on = models.DateField("撤销日期", null=True, blank=True)
    reversal_reason = models.CharField("撤销原因", max_length=200, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "去世登记"
        verbose_name_plural = "去世登记"
        ordering = ["-died_on", "-id"]

    def __str__(self):
        return f"{self.retiree.name} {self.died_on:%Y-%m-%d} 去世"

    def get_absolute_url(self):
        return reverse("lifeevents:death_detail", args=[self.pk])

    @property
    def is_reversed(self) -> bool:
        return self.reversed_on is not None


class ChecklistItem(ChangeLoggedModel):
    """One step of the branch's 后事清单 after a death, from the policy: due date and who does it."""

    death = models.ForeignKey(DeathRecord, verbose_name="去世登记", on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    step = models.CharField("事项", max_length=100)
    due_on = models.DateField("期限")
    role = models.CharField("负责角色", max_length=30, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="负责人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_on = models.DateField("完成日期", null=True, blank=True)
    note = models.CharField("办理情况", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="death__retiree__organization", retiree="death__retiree")

    class Meta:
        verbose_name = "后事办理事项"
        verbose_name_plural = "后事办理事项"
        ordering = ["death_id", "order", "id"]

    def __str__(self):
        return f"{self.death.retiree.name}：{self.step}"


class Mobility(models.TextChoices):
    FREE = "free", "行动自如"
    AID = "aid", "借助拐杖/助行器"
    WHEELCHAIR = "wheelchair", "轮椅"
    BEDRIDDEN = "bedridden", "卧床"


class Chronic(models.TextChoices):
    CARDIO = "cardio", "心脑血管"
    METABOLIC = "metabolic", "糖尿病等代谢类"
    RESPIRATORY = "respiratory", "呼吸系统"
    BONE = "bone", "骨关节"
    COGNITIVE = "cognitive", "认知/记忆"
    TUMOUR = "tumour", "肿瘤"
    OTHER = "other", "其他"


class CareLevel(models.IntegerChoices):
    NORMAL = 0, "一般关怀"
    CLOSE = 1, "重点关怀"
    SPECIAL = 2, "特别关怀"


class HealthProfile(ChangeLoggedModel):
    """健康与生活档案 (one per person). Sensitive: only those who care for the person see it
    (the "health" action of core.roles), every view is logged, exports mask it for others.
    The living situation is the registry's own field (Retiree.living), typed once."""

    retiree = models.OneToOneField("members.Retiree", verbose_name="老同志", on_delete=models.CASCADE,
                                   related_name="health_profile")
    contract_hospital = models.CharField("合同医院", max_length=100, blank=True)
    mobility = models.CharField("行动能力", max_length=20, choices=Mobility.choices, default=Mobility.FREE)
    chronic = models.CharField("慢性病类别", max_length=200, blank=True, help_text="类别代码，以逗号分隔")
    emergency_name = models.CharField("紧急联系人", max_length=50, blank=True)
    emergency_relation = models.CharField("与本人关系", max_length=20, blank=True)
    emergency_phone = EncryptedCharField("紧急联系人电话", max_length=20, blank=True)
    emergency_phone_hash = BlindIndexField(of="emergency_phone", db_index=True)
    care_level = models.PositiveSmallIntegerField("关怀等级", choices=CareLevel.choices, default=CareLevel.NORMAL)
    care_level_reason = models.CharField("关怀等级说明", max_length=200, blank=True)

    scope_spec = RETIREE_SCOPE
    SENSITIVE = ("contract_hospital", "mobility", "chronic", "emergency_name", "emergency_relation",
                 "emergency_phone")

    class Meta:
        verbose_name = "健康与生活档案"
        verbose_name_plural = "健康与生活档案"
        ordering = ["retiree_id"]

    def __str__(self):
        return f"{self.retiree.name}的健康与生活档案"

    def get_absolute_url(self):
        return reverse("lifeevents:profile", args=[self.retiree_id])

    @property
    def chronic_labels(self) -> str:
        labels = dict(Chronic.choices)
        return "、".join(str(labels.get(c, c)) for c in codes(self.chronic))


class Specialty(models.TextChoices):
    CALLIGRAPHY = "calligraphy", "书画"
    MEDICINE = "medicine", "医疗保健"
    LAW = "law", "法律咨询"
    EDUCATION = "education", "教育辅导"
    ARTS = "arts", "文艺"
    TECH = "tech", "科技"
    FINANCE = "finance", "财会"
    AGRICULTURE = "agriculture", "农业技术"
    MEDIATION = "mediation", "调解"
    HISTORY = "history", "党史宣讲"


class Availability(models.TextChoices):
    WEEKDAYS = "weekdays", "工作日"
    WEEKENDS = "weekends", "周末"
    ANYTIME = "anytime", "随时"
    OCCASIONAL = "occasional", "偶尔"


class SilverTalent(ChangeLoggedModel):
    """银发人才库: what a retiree can offer, and whether they are willing now."""

    retiree = models.OneToOneField("members.Retiree", verbose_name="老同志", on_delete=models.CASCADE,
                                   related_name="silver_talent")
    specialties = models.CharField("专长类别", max_length=200, blank=True, help_text="类别代码，以逗号分隔")
    specialty_note = models.CharField("专长说明", max_length=200, blank=True)
    past_profession = models.CharField("原从事专业", max_length=100, blank=True)
    willing = models.BooleanField("愿意参加志愿服务", default=True)
    availability = models.CharField("可服务时间", max_length=20, choices=Availability.choices,
                                    default=Availability.OCCASIONAL)

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "银发人才"
        verbose_name_plural = "银发人才"
        ordering = ["retiree__name"]

    def __str__(self):
        return f"银发人才：{self.retiree.name}"

    def get_absolute_url(self):
        return reverse("lifeevents:talent_edit", args=[self.pk])

    @property
    def specialty_labels(self) -> str:
        labels = dict(Specialty.choices)
        return "、".join(str(labels.get(c, c)) for c in codes(self.specialties))


class Arrangement(models.TextChoices):
    TEMPORARY = "temporary", "临时组织关系"
    REPORTING = "reporting", "定期报告"


class Confirmation(models.TextChoices):
    YES = "yes", "已确认参加"
    NO = "no", "未参加"
    UNKNOWN = "unknown", "不清楚"


class LivingElsewhere(ChangeLoggedModel):
    """异地居住 / 易地安置: a long-term residence away (≥6 months), not a seasonal absence (members.Absence)."""

    retiree = models.ForeignKey("members.Retiree", verbose_name="老同志", on_delete=models.CASCADE,
                                related_name="living_elsewhere")
    start_on = models.DateField("起始日期")
    end_on = models.DateField("结束日期", null=True, blank=True)
    place = models.CharField("居住地", max_length=100)
    host_org_name = models.CharField("接收/联系的组织", max_length=100, blank=True)
    host_contact = models.CharField("联系人", max_length=50, blank=True)
    host_phone = EncryptedCharField("联系人电话", max_length=20, blank=True)
    host_phone_hash = BlindIndexField(of="host_phone", db_index=True)
    arrangement = models.CharField("管理方式", max_length=20, choices=Arrangement.choices,
                                   default=Arrangement.REPORTING)
    host_confirms = models.CharField("当地支部确认参加组织生活", max_length=10, choices=Confirmation.choices,
                                     default=Confirmation.UNKNOWN)
    note = models.CharField("说明", max_length=200, blank=True)

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "异地居住"
        verbose_name_plural = "异地居住"
        ordering = ["-start_on", "-id"]

    def __str__(self):
        return f"{self.retiree.name} 异地居住 {self.place}"

    def get_absolute_url(self):
        return reverse("lifeevents:elsewhere_edit", args=[self.pk])

    def clean(self):
        errors = {}
        if self.end_on and self.start_on and self.end_on < self.start_on:
            errors["end_on"] = "结束日期不能早于起始日期"
        if self.arrangement == Arrangement.TEMPORARY and not self.host_org_name.strip():
            errors["host_org_name"] = "转临时组织关系时请填写接收的党组织"
        if errors:
            raise ValidationError(errors)


class LifeEvent(ChangeLoggedModel):
    """The readable timeline of what happened and what followed (Zulip's audit rows): 入院, 关怀等级提高, 去世, 撤销…"""

    class Kind(models.TextChoices):
        ADMITTED = "admitted", "入院"
        DISCHARGED = "discharged", "出院"
        TASK_DONE = "task_done", "探望完成"
        CARE_LEVEL = "care_level", "关怀等级提高"
        DIED = "died", "登记去世"
        DEATH_REVERSED = "death_reversed", "撤销去世登记"

    retiree = models.ForeignKey("members.Retiree", verbose_name="老同志", on_delete=models.CASCADE,
                                related_name="life_events")
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    on = models.DateField("日期")
    text = models.CharField("说明", max_length=300)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField("附加信息", default=dict, blank=True)

    scope_spec = RETIREE_SCOPE

    class Meta:
        verbose_name = "生活事件"
        verbose_name_plural = "生活事件"
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.retiree.name} {self.get_kind_display()}"
