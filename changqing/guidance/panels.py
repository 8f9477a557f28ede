from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from changqing.core.scope import restrict, scope_for
from changqing.core.today import per_request

from .models import GuidanceStation, HelpRequest, MonthlyList, StationMeeting


@per_request
def guidance_panel(request):
    """What is due at the stations in scope: open help requests, this month's meeting and lists."""
    stations = restrict(GuidanceStation.objects.all(), request.user)
    if not stations.exists():
        return None
    today = timezone.localdate()
    month = today.replace(day=1)
    open_requests = restrict(HelpRequest.objects.exclude(status=HelpRequest.Status.CLOSED), request.user)
    counts = open_requests.aggregate(open=Count("id", filter=Q(status=HelpRequest.Status.OPEN)), all=Count("id"))
    without_meeting = stations.exclude(
        pk__in=StationMeeting.objects.filter(held_on__gte=month).values("station_id")).count()
    without_list = stations.exclude(
        pk__in=MonthlyList.objects.filter(month=month).values("station_id")).count()
    help_url = reverse("guidance:help")
    may_change = not scope_for(request.user, "change").empty
    return {
        "title": "两新党建指导站",
        "order": 60,
        "items": [
            {"label": "待答复的求助", "value": counts["open"], "url": f"{help_url}?status=open", "key": "open"},
            {"label": "未办结的求助", "value": counts["all"], "url": help_url},
            {"label": f"{today.month}月尚未开例会的指导站", "value": without_meeting, "url": reverse("guidance:meetings"),
             "key": "meeting", "create": reverse("guidance:meeting_create") if may_change else ""},
            {"label": f"{today.month}月尚未发布清单的指导站", "value": without_list, "url": reverse("guidance:lists"),
             "key": "list", "create": reverse("guidance:list_create") if may_change else ""},
        ],
    }
