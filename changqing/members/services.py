"""Writes for the registry and party membership (DOMAIN.md §2, §6).

Every change of a membership goes through these functions so that its
history stays whole: a MembershipEvent a person can read, the
MembershipPeriod of each organisation it belonged to, and a Transfer for each
move of the organisational relationship. Past rows keep pointing at the
organisation where they happened; nothing here rewrites them.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changqing.orgs.models import Organization, OrgKind

from .models import (
    Absence, Membership, MembershipEvent, MembershipPeriod, MembershipState, MembershipStatus, PersonStatus, Retiree,
    Transfer, TransferDirection,
)

Event = MembershipEvent.Kind
# Organisations that can hold members' relationships (a 党小组 sits inside a branch and holds none).
HOLDING_KINDS = {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE}


def _check_holder(org: Organization, field: str = "to_org"):
    if org.kind not in HOLDING_KINDS:
        raise ValidationError({field: f"「{org.name}」是{org.get_kind_display()}，不能接收党员组织关系，请选择党支部"})
    if org.dissolved_on:
        raise ValidationError({field: f"「{org.name}」已于{org.dissolved_on:%Y年%m月%d日}撤销"})


def _check_date(on: dt.date, membership: Membership | None = None, field: str = "on"):
    if on > timezone.localdate():
        raise ValidationError({field: "日期不能晚于今天"})
    if membership is not None and membership.joined_on and on < membership.joined_on:
        raise ValidationError({field: f"日期不能早于入党日期（{membership.joined_on:%Y年%m月%d日}）"})
    if membership is not None and membership.pk:
        last = membership.periods.order_by("-start_on").values_list("start_on", flat=True).first()
        if last and on < last:
            raise ValidationError({field: f"日期不能早于在现组织的起始日期（{last:%Y年%m月%d日}）"})


def _close_period(membership: Membership, on: dt.date, reason: str):
    """End the open period; a membership entered in bulk without one gets its period written now."""
    closed = MembershipPeriod.objects.filter(membership=membership, end_on__isnull=True).update(
        end_on=on, end_reason=reason)
    if not closed and not MembershipPeriod.objects.filter(membership=membership).exists():
        MembershipPeriod.objects.create(membership=membership, organization_id=membership.organization_id,
                                        start_on=membership.joined_on, end_on=on, end_reason=reason)


def _event(membership: Membership, kind: str, on: dt.date, organization: Organization, *, transfer=None,
           note: str = "") -> MembershipEvent:
    return MembershipEvent.objects.create(membership=membership, kind=kind, on=on, organization=organization,
                                          status=membership.status, state=membership.state, transfer=transfer,
                                          note=note[:200])


@transaction.atomic
def membership_create(*, retiree: Retiree, organization: Organization, status: str, joined_on: dt.date,
                      full_on: dt.date | None = None, registered_on: dt.date | None = None,
                      joined_org_name: str = "") -> Membership:
    """Enter a member of the jurisdiction: the membership, its first period and its first events."""
    if Membership.objects.filter(retiree=retiree).exists():
        raise ValidationError({"retiree": f"{retiree.name}已有党员记录，请在其台账中修改"})
    _check_holder(organization, "organization")
    membership = Membership(retiree=retiree, organization=organization, status=status, joined_on=joined_on,
                            full_on=full_on, joined_org_name=joined_org_name, state=MembershipState.ACTIVE)
    membership.full_clean()
    membership.save()
    start = registered_on or joined_on
    MembershipPeriod.objects.create(membership=membership, organization=organization, start_on=start,
                                    start_reason=MembershipPeriod.Start.JOINED)
    _event(membership, Event.JOINED, joined_on, organization, note=joined_org_name)
    if status == MembershipStatus.FULL and full_on:
        _event(membership, Event.BECAME_FULL, full_on, organization)
    if registered_on and registered_on != joined_on:
        _event(membership, Event.REGISTERED, registered_on, organization)
    return membership


@transaction.atomic
def membership_make_full(*, membership: Membership, on: dt.date, note: str = "") -> Membership:
    """预备 → 正式."""
    if membership.status != MembershipStatus.PROBATIONARY:
        raise ValidationError({"on": "该党员已是正式党员"})
    if membership.state != MembershipState.ACTIVE:
        raise ValidationError({"on": f"该党员当前为「{membership.get_state_display()}」，不能办理转正"})
    _check_date(on, membership)
    membership.status = MembershipStatus.FULL
    membership.full_on = on
    membership.full_clean()
    membership.save(update_fields=["status", "full_on", "updated_at"])
    _event(membership, Event.BECAME_FULL, on, membership.organization, note=note)
    return membership


@transaction.atomic
def membership_move(*, membership: Membership, to_org: Organization, on: dt.date, reason: str,
                    letter_no: str = "") -> Transfer:
    """Move a membership between two organisations of the jurisdiction (also used when branches merge or split).

    The retiree's service organisation follows when it was the old branch.
    """
    membership = Membership.objects.select_for_update().select_related("organization", "retiree").get(pk=membership.pk)
    if membership.state != MembershipState.ACTIVE:
        raise ValidationError({"to_org": f"该党员当前为「{membership.get_state_display()}」，不能转接"})
    if to_org.pk == membership.organization_id:
        raise ValidationError({"to_org": "转入组织与现所在组织相同"})
    _check_holder(to_org)
    _check_date(on, membership)
    old = membership.organization
    transfer = Transfer.objects.create(membership=membership, direction=TransferDirection.MOVE, organization=to_org,
                                       from_org=old, to_org=to_org, letter_no=letter_no, transferred_on=on,
                                       reason=reason[:200])
    _close_period(membership, on, MembershipPeriod.End.MOVE)
    MembershipPeriod.objects.create(membership=membership, organization=to_org, start_on=on,
                                    start_reason=MembershipPeriod.Start.MOVE)
    membership.organization = to_org
    membership.save(update_fields=["organization", "updated_at"])
    retiree = membership.retiree
    if retiree.organization_id == old.pk:
        retiree.organization = to_org
        retiree.save(update_fields=["organization", "updated_at"])
    _event(membership, Event.MOVED, on, to_org, transfer=transfer, note=f"由{old.name}转入{to_org.name}：{reason}")
    return transfer


@transaction.atomic
def membership_transfer_out(*, membership: Membership, on: dt.date, to_name: str, letter_no: str = "",
                            letter_on: dt.date | None = None, reason: str = "") -> Transfer:
    """The relationship leaves the jurisdiction. The person stays in the registry for care."""
    membership = Membership.objects.select_for_update().select_related("organization").get(pk=membership.pk)
    if membership.state != MembershipState.ACTIVE:
        raise ValidationError({"to_name": f"该党员当前为「{membership.get_state_display()}」，不能转出"})
    if not to_name.strip():
        raise ValidationError({"to_name": "请填写转往的党组织名称"})
    _check_date(on, membership)
    if letter_on and letter_on > on:
        raise ValidationError({"letter_on": "介绍信开具日期不能晚于转接日期"})
    org = membership.organization
    transfer = Transfer.objects.create(membership=membership, direction=TransferDirection.OUT, organization=org,
                                       from_org=org, to_name=to_name.strip(), letter_no=letter_no, letter_on=letter_on,
                                       transferred_on=on, reason=reason[:200])
    _close_period(membership, on, MembershipPeriod.End.TRANSFER_OUT)
    membership.state = MembershipState.TRANSFERRED_OUT
    membership.ended_on = on
    membership.save(update_fields=["state", "ended_on", "updated_at"])
    _event(membership, Event.TRANSFERRED_OUT, on, org, transfer=transfer, note=f"转往{to_name.strip()}")
    return transfer


@transaction.atomic
def membership_transfer_in(*, retiree: Retiree, to_org: Organization, on: dt.date, from_name: str,
                           letter_no: str = "", letter_on: dt.date | None = None, reason: str = "",
                           status: str = MembershipStatus.FULL, joined_on: dt.date | None = None,
                           full_on: dt.date | None = None) -> Transfer:
    """A relationship arrives from outside: a new membership, or one that had been transferred out returns."""
    _check_holder(to_org)
    if not from_name.strip():
        raise ValidationError({"from_name": "请填写转出的党组织名称"})
    if letter_on and letter_on > on:
        raise ValidationError({"letter_on": "介绍信开具日期不能晚于转接日期"})
    membership = Membership.objects.select_for_update().filter(retiree=retiree).first()
    if membership is not None and membership.state == MembershipState.ACTIVE:
        raise ValidationError({"retiree": f"{retiree.name}已在{membership.organization.name}在册，辖区内请办理「辖区内转接」"})
    if membership is not None and membership.state in (MembershipState.DECEASED, MembershipState.LEFT):
        raise ValidationError({"retiree": f"{retiree.name}党籍状态为「{membership.get_state_display()}」，不能转入"})
    if retiree.status == PersonStatus.DECEASED:
        raise ValidationError({"retiree": f"{retiree.name}已故，不能转入"})
    if membership is None:
        if joined_on is None:
            raise ValidationError({"joined_on": "新转入的党员请填写入党日期"})
        membership = Membership(retiree=retiree, organization=to_org, status=status, joined_on=joined_on,
                                full_on=full_on, state=MembershipState.ACTIVE)
        membership.full_clean()
        _check_date(on, membership)
        membership.save()
        _event(membership, Event.JOINED, joined_on, to_org, note=f"入党时在{from_name.strip()}")
        if status == MembershipStatus.FULL and full_on:
            _event(membership, Event.BECAME_FULL, full_on, to_org, note=f"转正时在{from_name.strip()}")
        start_reason = MembershipPeriod.Start.TRANSFER_IN
    else:
        _check_date(on, membership)
        membership.organization = to_org
        membership.state = MembershipState.ACTIVE
        membership.ended_on = None
        membership.save(update_fields=["organization", "state", "ended_on", "updated_at"])
        start_reason = MembershipPeriod.Start.TRANSFER_IN
    transfer = Transfer.objects.create(membership=membership, direction=TransferDirection.IN, organization=to_org,
                                       from_name=from_name.strip(), to_org=to_org, letter_no=letter_no,
                                       letter_on=letter_on, transferred_on=on, reason=reason[:200])
    MembershipPeriod.objects.create(membership=membership, organization=to_org, start_on=on, start_reason=start_reason)
    _event(membership, Event.TRANSFERRED_IN, on, to_org, transfer=transfer, note=f"由{from_name.strip()}转入")
    return transfer


@transaction.atomic
def retiree_record_death(*, retiree: Retiree, on: dt.date, note: str = "") -> Retiree:
    """The person died: the registry keeps them as 已故 and an active membership ends the same day."""
    if on > timezone.localdate():
        raise ValidationError({"on": "去世日期不能晚于今天"})
    if on < retiree.birth_date:
        raise ValidationError({"on": "去世日期不能早于出生日期"})
    if retiree.retired_on and on < retiree.retired_on:
        raise ValidationError({"on": f"去世日期早于离退休日期（{retiree.retired_on:%Y年%m月%d日}），请核对"})
    if retiree.status == PersonStatus.DECEASED:
        raise ValidationError({"on": f"已于{retiree.deceased_on:%Y年%m月%d日}登记去世"})
    membership = Membership.objects.filter(retiree=retiree).select_related("organization").first()
    if membership is not None and membership.state == MembershipState.ACTIVE:
        _check_date(on, membership)
        _close_period(membership, on, MembershipPeriod.End.DECEASED)
        membership.state = MembershipState.DECEASED
        membership.ended_on = on
        membership.save(update_fields=["state", "ended_on", "updated_at"])
        _event(membership, Event.DECEASED, on, membership.organization, note=note)
    retiree.status = PersonStatus.DECEASED
    retiree.deceased_on = on
    retiree.save(update_fields=["status", "deceased_on", "updated_at"])
    return retiree


@transaction.atomic
def retiree_death_reverse(*, retiree: Retiree, note: str) -> Retiree:
    """A mistaken death record undone: the person is alive again and a membership ended by the death
    is back in its organisation (the period the death closed reopens; a 恢复在册 event says why)."""
    retiree = Retiree.objects.select_for_update().get(pk=retiree.pk)
    if retiree.status != PersonStatus.DECEASED:
        raise ValidationError({"reason": "此人未登记去世"})
    membership = Membership.objects.filter(retiree=retiree).select_related("organization").first()
    if membership is not None and membership.state == MembershipState.DECEASED:
        period = (MembershipPeriod.objects.filter(membership=membership, end_reason=MembershipPeriod.End.DECEASED)
                  .order_by("-start_on").first())
        if period is not None:
            period.end_on, period.end_reason = None, ""
            period.save(update_fields=["end_on", "end_reason", "updated_at"])
        membership.state = MembershipState.ACTIVE
        membership.ended_on = None
        membership.save(update_fields=["state", "ended_on", "updated_at"])
        _event(membership, Event.RESTORED, timezone.localdate(), membership.organization, note=note)
    retiree.status = PersonStatus.ALIVE
    retiree.deceased_on = None
    retiree.save(update_fields=["status", "deceased_on", "updated_at"])
    return retiree


@transaction.atomic
def membership_leave(*, membership: Membership, on: dt.date, note: str) -> Membership:
    """出党/退党, decided by the branch general meeting (党章 第九条); the system never does this by itself."""
    if membership.state != MembershipState.ACTIVE:
        raise ValidationError({"on": f"该党员当前为「{membership.get_state_display()}」"})
    if not note.strip():
        raise ValidationError({"note": "请写明支部党员大会的决定"})
    _check_date(on, membership)
    _close_period(membership, on, MembershipPeriod.End.LEFT)
    membership.state = MembershipState.LEFT
    membership.ended_on = on
    membership.save(update_fields=["state", "ended_on", "updated_at"])
    _event(membership, Event.LEFT, on, membership.organization, note=note)
    return membership


@transaction.atomic
def absence_save(*, absence: Absence) -> Absence:
    absence.full_clean()
    absence.save()
    return absence
