"""The notifications page: list (marks read), open one, mark all read."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from changqing.core.scope import object_view

from .models import Notification
from .notify import mark_read, unread_count


@login_required
def notification_list(request):
    """Newest first; what was unread when the page opened is shown as new, then marked read."""
    qs = Notification.objects.filter(user=request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs.order_by("-created_at", "-id"), 30).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    new_ids = [n.pk for n in rows if n.read_at is None]
    if new_ids:
        mark_read(request.user, new_ids)
    return render(request, "core/notifications.html", {
        "title": "消息通知",
        "page_obj": page,
        "notifications": rows,
        "new_ids": set(new_ids),
        "only_unread": only_unread,
        "unread": unread_count(request.user),
        "query": "unread=1" if only_unread else "",
    })


@object_view(Notification)
@login_required
def notification_open(request, pk: int):
    """Mark one message read and follow its link."""
    note = Notification.objects.filter(pk=pk, user=request.user).first()
    if note is None:
        from django.http import Http404

        raise Http404("消息不存在")
    mark_read(request.user, [note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("core:notifications")


@login_required
@require_POST
def notification_read_all(request):
    mark_read(request.user)
    return redirect("core:notifications")

