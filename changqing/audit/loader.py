"""Load everything the engine needs in a fixed number of bulk queries (no query per branch or meeting)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from changqing.life.models import Attendance, Meeting, MeetingAttachment, MeetingState
from changqing.members.models import (
    Absence,
    Membership,
    MembershipPeriod,
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
from changqing.core.tree import in_subtree

from . import engine
from .models import PhotoHash

MASK64 = (1 << 64) - 1


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


HASH_VERSION = 2  # 1: dHash of the whole file; 2: of the photo with its borders trimmed, plus 256 crops


def photo_hashes(attachment) -> tuple[int, bytes]:
    from PIL import Image

    with attachment.file.open("rb") as fh, Image.open(fh) as img:
        return engine.photo_hashes(img)


def ensure_photo_hashes(attachments) -> dict[int, tuple[int, bytes]]:
    """attachment id → (unsigned dHash, crop hashes); computes and stores the missing or outdated ones (the
    file is read once per photo and algorithm version)."""
    known = {aid: (dh, bytes(crops), version) for aid, dh, crops, version in PhotoHash.objects.filter(
        attachment__in=[a.pk for a in attachments]).values_list("attachment_id", "dhash", "crops", "version")}
    new, stale = [], []
    for a in attachments:
        row = known.get(a.pk)
        if row is None or row[2] < HASH_VERSION:
            try:
                value, crops = photo_hashes(a)
            except (OSError, ValueError):
                continue  # missing or unreadable file: keep what is known, if anything
            known[a.pk] = (_signed(value), crops, HASH_VERSION)
            obj = PhotoHash(attachment_id=a.pk, dhash=_signed(value), crops=crops, version=HASH_VERSION)
            (new if row is None else stale).append(obj)
    PhotoHash.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    for obj in stale:
        PhotoHash.objects.filter(attachment_id=obj.attachment_id).update(dhash=obj.dhash, crops=obj.crops,
                                                                        version=HASH_VERSION)
    return {k: (v[0] & MASK64, v[1]) for k, v in known.items()}


@dataclass(frozen=True)
class Shard:
    """A part of the tree audited on its own: a whole subtree, or one organisation's own records only."""

    org_id: int
    path: str
    self_only: bool = False
    branches: int = 0

    def lookup(self, prefix: str = "") -> Q:
        """The filter selecting the shard's records through the organisation field `prefix`."""
        if self.self_only:
            return Q(**{f"{prefix}_id" if prefix else "pk": self.org_id})
        return in_subtree(self.path, prefix)


def plan_shards(root: Organization, max_branches: int) -> list[Shard]:
    """Cut the subtree of `root` into shards of at most `max_branches` organisations each (one query).

    A subtree small enough is one shard; a larger one is split into its children's subtrees plus a shard of
    its own records only. A city of ~900 branches stays whole with the default, so copied minutes are
    compared across all its branches; a province is audited city by city in bounded memory.
    """
    rows = list(Organization.objects.filter(in_subtree(root.path)).values_list("id", "parent_id", "path"))
    children: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    for oid, parent, path in rows:
        children[parent].append((oid, path))
    size: dict[int, int] = {}
    for oid, _parent, _path in sorted(rows, key=lambda r: -r[2].count("/")):
        size[oid] = 1 + sum(size[c] for c, _ in children.get(oid, ()))
    shards: list[Shard] = []

    def cut(oid: int, path: str):
        if size[oid] <= max_branches or not children.get(oid):
            shards.append(Shard(oid, path, branches=size[oid]))
            return
        shards.append(Shard(oid, path, self_only=True, branches=1))
        for child, child_path in sorted(children[oid], key=lambda c: c[1]):
            cut(child, child_path)

    cut(root.pk, root.path)
    return shards


def _chunks(values, n=5000):
    values = list(values)
    for i in range(0, len(values), n):
        yield values[i:i + n]


def _meeting_rows(meetings):
    """engine.MeetingRow of a Meeting queryset, read in chunks (entered_on: the local date it was entered)."""
    tz = timezone.get_current_timezone()
    for mid, org, held, created, kind, start, place, minutes in (
            meetings.values_list("id", "organization_id", "held_on", "created_at", "kind__code", "start_time",
                                 "place", "minutes").iterator(chunk_size=5000)):
        yield engine.MeetingRow(mid, org, held, timezone.localtime(created, tz).date(), kind, start, place,
                                minutes or "")


def load_minutes(shard: Shard, period) -> list[engine.MeetingRow]:
    """The held meetings of a shard in the period that have minutes (for the pass across shards)."""
    return [m for m in _meeting_rows(Meeting.objects.filter(shard.lookup("organization"), state=MeetingState.HELD,
                                                            held_on__gte=period[0], held_on__lte=period[1])
                                     .exclude(minutes=""))
            if m.minutes.strip()]


def load_meetings(ids) -> dict[int, engine.MeetingRow]:
    """The meetings of these ids, with their minutes (for verifying pairs found across shards)."""
    out: dict[int, engine.MeetingRow] = {}
    for chunk in _chunks(sorted(ids)):
        out.update((m.id, m) for m in _meeting_rows(Meeting.objects.filter(pk__in=chunk)))
    return out


def load_audit_data(root: Organization, year: int, shard: Shard | None = None) -> engine.AuditData:
    """Everything the engine needs for one shard (default: the whole subtree of `root`) and year."""
    shard = shard or Shard(root.pk, root.path)
    period = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    data = engine.AuditData(period=period, whole=shard.org_id == root.pk and not shard.self_only)
    sub = shard.lookup("organization")
    data.branch_codes = dict(Organization.objects.filter(shard.lookup()).values_list("id", "code"))
    # Meetings of the year, plus the year before for the branch's usual rhythm.
    meetings = Meeting.objects.filter(sub, state=MeetingState.HELD,
                                      held_on__gte=period[0] - dt.timedelta(days=365), held_on__lte=period[1])
    data.meetings.extend(_meeting_rows(meetings))
    data.records.extend(load_records(shard, period))
    att = (Attendance.objects.filter(shard.lookup("meeting__organization"),
                                     meeting__held_on__gte=period[0], meeting__held_on__lte=period[1],
                                     meeting__state=MeetingState.HELD)
           .values_list("meeting_id", "membership_id", "membership__retiree_id", "status", "reason", "feedback"))
    retirees = set()
    for mid, ms, rid, status, reason, feedback in att.iterator(chunk_size=20000):
        data.attendance.append(engine.AttendanceRow(mid, ms, rid, status, " ".join(x for x in (reason, feedback) if x)))
        retirees.add(rid)
    # Branch size on each meeting's date, from the history of every branch a member belonged to.
    for org, start, end in (MembershipPeriod.objects.filter(sub, start_on__lte=period[1])
                            .exclude(end_on__lt=period[0]).values_list("organization_id", "start_on", "end_on")):
        data.member_periods.setdefault(org, []).append((start, end))
    # People who attended, wherever their own records sit (a member may attend another branch's meeting).
    for ids in _chunks(retirees):
        for rid, start, end, place in (Absence.objects.filter(retiree_id__in=ids, start_on__lte=period[1])
                                       .values_list("retiree_id", "start_on", "end_on", "place")):
            data.absences.setdefault(rid, []).append((start, end, place))
        for rid, died, immobile in (Retiree.objects.filter(pk__in=ids)
                                    .filter(Q(deceased_on__isnull=False) | Q(mobility_impaired=True))
                                    .values_list("id", "deceased_on", "mobility_impaired")):
            if died:
                data.deaths[rid] = died
            if immobile:
                data.mobility_impaired.add(rid)
    for ms, org, on in (Transfer.objects.filter(shard.lookup("from_org"),
                                                direction__in=[TransferDirection.OUT, TransferDirection.MOVE])
                        .values_list("membership_id", "from_org_id", "transferred_on")):
        data.transfers_out.setdefault(ms, []).append((org, on))
    for row in (Election.objects.filter(sub).annotate(n=Count("candidates"), mv=Max("candidates__votes"),
                                                      tv=Sum("candidates__votes"))
                .values_list("id", "organization_id", "held_on", "seats", "present", "n", "mv", "tv", "approval_no")):
        data.elections.append(engine.ElectionRow(*row[:6], max_votes=row[6] or 0, total_votes=row[7] or 0,
                                                 approval_no=row[8] or ""))
    secretaries = dict(CommitteePost.objects.filter(shard.lookup("term__organization"),
                                                    post=Post.SECRETARY).values_list("term_id", "membership_id"))
    for tid, org, start, end, ended, eid, number in (
            CommitteeTerm.objects.filter(sub).values_list("id", "organization_id", "start_on", "end_on", "ended_on",
                                                            "election_id", "number")):
        data.terms.append(engine.TermRow(tid, org, start, end, ended, eid, secretaries.get(tid), number))
    for ms, status, full_on, joined in (Membership.objects.filter(pk__in=set(secretaries.values()))
                                        .values_list("id", "status", "full_on", "joined_on")):
        # Older records lack 转正日期: a full member then counts as full one year after joining.
        if full_on is None and status == MembershipStatus.FULL:
            full_on = joined + dt.timedelta(days=366)
        data.full_on[ms] = full_on
    data.photos = load_photos(shard, period)
    return data


def load_records(shard: Shard, period):
    """Care visits and study records (送学上门 among them) of the year and the year before, as RecordRows:
    two streamed queries of four columns each (the visit's branch is its retiree's)."""
    from changqing.care.models import Visit
    from changqing.life.models import StudyRecord

    tz = timezone.get_current_timezone()
    since = period[0] - dt.timedelta(days=365)
    for kind, qs, org, day in (
            ("visit", Visit.objects.filter(shard.lookup("retiree__organization")), "retiree__organization_id",
             "visited_on"),
            ("study", StudyRecord.objects.filter(shard.lookup("organization")), "organization_id", "studied_on")):
        rows = qs.filter(**{f"{day}__gte": since, f"{day}__lte": period[1]}).values_list("id", org, day, "created_at")
        for rid, org_id, on, created in rows.iterator(chunk_size=5000):
            yield engine.RecordRow(kind, rid, org_id, on, timezone.localtime(created, tz).date())


def load_photos(shard: Shard, period) -> list[engine.PhotoRow]:
    photos = list(MeetingAttachment.objects.filter(shard.lookup("meeting__organization"), kind="image",
                                                   meeting__held_on__gte=period[0] - dt.timedelta(days=365),
                                                   meeting__held_on__lte=period[1])
                  .select_related("meeting").only("id", "file", "meeting__id", "meeting__organization_id"))
    hashes = ensure_photo_hashes(photos)
    return [engine.PhotoRow(a.pk, a.meeting_id, a.meeting.organization_id, *hashes[a.pk])
            for a in photos if a.pk in hashes]


def load_ratings(root: Organization, year: int) -> list[dict]:
    """Reviewer-given star-rating item scores beside the data-derived ones (streamed, one joined query)."""
    from changqing.evaluation.selectors import manual_vs_data

    return list(manual_vs_data(org_path=root.path, year=year))


def load_simultaneous(root: Organization, year: int) -> engine.AuditData:
    """Only the in-person attendance that could be at two places at once: members present at meetings of
    two or more organisations on the same day, found by the database over the whole subtree."""
    period = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    data = engine.AuditData(period=period)
    rows = (Attendance.objects.filter(in_subtree(root.path, "meeting__organization"),
                                      meeting__held_on__gte=period[0], meeting__held_on__lte=period[1],
                                      meeting__state=MeetingState.HELD, status__in=engine.IN_PERSON)
            .values("membership_id", "meeting__held_on")
            .annotate(n=Count("meeting__organization_id", distinct=True)).filter(n__gt=1)
            .values_list("membership_id", "meeting__held_on"))
    by_day: dict[dt.date, set[int]] = defaultdict(set)
    for ms, day in rows:
        by_day[day].add(ms)
    for day, members in by_day.items():
        for ids in _chunks(members):
            for mid, ms, rid, status in (Attendance.objects.filter(membership_id__in=ids, meeting__held_on=day,
                                                                   meeting__state=MeetingState.HELD,
                                                                   status__in=engine.IN_PERSON)
                                         .values_list("meeting_id", "membership_id", "membership__retiree_id",
                                                      "status")):
                data.attendance.append(engine.AttendanceRow(mid, ms, rid, status))
    meeting_ids = {a.meeting_id for a in data.attendance}
    for ids in _chunks(meeting_ids):
        for mid, org, held, created, start, place in (Meeting.objects.filter(pk__in=ids).values_list(
                "id", "organization_id", "held_on", "created_at", "start_time", "place")):
            data.meetings.append(engine.MeetingRow(mid, org, held, created.date(), start_time=start, place=place))
    return data
