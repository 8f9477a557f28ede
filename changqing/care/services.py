"""Writes for care and service; each atomic and validated."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from changqing.members.models import Retiree
from changqing.core.changelog import rows_sync
from changqing.core.tree import in_subtree

from .signals import visit_recorded
from .models import (
    AssistanceApplication, Booking, Campaign, CampaignTarget, HardshipRecord, Pairing, Participation, Visit,
    VolunteerActivity,
)


def _age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def campaign_candidates(campaign: Campaign) -> dict[int, list[str]]:
    """Retiree id -> the rules that put them on the list (alive, in the campaign's subtree)."""
    people = Retiree.objects.filter(in_subtree(campaign.organization.path, "organization"), status="alive")
    if campaign.include_members_only:
        people = people.filter(membership__state="active")
    reasons: dict[int, list[str]] = {}
    if campaign.include_lixiu:
        for pk in people.filter(retirement_kind="lixiu").values_list("pk", flat=True):
            reasons.setdefault(pk, []).append("离休干部")
    if campaign.include_hardship:
        hardship = HardshipRecord.objects.filter(
            Q(until__isnull=True) | Q(until__gte=campaign.starts_on), since__lte=campaign.due_on,
            retiree__in=people).values_list("retiree_id", flat=True).distinct()
        for pk in hardship:
            reasons.setdefault(pk, []).append("困难登记")
    if campaign.min_age:
        latest_birth = campaign.due_on.replace(year=campaign.due_on.year - campaign.min_age)
        for pk in people.filter(birth_date__lte=latest_birth).values_list("pk", flat=True):
            reasons.setdefault(pk, []).append(f"{campaign.min_age}岁以上")
    return reasons


@transaction.atomic
def campaign_build(*, campaign: Campaign) -> tuple[int, int]:
    """(Re)build the target list from the rules. Targets already visited are always kept."""
    wanted = campaign_candidates(campaign)
    existing = {t.retiree_id: t for t in campaign.targets.all()}
    removed = [t.pk for rid, t in existing.items() if rid not in wanted and t.visit_id is None]
    CampaignTarget.objects.filter(pk__in=removed).delete()
    new = [CampaignTarget(campaign=campaign, retiree_id=rid, reasons="、".join(r)) for rid, r in wanted.items()
           if rid not in existing]
    CampaignTarget.objects.bulk_create(new, batch_size=2000)
    changed = [t for rid, t in existing.items() if rid in wanted and t.reasons != "、".join(wanted[rid])]
    for t in changed:
        t.reasons = "、".join(wanted[t.retiree_id])
    CampaignTarget.objects.bulk_update(changed, ["reasons"])
    return len(new), len(removed)


@transaction.atomic
def campaign_assign(*, campaign: Campaign, target_ids: list[int], visitor: str) -> int:
    visitor = visitor.strip()
    if not visitor:
        raise ValidationError({"visitor": "请填写责任走访人"})
    return campaign.targets.filter(pk__in=target_ids).update(visitor=visitor[:100])


@transaction.atomic
def visit_record(*, retiree: Retiree, visited_on: dt.date, kind: str, visitors: str, notes: str = "",
                 gifts: str = "", amount=None, campaign: Campaign | None = None, pairing: Pairing | None = None,
                 user=None, today: dt.date | None = None, photo=None, voice=None) -> Visit:
    today = today or timezone.localdate()  # Beijing's date, not the server's (UTC) one
    if visited_on > today:
        raise ValidationError({"visited_on": "走访日期不能晚于今天"})
    if retiree.status == "deceased" and retiree.deceased_on and visited_on > retiree.deceased_on and kind != "bereavement":
        raise ValidationError({"kind": "该同志已去世，去世后的走访请选择“吊唁慰问”"})
    if pairing is not None and pairing.retiree_id != retiree.pk:
        raise ValidationError({"retiree": "走访对象与结对对象不一致"})
    target = None
    if campaign is not None:
        target = campaign.targets.filter(retiree=retiree).first()
        if target is None:
            raise ValidationError({"campaign": "该同志不在这次慰问活动的名单中"})
    visit = Visit(retiree=retiree, visited_on=visited_on, kind=kind, visitors=visitors, notes=notes, gifts=gifts,
                  amount=amount, campaign=campaign, pairing=pairing, created_by=user)
    visit.full_clean()
    visit.save()
    # The optional attachments are stored after the row is valid, so a refused visit leaves no file behind.
    if photo:
        visit.photo.save(photo.name, photo, save=False)
    if voice:
        visit.voice.save(voice.name, voice, save=False)
    if photo or voice:
        visit.save(update_fields=["photo", "voice"])
    if target is not None and target.visit_id is None:
        target.visit = visit
        target.save(update_fields=["visit"])
    visit_recorded.send(sender=Visit, visit=visit)
    return visit


@transaction.atomic
def assistance_decide(*, application: AssistanceApplication, approve: bool, amount, note: str, user,
                      on: dt.date) -> AssistanceApplication:
    if application.status != AssistanceApplication.Status.PENDING:
        raise ValidationError("该申请已审批")
    if approve:
        if amount is None or amount <= 0:
            raise ValidationError({"amount": "批准时请填写批准金额"})
        if amount > application.amount_requested:
            raise ValidationError({"amount": "批准金额不能超过申请金额"})
    elif not note.strip():
        raise ValidationError({"note": "不批准时请填写审批意见"})
    application.status = AssistanceApplication.Status.APPROVED if approve else AssistanceApplication.Status.REJECTED
    application.amount_approved = amount if approve else None
    application.decided_by, application.decided_on, application.decision_note = user, on, note
    application.save()
    return application


@transaction.atomic
def assistance_pay(*, application: AssistanceApplication, paid_on: dt.date, payee_name: str,
                   payee_relation: str) -> AssistanceApplication:
    if application.status != AssistanceApplication.Status.APPROVED:
        raise ValidationError("只有已批准的申请才能发放")
    if paid_on < application.decided_on:
        raise ValidationError({"paid_on": "发放日期不能早于审批日期"})
    retiree = application.retiree
    if not payee_name.strip():
        raise ValidationError({"payee_name": "请填写领款人"})
    if retiree.status == "deceased" and payee_relation.strip() in ("", "本人"):
        raise ValidationError({"payee_relation": "该同志已去世，应由遗属领取，请填写与本人关系"})
    application.status = AssistanceApplication.Status.PAID
    application.paid_on, application.payee_name, application.payee_relation = paid_on, payee_name, payee_relation
    application.save()
    return application


@transaction.atomic
def activity_record(*, activity: VolunteerActivity, hours: dict[int, float]) -> VolunteerActivity:
    """Record an activity with its participants' hours; participants must be team members."""
    members = set(activity.team.members.values_list("retiree_id", flat=True))
    strangers = [rid for rid in hours if rid not in members]
    if strangers:
        raise ValidationError("参加人员必须是本服务队队员")
    bad = [rid for rid, h in hours.items() if not 0.5 <= h <= 24]
    if bad:
        raise ValidationError("每人服务时长应在0.5到24小时之间")
    activity.full_clean()
    activity.save()
    _participation_apply(activity, hours)
    return activity


def _participation_apply(activity: VolunteerActivity, hours: dict[int, float]) -> None:
    """The stored hours brought to `hours` row by row (whose hours, from what to what stays in the history)."""
    # The field keeps one decimal place: compare as stored, so an unchanged row is left alone.
    wanted = {rid: {"hours": Decimal(str(h)).quantize(Decimal("0.1"))} for rid, h in hours.items()}
    rows_sync(Participation, {p.retiree_id: p for p in activity.participants.all()}, wanted,
              lambda retiree_id, values: Participation(activity=activity, retiree_id=retiree_id, **values))


@transaction.atomic
def booking_create(*, booking: Booking) -> Booking:
    """Book a venue; overlapping bookings of the same venue are refused (the venue row is locked)."""
    if booking.ends_at <= booking.starts_at:
        raise ValidationError({"ends_at": "结束时间必须晚于开始时间"})
    venue = type(booking.venue).objects.select_for_update().get(pk=booking.venue_id)
    if booking.attendees > venue.capacity:
        raise ValidationError({"attendees": f"预计人数超过阵地容量（{venue.capacity}人）"})
    clash = Booking.objects.filter(venue=venue, starts_at__lt=booking.ends_at, ends_at__gt=booking.starts_at)
    if booking.pk:
        clash = clash.exclude(pk=booking.pk)
    first = clash.order_by("starts_at").first()
    if first is not None:
        raise ValidationError({"starts_at": f"与已有预约冲突：{first.starts_at:%m月%d日 %H:%M}—{first.ends_at:%H:%M} {first.purpose}"})
    booking.full_clean()
    booking.save()
    return booking
