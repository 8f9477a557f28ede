"""Demo organisational life: three years of meetings for every branch, with gaps and attendance.

county — 2024-01 .. 2026-11 for every branch: 三会一课, 主题党日, study days on the 10th,
         yearly 组织生活会 / 民主评议 / 谈心谈话; each branch has its own diligence, so
         some miss months (a few badly); immobile members are excused and mostly
         reached by 送学上门; a few members drift away (six-month warnings); records
         are mostly entered within days, some in a December rush (前松后紧).
         Plus study records, seed 003's training (25 sessions, 1,097 person-times),
         monthly work lists and a few planned meetings.
city   — 2025-01 .. 2026-11 for all 881 branches in bulk (the compliance benchmark's
         data); attendance is recorded for 党员大会, 党小组会 and 谈心谈话 only, to keep
         the city load to a few hundred thousand rows.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from changqing.demo.bulk import copy_insert, copy_rows, log_created
from changqing.members.models import Absence, Health, Membership, MembershipPeriod, MembershipState, Retiree
from changqing.orgs.models import Organization, OrgKind
from changqing.core.tree import in_subtree

from .engine import add_months, month_end
from .models import (
    Attendance, AttendanceStatus, EvidenceKind, Meeting, MeetingAttachment, MeetingKind, MeetingState, StudyMaterial, StudyMode,
    StudyRecord, TrainingCourse, TrainingSession, WorkItem, WorkItemCompletion, WorkList, WorkListKind,
    WorkListReceipt,
)

BATCH = 5000
TOPICS = {
    "group_meeting": ["学习传达上级会议精神", "交流近期学习体会", "讨论支部活动安排", "学习党章党规", "通报支部工作"],
    "theme_day": ["重温入党誓词", "参观红色教育基地", "为社区义务服务", "学习身边先进典型", "开展政治生日活动"],
    "study_day": ["学习习近平新时代中国特色社会主义思想", "学习党的二十大精神", "学习《中国共产党章程》",
                  "学习《中国共产党纪律处分条例》", "学习时事政策"],
    "committee_meeting": ["研究季度工作安排", "研究党员慰问事项", "研究发展党员和党费收缴", "研究主题党日活动方案"],
    "party_lecture": ["书记讲党课：传承红色基因", "老党员讲党史", "党课：新时代离退休干部的作为", "党课：学习党的光辉历程"],
    "general_meeting": ["支部年度工作报告", "选举产生新一届支部委员会", "讨论通过支部年度计划"],
    "review_meeting": ["召开年度组织生活会"],
    "member_appraisal": ["民主评议党员"],
    "heart_talk": ["支委与党员谈心谈话"],
}
PLACES = ["支部活动室", "社区党群服务中心", "老干部活动中心", "单位会议室"]
EXCUSE_REASONS = ["生病住院", "外出探亲", "照顾家人", "身体不适"]
DELIVERERS = ["支部书记", "支部委员", "联络员", "党小组长"]
MONTHLY = ["group_meeting", "theme_day", "study_day"]
QUARTERLY = ["committee_meeting", "party_lecture"]
CITY_ATTENDANCE_KINDS = {"general_meeting", "group_meeting", "heart_talk"}
# Seed 003: 25 training sessions, 1,097 person-times.
COURSES = [
    ("2025年离退休干部党员党校轮训班", "party_school", dt.date(2025, 4, 14), 8, 356),
    ("2025年形势政策专题报告会", "report", dt.date(2025, 6, 10), 5, 268),
    ("“银发生辉”读书班", "reading", dt.date(2025, 9, 3), 6, 171),
    ("2026年离退休干部党员党校轮训班", "party_school", dt.date(2026, 4, 13), 6, 302),
]


def extend(ctx):
    if ctx.scale == "province" or Meeting.objects.filter(in_subtree(ctx.root.path, "organization")).exists():
        return
    county = ctx.scale == "county"
    start = dt.date(2024, 1, 1) if county else dt.date(2025, 1, 1)
    with transaction.atomic():
        gen = _Generator(ctx, start, full_attendance=county)
        gen.meetings()
        if county:
            gen.study_records()
            gen.training()
            gen.work_lists()
            gen.plans()
            gen.photos()
    ctx.progress(f"组织生活：会议 {gen.n_meetings} 次，出席记录 {gen.n_attendance} 条")


ATTENDANCE_COLUMNS = ("meeting_id", "membership_id", "status", "reason", "deliverer", "material", "feedback",
                      "delivered_on", "created_at", "updated_at")


def _insert_attendance(rows: list[tuple]):
    now = timezone.now()
    copy_rows(Attendance._meta.db_table, ATTENDANCE_COLUMNS, [(*row, now, now) for row in rows])


class _Generator:
    def __init__(self, ctx, start: dt.date, *, full_attendance: bool):
        self.ctx, self.rng, self.today, self.start = ctx, ctx.rng, ctx.today, start
        self.full_attendance = full_attendance
        self.kinds = {k.code: k for k in MeetingKind.objects.all()}
        self.branches = list(Organization.objects.filter(in_subtree(ctx.root.path), kind=OrgKind.BRANCH)
                             .order_by("path"))
        self.members: dict[int, list[tuple[int, bool]]] = {}
        rows = (Membership.objects.filter(in_subtree(ctx.root.path, "organization"), state=MembershipState.ACTIVE)
                .values_list("id", "organization_id", "retiree__mobility_impaired", "retiree__health")
                .order_by("id"))
        for mid, org_id, mob, health in rows:
            self.members.setdefault(org_id, []).append((mid, bool(mob) or health == Health.BEDRIDDEN))
        # Since when each member belongs to the branch: no attendance is recorded before (the audit would
        # rightly count such a row as more present than the branch had members).
        self.since = dict(MembershipPeriod.objects.filter(in_subtree(ctx.root.path, "organization"),
                                                          end_on__isnull=True)
                          .values_list("membership_id", "start_on"))
        # Members recorded away (e.g. wintering in Hainan) are excused, not present, at meetings meanwhile.
        self.away: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
        for mid, start, end in (Absence.objects.filter(in_subtree(ctx.root.path, "retiree__organization"),
                                                       retiree__membership__isnull=False)
                                .values_list("retiree__membership__id", "start_on", "end_on")):
            self.away.setdefault(mid, []).append((start, end))
        # A few members drift away: from a date on they stop coming (the six-month rule's warnings).
        all_ids = [m for ms in self.members.values() for m, _ in ms]
        drift = self.rng.sample(all_ids, max(1, len(all_ids) // 70)) if all_ids else []
        self.drift_from = {m: add_months(self.today.replace(day=1), -self.rng.randint(2, 9)) for m in drift}
        self.n_meetings = self.n_attendance = 0
        self.by_branch_month: dict[tuple[int, dt.date], list[Meeting]] = {}

    # -- meetings ----------------------------------------------------------------------------
    def _entered_at(self, held_on: dt.date) -> dt.datetime:
        r = self.rng.random()
        if r < 0.8:
            lag = self.rng.randint(0, 4)
        elif r < 0.95:
            lag = self.rng.randint(5, 20)
        else:
            # 前松后紧: entered in the December rush before the yearly assessment.
            rush = dt.date(held_on.year, 12, self.rng.randint(15, 28))
            lag = max((rush - held_on).days, 0)
        day = min(held_on + dt.timedelta(days=lag), self.today)
        moment = dt.datetime.combine(day, dt.time(self.rng.randint(8, 20), self.rng.randint(0, 59)))
        return timezone.make_aware(moment)

    def _plan_branch(self, org: Organization) -> list[tuple[str, dt.date]]:
        rng = self.rng
        diligence = rng.choice([0.99, 0.98, 0.97, 0.96, 0.94, 0.92, 0.88, 0.8, 0.6])
        out = []
        month = self.start
        while month <= self.today:
            last_day = month_end(month)
            for kind in MONTHLY:
                if rng.random() < diligence:
                    day = 10 if kind == "study_day" else rng.randint(1, 28)
                    out.append((kind, month.replace(day=day)))
            if month.month in (3, 6, 9, 12):
                for kind in QUARTERLY:
                    if rng.random() < diligence:
                        q_start = add_months(month, -2)
                        out.append((kind, q_start + dt.timedelta(days=rng.randint(0, (last_day - q_start).days))))
            if month.month == 6 and rng.random() < min(1.0, diligence + 0.05):
                out.append(("general_meeting", month.replace(day=rng.randint(20, 30))))
            if month.month == 12:
                for kind in ("review_meeting", "member_appraisal"):
                    if rng.random() < diligence:
                        out.append((kind, month.replace(day=rng.randint(10, 26))))
            if month.month == 7 and rng.random() < diligence:
                out.append(("heart_talk", month.replace(day=rng.randint(1, 25))))
            month = add_months(month, 1)
        return [(k, d) for k, d in out if d <= self.today]

    def _attendance(self, meeting: Meeting, roll: list[tuple[int, bool]]) -> list[tuple]:
        """Rows for ATTENDANCE_COLUMNS: plain tuples, inserted with executemany (the county has ~100k)."""
        rng = self.rng
        rows = []
        committee = meeting.kind.code == "committee_meeting"
        for mid, immobile in (roll[:5] if committee else roll):
            drift = self.drift_from.get(mid)
            if drift and meeting.held_on >= drift:
                rows.append((meeting.pk, mid, AttendanceStatus.ABSENT.value, "", "", "", "", None))
                continue
            if immobile:
                if rng.random() < 0.85:
                    rows.append((meeting.pk, mid, AttendanceStatus.HOME_DELIVERY.value, "", rng.choice(DELIVERERS),
                                 meeting.topic, rng.choice(["认真学习，表示拥护", "很受感动，感谢组织关心",
                                                            "身体不便但坚持学习", ""]),
                                 meeting.held_on + dt.timedelta(days=rng.randint(0, 3))))
                else:
                    rows.append((meeting.pk, mid, AttendanceStatus.EXCUSED.value, "行动不便", "", "", "", None))
                continue
            r = rng.random()
            if r < 0.85:
                status = AttendanceStatus.PRESENT
            elif r < 0.88:
                status = AttendanceStatus.ONLINE
            elif r < 0.96:
                status = AttendanceStatus.EXCUSED
            else:
                status = AttendanceStatus.ABSENT
            rows.append((meeting.pk, mid, status.value,
                         rng.choice(EXCUSE_REASONS) if status == AttendanceStatus.EXCUSED else "", "", "", "", None))
        # Adjusted after drawing, so the random stream (and every other demo record) stays as it was.
        held = meeting.held_on
        out = []
        for r in rows:
            if self.since.get(r[1], held) > held:
                continue
            if r[2] == AttendanceStatus.PRESENT.value and any(
                    s <= held and (e is None or held <= e) for s, e in self.away.get(r[1], ())):
                r = (r[0], r[1], AttendanceStatus.EXCUSED.value, "外出") + r[4:]
            out.append(r)
        return out

    def meetings(self):
        pending: list[tuple[Meeting, list[tuple[int, bool]]]] = []
        for org in self.branches:
            roll = self.members.get(org.pk, [])
            for kind, held_on in self._plan_branch(org):
                if org.established_on and held_on < org.established_on:
                    continue
                m = Meeting(organization=org, kind=self.kinds[kind], held_on=held_on,
                            start_time=dt.time(self.rng.choice([9, 9, 10, 14, 15]), 0),
                            place=self.rng.choice(PLACES), topic=self.rng.choice(TOPICS[kind]),
                            host="支部书记", recorder="组织委员", state=MeetingState.HELD,
                            created_at=self._entered_at(held_on), created_by_name="支部书记")
                pending.append((m, roll))
                if len(pending) >= BATCH:
                    self._flush(pending)
                    pending = []
        self._flush(pending)

    def _flush(self, pending):
        if not pending:
            return
        meetings = copy_insert(Meeting, [m for m, _ in pending])
        if self.ctx.log_history:
            log_created(meetings)
        attendance = []
        for m, roll in pending:
            self.by_branch_month.setdefault((m.organization_id, m.held_on.replace(day=1)), []).append(m)
            if self.full_attendance or m.kind.code in CITY_ATTENDANCE_KINDS:
                attendance.extend(self._attendance(m, roll))
        _insert_attendance(attendance)
        self.n_attendance += len(attendance)
        self.n_meetings += len(meetings)

    # -- learning ----------------------------------------------------------------------------
    def study_records(self):
        rng, root = self.rng, self.ctx.root
        materials = StudyMaterial.objects.bulk_create([
            StudyMaterial(organization=root, title=title, published_on=month.replace(day=1), source="县委老干部局")
            for month, title in ((add_months(self.start, i), rng.choice(TOPICS["study_day"]))
                                 for i in range(0, 35)) if month <= self.today])
        by_month = {m.published_on: m for m in materials}
        records = []
        for org in self.branches:
            roll = self.members.get(org.pk, [])
            for mid, immobile in roll:
                if immobile:
                    # 送学上门 outside meetings, e.g. when the study day was skipped.
                    for month in by_month:
                        if rng.random() < 0.25:
                            mat = by_month[month]
                            records.append(StudyRecord(
                                membership_id=mid, organization=org, studied_on=month.replace(day=rng.randint(11, 25)),
                                mode=StudyMode.HOME_DELIVERY, material=mat, material_title=mat.title,
                                deliverer=rng.choice(DELIVERERS), reflection="感谢组织送学上门"))
                elif rng.random() < 0.3:
                    for month in rng.sample(sorted(by_month), 4):
                        mat = by_month[month]
                        records.append(StudyRecord(
                            membership_id=mid, organization=org, studied_on=month.replace(day=10),
                            mode=rng.choice([StudyMode.MEETING, StudyMode.MEETING, StudyMode.ONLINE, StudyMode.SELF]),
                            material=mat, material_title=mat.title, notes=f"学习《{mat.title}》的笔记",
                            reflection="坚定理想信念，发挥余热"))
        copy_insert(StudyRecord, [r for r in records if r.studied_on <= self.today])

    def training(self):
        rng, root = self.rng, self.ctx.root
        people = list(Retiree.objects.filter(in_subtree(root.path, "organization"), status="alive")
                      .values_list("id", flat=True))
        if not people:
            return
        for name, kind, start, sessions, person_times in COURSES:
            if start > self.today:
                continue
            course = TrainingCourse.objects.create(organization=root, name=name, kind=kind, start_on=start,
                                                   end_on=start + dt.timedelta(days=7 * (sessions - 1)))
            base, extra = divmod(person_times, sessions)
            through = []
            for i in range(sessions):
                s = TrainingSession.objects.create(course=course, held_on=start + dt.timedelta(days=7 * i),
                                                   topic=f"第{i + 1}讲", speaker=rng.choice(["县委党校教师", "老干部局负责同志",
                                                                                        "老党员代表"]))
                n = base + (1 if i < extra else 0)
                through.extend(TrainingSession.attendees.through(trainingsession_id=s.pk, retiree_id=r)
                               for r in rng.sample(people, min(n, len(people))))
            copy_insert(TrainingSession.attendees.through, through)

    # -- work lists --------------------------------------------------------------------------
    def work_lists(self):
        rng, root = self.rng, self.ctx.root
        for back in (3, 2, 1, 0):
            month = add_months(self.today.replace(day=1), -back)
            for kind, title, items in (
                (WorkListKind.WORK_TIPS, f"{month.year}年{month.month}月离退休干部党建工作提示清单",
                 [("召开党小组会，传达学习上级会议精神", 20, EvidenceKind.MEETING, "group_meeting"),
                  ("开展集中学习日活动", 10, EvidenceKind.MEETING, "study_day"),
                  ("对行动不便党员送学上门", 25, EvidenceKind.REPORT, None)]),
                (WorkListKind.THEME_DAY, f"{month.year}年{month.month}月主题党日清单",
                 [("开展主题党日活动", 25, EvidenceKind.MEETING, "theme_day")]),
            ):
                wl = WorkList.objects.create(publisher=root, kind=kind, month=month, title=title,
                                             published_at=timezone.make_aware(dt.datetime.combine(month, dt.time(9))))
                work_items = WorkItem.objects.bulk_create([
                    WorkItem(work_list=wl, order=n, title=t, due_on=month.replace(day=d), evidence=ev,
                             kind=self.kinds.get(k) if k else None)
                    for n, (t, d, ev, k) in enumerate(items, start=1)])
                receipts = WorkListReceipt.objects.bulk_create([
                    WorkListReceipt(work_list=wl, organization=b,
                                    acknowledged_at=(timezone.make_aware(dt.datetime.combine(
                                        month + dt.timedelta(days=rng.randint(0, 5)), dt.time(10)))
                                        if rng.random() < 0.9 else None))
                    for b in self.branches])
                completions = []
                for rc in receipts:
                    if rc.acknowledged_at is None:
                        continue
                    held = self.by_branch_month.get((rc.organization_id, month), [])
                    for item in work_items:
                        match = next((m for m in held if item.kind_id and m.kind_id == item.kind_id), None)
                        if match is not None:
                            completions.append(WorkItemCompletion(receipt=rc, item=item, meeting=match,
                                                                  completed_on=match.held_on))
                        elif item.kind_id is None and rng.random() < 0.7:
                            completions.append(WorkItemCompletion(receipt=rc, item=item, note="已送学上门",
                                                                  completed_on=min(item.due_on, self.today)))
                copy_insert(WorkItemCompletion, completions)

    def photos(self):
        """One activity photo on each branch's latest 主题党日 (a generated picture, no real person)."""
        import io

        from django.core.files.base import ContentFile
        from PIL import Image, ImageDraw

        latest = {}
        for (org_id, _), ms in self.by_branch_month.items():
            for m in ms:
                if m.kind.code == "theme_day" and (org_id not in latest or latest[org_id].held_on < m.held_on):
                    latest[org_id] = m
        for n, m in enumerate(latest.values()):
            img = Image.new("RGB", (480, 320), (164, 22, 26))
            draw = ImageDraw.Draw(img)
            draw.rectangle((40, 200, 440, 300), fill=(246, 241, 234))
            for i in range(6):
                x = 70 + i * 65
                draw.ellipse((x, 120, x + 40, 160), fill=(240, 220, 200))
                draw.rectangle((x - 5, 160, x + 45, 230), fill=(30 + 20 * ((i + n) % 5), 60, 90))
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=70)
            att = MeetingAttachment(meeting=m, kind="image", caption="活动现场", size=buf.tell())
            att.file.save(f"demo-{m.organization_id}-{m.pk}.jpg", ContentFile(buf.getvalue()), save=False)
            att.save()

    def plans(self):
        rng = self.rng
        plans = []
        for org in self.branches[:20]:
            day = self.today + dt.timedelta(days=rng.randint(2, 20))
            plans.append(Meeting(organization=org, kind=self.kinds["theme_day"], held_on=day, state=MeetingState.PLANNED,
                                 topic="重温入党誓词主题党日", place=rng.choice(PLACES), created_by_name="支部书记",
                                 created_at=timezone.make_aware(dt.datetime.combine(self.today, dt.time(9)))))
        Meeting.objects.bulk_create(plans)
