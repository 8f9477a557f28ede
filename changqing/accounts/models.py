from django.contrib.auth.models import AbstractUser, UserManager as AuthUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from changqing.core.changelog import ChangeLoggedModel
from changqing.core.fieldcrypt import BlindIndexField, EncryptedCharField, EncryptedQuerySetMixin

from changqing.core.scope import ScopeSpec
from changqing.core.roles import ROLE_SCOPE_KIND, Role, ScopeKind


class UserQuerySet(EncryptedQuerySetMixin, models.QuerySet):
    pass


class UserManager(AuthUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. Role assignments say what they may see and do."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedCharField("手机号", max_length=20, blank=True)
    phone_hash = BlindIndexField(of="phone", db_index=True)
    large_text = models.BooleanField("大字模式", default=False)
    # 长辈版 (工信部适老化: a simplified mode): only the user's own tasks, in the largest layout.
    # None = not chosen yet: the home page turns it on for a plain member the first time (members get the
    # large layout by default) and off for everyone else, and remembers that.
    elder_mode = models.BooleanField("长辈版", null=True, blank=True, default=None)
    # Set when an administrator creates the account or resets its password: the user must choose their own
    # password before anything else (accounts/sessions.py).
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    retiree = models.OneToOneField(
        "members.Retiree", verbose_name="对应的离退休干部", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="user_account",
    )

    # Where the account is kept when it has no role (issue 18): set from its first role and kept when the
    # last role is removed, so the admin who manages that organisation still lists it (「未分配角色」).
    home_organization = models.ForeignKey(
        "orgs.Organization", verbose_name="账号归属组织", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = UserManager()

    # A bureau admin sees the users whose roles sit inside their subtree: organisation roles, zone
    # leads of zones under it, members whose own record is kept there, and carers and station roles
    # placed there by their pairs or station (scope.register_placement).
    scope_spec = ScopeSpec(org="role_assignments__organization", retiree="retiree", distinct=True,
                           more_orgs=("role_assignments__zone__organization", "retiree__organization", "home_organization"),
                           assignment="role_assignments")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("accounts:user_detail", args=[self.pk])

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class PasswordHistory(models.Model):
    """A user's earlier password hashes, so a new password may not repeat one of the last few."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]


class RoleAssignment(ChangeLoggedModel):
    """One role of a user, bound to the scope it acts in."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="组织", null=True, blank=True,
        on_delete=models.CASCADE, related_name="role_assignments",
    )
    zone = models.ForeignKey(
        "orgs.Zone", verbose_name="片组", null=True, blank=True,
        on_delete=models.CASCADE, related_name="role_assignments",
    )
    # Stations are built by the guidance-station app; kept as a plain id here so the
    # accounts app does not depend on it.
    station_id = models.BigIntegerField("指导站编号", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    scope_spec = ScopeSpec(org="organization", zone="zone", assignment="",
                           more_orgs=("zone__organization", "user__retiree__organization"))

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        ordering = ["user_id", "role"]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} {self.scope_label}".strip()

    @property
    def scope_kind(self) -> str:
        return ROLE_SCOPE_KIND[Role(self.role)]

    @property
    def scope_label(self) -> str:
        """What the role is bound to, in words: the organisation or zone, else the kind (结对对象, 指导站)."""
        if self.organization_id or self.zone_id:
            return str(self.organization or self.zone)
        return "" if self.scope_kind in (ScopeKind.SUBTREE, ScopeKind.SELF) else ScopeKind(self.scope_kind).label

    def clean(self):
        kind = self.scope_kind
        if kind == ScopeKind.SUBTREE and not self.organization_id:
            raise ValidationError({"organization": "该角色需要指定所管理的组织"})
        if kind == ScopeKind.ZONE and not self.zone_id:
            raise ValidationError({"zone": "片组长角色需要指定片组"})
        if kind == ScopeKind.STATION and not self.station_id:
            raise ValidationError({"station_id": "该角色需要指定指导站"})
        user = getattr(self, "user", None)  # unset while the user is being created
        if kind == ScopeKind.SELF and not (user is not None and user.retiree_id):
            raise ValidationError({"role": "党员角色需要先关联本人的离退休干部档案"})


# API tokens live in their own module (model, authentication, receivers); imported here so Django finds the model.
from .apitoken import ApiToken  # noqa: E402,F401
