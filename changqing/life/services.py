"""Writes for organisational life: keyword-only, atomic, validated in Chinese."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changqing.core.changelog import rows_sync
from changqing.core.uploads import upload_kind
from changqing.members.models import Membership, MembershipState
from changqing.orgs.models import Organization, OrgKind
from changqing.core.tree import in_subtree

from . import engine
from .models import (
    Attendance, AttendanceStatus, Meeting, MeetingAttachment, MeetingKind,
    MeetingState, Rule, Ruleset, RulesetVersion, WorkItemCompletion, WorkList, WorkListReceipt,
)


@dataclass
class AttendanceEntry:
    membership_id: int
    status: str = AttendanceStatus.PRESENT
    reason: str = ""
    deliverer: str = ""
    material: str = ""
    feedback: str = ""


def attendance_errors(entry: AttendanceEntry) -> dict[str, str]:
    """Per-field Chinese errors for one member's attendance row."""
    errors = {}
    if entry.status not in AttendanceStatus.values:
        errors["status"] = "请选择出席情况"
    if entry.status == AttendanceStatus.EXCUSED and not entry.reason.strip():
        errors["reason"] = "请假需填写事由"
    if entry.status == AttendanceStatus.HOME_DELIVERY:
        if not entry.deliverer.strip():
            errors["deliverer"] = "送学上门需填写送学人"
        if not entry.material.strip():
            errors["material"] = "送学上门需填写送了什么学习内容"
    return errors


def active_members(org: Organization):
    return (Membership.objects.filter(organization=org, state=MembershipState.ACTIVE)
            .select_related("retiree").order_by("retiree__name_pinyin", "id"))


@transaction.atomic
def meeting_record(*, organization: Organization, kind: MeetingKind, held_on: dt.date, topic: str,
                   attendance: list[AttendanceEntry], user=None, state: str = MeetingState.HELD,
                   plan: Meeting | None = None, **fields) -> Meeting:
    """Record a meeting and its attendance; all or nothing. A held plan is replaced by the record."""
    if organization.kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE, OrgKind.GROUP):
        raise ValidationError({"organization": "请选择党组织"})
    if state == MeetingState.HELD and held_on > timezone.localdate():
        raise ValidationError({"held_on": "已召开的会议日期不能晚于今天；未来的会议请保存为计划"})
    roll = {m.pk for m in Membership.objects.filter(organization=organization, state=MembershipState.ACTIVE)}
    errors = {}
    for e in attendance:
        if e.membership_id not in roll:
            errors["attendance"] = "出席名单中有不属于本支部的党员"
        for k, v in attendance_errors(e).items():
            errors[f"{k}_{e.membership_id}"] = v
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(organization=organization, kind=kind, held_on=held_on, topic=topic, state=state,
                      created_by=user if getattr(user, "is_authenticated", False) else None,
                      created_by_name=(getattr(user, "display_name", "") or getattr(user, "username", "")) if user else "",
                      **fields)
    meeting.full_clean(exclude=["created_by"])
    if kind.has_votes and meeting.votes_for is not None:
        present = sum(1 for e in attendance if e.status in engine.PARTICIPATED)
        check = engine.check_vote(due=len(roll), present=present, votes_for=meeting.votes_for)
        meeting.resolutions = (meeting.resolutions + "\n" if meeting.resolutions else "") + f"【表决核验】{check.message}"
    meeting.save()
    if plan is not None and plan.state == MeetingState.PLANNED and plan.organization_id == organization.pk:
        plan.delete()
    Attendance.objects.bulk_create([
        Attendance(meeting=meeting, membership_id=e.membership_id, status=e.status, reason=e.reason.strip(),
                   deliverer=e.deliverer.strip(), material=e.material.strip(), feedback=e.feedback.strip(),
                   delivered_on=held_on if e.status == AttendanceStatus.HOME_DELIVERY else None)
        for e in attendance])
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, attendance: list[AttendanceEntry], **fields) -> Meeting:
    """Correct a record: fields and attendance together; the entry time and person stay as they were."""
    roll = {m.pk for m in Membership.objects.filter(organization=meeting.organization_id)}
    errors = {}
    for e in attendance:
        if e.membership_id not in roll:
            errors["attendance"] = "出席名单中有不属于本支部的党员"
        for k, v in attendance_errors(e).items():
            errors[f"{k}_{e.membership_id}"] = v
    if errors:
        raise ValidationError(errors)
    for k, v in fields.items():
        setattr(meeting, k, v)
    if meeting.state == MeetingState.HELD and meeting.held_on > timezone.localdate():
        raise ValidationError({"held_on": "已召开的会议日期不能晚于今天"})
    meeting.full_clean(exclude=["created_by"])
    meeting.save()
    _attendance_apply(meeting, attendance)
    return meeting


def _attendance_apply(meeting: Meeting, attendance: list[AttendanceEntry]) -> None:
    """The stored roll brought to `attendance` row by row (who was marked how, by whom, when stays in the history)."""
    wanted = {e.membership_id: {
        "status": e.status, "reason": e.reason.strip(), "deliverer": e.deliverer.strip(),
        "material": e.material.strip(), "feedback": e.feedback.strip(),
        "delivered_on": meeting.held_on if e.status == AttendanceStatus.HOME_DELIVERY else None,
    } for e in attendance}
    rows_sync(Attendance, {a.membership_id: a for a in meeting.attendances.all()}, wanted,
              lambda membership_id, values: Attendance(meeting=meeting, membership_id=membership_id, **values))


def attachment_add(*, meeting: Meeting, upload, caption: str = "") -> MeetingAttachment:
    """Photos (JPEG/PNG, checked with Pillow) and PDF, at most 10 MB."""
    kind = upload_kind(upload)
    return MeetingAttachment.objects.create(meeting=meeting, file=upload, kind=kind, caption=caption,
                                            size=upload.size)


@transaction.atomic
def ruleset_copy(*, source: Ruleset, owner: Organization, code: str, name: str) -> Ruleset:
    if Ruleset.objects.filter(code=code).exists():
        raise ValidationError({"code": "该编码已被使用"})
    copy = Ruleset.objects.create(code=code, name=name, owner=owner, based_on=source,
                                  description=f"复制自「{source.name}」")
    version = source.current_version()
    new = RulesetVersion.objects.create(ruleset=copy, number=1, effective_from=timezone.localdate().replace(day=1),
                                        due_soon_days=version.due_soon_days if version else 15,
                                        note=f"复制自「{source.name}」")
    if version:
        Rule.objects.bulk_create([Rule(version=new, kind_id=r.kind_id, count=r.count, period=r.period,
                                       per_member=r.per_member) for r in version.rules.all()])
    return copy


@transaction.atomic
def ruleset_revise(*, ruleset: Ruleset, effective_from: dt.date, rules: list[dict], note: str = "",
                   due_soon_days: int = 15) -> RulesetVersion:
    """A new version; earlier periods keep being judged by the version in effect then."""
    last = ruleset.versions.order_by("-number").first()
    version = RulesetVersion.objects.create(ruleset=ruleset, number=(last.number + 1) if last else 1,
                                            effective_from=effective_from, note=note, due_soon_days=due_soon_days)
    Rule.objects.bulk_create([Rule(version=version, **r) for r in rules if r.get("count")])
    return version


@transaction.atomic
def worklist_publish(*, work_list: WorkList) -> int:
    """Send the list to every branch under the publisher; returns how many received it."""
    branches = Organization.objects.filter(in_subtree(work_list.publisher.path), kind=OrgKind.BRANCH,
                                           dissolved_on__isnull=True)
    existing = set(work_list.receipts.values_list("organization_id", flat=True))
    WorkListReceipt.objects.bulk_create([WorkListReceipt(work_list=work_list, organization=b)
                                         for b in branches if b.pk not in existing])
    work_list.published_at = timezone.now()
    work_list.save(update_fields=["published_at", "updated_at"])
    return branches.count()


def receipt_acknowledge(*, receipt: WorkListReceipt, user) -> WorkListReceipt:
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at, receipt.acknowledged_by = timezone.now(), user
        receipt.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    return receipt


@transaction.atomic
def item_complete(*, receipt: WorkListReceipt, item, meeting: Meeting | None, note: str = "",
                  user=None) -> WorkItemCompletion:
    if item.work_list_id != receipt.work_list_id:
        raise ValidationError({"item": "该事项不属于这份清单"})
    if meeting is not None and meeting.organization_id != receipt.organization_id:
        raise ValidationError({"meeting": "只能关联本支部的会议记录"})
    if meeting is None and item.evidence == "meeting":
        raise ValidationError({"meeting": "此事项需要关联一次会议记录"})
    receipt_acknowledge(receipt=receipt, user=user)
    completion, _ = WorkItemCompletion.objects.update_or_create(
        receipt=receipt, item=item,
        defaults={"meeting": meeting, "note": note, "completed_on": meeting.held_on if meeting else timezone.localdate()})
    return completion
