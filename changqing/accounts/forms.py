from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from changqing.orgs.models import Organization, Zone

from .models import RoleAssignment, User
from .roles import ROLE_SCOPE_KIND, Role, ScopeKind
from .scope import restrict


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入（密码区分大小写）。",
        "inactive": "该账号已停用，请联系管理员。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"


# Django's own translation of some validator messages is missing for zh-hans.
_PASSWORD_MESSAGES = {
    "password_too_short": "密码太短，至少需要 {min_length} 位。",
    "password_too_common": "这个密码太常见，容易被猜到，请换一个。",
    "password_entirely_numeric": "密码不能全是数字，请加入字母。",
    "password_too_similar": "密码与用户名或姓名太相似，请换一个。",
}


def _chinese_password_error(error: ValidationError) -> ValidationError:
    template = _PASSWORD_MESSAGES.get(error.code)
    if template is None:
        return error
    return ValidationError(template.format(**(error.params or {})), code=error.code)


class UserCreateForm(forms.ModelForm):
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, help_text="至少8位，不能全是数字")

    class Meta:
        model = User
        fields = ["username", "full_name", "phone"]
        labels = {"username": "用户名"}
        help_texts = {"username": "登录时使用，只能包含字母、数字和 @.+-_"}

    def clean_password(self):
        password = self.cleaned_data["password"]
        try:
            validate_password(password, user=User(username=self.cleaned_data.get("username", ""),
                                                  full_name=self.cleaned_data.get("full_name", "")))
        except ValidationError as exc:
            raise ValidationError([_chinese_password_error(e) for e in exc.error_list]) from None
        return password

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


class UserUpdateForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "is_active"]
        labels = {"is_active": "账号启用"}


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["role", "organization", "zone", "note"]

    def __init__(self, *args, manager=None, target_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_user = target_user
        if target_user is not None:
            self.instance.user = target_user
        self.fields["organization"].queryset = restrict(Organization.objects.all(), manager, "manage")
        self.fields["organization"].help_text = "组织类角色（管理员、党工委委员、书记、联络员）必须选择组织"
        self.fields["zone"].queryset = restrict(Zone.objects.all(), manager, "manage")
        self.fields["zone"].help_text = "片组长必须选择片组"
        # Station and pairs scopes are assigned from their own pages.
        self.fields["role"].choices = [
            (r.value, r.label) for r in Role
            if ROLE_SCOPE_KIND[r] in (ScopeKind.SUBTREE, ScopeKind.ZONE, ScopeKind.SELF)
        ]
