from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from changqing.core.lists import Column, ScopedListView
from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation
from changqing.core.scope import get_scoped_object_or_404, object_view, org_path_of, restrict, scope_for

from .filters import UserFilterSet
from .forms import LoginForm, RoleAssignmentForm, UserCreateForm, UserUpdateForm
from .models import RoleAssignment, User


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
        request.user.large_text = not request.user.large_text
        request.user.save(update_fields=["large_text"])
    else:
        on = request.COOKIES.get("large_text") != "1"
        response.set_cookie("large_text", "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response



def _roles_text(user):
    return "、".join(f"{a.get_role_display()}（{a.scope_label}）" if a.scope_label else a.get_role_display()
                    for a in user.role_assignments.all())


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
        Column("last_login", "最近登录", sort="last_login"),
    ]

    def create_allowed(self):
        return True

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
            log_operation(OperationLog.Event.ROLE_CHANGE, request=request,
                          detail=f"为 {target.username} 增加角色 {role_form.instance}",
                          org_path=org_path_of(role_form.instance) or "")
            messages.success(request, "已增加角色")
            return redirect("accounts:user_detail", target.pk)
    return render(request, "accounts/user_detail.html", {
        "title": f"用户：{target.display_name}", "target": target, "form": form, "role_form": role_form,
        # Only the roles inside the manager's own subtree: the others are not theirs to see.
        "assignments": restrict(target.role_assignments.select_related("organization", "zone"), request.user,
                                "manage"),
    })


@object_view(RoleAssignment)
@login_required
@require_POST
def role_remove(request, pk: int):
    _require_manager(request)
    assignment = get_scoped_object_or_404(RoleAssignment, request.user, "manage", pk=pk)
    user = assignment.user
    log_operation(OperationLog.Event.ROLE_CHANGE, request=request, detail=f"移除 {user.username} 的角色 {assignment}",
                  org_path=org_path_of(assignment) or "")
    assignment.delete()
    messages.success(request, "已移除角色")
    return redirect("accounts:user_detail", user.pk)
