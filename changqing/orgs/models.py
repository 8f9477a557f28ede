"""The organisation tree (DOMAIN.md §2).

Each node stores its materialised path of codes ("/YS/YS-Z01/YS-B003/"), so
"everything under X" is one indexed prefix query: path LIKE 'X.path%'.
"""
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse

from changqing.accounts.scope import ScopeSpec
from changqing.core.changelog import ChangeLoggedModel

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", "编码只能包含字母、数字、短横线和下划线，最长32位")


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "党工委/党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


class SetupKind(models.TextChoices):
    ALONE = "alone", "单独建"
    COMBINED = "combined", "联合建（与在职人员合编）"
    COMMUNITY = "community", "社区"
    SENIOR_UNIVERSITY = "senior_university", "老年大学临时"
    MOBILE = "mobile", "流动"


class Nature(models.TextChoices):
    STRUCTURAL = "structural", "建制型"
    FUNCTIONAL = "functional", "功能型"


class OrganizationQuerySet(models.QuerySet):
    def subtree(self, org):
        """The organisation and everything under it, in one prefix query."""
        return self.filter(path__startswith=org.path)

    def branches(self):
        return self.filter(kind=OrgKind.BRANCH)

    def active(self):
        return self.filter(dissolved_on__isnull=True)


class Organization(ChangeLoggedModel):
    code = models.CharField("组织编码", max_length=32, unique=True, validators=[code_validator])
    name = models.CharField("组织名称", max_length=100)
    kind = models.CharField("组织类别", max_length=20, choices=OrgKind.choices)
    setup_kind = models.CharField("组建方式", max_length=20, choices=SetupKind.choices, default=SetupKind.ALONE)
    nature = models.CharField("类型", max_length=20, choices=Nature.choices, default=Nature.STRUCTURAL)
    parent = models.ForeignKey(
        "self", verbose_name="上级组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=400, editable=False)
    depth = models.PositiveSmallIntegerField("层级", editable=False, default=1)
    zone = models.ForeignKey(
        "Zone", verbose_name="所属片组", null=True, blank=True, on_delete=models.SET_NULL, related_name="organizations"
    )
    established_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    address = models.CharField("活动地点", max_length=200, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    term_years = models.PositiveSmallIntegerField("委员会任期（年）", default=3, choices=[(3, "3年"), (5, "5年")])

    objects = OrganizationQuerySet.as_manager()
    scope_spec = ScopeSpec(org="")

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="orgs_org_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "path"], name="orgs_org_kind_path_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("orgs:detail", args=[self.code])

    @staticmethod
    def build_path(parent_path: str | None, code: str) -> str:
        return f"{parent_path or '/'}{code}/"

    def clean(self):
        if self.parent_id and self.pk:
            parent = Organization.objects.only("path").get(pk=self.parent_id)
            if parent.path.startswith(self.path) and self.path:
                raise ValidationError({"parent": "不能把组织移到它自己或它的下级组织之下"})
        if self.kind == OrgKind.COMMITTEE and self.parent_id is None:
            return
        if self.parent_id is None and self.kind != OrgKind.COMMITTEE:
            raise ValidationError({"parent": "除党工委/党委外，组织必须有上级组织"})

    def save(self, *args, **kwargs):
        parent_path = None
        if self.parent_id:
            parent_path = Organization.objects.only("path").get(pk=self.parent_id).path
        new_path = self.build_path(parent_path, self.code)
        old_path = self.path
        self.path = new_path
        self.depth = new_path.strip("/").count("/") + 1
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                self._rewrite_descendants(old_path, new_path)

    @staticmethod
    def _rewrite_descendants(old_path: str, new_path: str):
        """Move a whole subtree in one UPDATE: swap the old prefix for the new one."""
        delta = new_path.count("/") - old_path.count("/")
        Organization.objects.filter(path__startswith=old_path).exclude(path=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1, output_field=models.CharField())),
            depth=F("depth") + delta,
        )

    @property
    def ancestors_paths(self) -> list[str]:
        parts = self.path.strip("/").split("/")
        return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1)]

    def ancestors(self):
        return Organization.objects.filter(path__in=self.ancestors_paths).order_by("depth")

    def descendants(self, include_self=True):
        qs = Organization.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)



class Zone(ChangeLoggedModel):
    """片组: a cluster of branches with a lead and a deputy-lead unit (seed 003)."""

    code = models.CharField("片组编码", max_length=32, unique=True, validators=[code_validator])
    name = models.CharField("片组名称", max_length=100)
    organization = models.ForeignKey(
        Organization, verbose_name="所属党工委", on_delete=models.PROTECT, related_name="zones"
    )
    lead_org = models.ForeignKey(
        Organization, verbose_name="片组长单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deputy_org = models.ForeignKey(
        Organization, verbose_name="副片组长单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_spec = ScopeSpec(org="organization", zone="")

    class Meta:
        verbose_name = "片组"
        verbose_name_plural = "片组"
        ordering = ["code"]

    def __str__(self):
        return self.name
