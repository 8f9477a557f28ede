"""今天要办 for dues: members who have not paid this month, and the 3/5/6-month warnings (core/today.py)."""
from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from changqing.core import today as t
from changqing.core.roles import Role
from changqing.core.scope import restrict, scope_for
from changqing.members.models import Membership

from . import rules
from .panels import _BAND_ADVICE, warnings
from .selectors import active_memberships, owes_q, settled_q, with_first_base

_ROLES = [Role.BRANCH_SECRETARY, Role.BUREAU_ADMIN, Role.LIAISON]


def _looks_after_dues(request) -> bool:
    user = request.user
    scope = scope_for(user, "change")
    if scope.empty or not (scope.everything or scope.org_paths):
        return False
    return t.memo(request, "dues:roles", lambda: user.is_superuser or user.role_assignments.filter(
        role__in=_ROLES).exists())


@t.register_today
def unpaid_this_month(request):
    """A branch's members who owe this month and have not paid: one task per branch the user registers for
    (a secretary's one or few), never one per member. One query."""
    if not _looks_after_dues(request):
        return
    today = timezone.localdate()
    month = rules.month_start(today)
    owing = with_first_base(active_memberships(restrict(Membership.objects.all(), request.user, "change")))
    rows = list(owing.filter(owes_q(month)).exclude(settled_q(month))
                .values("organization__code", "organization__name").annotate(n=Count("id"))
                .order_by("organization__path")[:4])
    if len(rows) > 3:  # a jurisdiction: the secretaries register; the warnings below are the bureau's part
        return
    late = today.day >= 20
    for row in rows:
        yield t.TodayTask(
            sentence=f"{row['organization__name']} {row['n']} 位老同志{today.month}月还没交党费", action="登记",
            url=reverse("dues:sheet", args=[row["organization__code"], f"{month:%Y-%m}"]) + "?status=unpaid",
            urgency=(t.DUE_SOON if late else t.THIS_MONTH) + 20, key=f"dues:unpaid:{row['organization__code']}",
            detail="本月的党费在本月内交纳即可")


@t.register_today
def arrears_warnings(request):
    """The 3/5/6-month warnings (党章第九条): one task per band that has anyone, the longest first."""
    if not _looks_after_dues(request):
        return
    as_of, thresholds, counts = warnings(request)
    labels = rules.band_labels(thresholds)
    last = len(thresholds) - 1
    for i, band in enumerate(thresholds):
        if not counts[band]:
            continue
        advice = _BAND_ADVICE[2 if i == last else min(i, 1)]
        yield t.TodayTask(
            sentence=f"{counts[band]} 位党员{labels[band]}未交党费", action="查看名单",
            url=reverse("dues:members") + f"?arrears={band}",
            urgency=(t.OVERDUE if i == last else t.DUE_SOON) + 50 - i, key=f"dues:arrears:{band}",
            detail=f"{advice}（截至{rules.month_label(as_of)}）")


# ---- the member's own dues (core.today.MINE), and their one task --------------------------------------

def _my_dues(request):
    """The plain member's own dues this year, computed once per request (None when not a member)."""
    user = request.user
    if user.retiree_id is None:
        return None

    def compute():
        from .selectors import compute as compute_dues, last_closed_month

        membership = Membership.objects.filter(retiree_id=user.retiree_id).order_by("-joined_on").first()
        if membership is None:
            return None
        today = timezone.localdate()
        months = [rules.add_months(rules.month_start(today), -i) for i in range(5, -1, -1)]
        return compute_dues(Membership.objects.filter(pk=membership.pk), months,
                            as_of=last_closed_month(today))[0]
    return t.memo(request, "dues:mine", compute)


def _plain_member(request) -> bool:
    user = request.user
    return user.retiree_id is not None and not user.is_superuser and t.memo(
        request, "roles", lambda: {a.role for a in user.role_assignments.all()}) == {Role.MEMBER}


@t.register_today
def my_dues_due(request):
    """A plain member's own task: this month's dues not yet paid (the member pays at the branch)."""
    if not _plain_member(request):
        return
    md = _my_dues(request)
    if md is None:
        return
    owed = [m for m in md.months.values() if m.settled is None and m.due is not None]
    if not owed:
        return
    total = sum(m.due for m in owed)
    months = "、".join(f"{m.month.month}月" for m in sorted(owed, key=lambda m: m.month))
    sentence = (f"您{months}的党费 {total} 元还没交" if len(owed) == 1 else
                f"您有 {len(owed)} 个月（{months}）的党费还没交，共 {total} 元")
    yield t.TodayTask(sentence=sentence, action="看明细", url="/#mine-dues",
                      urgency=(t.DUE_SOON if len(owed) > 1 else t.THIS_MONTH) + 50, key="dues:mine",
                      detail="请交给支部收党费的同志；本月的党费本月内交纳即可")


@t.register_mine
def my_dues(request, retiree):
    """我的党费: what is owed and what was paid, month by month (the last six months)."""
    md = _my_dues(request)
    if md is None:
        return None
    words = {"paid": "已交", "waived": "免交"}
    lines = []
    for m, month in sorted(md.months.items(), reverse=True):
        if month.settled == "not_due":
            continue
        due = "基数未核定" if month.due is None else f"应交 {month.due} 元"
        state = f"已交 {month.paid} 元" if month.settled == "paid" else words.get(month.settled, "还没交")
        lines.append({"text": f"{m.year}年{m.month}月：{due}，{state}"})
    if md.arrears_months:  # said to the member, not the secretary's advice (md.warning_text)
        text = f"截至上个月，已连续 {md.arrears_months} 个月没有交党费，请及时交给支部。"
    else:
        text = "党费都已按时交纳。"
    speech = "我的党费：" + text + "；".join(line["text"] for line in lines[:3]) + "。"
    return {"title": "我的党费", "anchor": "mine-dues", "template": "core/_mine_list.html", "order": 20, "in_elder": True,
            "text": text, "lines": lines, "empty": "还没有需要交纳的党费。", "speech": speech}
