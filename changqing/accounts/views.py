from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from changqing.core.lists import Column, ScopedListView
from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation
from changqing.core.confirm import confirm_step
from changqing.core.scope import get_scoped_object_or_404, home_path, object_view, org_path_of, restrict, scope_for

from . import lockout, sessions
from .filters import UserFilterSet
from .forms import ChangePasswordForm, LoginForm, RoleAssignmentForm, UserCreateForm, UserUpdateForm
from .models import RoleAssignment, User
from .passwords import one_time_password


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def toggle_large_text(request):
    """Switch 大字模式; remembered on the account, or in a cookie before login."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if request.user.is_authenticated:
        user = request.user
        if user.large_text or user.elder_mode:  # shown large: back to the standard size, 长辈版 off too
            user.large_text = False
            if user.elder_mode:
                user.elder_mode = False
        else:
            user.large_text = True
        user.save(update_fields=["large_text", "elder_mode"])
    else:
        on = request.COOKIES.get("large_text") != "1"
        response.set_cookie("large_text", "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


@require_POST
@login_required
def toggle_elder_mode(request):
    """Switch 长辈版 (remembered on the account): only one's own tasks, in the largest layout."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    request.user.elder_mode = not request.user.elder_mode
    request.user.save(update_fields=["elder_mode"])
    return redirect(target)


@never_cache
@login_required
def password_change(request):
    """Every user changes their own password here (the old one required); also where a due change sends them."""
    user = request.user
    form = ChangePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.must_change_password = False
            user.save()
            log_operation(OperationLog.Event.PASSWORD_CHANGE, request=request, detail="本人修改密码")
        # This session goes on; the user's other sessions fail Django's session hash check from now on.
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。您在其他手机或电脑上的登录已全部退出，需要时请用新密码重新登录。")
        return redirect("core:home")
    due = sessions.password_change_due(user)
    if due and user.must_change_password:
        reason = "这是管理员为您设置的密码，请先改成只有您自己知道的新密码，然后才能继续使用。"
    elif due:
        reason = f"您的密码已使用超过 {settings.PASSWORD_MAX_AGE_DAYS} 天，请先修改密码，然后才能继续使用。"
    else:
        reason = ""
    return render(request, "accounts/password_change.html", {"title": "修改密码", "form": form, "reason": reason})


@require_GET
def session_status(request):
    """Seconds left in this session, for the idle warning; asking is not activity (see sessions.py)."""
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False, "seconds_left": 0})
    return JsonResponse({"authenticated": True, "seconds_left": sessions.seconds_left(request.session)})


@require_POST
@login_required
def session_ping(request):
    """继续使用: the request itself is the activity that keeps the session (the middleware notes it)."""
    return JsonResponse({"authenticated": True, "seconds_left": sessions.seconds_left(request.session)})


def _roles_text(user):
    return "、".join(f"{a.get_role_display()}（{a.scope_label}）" if a.scope_label else a.get_role_display()
                    for a in user.role_assignments.all()) or "未分配角色"


def _place_home(user, assignment) -> None:
    """Keep the account with the organisation of its role, so it stays listed for its admin without roles."""
    if user.home_organization_id:
        return
    path = org_path_of(assignment)
    # accounts sits below orgs: the model is looked up by name, as the User's own foreign key names it.
    home = User._meta.get_field("home_organization").related_model.objects.filter(path=path).first() if path else None
    if home is not None:
        user.home_organization = home
        user.save(update_fields=["home_organization"])


class UserListView(ScopedListView):
    title = "用户管理"
    queryset = User.objects.prefetch_related("role_assignments__organization", "role_assignments__zone")
    filterset_class = UserFilterSet
    action = "manage"
    default_ordering = "username"
    create_url_name = "accounts:user_create"
    columns = [
        Column("username", "用户名", sort="username", link=True),
        Column("full_name", "姓名", sort="full_name"),
        Column("roles", "角色", value=_roles_text),
        Column("is_active", "启用"),
        Column("login_locked", "登录锁定", export=False),
        Column("last_login", "最近登录", sort="last_login"),
    ]

    def create_allowed(self):
        return True

    @cached_property
    def locked(self) -> set[str]:
        return lockout.locked_usernames()  # one query per page, however many rows it lists

    def render_row(self, row):
        row.login_locked = "已锁定" if row.username in self.locked else ""
        return super().render_row(row)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["create_url_name"] = self.create_url_name
        return ctx


def _require_manager(request):
    if scope_for(request.user, "manage").empty:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有管理员可以管理用户")


@login_required
def user_create(request):
    _require_manager(request)
    form = UserCreateForm(request.POST or None)
    # Validated together with the account, so every mistake shows beside its field at once.
    role_form = RoleAssignmentForm(request.POST or None, manager=request.user, target_user=User(), prefix="role")
    if request.method == "POST" and all([form.is_valid(), role_form.is_valid()]):
        with transaction.atomic():
            user = form.save()
            assignment = role_form.save(commit=False)
            assignment.user = user
            assignment.save()
            _place_home(user, assignment)
            log_operation(OperationLog.Event.ROLE_CHANGE, request=request,
                          detail=f"新建用户 {user.username}，角色 {assignment}",
                          org_path=org_path_of(assignment) or "")
        messages.success(request, f"已创建用户 {user.display_name}")
        return redirect("accounts:user_detail", user.pk)
    return render(request, "accounts/user_form.html", {
        "title": "新建用户", "form": form, "role_form": role_form,
    })


@object_view(User)
@login_required
def user_detail(request, pk: int):
    _require_manager(request)
    target = get_scoped_object_or_404(User, request.user, "manage", pk=pk)
    form = UserUpdateForm(request.POST or None, instance=target, prefix="user")
    role_form = RoleAssignmentForm(None, manager=request.user, target_user=target, prefix="role")
    if request.method == "POST" and "save_user" in request.POST and form.is_valid():
        form.save()
        messages.success(request, "已保存")
        return redirect("accounts:user_detail", target.pk)
    if request.method == "POST" and "add_role" in request.POST:
        role_form = RoleAssignmentForm(request.POST, manager=request.user, target_user=target, prefix="role")
        if role_form.is_valid():
            role_form.save()
            _place_home(target, role_form.instance)
            log_operation(OperationLog.Event.ROLE_CHANGE, request=request,
                          detail=f"为 {target.username} 增加角色 {role_form.instance}",
                          org_path=org_path_of(role_form.instance) or "")
            messages.success(request, "已增加角色")
            return redirect("accounts:user_detail", target.pk)
    return render(request, "accounts/user_detail.html", {
        "title": f"用户：{target.display_name}", "target": target, "form": form, "role_form": role_form,
        "locked_until": lockout.account_locked_until(target.username),
        # Only the roles inside the manager's own subtree: the others are not theirs to see.
        "assignments": restrict(target.role_assignments.select_related("organization", "zone"), request.user,
                                "manage"),
    })


@object_view(RoleAssignment)
@login_required
def role_remove(request, pk: int):
    _require_manager(request)
    assignment = get_scoped_object_or_404(RoleAssignment, request.user, "manage", pk=pk)
    user = assignment.user
    others = user.role_assignments.exclude(pk=assignment.pk).count()
    ask = confirm_step(
        request, title="移除角色", subject=f"移除 {user.display_name} 的角色：{assignment.get_role_display()} {assignment.scope_label}".strip(),
        effects=[f"{user.display_name} 将不能再以这个角色查看和办理{assignment.scope_label or '相应范围'}的工作。",
                 f"账号本身保留，还有其他角色 {others} 个。" if others else
                 "这是此账号唯一的角色：移除后账号保留、可以登录，但看不到任何数据；它仍显示在账号列表中（未分配角色），可以随时重新分配。",
                 "这一操作会记入操作日志。"],
        confirm_label="确认移除", cancel_url=reverse("accounts:user_detail", args=[user.pk]))
    if ask is not None:
        return ask
    _place_home(user, assignment)
    log_operation(OperationLog.Event.ROLE_CHANGE, request=request, detail=f"移除 {user.username} 的角色 {assignment}",
                  org_path=org_path_of(assignment) or "")
    assignment.delete()
    messages.success(request, "已移除角色")
    return redirect("accounts:user_detail", user.pk)


@object_view(User)
@login_required
@require_POST
def user_unlock(request, pk: int):
    """A bureau admin lifts the login lock of an account in their scope."""
    _require_manager(request)
    target = get_scoped_object_or_404(User, request.user, "manage", pk=pk)
    lockout.unlock(target, request=request)
    messages.success(request, f"已解锁 {target.display_name} 的账号，现在可以重新登录。")
    return redirect("accounts:user_detail", target.pk)


@object_view(User)
@never_cache
@login_required
@require_POST
def user_reset_password(request, pk: int):
    """A bureau admin gives an account in their scope a one-time password, shown once, to be changed at login."""
    _require_manager(request)
    target = get_scoped_object_or_404(User, request.user, "manage", pk=pk)
    if target.pk == request.user.pk:
        messages.error(request, "不能重置自己的密码，请从右上角账号菜单中的“修改密码”修改。")
        return redirect("accounts:user_detail", target.pk)
    password = one_time_password()
    with transaction.atomic():
        target.set_password(password)
        target.must_change_password = True
        target.save()
        log_operation(OperationLog.Event.PASSWORD_RESET, request=request,
                      detail=f"重置 {target.username} 的密码（一次性密码，下次登录须修改）",
                      org_path=home_path(target) or home_path(request.user))
        # The person who forgot their password is usually the one who locked the account.
        if lockout.account_locked_until(target.username) is not None:
            lockout.unlock(target, request=request)
    # Shown in this answer only: never stored in a message or the session, never cached.
    return render(request, "accounts/password_reset_done.html", {
        "title": f"已重置密码：{target.display_name}", "target": target, "password": password,
    })
