"""The registry of retired cadres and their party membership (DOMAIN.md §2).

Every retired cadre the bureau serves is a Retiree; party membership is a
relationship some of them have. Care reaches all; organisational life and
dues concern members.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from pypinyin import Style, lazy_pinyin

from changqing.accounts.scope import ScopeSpec
from changqing.core import idcard
from changqing.core.changelog import ChangeLoggedModel


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class RetirementKind(models.TextChoices):
    LIXIU = "lixiu", "离休"
    TUIXIU = "tuixiu", "退休"


class Health(models.TextChoices):
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"
    BEDRIDDEN = "bedridden", "卧床"


class Living(models.TextChoices):
    WITH_FAMILY = "with_family", "与子女同住"
    EMPTY_NEST = "empty_nest", "空巢（与配偶同住）"
    ALONE = "alone", "独居"
    CARE_HOME = "care_home", "养老机构"


class PersonStatus(models.TextChoices):
    ALIVE = "alive", "健在"
    DECEASED = "deceased", "已故"


def name_pinyin(name: str) -> tuple[str, str]:
    """Full pinyin and initials for search: 张宏伟 → ("zhanghongwei", "zhw")."""
    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables).lower(), "".join(initials).lower()


class Retiree(ChangeLoggedModel):
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名全拼", max_length=200, blank=True, db_index=True, editable=False)
    name_initials = models.CharField("姓名首字母", max_length=50, blank=True, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    birth_date = models.DateField("出生日期")
    retirement_kind = models.CharField("离退休类别", max_length=10, choices=RetirementKind.choices)
    retired_on = models.DateField("离退休日期", null=True, blank=True)
    former_unit = models.CharField("原工作单位", max_length=100, blank=True)
    former_post = models.CharField("原职务", max_length=100, blank=True)
    rank = models.CharField("职级", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("居住地址", max_length=200, blank=True)
    community = models.CharField("所在社区", max_length=100, blank=True)
    health = models.CharField("健康状况", max_length=20, choices=Health.choices, default=Health.GOOD)
    mobility_impaired = models.BooleanField("行动不便", default=False)
    living = models.CharField("居住情况", max_length=20, choices=Living.choices, default=Living.WITH_FAMILY)
    family_contact = models.CharField("家属联系人", max_length=50, blank=True)
    family_phone = models.CharField("家属电话", max_length=20, blank=True)
    specialties = models.CharField("特长爱好", max_length=200, blank=True)
    service_needs = models.CharField("服务需求", max_length=200, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="服务管理组织", on_delete=models.PROTECT, related_name="retirees"
    )
    status = models.CharField("状态", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ALIVE)
    deceased_on = models.DateField("去世日期", null=True, blank=True)

    scope_spec = ScopeSpec(org="organization", retiree="")

    class Meta:
        verbose_name = "离退休干部"
        verbose_name_plural = "离退休干部"
        ordering = ["organization__path", "name"]
        indexes = [models.Index(fields=["organization", "name"], name="members_retiree_org_name_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:retiree_detail", args=[self.pk])

    @property
    def age(self) -> int:
        from django.utils import timezone

        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    @property
    def masked_id_number(self) -> str:
        return idcard.mask(self.id_number)

    @property
    def masked_phone(self) -> str:
        return idcard.mask_phone(self.phone)

    def clean(self):
        try:
            parsed = idcard.parse(self.id_number)
        except idcard.IdNumberError as exc:
            raise ValidationError({"id_number": str(exc)}) from None
        self.id_number = parsed.value
        errors = {}
        if self.birth_date and self.birth_date != parsed.birth_date:
            errors["birth_date"] = f"出生日期与身份证号不一致（身份证号为 {parsed.birth_date:%Y-%m-%d}）"
        if self.gender and self.gender != parsed.gender:
            errors["gender"] = "性别与身份证号不一致"
        if self.status == PersonStatus.DECEASED and not self.deceased_on:
            errors["deceased_on"] = "已故人员需填写去世日期"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = name_pinyin(self.name)
        super().save(*args, **kwargs)


class MembershipStatus(models.TextChoices):
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"


class MembershipState(models.TextChoices):
    ACTIVE = "active", "在册"
    TRANSFERRED_OUT = "transferred_out", "已转出"
    DECEASED = "deceased", "已故"
    LEFT = "left", "出党/退党"


class Membership(ChangeLoggedModel):
    """A retiree's party membership: the branch that holds it, status and dates."""

    retiree = models.OneToOneField(Retiree, verbose_name="离退休干部", on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="所在党组织", on_delete=models.PROTECT, related_name="memberships"
    )
    status = models.CharField("党员类别", max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.FULL)
    state = models.CharField("党籍状态", max_length=20, choices=MembershipState.choices, default=MembershipState.ACTIVE)
    joined_on = models.DateField("入党日期")
    full_on = models.DateField("转正日期", null=True, blank=True)
    ended_on = models.DateField("党籍变动日期", null=True, blank=True)

    scope_spec = ScopeSpec(org="organization", retiree="retiree")

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["organization__path", "retiree__name"]
        indexes = [models.Index(fields=["organization", "state"], name="members_membership_org_idx")]

    def __str__(self):
        return f"{self.retiree.name}（{self.get_status_display()}）"

    def clean(self):
        errors = {}
        birth = self.retiree.birth_date if self.retiree_id else None
        if birth and self.joined_on:
            age = self.joined_on.year - birth.year - ((self.joined_on.month, self.joined_on.day) < (birth.month, birth.day))
            if age < 18:
                errors["joined_on"] = f"入党时年龄为{age}岁，不满18周岁"
        if self.full_on and self.joined_on and self.full_on < self.joined_on:
            errors["full_on"] = "转正日期不能早于入党日期"
        if self.status == MembershipStatus.FULL and not self.full_on:
            errors["full_on"] = "正式党员需填写转正日期"
        if errors:
            raise ValidationError(errors)


class Absence(ChangeLoggedModel):
    """流动: a member living away for a period (e.g. winter in Sanya)."""

    retiree = models.ForeignKey(Retiree, verbose_name="离退休干部", on_delete=models.CASCADE, related_name="absences")
    start_on = models.DateField("外出日期")
    end_on = models.DateField("返回日期", null=True, blank=True)
    place = models.CharField("外出地点", max_length=100)
    reason = models.CharField("外出原因", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="retiree__organization", retiree="retiree")

    class Meta:
        verbose_name = "外出流动"
        verbose_name_plural = "外出流动"
        ordering = ["-start_on"]

    def __str__(self):
        return f"{self.retiree.name} {self.place}"

    def clean(self):
        if self.end_on and self.start_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": "返回日期不能早于外出日期"})
