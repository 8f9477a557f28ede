"""今天要办 from the compliance engine: the meetings still to hold this period (core/today.py)."""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from changqing.core import today as t
from changqing.core.scope import restrict, scope_for

from . import engine
from .panels import due_this_month

_PERIOD_WORDS = {"month": "{m}月", "quarter": "本季度", "year": "今年"}


def _sentence(r, month: int) -> str:
    when = _PERIOD_WORDS.get(r.rule.period, "").format(m=month)
    missing = r.required - r.held
    if r.rule.per_member or r.required > 1:
        left = f"还差{missing}次" if missing > 0 else "还没完成"
        return f"{r.branch.name} {when}{r.rule.name}{left}"
    return f"{r.branch.name} {when}{r.rule.name}还没开"


def _urgency(r) -> int:
    if r.status == engine.OVERDUE:
        return t.OVERDUE
    days = max(r.days_left or 0, 0)
    return (t.DUE_SOON if r.status == engine.DUE_SOON else t.THIS_MONTH) + min(days, 99)


@t.register_today
def meetings_due(request):
    """One task per meeting still due in the user's branch; a grouped sentence for a whole jurisdiction."""
    today = timezone.localdate()
    root, results = due_this_month(request)
    if root is None or not results:
        return
    due = [r for r in results if r.status in (engine.OVERDUE, engine.DUE_SOON)
           or (r.status == engine.PENDING and r.rule.period == "month")]
    branches = {r.branch.id for r in results}
    if len(branches) <= 3:
        from changqing.orgs.models import Organization

        may_record = set() if scope_for(request.user, "change").empty else set(
            restrict(Organization.objects.filter(pk__in=branches), request.user, "change").values_list("pk", flat=True))
        for r in due:
            if r.branch.id in may_record:
                url = reverse("life:meeting_create", args=[r.branch.code]) + f"?kind={r.rule.kind}"
                action = "去记录"
            else:
                url, action = reverse("life:branch", args=[r.branch.code]), "查看"
            yield t.TodayTask(
                sentence=_sentence(r, today.month), action=action, url=url, urgency=_urgency(r),
                key=f"life:{r.branch.code}:{r.rule.kind}", due=r.due_on,
                detail=("已逾期" if r.status == engine.OVERDUE else
                        f"{engine.PERIOD_LABELS[r.rule.period]}至少{r.rule.count}次，已开{r.held}次"))
        return
    overdue = {r.branch.id for r in due if r.status == engine.OVERDUE}
    soon = {r.branch.id for r in due if r.status == engine.DUE_SOON} - overdue
    url = f"{reverse('life:overdue')}?org={root.code}&period={today:%Y-%m}"
    if overdue:
        yield t.TodayTask(sentence=f"{len(overdue)} 个支部有逾期未开的会议", action="查看名单", url=url,
                          urgency=t.OVERDUE + 10, key="life:overdue",
                          detail=f"共 {len(branches)} 个支部，按组织生活规则计算")
    if soon:
        yield t.TodayTask(sentence=f"{len(soon)} 个支部有会议即将到期还没开", action="查看名单",
                          url=f"{url}&soon=1", urgency=t.DUE_SOON + 10, key="life:soon")


# ---- the member's own home (core.today.MINE) and read-aloud (朗读) ----------------------------------

def _membership(request, retiree):
    from changqing.members.models import Membership

    return t.memo(request, "mine:membership", lambda: Membership.objects.filter(retiree=retiree)
                  .select_related("organization").order_by("-joined_on").first())


def _shared_with(request, model, org_field: str):
    """What the organisations above a member's branch (and the branch itself) sent down, for a plain member
    (whose own scope is their record); for everyone else what restrict_shared gives."""
    from changqing.core.scope import restrict_shared

    user = request.user
    if user.retiree_id is not None and not scope_for(user).org_paths and not scope_for(user).everything:
        membership = _membership(request, user.retiree)
        if membership is None:
            return model.objects.none()
        org = membership.organization
        return model.objects.filter(**{f"{org_field}__path__in": [*org.ancestors_paths, org.path]})
    return restrict_shared(model.objects.all(), user)


def _notices(request):
    from .models import StudyMaterial, WorkList

    lists = _shared_with(request, WorkList, "publisher").filter(published_at__isnull=False)
    materials = _shared_with(request, StudyMaterial, "organization")
    return lists, materials


def worklist_text(work_list) -> str:
    items = "；".join(f"第{i.order}项，{i.title}，{i.due_on.month}月{i.due_on.day}日前"
                     for i in work_list.items.order_by("order"))
    return f"{work_list.publisher.name}发布的{work_list.title}。{items}。"


def material_text(material) -> str:
    source = f"出处：{material.source}。" if material.source else ""
    return f"学习材料：{material.title}。{source}{material.summary}"


def readable_notices(request):
    """(work lists, study materials) the user may have read aloud: what was sent to them (life/read_aloud.py)."""
    return _notices(request)


@t.register_mine
def my_life(request, retiree):
    """我的组织生活和学习: this year's meetings attended, study records, home deliveries (own rows only)."""
    from django.db.models import Count, Q

    from .models import PARTICIPATED, Attendance, AttendanceStatus, MeetingState, StudyRecord

    membership = _membership(request, retiree)
    if membership is None:
        return None
    year = timezone.localdate().year
    attended = Attendance.objects.filter(membership=membership, meeting__state=MeetingState.HELD)
    counts = attended.filter(meeting__held_on__year=year).aggregate(
        took_part=Count("id", filter=Q(status__in=sorted(PARTICIPATED))),
        delivered=Count("id", filter=Q(status=AttendanceStatus.HOME_DELIVERY)))
    study = StudyRecord.objects.filter(membership=membership)
    studied = study.filter(studied_on__year=year).count()
    lines = [{"text": f"{a.meeting.held_on.month}月{a.meeting.held_on.day}日 {a.meeting.kind.name}：{a.meeting.topic}",
              "note": a.get_status_display() + (f"，送学人 {a.deliverer}" if a.deliverer else "")}
             for a in attended.select_related("meeting__kind").order_by("-meeting__held_on")[:3]]
    lines += [{"text": f"{s.studied_on.month}月{s.studied_on.day}日 {s.get_mode_display()}："
                       f"{s.material_title or (s.material.title if s.material else '学习')}",
               "note": f"送学人 {s.deliverer}" if s.deliverer else ""}
              for s in study.select_related("material").order_by("-studied_on")[:3]]
    summary = (f"{year}年参加组织生活 {counts['took_part']} 次（其中送学上门 {counts['delivered']} 次），"
               f"学习纪实 {studied} 次。")
    return {"title": "我的组织生活和学习", "anchor": "mine-life", "template": "core/_mine_list.html", "order": 30,
            "text": summary, "lines": lines, "empty": "还没有记录。", "speech": summary}


@t.register_mine
def branch_notices(request, retiree):
    """支部通知: the work lists and study materials sent to the member's branch, each with 朗读."""
    lists, materials = _notices(request)
    lines = [{"text": w.title, "note": f"{w.publisher.name} · {w.month.year}年{w.month.month}月",
              "read": reverse("life:worklist_read_aloud", args=[w.pk])}
             for w in lists.select_related("publisher").order_by("-month", "-id")[:3]]
    lines += [{"text": f"学习材料：{m.title}", "note": f"{m.published_on.year}年{m.published_on.month}月{m.published_on.day}日",
               "read": reverse("life:material_read_aloud", args=[m.pk])} for m in materials.order_by("-published_on", "-id")[:3]]
    speech = "支部通知：" + "；".join(line["text"] for line in lines) + "。" if lines else ""
    return {"title": "支部通知和学习材料", "anchor": "mine-notices", "template": "core/_mine_list.html", "order": 50,
            "lines": lines, "empty": "最近没有通知。", "speech": speech}
