import datetime as dt

from django.urls import reverse
from django.utils import timezone

from changqing.core.scope import restrict, scope_for
from changqing.members.models import Retiree

from . import selectors
from .models import Pairing


def own_pairs(request) -> list:
    """The carer's own pairs with their visit status, once per request (panel and 今天要办)."""
    from changqing.core.today import memo

    return memo(request, "care:own_pairs", lambda: selectors.pairing_status(
        Pairing.objects.filter(carer=request.user, ended_on__isnull=True), timezone.localdate()))


def campaigns(request) -> list:
    """Open festival-visit campaigns in scope (at most 3), once per request."""
    from changqing.core.today import memo

    from .views import visible_campaigns

    today = timezone.localdate()
    return memo(request, "care:campaigns", lambda: list(visible_campaigns(request.user).filter(
        starts_on__lte=today, due_on__gte=today - dt.timedelta(days=30))[:3]))


def care_panel(request):
    """Due care work: overdue pairs, this week's birthdays, campaign visits not yet made."""
    user = request.user
    if scope_for(user).empty:
        return None
    today = timezone.localdate()
    items = []
    status = own_pairs(request)
    if status:
        items.append({"label": "我的结对中逾期未走访", "value": sum(s.overdue for s in status), "url": reverse("care:mine")})
    if scope_for(user).org_paths or scope_for(user).everything:
        days = selectors.care_settings()["BIRTHDAY_REMINDER_DAYS"]
        upcoming = selectors.anniversaries(restrict(Retiree.objects.all(), user), today, today + dt.timedelta(days=days))
        items.append({"label": f"{days}天内的生日和政治生日", "value": len(upcoming),
                      "url": reverse("care:birthdays")})
        for c in campaigns(request):
            pending = c.target_count - c.done
            items.append({"label": f"{c.name}：未走访" + ("（已逾期）" if c.due_on < today else ""),
                          "value": pending, "url": reverse("care:campaign_detail", args=[c.pk]) + "?show=pending"})
    if not items:
        return None
    return {"title": "关怀服务", "order": 40, "items": items}


def record_section(request, retiree):
    """On the member record: visits, pairing, hardship, volunteering (走访台账 in one place)."""
    from django.db.models import Sum

    from .models import HardshipRecord, Participation, Visit

    visits = restrict(Visit.objects.filter(retiree=retiree), request.user).order_by("-visited_on")
    recent = list(visits[:3])
    hardship = restrict(HardshipRecord.objects.filter(retiree=retiree, until__isnull=True), request.user)
    pairing = restrict(Pairing.objects.filter(retiree=retiree, ended_on__isnull=True), request.user).select_related(
        "carer").first()
    hours = restrict(Participation.objects.filter(retiree=retiree), request.user).aggregate(h=Sum("hours"))["h"]
    items = [{"label": "走访慰问", "value": f"共 {visits.count()} 次" + (
        "；最近：" + "、".join(f"{v.visited_on:%Y-%m-%d} {v.get_kind_display()}" for v in recent) if recent else ""),
              "url": reverse("care:visits") + f"?q={retiree.name}"}]
    if pairing:
        items.append({"label": "结对帮扶", "value": f"服务专员 {pairing.carer.display_name}，每 {pairing.cadence_days} 天走访",
                      "url": reverse("care:pairing_detail", args=[pairing.pk])})
    if hardship.exists():
        items.append({"label": "困难登记", "value": "、".join(h.get_reason_display() for h in hardship)})
    if hours:
        items.append({"label": "志愿服务", "value": f"累计 {hours} 小时"})
    return {"title": "关怀服务", "order": 60, "items": items}
