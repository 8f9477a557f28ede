"""今天要办 sources: the hospital visits due, and the death checklist steps the user does."""
from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from changqing.care.models import VisitKind
from changqing.core.scope import restrict
from changqing.core.today import DUE_SOON, OVERDUE, THIS_MONTH, TodayTask, register_today

from .models import ChecklistItem, TaskStatus
from .selectors import open_tasks_for


def _md(d) -> str:
    return f"{d.month}月{d.day}日"


@register_today
def hospital_visits(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return
    today = timezone.localdate()
    visit_url = reverse("care:visit_create")
    for task in open_tasks_for(user):
        r = task.retiree
        overdue = task.due_on < today
        sentence = (f"{r.name} {_md(task.stay.admitted_on)}住院，请在{_md(task.due_on)}前探望" if task.stay_id
                    else f"请在{_md(task.due_on)}前探望 {r.name}")
        yield TodayTask(sentence=sentence, action="去走访",
                        url=f"{visit_url}?retiree={r.pk}&kind={VisitKind.ILLNESS}",
                        urgency=(OVERDUE - min((today - task.due_on).days, 99)) if overdue
                        else DUE_SOON + (task.due_on - today).days,
                        key=f"lifeevents:visit:{task.pk}", due=task.due_on,
                        detail=f"{task.stay.hospital}{task.stay.ward}" if task.stay_id else "")


@register_today
def death_checklist(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return
    today = timezone.localdate()
    items = (restrict(ChecklistItem.objects.filter(status=TaskStatus.OPEN, death__reversed_on__isnull=True), user,
                      "change").filter(Q(assignee=user) | Q(assignee__isnull=True))
             .select_related("death__retiree").order_by("due_on", "pk")[:10])
    for item in items:
        overdue = item.due_on < today
        yield TodayTask(sentence=f"{item.death.retiree.name}同志后事：{item.step}", action="去办理",
                        url=reverse("lifeevents:death_detail", args=[item.death_id]),
                        urgency=OVERDUE if overdue else (DUE_SOON if (item.due_on - today).days <= 7 else THIS_MONTH),
                        key=f"lifeevents:checklist:{item.pk}", due=item.due_on)
