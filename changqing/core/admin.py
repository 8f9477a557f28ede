"""Django admin is for superusers only (operations); users work in the product's own pages."""
from django.contrib import admin

from .models import Job, Notification


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "kind", "owner", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "owner__username", "error"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "title", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "user__username"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
