"""Load everything the engine needs in a fixed number of bulk queries (no query per branch or meeting)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max
from django.utils import timezone

from changqing.life.models import Attendance, Meeting, MeetingAttachment, MeetingState
from changqing.members.models import (
    Absence,
    Membership,
    MembershipState,
    MembershipStatus,
    Retiree,
    Transfer,
    TransferDirection,
)
from changqing.orgs.models import (
    CommitteePost,
    CommitteeTerm,
    Election,
    Organization,
    Post,
)

from . import engine
from .models import PhotoHash

MASK64 = (1 << 64) - 1


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def photo_dhash(attachment) -> int:
    from PIL import Image

    with attachment.file.open("rb") as fh, Image.open(fh) as img:
        return engine.dhash(img)


def ensure_photo_hashes(attachments) -> dict[int, int]:
    """attachment id → unsigned dHash; computes and stores the missing ones."""
    known = dict(PhotoHash.objects.filter(attachment__in=[a.pk for a in attachments])
                 .values_list("attachment_id", "dhash"))
    new = []
    for a in attachments:
        if a.pk not in known:
            try:
                value = photo_dhash(a)
            except (OSError, ValueError):
                continue  # missing or unreadable file: nothing to compare
            known[a.pk] = _signed(value)
            new.append(PhotoHash(attachment_id=a.pk, dhash=_signed(value)))
    PhotoHash.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return {k: v & MASK64 for k, v in known.items()}


def load_audit_data(root: Organization, year: int) -> engine.AuditData:
    period = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    data = engine.AuditData(period=period)
    sub = {"organization__path__startswith": root.path}
    data.branch_codes = dict(Organization.objects.filter(path__startswith=root.path).values_list("id", "code"))
    # Meetings of the year, plus the year before for the branch's usual rhythm.
    meetings = (Meeting.objects.filter(**sub, state=MeetingState.HELD,
                                       held_on__gte=period[0] - dt.timedelta(days=365), held_on__lte=period[1])
                .values_list("id", "organization_id", "held_on", "created_at", "kind__code", "start_time", "place",
                             "minutes"))
    tz = timezone.get_current_timezone()
    for mid, org, held, created, kind, start, place, minutes in meetings.iterator(chunk_size=5000):
        data.meetings.append(engine.MeetingRow(mid, org, held, timezone.localtime(created, tz).date(), kind, start,
                                               place, minutes or ""))
    att = (Attendance.objects.filter(meeting__organization__path__startswith=root.path,
                                     meeting__held_on__gte=period[0], meeting__held_on__lte=period[1],
                                     meeting__state=MeetingState.HELD)
           .values_list("meeting_id", "membership_id", "membership__retiree_id", "status", "reason", "feedback"))
    retirees = set()
    for mid, ms, rid, status, reason, feedback in att.iterator(chunk_size=20000):
        data.attendance.append(engine.AttendanceRow(mid, ms, rid, status, " ".join(x for x in (reason, feedback) if x)))
        retirees.add(rid)
    data.members_per_branch = dict(
        Membership.objects.filter(**sub).exclude(state=MembershipState.TRANSFERRED_OUT)
        .exclude(state=MembershipState.LEFT).values("organization_id")
        .annotate(n=Count("id")).values_list("organization_id", "n"))
    for rid, start, end, place in (Absence.objects.filter(retiree__organization__path__startswith=root.path,
                                                          start_on__lte=period[1])
                                   .values_list("retiree_id", "start_on", "end_on", "place")):
        data.absences.setdefault(rid, []).append((start, end, place))
    for rid, died, immobile in (Retiree.objects.filter(organization__path__startswith=root.path)
                                .filter(deceased_on__isnull=False).values_list("id", "deceased_on",
                                                                               "mobility_impaired")):
        data.deaths[rid] = died
    data.mobility_impaired = set(Retiree.objects.filter(organization__path__startswith=root.path,
                                                        mobility_impaired=True).values_list("id", flat=True))
    for ms, org, on in (Transfer.objects.filter(from_org__path__startswith=root.path,
                                                direction__in=[TransferDirection.OUT, TransferDirection.MOVE])
                        .values_list("membership_id", "from_org_id", "transferred_on")):
        data.transfers_out.setdefault(ms, []).append((org, on))
    for row in (Election.objects.filter(**sub).annotate(n=Count("candidates"), mv=Max("candidates__votes"))
                .values_list("id", "organization_id", "held_on", "seats", "present", "n", "mv")):
        data.elections.append(engine.ElectionRow(*row[:6], max_votes=row[6] or 0))
    secretaries = dict(CommitteePost.objects.filter(term__organization__path__startswith=root.path,
                                                    post=Post.SECRETARY).values_list("term_id", "membership_id"))
    for tid, org, start, end, ended, eid, number in (
            CommitteeTerm.objects.filter(**sub).values_list("id", "organization_id", "start_on", "end_on", "ended_on",
                                                            "election_id", "number")):
        data.terms.append(engine.TermRow(tid, org, start, end, ended, eid, secretaries.get(tid), number))
    for ms, status, full_on, joined in (Membership.objects.filter(pk__in=set(secretaries.values()))
                                        .values_list("id", "status", "full_on", "joined_on")):
        # Older records lack 转正日期: a full member then counts as full one year after joining.
        if full_on is None and status == MembershipStatus.FULL:
            full_on = joined + dt.timedelta(days=366)
        data.full_on[ms] = full_on
    photos = list(MeetingAttachment.objects.filter(meeting__organization__path__startswith=root.path, kind="image",
                                                   meeting__held_on__gte=period[0] - dt.timedelta(days=365),
                                                   meeting__held_on__lte=period[1])
                  .select_related("meeting").only("id", "file", "meeting__id", "meeting__organization_id"))
    hashes = ensure_photo_hashes(photos)
    for a in photos:
        if a.pk in hashes:
            data.photos.append(engine.PhotoRow(a.pk, a.meeting_id, a.meeting.organization_id, hashes[a.pk]))
    return data
