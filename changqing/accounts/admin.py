from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["organization", "zone"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django admin is for superusers only; bureau admins use the product's own pages."""

    inlines = [RoleAssignmentInline]
    fieldsets = BaseUserAdmin.fieldsets + (("常青", {"fields": ("full_name", "phone", "large_text", "retiree")}),)
    raw_id_fields = ["retiree"]

    def has_module_permission(self, request):
        return request.user.is_superuser


def _superuser_only(request):
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superuser_only
admin.site.site_header = "常青 系统管理（仅限超级管理员）"
