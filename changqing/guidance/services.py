"""Writes for the guidance stations; each is atomic and validated."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import (
    Guide, GuideApplication, GuideVisit, HelpRequest, ItemCompletion, ListItem, NewOrg, StationMeeting,
    StationMeetingAttendance,
)


@transaction.atomic
def application_review(*, application: GuideApplication, approve: bool, reviewer, note: str = "",
                       on: dt.date) -> GuideApplication:
    """党工委审核: approving creates the guide in the station."""
    if application.status != GuideApplication.Status.PENDING:
        raise ValidationError("该报名已审核，不能重复审核")
    if not approve and not note.strip():
        raise ValidationError({"review_note": "不通过时请填写审核意见"})
    application.status = GuideApplication.Status.APPROVED if approve else GuideApplication.Status.REJECTED
    application.reviewed_by = reviewer
    application.reviewed_on = on
    application.review_note = note
    if approve:
        application.guide = Guide.objects.create(
            station=application.station, name=application.name, phone=application.phone, unit=application.unit,
            appointed_on=on,
        )
    application.save()
    return application


@transaction.atomic
def visit_record(*, guide: Guide, new_org: NewOrg, visited_on: dt.date, content: str, help_given: str = "",
                 user=None) -> GuideVisit:
    visit = GuideVisit(guide=guide, new_org=new_org, visited_on=visited_on, content=content,
                       help_given=help_given, created_by=user)
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def help_request_answer(*, help_request: HelpRequest, guide: Guide, answer: str, on: dt.date) -> HelpRequest:
    if help_request.status == HelpRequest.Status.CLOSED:
        raise ValidationError("该事项已办结")
    if guide.station_id != help_request.new_org.station_id:
        raise ValidationError({"guide": "只能由本指导站的指导员答复"})
    if not answer.strip():
        raise ValidationError({"answer": "请填写答复内容"})
    if on < help_request.raised_on:
        raise ValidationError({"answered_on": "答复日期不能早于提出日期"})
    help_request.guide = guide
    help_request.answer = answer
    help_request.answered_on = on
    help_request.status = HelpRequest.Status.ANSWERED
    help_request.save()
    return help_request


@transaction.atomic
def help_request_close(*, help_request: HelpRequest, on: dt.date, note: str = "") -> HelpRequest:
    if help_request.status != HelpRequest.Status.ANSWERED:
        raise ValidationError("请先答复，再办结")
    if on < help_request.answered_on:
        raise ValidationError({"closed_on": "办结日期不能早于答复日期"})
    help_request.status = HelpRequest.Status.CLOSED
    help_request.closed_on = on
    help_request.close_note = note
    help_request.save()
    return help_request


@transaction.atomic
def meeting_record(*, station, held_on: dt.date, topic: str, minutes: str, absent: dict[int, str],
                   user=None) -> StationMeeting:
    """Record a monthly 例会; every active guide of the station is present unless listed in `absent`."""
    meeting = StationMeeting(station=station, held_on=held_on, topic=topic, minutes=minutes, created_by=user)
    meeting.full_clean()
    if StationMeeting.objects.filter(station=station, held_on__year=held_on.year,
                                     held_on__month=held_on.month).exists():
        raise ValidationError({"held_on": f"{held_on.year}年{held_on.month}月的例会已经记录过"})
    meeting.save()
    guides = station.guides.filter(status=Guide.Status.ACTIVE)
    StationMeetingAttendance.objects.bulk_create([
        StationMeetingAttendance(meeting=meeting, guide=g, present=g.pk not in absent, note=absent.get(g.pk, ""))
        for g in guides
    ])
    return meeting


@transaction.atomic
def completion_mark(*, item: ListItem, new_org: NewOrg, done_on: dt.date, note: str = "") -> ItemCompletion:
    if new_org.station_id != item.monthly_list.station_id:
        raise ValidationError("该组织不属于发布清单的指导站")
    completion, _ = ItemCompletion.objects.update_or_create(
        item=item, new_org=new_org, defaults={"done_on": done_on, "note": note})
    return completion
