"""Home panel: what the secretary must do about members now (absences past the limit, probation over)."""
from django.urls import reverse

from changqing.core.scope import scope_for
from changqing.core.today import per_request

from . import selectors
from .rules import Due


@per_request
def member_alerts_panel(request):
    user = request.user
    if scope_for(user, "change").empty:
        return None
    counts = selectors.absence_alerts_for(user)
    probation = selectors.probation_due(user).count()
    if not any(counts.values()) and not probation:
        return None
    rule = selectors.rule_for_user(user)
    url = reverse("members:absences")
    n = rule.limit_months
    labels = {
        Due.LONG_OVERDUE: f"外出满{n}个月、未{rule.long_label}",
        Due.LONG_PLANNED: f"预计外出超过{n}个月",
        Due.LONG_SOON: f"{rule.warn_before_days}天内将满{n}个月",
        Due.REPORT: "外出期间应向支部报告",
    }
    items = [{"label": labels[due], "value": counts[due], "url": f"{url}?due={due}"}
             for due in Due.ALERTS if counts[due]]
    if probation:
        items.append({"label": "预备期满、待讨论转正", "value": probation,
                      "url": reverse("members:retirees") + "?membership_status=probationary&membership_state=active"})
    return {"title": "党员管理提醒", "order": 20, "items": items}


def member_alerts_digest(user, today):
    """The same reminders for the daily digest (one line per kind of thing due)."""
    if scope_for(user, "change").empty:
        return []
    request = type("DigestRequest", (), {"user": user})()
    panel = member_alerts_panel(request)
    if not panel:
        return []
    return [{"title": f"{item['label']}：{item['value']} 人", "url": item["url"]} for item in panel["items"]]


def register_digest():
    try:
        from changqing.core.notify import register_digest_provider
    except ImportError:  # notifications not installed
        return
    register_digest_provider("members", member_alerts_digest)
