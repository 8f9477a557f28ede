from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError

from .models import RoleAssignment, User
from changqing.core.conflicts import VersionedFormMixin
from changqing.core.roles import ROLE_SCOPE_KIND, Role, ScopeKind
from changqing.core.scope import restrict


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入（密码区分大小写）。",
        "inactive": "该账号已停用，请联系管理员。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"

    def get_invalid_login_error(self):
        # Counted per user name as typed, so an unknown name is told exactly what a known one is.
        from .lockout import recent_failures

        left = settings.AXES_FAILURE_LIMIT - recent_failures(self.cleaned_data.get("username") or "")
        message = self.error_messages["invalid_login"]
        if 0 < left < settings.AXES_FAILURE_LIMIT:
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            message += f"再输错 {left} 次，账号将被锁定 {minutes} 分钟。"
        return ValidationError(message, code="invalid_login")


class ChangePasswordForm(PasswordChangeForm):
    """Self-service change: the old password, then the new one twice; each rule's reason beside the field."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "原密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致，请重新输入。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "原密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password1"].help_text = "；".join(password_validators_help_texts()) + "。"
        self.fields["new_password2"].label = "再输入一次新密码"
        for name in ("old_password", "new_password1", "new_password2"):
            self.fields[name].widget.attrs.pop("autofocus", None)

    def clean(self):
        # The rules' reasons go beside the first new-password box, where the password was made up.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


class UserCreateForm(forms.ModelForm):
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput,
                               help_text="用户首次登录时必须改成自己的密码。" + "；".join(password_validators_help_texts()))

    class Meta:
        model = User
        fields = ["username", "full_name", "phone"]
        labels = {"username": "用户名"}
        help_texts = {"username": "登录时使用，只能包含字母、数字和 @.+-_"}

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password, user=User(username=self.cleaned_data.get("username", ""),
                                              full_name=self.cleaned_data.get("full_name", "")))
        return password

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        user.must_change_password = True  # the administrator knows this one
        if commit:
            user.save()
        return user


class UserUpdateForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "is_active"]
        labels = {"is_active": "账号启用"}


class RoleAssignmentForm(VersionedFormMixin, forms.ModelForm):
    """One role for a user, bound to what it acts in: an organisation, a zone or a guidance station.

    A carer (服务专员/结对干部) reaches the retirees paired with them on the care pages; the organisation
    chosen here is the unit they serve under, which puts the account in that organisation's administrators'
    reach until the first pairing. Station roles name a station of the manager's 两新工委.
    """

    # The model keeps the station as a plain id (accounts does not depend on guidance); here it is chosen
    # from the stations the manager reaches, and cleaned back to its id.
    station_id = forms.ModelChoiceField(label="指导站", queryset=None, required=False,
                                        help_text="指导站站长、党建指导员必须选择指导站")

    class Meta:
        model = RoleAssignment
        fields = ["role", "organization", "zone", "station_id", "note"]

    def __init__(self, *args, manager=None, target_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_user = target_user
        if target_user is not None:
            self.instance.user = target_user
        # The choices come from the model's own relations, so accounts stays below orgs (it imports no orgs code).
        self.fields["organization"].queryset = restrict(self.fields["organization"].queryset, manager, "manage")
        self.fields["organization"].help_text = "组织类角色（管理员、党工委委员、书记、联络员）和服务专员必须选择组织"
        self.fields["zone"].queryset = restrict(self.fields["zone"].queryset, manager, "manage")
        self.fields["zone"].help_text = "片组长必须选择片组"
        roles = list(Role)
        if _stations is None:  # no app registered stations (guidance not installed): no station roles to give
            del self.fields["station_id"]
            roles = [r for r in roles if ROLE_SCOPE_KIND[r] != ScopeKind.STATION]
        else:
            self.fields["station_id"].queryset = restrict(_stations(), manager, "manage")
        self.fields["role"].choices = [(r.value, r.label) for r in roles]

    def clean_station_id(self):
        station = self.cleaned_data.get("station_id")
        return station.pk if station is not None else None

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if not role:
            return data
        kind = ROLE_SCOPE_KIND[Role(role)]
        if kind != ScopeKind.STATION:
            data["station_id"] = None  # a station chosen for another role is not kept
        if kind == ScopeKind.PAIRS and not data.get("organization"):
            self.add_error("organization", "服务专员需要指定所属组织（由该组织的管理员管理，结对后按结对对象确定范围）")
        return data


# The stations a station role may name, registered by the app that keeps them (guidance), which sits above accounts.
_stations = None


def register_station_choices(stations):
    """stations() -> a queryset of the stations, in the order the role form lists them."""
    global _stations
    _stations = stations
