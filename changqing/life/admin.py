from django.contrib import admin

from .models import MeetingKind


@admin.register(MeetingKind)
class MeetingKindAdmin(admin.ModelAdmin):
    """An administrator adds meeting kinds beyond the shipped ten (issue 4)."""

    list_display = ["name", "code", "order", "counts_as_org_life", "has_votes"]
    ordering = ["order"]
