"""Writes for life events (issue 20): each atomic, keyword-only, change-logged, told as a LifeEvent.

A hospital stay opens a visit task for the person's carer (else the branch secretary), due within
the policy's days; a recorded visit closes it (care's `visit_recorded` signal, see apps.py). Long
or repeated stays raise the care level. A death is one action: the membership ends that day (dues
follow: the month of death is owed, the next is not — dues reads `Membership.ended_on`), open
tasks, pairings and nominations close, the bureau is told, the branch's checklist opens. A
mistaken death record is reversed with its history, undoing exactly what it did.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from changqing.care.models import Pairing, Visit
from changqing.core.notify import notify
from changqing.core.roles import Role
from changqing.honours.models import Nomination, NominationStatus, Phase
from changqing.members import rules as absence_rules
from changqing.members import services as member_services
from changqing.members.models import PersonStatus, Retiree
from changqing.policies.selectors import policy_for

from . import rules
from .models import (
    CareLevel, ChecklistItem, DeathRecord, HealthProfile, HospitalStay, LifeEvent, LivingElsewhere, SilverTalent,
    TaskStatus, VisitTask,
)

Kind = LifeEvent.Kind


def rules_for(retiree: Retiree, on: dt.date) -> rules.Rules:
    return policy_for(rules.KIND, retiree.organization, on)


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _role_users(retiree: Retiree, role: str) -> list:
    """Users holding `role` on the person's organisation or the nearest organisation above it that has one."""
    from django.apps import apps

    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    rows = list(RoleAssignment.objects.filter(role=role, organization__path__in=_ancestor_paths(
        retiree.organization.path), user__is_active=True).select_related("user", "organization"))
    if not rows:
        return []
    nearest = max(len(r.organization.path) for r in rows)
    return sorted({r.user for r in rows if len(r.organization.path) == nearest}, key=lambda u: u.pk)


def _current_carer(retiree: Retiree):
    pairing = Pairing.objects.filter(retiree=retiree, ended_on__isnull=True).select_related("carer").order_by(
        "-started_on").first()
    return pairing.carer if pairing else None


def task_assignee(retiree: Retiree):
    """The pairing's carer, else the branch secretary (the nearest one up the tree)."""
    carer = _current_carer(retiree)
    if carer is not None:
        return carer
    secretaries = _role_users(retiree, Role.BRANCH_SECRETARY)
    return secretaries[0] if secretaries else None


def _event(retiree: Retiree, kind: str, on: dt.date, text: str, user=None, **data) -> LifeEvent:
    return LifeEvent.objects.create(retiree=retiree, kind=kind, on=on, text=text[:300],
                                    user=user if getattr(user, "is_authenticated", False) else None, data=data)


# -- hospital stays -------------------------------------------------------------------------


def _check_care_level(stay: HospitalStay, user) -> None:
    """A long stay, or the N-th within the window, raises the care level (never lowers it)."""
    rule = rules_for(stay.retiree, stay.admitted_on)
    since = rules.months_back(stay.admitted_on, rule.repeat_months)
    in_window = HospitalStay.objects.filter(retiree=stay.retiree, admitted_on__gt=since,
                                            admitted_on__lte=stay.admitted_on).count()
    long_days = (stay.discharged_on - stay.admitted_on).days + 1 if stay.discharged_on else \
        (timezone.localdate() - stay.admitted_on).days + 1
    reason = rules.care_level_reason(stay_days=long_days, stays_in_window=in_window, rules=rule)
    if not reason:
        return
    profile, _ = HealthProfile.objects.get_or_create(retiree=stay.retiree)
    both = long_days > rule.long_stay_days and in_window >= rule.repeat_count
    wanted = CareLevel.SPECIAL if both or profile.care_level >= CareLevel.CLOSE and in_window > rule.repeat_count \
        else CareLevel.CLOSE
    if wanted <= profile.care_level:
        return
    old = profile.get_care_level_display()
    profile.care_level = wanted
    profile.care_level_reason = reason
    profile.save(update_fields=["care_level", "care_level_reason", "updated_at"])
    _event(stay.retiree, Kind.CARE_LEVEL, stay.discharged_on or stay.admitted_on,
           f"关怀等级由「{old}」提高为「{profile.get_care_level_display()}」：{reason}", user,
           stay=stay.pk, level=int(wanted))


@transaction.atomic
def stay_admit(*, retiree: Retiree, hospital: str, admitted_on: dt.date, ward: str = "", reason: str = "other",
               discharged_on: dt.date | None = None, note: str = "", user=None) -> HospitalStay:
    """入院: the stay, its visit task (due within the policy's days) and the care-level check."""
    if retiree.status == PersonStatus.DECEASED:
        raise ValidationError({"retiree": f"{retiree.name}已登记去世，不能登记住院"})
    stay = HospitalStay(retiree=retiree, hospital=hospital.strip(), ward=ward.strip(), reason=reason,
                        admitted_on=admitted_on, discharged_on=discharged_on, note=note, recorded_by=user)
    stay.full_clean()
    if HospitalStay.objects.filter(retiree=retiree, admitted_on=admitted_on).exists():
        raise ValidationError({"admitted_on": "这一天的入院已经登记过了"})
    stay.save()
    due = rules.visit_due(admitted_on, rules_for(retiree, admitted_on))
    already = Visit.objects.filter(retiree=retiree, visited_on__gte=admitted_on).order_by("visited_on").first()
    task = VisitTask.objects.create(retiree=retiree, stay=stay, assignee=task_assignee(retiree), due_on=due)
    if already is not None:  # a visit recorded before the stay was (the carer was quicker than the office)
        _task_done(task, already, user)
    _event(retiree, Kind.ADMITTED, admitted_on, f"入院：{stay.hospital}{stay.ward}，{stay.get_reason_display()}；"
           f"请在{due:%m月%d日}前探望", user, stay=stay.pk, task=task.pk)
    if discharged_on:
        _event(retiree, Kind.DISCHARGED, discharged_on, f"出院：{stay.hospital}，住院{stay.days}天", user, stay=stay.pk)
    _check_care_level(stay, user)
    return stay


@transaction.atomic
def stay_update(*, stay: HospitalStay, user=None) -> HospitalStay:
    """Save an edited stay (typically the discharge date); a discharge is told and may raise the care level."""
    before = HospitalStay.objects.filter(pk=stay.pk).values_list("discharged_on", flat=True).first()
    stay.full_clean()
    stay.save()
    if stay.discharged_on and before != stay.discharged_on:
        _event(stay.retiree, Kind.DISCHARGED, stay.discharged_on, f"出院：{stay.hospital}，住院{stay.days}天", user,
               stay=stay.pk)
        _check_care_level(stay, user)
    return stay


def _task_done(task: VisitTask, visit: Visit, user=None) -> None:
    task.status, task.visit, task.closed_on = TaskStatus.DONE, visit, visit.visited_on
    task.save(update_fields=["status", "visit", "closed_on", "updated_at"])
    _event(task.retiree, Kind.TASK_DONE, visit.visited_on,
           f"{visit.visited_on:%m月%d日}{visit.visitors}探望，探望任务完成", user, task=task.pk, visit=visit.pk)


@transaction.atomic
def tasks_close_for_visit(*, visit: Visit) -> int:
    """A visit to the person on or after the admission closes their open visit tasks."""
    tasks = list(VisitTask.objects.select_for_update().filter(
        retiree_id=visit.retiree_id, status=TaskStatus.OPEN, stay__admitted_on__lte=visit.visited_on)
        .select_related("retiree"))
    for task in tasks:
        _task_done(task, visit, visit.created_by)
    return len(tasks)


# -- death ----------------------------------------------------------------------------------


def _checklist(record: DeathRecord, rule: rules.Rules) -> list[ChecklistItem]:
    retiree = record.retiree
    who = {}
    items = []
    for n, (step, days, role) in enumerate(rule.steps, start=1):
        if role not in who:
            if role == Role.CARER:
                carer = _current_carer(retiree)
                who[role] = carer
            else:
                users = _role_users(retiree, role)
                who[role] = users[0] if users else None
        items.append(ChecklistItem(death=record, order=n, step=step, due_on=record.died_on + dt.timedelta(days=days),
                                   role=role, assignee=who[role]))
    for item in items:
        item.save()
    return items


@transaction.atomic
def death_record(*, retiree: Retiree, died_on: dt.date, reported_by: str, cause: str = "", note: str = "",
                 user=None) -> DeathRecord:
    """登记去世 and everything that follows, in one transaction."""
    retiree = Retiree.objects.select_for_update().select_related("organization").get(pk=retiree.pk)
    if not reported_by.strip():
        raise ValidationError({"reported_by": "请填写报告人（谁告知的去世消息）"})
    ended = list(Pairing.objects.filter(retiree=retiree, ended_on__isnull=True))
    member_services.retiree_record_death(retiree=retiree, on=died_on, note=note)
    record = DeathRecord.objects.create(retiree=retiree, died_on=died_on, cause=cause, reported_by=reported_by.strip(),
                                        note=note, recorded_by=user if getattr(user, "is_authenticated", False) else None)
    for p in ended:  # the pairing ends with the person; a pairing begun after the (mistaken) date ends the day it began
        p.ended_on = max(died_on, p.started_on)
        p.save(update_fields=["ended_on", "updated_at"])
    tasks = list(VisitTask.objects.filter(retiree=retiree, status=TaskStatus.OPEN))
    for t in tasks:
        t.status, t.closed_on, t.close_note = TaskStatus.CANCELLED, died_on, "老同志已去世"
        t.save(update_fields=["status", "closed_on", "close_note", "updated_at"])
    nominations = list(Nomination.objects.filter(
        retiree=retiree, campaign__phase__in=[Phase.NOMINATION, Phase.REVIEW, Phase.VOTING],
        status__in=[NominationStatus.PENDING, NominationStatus.APPROVED]))
    nominations_before = [[n.pk, n.status] for n in nominations]
    for n in nominations:
        n.status, n.review_reason = NominationStatus.REJECTED, f"被提名人已于{died_on:%Y年%m月%d日}去世"
        n.save(update_fields=["status", "review_reason", "updated_at"])
    rule = rules_for(retiree, died_on)
    items = _checklist(record, rule)
    survivor = {"name": retiree.family_contact, "relation": retiree.family_relation}
    profile = HealthProfile.objects.filter(retiree=retiree).first()
    if not survivor["name"] and profile is not None and profile.emergency_name:
        survivor = {"name": profile.emergency_name, "relation": profile.emergency_relation}
    record.effects = {"pairings": [p.pk for p in ended], "tasks": [t.pk for t in tasks],
                      "nominations": nominations_before,
                      "survivor": survivor}
    record.save(update_fields=["effects", "updated_at"])
    url = reverse("lifeevents:death_detail", args=[record.pk])
    for admin in _role_users(retiree, Role.BUREAU_ADMIN):
        notify(admin, f"{retiree.organization.name} {retiree.name}同志去世",
               f"{died_on:%Y年%m月%d日}去世，报告人：{record.reported_by}。支部已开始办理后事事项。", url,
               kind="lifeevents", key=f"lifeevents:death:{record.pk}", org_path=retiree.organization.path)
    _event(retiree, Kind.DIED, died_on,
           f"登记去世（报告人：{record.reported_by}）；结束结对{len(ended)}个，取消待办{len(tasks)}项，"
           f"后事事项{len(items)}项", user, death=record.pk)
    return record


@transaction.atomic
def death_reverse(*, record: DeathRecord, reason: str, user=None) -> DeathRecord:
    """撤销去世登记: the membership and the person come back, and what the record did is undone."""
    record = DeathRecord.objects.select_for_update().select_related("retiree__organization").get(pk=record.pk)
    if record.is_reversed:
        raise ValidationError({"reason": "该去世登记已撤销"})
    if not reason.strip():
        raise ValidationError({"reason": "请写明撤销原因（如：误报）"})
    today = timezone.localdate()
    retiree = record.retiree
    member_services.retiree_death_reverse(retiree=retiree, note=f"撤销去世登记：{reason.strip()}"[:200])
    effects = record.effects or {}
    for p in Pairing.objects.filter(pk__in=effects.get("pairings", []), retiree=retiree):
        p.ended_on = None
        p.save(update_fields=["ended_on", "updated_at"])
    for t in VisitTask.objects.filter(pk__in=effects.get("tasks", []), status=TaskStatus.CANCELLED):
        t.status, t.closed_on, t.close_note = TaskStatus.OPEN, None, ""
        t.save(update_fields=["status", "closed_on", "close_note", "updated_at"])
    before = {pk: status for pk, status in effects.get("nominations", [])}
    for n in Nomination.objects.filter(pk__in=before, status=NominationStatus.REJECTED):
        n.status, n.review_reason = before[n.pk], ""
        n.save(update_fields=["status", "review_reason", "updated_at"])
    for item in record.items.filter(status=TaskStatus.OPEN):
        item.status, item.note = TaskStatus.CANCELLED, "去世登记已撤销"
        item.save(update_fields=["status", "note", "updated_at"])
    record.reversed_on, record.reversal_reason = today, reason.strip()[:200]
    record.reversed_by = user if getattr(user, "is_authenticated", False) else None
    record.save(update_fields=["reversed_on", "reversal_reason", "reversed_by", "updated_at"])
    for admin in _role_users(retiree, Role.BUREAU_ADMIN):
        notify(admin, f"{retiree.name}同志的去世登记已撤销", f"原因：{record.reversal_reason}",
               reverse("lifeevents:death_detail", args=[record.pk]), kind="lifeevents",
               key=f"lifeevents:death-reversed:{record.pk}", org_path=retiree.organization.path)
    _event(retiree, Kind.DEATH_REVERSED, today, f"撤销{record.died_on:%Y年%m月%d日}的去世登记：{record.reversal_reason}",
           user, death=record.pk)
    return record


@transaction.atomic
def checklist_item_done(*, item: ChecklistItem, done_on: dt.date, note: str = "") -> ChecklistItem:
    if item.status != TaskStatus.OPEN:
        raise ValidationError({"done_on": "该事项已办结或已取消"})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "完成日期不能晚于今天"})
    if done_on < item.death.died_on:
        raise ValidationError({"done_on": "完成日期不能早于去世日期"})
    item.status, item.done_on, item.note = TaskStatus.DONE, done_on, note[:200]
    item.save(update_fields=["status", "done_on", "note", "updated_at"])
    return item


# -- profile, talent, living elsewhere -------------------------------------------------------------------


@transaction.atomic
def profile_save(*, profile: HealthProfile, living: str | None = None) -> HealthProfile:
    """Save the health and living profile; the living situation is the registry's own field."""
    profile.full_clean()
    profile.save()
    retiree = profile.retiree
    if living and living != retiree.living:
        retiree.living = living
        retiree.save(update_fields=["living", "updated_at"])
    return profile


@transaction.atomic
def talent_save(*, talent: SilverTalent) -> SilverTalent:
    if not talent.specialties and not talent.specialty_note.strip():
        raise ValidationError({"specialties": "请至少选择一项专长，或在专长说明中写明"})
    talent.full_clean()
    talent.save()
    return talent


@transaction.atomic
def elsewhere_save(*, record: LivingElsewhere) -> LivingElsewhere:
    """异地居住 is long-term; a stay shorter than the absence rule's months is a 外出流动 (members.Absence)."""
    record.full_clean()
    limit = absence_rules.current_rule().limit_months
    if record.end_on and record.end_on < absence_rules.add_months(record.start_on, limit):
        raise ValidationError({"end_on": f"居住不满{limit}个月属于季节性外出，请在「外出流动」中登记，不在此登记"})
    record.save()
    return record
