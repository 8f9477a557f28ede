"""The registry of retired cadres and their party membership (DOMAIN.md §2).

Every retired cadre the bureau serves is a Retiree; party membership is a
relationship some of them have. Care reaches all; organisational life and
dues concern members.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from changqing.core.files import PrivateImageField
from changqing.core.scope import ScopeSpec
from changqing.core import idcard
from changqing.core.changelog import ChangeLoggedModel
from changqing.core.fieldcrypt import BlindIndexField, EncryptedCharField


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
    id_number = EncryptedCharField("身份证号", max_length=18, kind="id")
    id_number_hash = BlindIndexField(of="id_number", unique=True)
    birth_date = models.DateField("出生日期")
    retirement_kind = models.CharField("离退休类别", max_length=10, choices=RetirementKind.choices)
    retired_on = models.DateField("离退休日期", null=True, blank=True)
    former_unit = models.CharField("原工作单位", max_length=100, blank=True)
    former_post = models.CharField("原职务", max_length=100, blank=True)
    rank = models.CharField("职级", max_length=50, blank=True)
    phone = EncryptedCharField("联系电话", max_length=20, blank=True)
    phone_hash = BlindIndexField(of="phone", db_index=True)
    address = models.CharField("居住地址", max_length=200, blank=True)
    community = models.CharField("所在社区", max_length=100, blank=True)
    health = models.CharField("健康状况", max_length=20, choices=Health.choices, default=Health.GOOD)
    mobility_impaired = models.BooleanField("行动不便", default=False)
    living = models.CharField("居住情况", max_length=20, choices=Living.choices, default=Living.WITH_FAMILY)
    family_contact = models.CharField("家属联系人", max_length=50, blank=True)
    family_phone = EncryptedCharField("家属电话", max_length=20, blank=True)
    family_phone_hash = BlindIndexField(of="family_phone", db_index=True)
    family_relation = models.CharField("与本人关系", max_length=20, blank=True)
    specialties = models.CharField("特长爱好", max_length=200, blank=True)
    service_needs = models.CharField("服务需求", max_length=200, blank=True)
    photo = PrivateImageField("照片", upload_to="retirees/photos/%Y/", blank=True)
    note = models.TextField("备注", blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="服务管理组织", on_delete=models.PROTECT, related_name="retirees"
    )
    status = models.CharField("状态", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ALIVE)
    deceased_on = models.DateField("去世日期", null=True, blank=True)

    scope_spec = ScopeSpec(org="organization", retiree="")
    # Shown in the change history only to whoever may reveal the ID number (core.masking).
    reveal_only_fields = ("birth_date", "retired_on")

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
        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    @property
    def masked_id_number(self) -> str:
        return idcard.mask(self.id_number)

    @property
    def masked_phone(self) -> str:
        return idcard.mask_phone(self.phone)

    @property
    def masked_family_phone(self) -> str:
        return idcard.mask_phone(self.family_phone)

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
    """A retiree's party membership: the branch that holds it, status and dates.

    One row per person; its history (status changes, transfers, every branch
    it belonged to) is kept in MembershipEvent, Transfer and MembershipPeriod,
    each pointing at the organisation where it happened. Write through
    changqing.members.services so the history stays complete.
    """

    retiree = models.OneToOneField(Retiree, verbose_name="离退休干部", on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="所在党组织", on_delete=models.PROTECT, related_name="memberships"
    )
    status = models.CharField("党员类别", max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.FULL)
    state = models.CharField("党籍状态", max_length=20, choices=MembershipState.choices, default=MembershipState.ACTIVE)
    joined_on = models.DateField("入党日期")
    full_on = models.DateField("转正日期", null=True, blank=True)
    ended_on = models.DateField("党籍变动日期", null=True, blank=True)
    joined_org_name = models.CharField("入党时所在党组织", max_length=100, blank=True)

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
                errors["joined_on"] = "入党时不满18周岁（按身份证号上的出生日期）"  # no age: see core.masking
        today = timezone.localdate()
        if self.joined_on and self.joined_on > today:
            errors["joined_on"] = "入党日期不能晚于今天"
        if self.full_on and self.joined_on and self.full_on <= self.joined_on:
            errors["full_on"] = "转正日期应晚于入党日期"
        elif self.full_on and self.full_on > today:
            errors["full_on"] = "转正日期不能晚于今天"
        if self.status == MembershipStatus.FULL and not self.full_on:
            errors.setdefault("full_on", "正式党员需填写转正日期")
        if self.status == MembershipStatus.PROBATIONARY and self.full_on:
            errors.setdefault("full_on", "预备党员尚未转正，转正日期请留空（转正时在台账中办理）")
        deceased_on = self.retiree.deceased_on if self.retiree_id else None
        if deceased_on and self.joined_on and self.joined_on > deceased_on:
            errors.setdefault("joined_on", "入党日期不能晚于去世日期")
        if errors:
            raise ValidationError(errors)


class Absence(ChangeLoggedModel):
    """流动: a member living away for a period (e.g. winter in Sanya).

    What is due (temporary relationship or reporting to the branch) follows
    the absence rule in changqing.members.rules, a setting (DOMAIN.md §6).
    """

    retiree = models.ForeignKey(Retiree, verbose_name="离退休干部", on_delete=models.CASCADE, related_name="absences")
    start_on = models.DateField("外出日期")
    expected_end_on = models.DateField("预计返回日期", null=True, blank=True)
    end_on = models.DateField("返回日期", null=True, blank=True)
    place = models.CharField("外出地点", max_length=100)
    reason = models.CharField("外出原因", max_length=200, blank=True)
    contact_phone = EncryptedCharField("外出期间联系电话", max_length=20, blank=True)
    contact_phone_hash = BlindIndexField(of="contact_phone", db_index=True)
    host_org_name = models.CharField("临时组织关系所在党组织", max_length=100, blank=True)
    host_since = models.DateField("转临时组织关系日期", null=True, blank=True)
    last_report_on = models.DateField("最近向支部报告日期", null=True, blank=True)

    scope_spec = ScopeSpec(org="retiree__organization", retiree="retiree")

    class Meta:
        verbose_name = "外出流动"
        verbose_name_plural = "外出流动"
        ordering = ["-start_on"]

    def __str__(self):
        return f"{self.retiree.name} {self.place}"

    def clean(self):
        errors = {}
        if self.end_on and self.start_on and self.end_on < self.start_on:
            errors["end_on"] = "返回日期不能早于外出日期"
        if self.expected_end_on and self.start_on and self.expected_end_on < self.start_on:
            errors["expected_end_on"] = "预计返回日期不能早于外出日期"
        if self.host_since and self.start_on and self.host_since < self.start_on:
            errors["host_since"] = "转临时组织关系日期不能早于外出日期"
        if self.host_since and not self.host_org_name:
            errors["host_org_name"] = "请填写临时组织关系所在党组织"
        if errors:
            raise ValidationError(errors)

    @property
    def is_ongoing(self) -> bool:
        return self.end_on is None


class MembershipPeriod(ChangeLoggedModel):
    """One stretch of a membership in one organisation: the history of every branch a member belonged to."""

    class Start(models.TextChoices):
        JOINED = "joined", "入党/登记"
        TRANSFER_IN = "transfer_in", "转入"
        MOVE = "move", "辖区内调整"
        RESTORED = "restored", "恢复"

    class End(models.TextChoices):
        TRANSFER_OUT = "transfer_out", "转出"
        MOVE = "move", "辖区内调整"
        DECEASED = "deceased", "去世"
        LEFT = "left", "出党/退党"

    membership = models.ForeignKey(Membership, verbose_name="党员", on_delete=models.CASCADE, related_name="periods")
    organization = models.ForeignKey("orgs.Organization", verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="membership_periods")
    start_on = models.DateField("起始日期")
    end_on = models.DateField("截止日期", null=True, blank=True)
    start_reason = models.CharField("起始方式", max_length=20, choices=Start.choices, default=Start.JOINED)
    end_reason = models.CharField("截止方式", max_length=20, choices=End.choices, blank=True)

    scope_spec = ScopeSpec(org="organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "组织关系经历"
        verbose_name_plural = "组织关系经历"
        ordering = ["membership_id", "start_on", "id"]
        indexes = [models.Index(fields=["organization", "end_on"], name="members_period_org_idx")]

    def __str__(self):
        return f"{self.membership.retiree.name} 在 {self.organization.name}"


class TransferDirection(models.TextChoices):
    IN = "in", "转入"
    OUT = "out", "转出"
    MOVE = "move", "辖区内转接"


class Transfer(ChangeLoggedModel):
    """组织关系转接: in from outside, out to outside, or between two organisations of the jurisdiction.

    `organization` is the organisation of the jurisdiction that handled it
    (the receiving one for in and move, the sending one for out) and decides
    who sees the record; from/to keep the organisations as they were.
    """

    membership = models.ForeignKey(Membership, verbose_name="党员", on_delete=models.CASCADE, related_name="transfers")
    direction = models.CharField("转接方向", max_length=10, choices=TransferDirection.choices)
    organization = models.ForeignKey("orgs.Organization", verbose_name="经办党组织", on_delete=models.PROTECT,
                                     related_name="handled_transfers")
    from_org = models.ForeignKey("orgs.Organization", verbose_name="转出党组织", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="transfers_out")
    from_name = models.CharField("转出党组织名称", max_length=100, blank=True)
    to_org = models.ForeignKey("orgs.Organization", verbose_name="转入党组织", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="transfers_in")
    to_name = models.CharField("转入党组织名称", max_length=100, blank=True)
    letter_no = models.CharField("介绍信编号", max_length=50, blank=True)
    letter_on = models.DateField("介绍信开具日期", null=True, blank=True)
    transferred_on = models.DateField("转接日期")
    reason = models.CharField("转接原因", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-transferred_on", "-id"]
        indexes = [models.Index(fields=["organization", "transferred_on"], name="members_transfer_org_idx")]

    def __str__(self):
        return f"{self.membership.retiree.name} {self.get_direction_display()} {self.transferred_on:%Y-%m-%d}"

    @property
    def from_label(self) -> str:
        return self.from_org.name if self.from_org_id else self.from_name

    @property
    def to_label(self) -> str:
        return self.to_org.name if self.to_org_id else self.to_name


class MembershipEvent(ChangeLoggedModel):
    """A dated change in a membership, readable by a person: 预备 → 正式, transfers, death, leaving."""

    class Kind(models.TextChoices):
        JOINED = "joined", "入党"
        REGISTERED = "registered", "登记入册"
        BECAME_FULL = "became_full", "按期转正"
        TRANSFERRED_IN = "transferred_in", "组织关系转入"
        TRANSFERRED_OUT = "transferred_out", "组织关系转出"
        MOVED = "moved", "辖区内转接"
        DECEASED = "deceased", "去世"
        LEFT = "left", "出党/退党"
        RESTORED = "restored", "恢复在册"

    membership = models.ForeignKey(Membership, verbose_name="党员", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    on = models.DateField("日期")
    organization = models.ForeignKey("orgs.Organization", verbose_name="所在党组织", on_delete=models.PROTECT,
                                     related_name="membership_events")
    status = models.CharField("此后党员类别", max_length=20, choices=MembershipStatus.choices, blank=True)
    state = models.CharField("此后党籍状态", max_length=20, choices=MembershipState.choices, blank=True)
    transfer = models.ForeignKey(Transfer, verbose_name="转接记录", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="events")
    note = models.CharField("说明", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "党籍变动"
        verbose_name_plural = "党籍变动"
        ordering = ["membership_id", "on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on:%Y-%m-%d}"
