"""Demo: honest meeting minutes, then known fakes of every implemented kind, planted with ctx.rng.

The ground truth goes into PlantedFake (kind + the key the engine gives the finding), so a test can
measure precision and recall per kind on a seed it was not tuned on.

The life demo enters ~5% of meetings in a December rush (前松后紧): those are genuine back-fills by
design, recorded here as planted `backfill` with the note 组织生活演示数据年底集中补录. (The life demo
itself keeps its attendance honest: members away are excused, and nobody attends before joining.)
"""
from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from changqing.demo.bulk import update_column
from changqing.life.models import (
    PARTICIPATED,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingState,
)
from changqing.members.models import (
    Membership,
    MembershipPeriod,
    MembershipState,
    MembershipStatus,
    Transfer,
    TransferDirection,
)
from changqing.orgs.models import (
    CommitteePost,
    CommitteeTerm,
    Election,
    Post,
)
from changqing.core.tree import in_subtree

from .engine import DEFAULTS, AuditData
from .models import PlantedFake

YEAR = 2025
BOILERPLATE = [
    "会议由支部书记主持，支部组织委员记录",
    "会议首先集体学习了上级党组织印发的本月工作提示清单",
    "与会党员一致表示，要坚持离休不离党、退休不褪色",
    "会议要求全体党员按时足额交纳党费",
    "会议在《国际歌》声中结束",
]
SPEAKERS_SURNAME = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = "建国秀英德明桂兰志强玉珍国华淑芬永红春生金凤文斌海燕长林翠华福林振华素珍家和明辉丽华宝山"
SUBJECTS = ["社区垃圾分类", "老旧小区加装电梯", "困难党员帮扶", "老年大学书法班", "重阳节慰问", "防范养老诈骗",
            "文明城市创建", "党史学习教育", "志愿服务队建设", "乡村振兴调研", "关心下一代工作", "红色家风传承",
            "健康讲座安排", "智能手机培训", "邻里纠纷调解", "党费收缴", "主题党日选题", "走访结对帮扶户",
            "老干部活动中心维修", "读书分享会", "端午节包粽子活动", "防汛值守", "禁毒宣传", "爱国卫生运动"]
VERBS = ["提出", "建议", "汇报了", "谈到", "介绍了", "分享了", "反映了", "总结了", "强调了", "回顾了"]
DETAILS = ["要发挥老党员的经验优势", "可以联系街道和社区共同推进", "需要摸清底数、建立台账", "大家分头走访、每周碰头一次",
           "由党小组长牵头落实到人", "请家属配合做好安全保障", "结合自身经历谈了体会", "希望年轻同志多带一带",
           "资金由支部活动经费列支", "下次会议听取进展汇报", "结合微信群做好通知", "重点关心独居和行动不便的同志",
           "材料由组织委员整理归档", "向上级党组织书面报告", "邀请社区医生现场答疑", "在活动室张贴公示"]


def _person(rng) -> str:
    return rng.choice(SPEAKERS_SURNAME) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])


def honest_minutes(rng, meeting) -> str:
    lines = rng.sample(BOILERPLATE, rng.randint(2, 4))
    lines.insert(1, f"本次会议主题：{meeting.topic}")
    for _ in range(rng.randint(4, 7)):
        lines.append(f"{_person(rng)}同志{rng.choice(VERBS)}{rng.choice(SUBJECTS)}的情况，{rng.choice(DETAILS)}，"
                     f"{rng.choice(DETAILS)}，共有{rng.randint(2, 30)}名党员参与")
    lines.append(f"会议确定{rng.randint(1, 12)}月{rng.randint(1, 28)}日前完成{rng.choice(SUBJECTS)}相关工作")
    return "。\n".join(lines) + "。"


def _copy_minutes(rng, text: str) -> str:
    """A copy with one line dropped — what 照搬照抄 looks like."""
    lines = text.split("\n")
    if len(lines) > 6:
        lines.pop(rng.randrange(3, len(lines) - 1))
    return "\n".join(lines)


def _picture(rng, size=(480, 320)):
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, tuple(rng.randint(40, 220) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(14):
        x, y = rng.randint(0, size[0] - 40), rng.randint(0, size[1] - 40)
        shape = draw.ellipse if rng.random() < 0.4 else draw.rectangle
        shape((x, y, x + rng.randint(30, 160), y + rng.randint(30, 140)),
              fill=tuple(rng.randint(0, 255) for _ in range(3)))
    return img


def _jpeg(img, quality=80, scale=1.0) -> bytes:
    if scale != 1.0:
        img = img.resize((int(img.width * scale), int(img.height * scale)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _aware(day: dt.date, rng) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randint(0, 59))))


class _Planter:
    def __init__(self, ctx):
        self.ctx, self.rng, self.today = ctx, ctx.rng, ctx.today
        self.root = ctx.root
        self.planted: list[PlantedFake] = []
        self.used_meetings: set[int] = set()
        self.meetings = list(Meeting.objects.filter(in_subtree(self.root.path, "organization"),
                                                    state=MeetingState.HELD, held_on__year=YEAR)
                             .select_related("kind").order_by("id"))
        self.by_org: dict[int, list[Meeting]] = defaultdict(list)
        for m in self.meetings:
            self.by_org[m.organization_id].append(m)

    def plant(self, kind, org_id, key, note=""):
        self.planted.append(PlantedFake(kind=kind, organization_id=org_id, key=key, note=note))

    def count(self, n_county: int) -> int:
        return n_county if self.ctx.scale == "county" else n_county * 3

    # -- repairs --------------------------------------------------------------------------------
    def record_life_rush(self):
        n = DEFAULTS["BACKFILL_LAG_DAYS"]
        for m in self.meetings:
            entered = timezone.localdate(m.created_at)
            if (entered - m.held_on).days > n:
                self.plant("backfill", m.organization_id, f"meeting:{m.id}", "组织生活演示数据年底集中补录")
                self.used_meetings.add(m.id)

    def repair_same_hour(self):
        """A branch's two meetings on one day at the same hour in different places, with the same members
        present at both, cannot both be true: the life demo's second one is moved to the afternoon."""
        present = defaultdict(set)
        for mid, ms in Attendance.objects.filter(meeting__in=[m.id for m in self.meetings],
                                                 status=AttendanceStatus.PRESENT).values_list("meeting_id",
                                                                                              "membership_id"):
            present[mid].add(ms)
        by_day = defaultdict(list)
        for m in self.meetings:
            by_day[(m.organization_id, m.held_on)].append(m)
        moved = []
        for ms in by_day.values():
            ms.sort(key=lambda m: m.id)
            for i, a in enumerate(ms):
                for b in ms[i + 1:]:
                    if (a.place != b.place and a.start_time and b.start_time and present[a.id] & present[b.id]
                            and abs(a.start_time.hour - b.start_time.hour) < 4):
                        b.start_time = dt.time(min(a.start_time.hour + 5, 19), 0)
                        moved.append(b)
        Meeting.objects.bulk_update(moved, ["start_time"], batch_size=1000)

    # -- minutes --------------------------------------------------------------------------------
    def minutes(self):
        for m in self.meetings:
            m.minutes = honest_minutes(self.rng, m)
        pool = [m for m in self.meetings if m.id not in self.used_meetings]
        pairs = 0
        target = self.count(12)
        while pairs < target:
            src, dst = self.rng.sample(pool, 2)
            if src.id == dst.id or "copied" in (getattr(src, "_tag", ""), getattr(dst, "_tag", "")):
                continue
            if timezone.localdate(src.created_at) >= timezone.localdate(dst.created_at):
                src, dst = dst, src
            if src.created_at == dst.created_at:
                continue
            dst.minutes = _copy_minutes(self.rng, src.minutes)
            src._tag = dst._tag = "copied"
            a, b = src.id, dst.id
            self.plant("copied_minutes", dst.organization_id, f"minutes:{min(a, b)}:{max(a, b)}",
                       "同支部" if src.organization_id == dst.organization_id else "跨支部")
            pairs += 1
        update_column(Meeting, self.meetings, "minutes")

    # -- back-fill and rush -----------------------------------------------------------------------
    def backfill(self):
        rng = self.rng
        pool = [m for m in self.meetings if m.id not in self.used_meetings and m.held_on.month <= 8]
        for m in rng.sample(pool, min(len(pool), self.count(15))):
            lag = rng.randint(DEFAULTS["BACKFILL_LAG_DAYS"] + 10, 75)
            m.created_at = _aware(m.held_on + dt.timedelta(days=lag), rng)
            self.used_meetings.add(m.id)
            self.plant("backfill", m.organization_id, f"meeting:{m.id}", f"晚{lag}天录入")
            m.save(update_fields=["created_at"])

    def rush(self):
        rng = self.rng
        deadline = dt.date(YEAR, 12, 20)
        start = deadline - dt.timedelta(days=DEFAULTS["RUSH_WINDOW_DAYS"])
        orgs = [o for o, ms in self.by_org.items() if len(ms) >= 30]
        for org_id in rng.sample(orgs, min(len(orgs), self.count(4))):
            candidates = [m for m in self.by_org[org_id] if m.id not in self.used_meetings
                          and m.held_on < start - dt.timedelta(days=45)]
            chosen = rng.sample(candidates, min(len(candidates), rng.randint(12, 18)))
            for m in chosen:
                m.created_at = _aware(start + dt.timedelta(days=rng.randint(0, (deadline - start).days - 1)), rng)
                self.used_meetings.add(m.id)
                # Entered weeks after the date they claim: each is a back-fill too.
                self.plant("backfill", org_id, f"meeting:{m.id}", "考核前突击补录")
            Meeting.objects.bulk_update(chosen, ["created_at"])
            self.plant("rush", org_id, f"rush:{org_id}:{deadline.isoformat()}", f"考核前突击补录{len(chosen)}条")

    # -- impossible attendance --------------------------------------------------------------------
    def attendance(self):
        rng = self.rng
        sub = self.root.path
        meeting_ids = [m.id for m in self.meetings]
        by_id = {m.id: m for m in self.meetings}
        present = defaultdict(set)   # meeting → memberships present/listed
        member_days = defaultdict(set)  # membership → dates at any meeting
        existing = {}
        for aid, mid, ms, status in Attendance.objects.filter(meeting_id__in=meeting_ids).values_list(
                "id", "meeting_id", "membership_id", "status").iterator(chunk_size=20000):
            present[mid].add(ms)
            member_days[ms].add(by_id[mid].held_on)
            existing[(mid, ms)] = (aid, status)
        new_rows: list[Attendance] = []
        updates: list[tuple[int, str]] = []
        tainted: set[int] = set()  # memberships already used in a plant

        gone: set[tuple[int, int]] = set()  # (meeting, membership) planted as attending after death/transfer
        padded: set[int] = set()  # meetings planted as more present than members

        def plant_att(m, ms, note):
            self.plant("impossible_attendance", m.organization_id, f"attendance:{m.id}:{ms}", note)
            tainted.add(ms)

        # after death
        dead = list(Membership.objects.filter(in_subtree(sub, "organization"), state=MembershipState.DECEASED,
                                              retiree__deceased_on__lt=dt.date(YEAR, 9, 1))
                    .values_list("id", "organization_id", "retiree__deceased_on"))
        rng.shuffle(dead)
        for ms, org, died in dead[:self.count(5)]:
            options = [m for m in self.by_org.get(org, []) if m.held_on > died and ms not in present[m.id]]
            if options:
                m = rng.choice(options)
                new_rows.append(Attendance(meeting=m, membership_id=ms, status=AttendanceStatus.PRESENT))
                present[m.id].add(ms)
                gone.add((m.id, ms))
                plant_att(m, ms, f"{died}去世后仍记出席")
        # away (the repair made these rows 请假（外出）)
        away = list(Attendance.objects.filter(meeting_id__in=meeting_ids, reason="外出",
                                              status=AttendanceStatus.EXCUSED).values_list("id", "meeting_id",
                                                                                           "membership_id"))
        rng.shuffle(away)
        for aid, mid, ms in away[:self.count(6)]:
            if ms in tainted:
                continue
            updates.append((aid, AttendanceStatus.PRESENT))
            plant_att(by_id[mid], ms, "外出期间记出席")
        # after transfer out
        outs = list(Transfer.objects.filter(in_subtree(sub, "from_org"), direction=TransferDirection.OUT,
                                            transferred_on__lt=dt.date(YEAR, 9, 1))
                    .values_list("membership_id", "from_org_id", "transferred_on"))
        rng.shuffle(outs)
        for ms, org, on in outs[:self.count(5)]:
            options = [m for m in self.by_org.get(org, []) if m.held_on > on and ms not in present[m.id]]
            if options and ms not in tainted:
                m = rng.choice(options)
                new_rows.append(Attendance(meeting=m, membership_id=ms, status=AttendanceStatus.PRESENT))
                present[m.id].add(ms)
                gone.add((m.id, ms))
                plant_att(m, ms, f"{on}转出后仍记出席")
        # immobile member present in person with no note
        immobile = list(Attendance.objects.filter(meeting_id__in=meeting_ids, status=AttendanceStatus.HOME_DELIVERY,
                                                  membership__retiree__mobility_impaired=True)
                        .values_list("id", "meeting_id", "membership_id"))
        rng.shuffle(immobile)
        for aid, mid, ms in immobile[:self.count(6)]:
            if ms in tainted:
                continue
            updates.append((aid, "present_clear"))
            plant_att(by_id[mid], ms, "行动不便却记为现场出席、无说明")
        # two meetings of different branches at the same time in different places
        slots = defaultdict(list)
        for m in self.meetings:
            slots[(m.held_on, m.start_time)].append(m)
        clash = [(a, b) for ms_ in slots.values() for a in ms_ for b in ms_
                 if a.organization_id != b.organization_id and a.place != b.place]
        rng.shuffle(clash)
        done = 0
        second: list[Meeting] = []  # meetings that got a member who was elsewhere
        for a, b in clash:
            if done >= self.count(5):
                break
            mobile = [ms for ms in present[a.id] if existing.get((a.id, ms), (0, ""))[1] == AttendanceStatus.PRESENT
                      and ms not in tainted and b.held_on in member_days[ms] and ms not in present[b.id]]
            if not mobile:
                continue
            ms = rng.choice(sorted(mobile))
            new_rows.append(Attendance(meeting=b, membership_id=ms, status=AttendanceStatus.PRESENT))
            present[b.id].add(ms)
            tainted.add(ms)
            x, y = sorted((a.id, b.id))
            self.plant("impossible_attendance", b.organization_id, f"simultaneous:{x}:{y}:{ms}", "同一时间出现在两处")
            second.append(b)
            done += 1
        # more present than the branch has members: outsiders padded into a small branch's meeting
        sizes = defaultdict(int)
        for org in Membership.objects.filter(in_subtree(sub, "organization")).exclude(
                state__in=[MembershipState.TRANSFERRED_OUT, MembershipState.LEFT]).values_list("organization_id",
                                                                                               flat=True):
            sizes[org] += 1
        small = [o for o in self.by_org if 0 < sizes[o] <= 12]
        periods = AuditData(period=(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)))
        for org, start, end in (MembershipPeriod.objects.filter(in_subtree(sub, "organization"))
                                .values_list("organization_id", "start_on", "end_on")):
            periods.member_periods.setdefault(org, []).append((start, end))
        busy_days = {(ms, d) for ms, ds in member_days.items() for d in ds}
        outsiders = list(Membership.objects.filter(in_subtree(sub, "organization"), state=MembershipState.ACTIVE,
                                                   retiree__mobility_impaired=False, retiree__absences__isnull=True)
                         .values_list("id", flat=True).order_by("id"))
        for org in rng.sample(small, min(len(small), self.count(4))):
            m = rng.choice(self.by_org[org])
            took_part = sum(1 for ms in present[m.id]
                            if existing.get((m.id, ms), (0, AttendanceStatus.PRESENT))[1] in PARTICIPATED)
            # The branch's size on the meeting date (members who left since still counted then).
            on_date = periods.members_on(org, m.held_on)
            need = max(sizes[org], on_date) + rng.randint(1, 4) - took_part
            pad = [ms for ms in rng.sample(outsiders, min(len(outsiders), 400))
                   if ms not in tainted and ms not in present[m.id] and (ms, m.held_on) not in busy_days][:need]
            if took_part + len(pad) <= max(sizes[org], on_date):
                continue
            for ms in pad:
                new_rows.append(Attendance(meeting=m, membership_id=ms, status=AttendanceStatus.PRESENT))
                present[m.id].add(ms)
                tainted.add(ms)
            self.plant("impossible_attendance", org, f"overcount:{m.id}", "出席人数多于支部党员数")
            padded.add(m.id)
        # A member marked at a second branch's meeting can push it over that branch's size on the day; the
        # audit then rightly reports the count too, so that is planted truth as well (counted as it counts:
        # everyone who took part, except rows already reported as after death or after transfer).
        final = dict(updates)
        for b in second:
            if b.id in padded:
                continue
            took_part = 0
            for ms in present[b.id]:
                aid, status = existing.get((b.id, ms), (0, AttendanceStatus.PRESENT))
                status = final.get(aid, status)
                status = AttendanceStatus.PRESENT if status == "present_clear" else status
                if status in PARTICIPATED and (b.id, ms) not in gone:
                    took_part += 1
            if took_part > periods.members_on(b.organization_id, b.held_on) > 0:
                padded.add(b.id)
                self.plant("impossible_attendance", b.organization_id, f"overcount:{b.id}",
                           "另一支部的党员同时被记出席，出席人数超过当天党员数")
        Attendance.objects.bulk_create(new_rows, batch_size=1000)
        for aid, status in updates:
            if status == "present_clear":
                Attendance.objects.filter(pk=aid).update(status=AttendanceStatus.PRESENT, feedback="", reason="",
                                                         deliverer="", material="")
            else:
                Attendance.objects.filter(pk=aid).update(status=status, reason="")
        # Some fakes landed on members away/dead/... for other reasons too: keep only one truth per key.

    # -- elections --------------------------------------------------------------------------------
    def elections(self):
        rng = self.rng
        sub = self.root.path
        rows = list(Election.objects.filter(in_subtree(sub, "organization"), held_on__year=YEAR)
                    .select_related("opened_term").order_by("id"))
        rows = [e for e in rows if getattr(e, "opened_term", None) is not None]
        rng.shuffle(rows)
        plans = ["too_few", "votes", "before_term", "overlap", "secretary"] * (1 if self.ctx.scale == "county" else 3)
        for e, plan in zip(rows, plans):
            term = e.opened_term
            if plan == "too_few":
                e.seats = e.candidates.count()
                e.save(update_fields=["seats"])
            elif plan == "votes":
                c = e.candidates.order_by("-votes").first()
                if c is None:
                    continue
                c.votes = e.present + rng.randint(1, 5)
                c.save(update_fields=["votes"])
            elif plan == "before_term":
                prev = (CommitteeTerm.objects.filter(organization=e.organization, start_on__lt=term.start_on)
                        .exclude(pk=term.pk).order_by("-start_on").first())
                if prev is None:
                    continue
                prev.start_on = e.held_on + dt.timedelta(days=rng.randint(10, 200))
                prev.save(update_fields=["start_on"])
            elif plan == "overlap":
                prev = (CommitteeTerm.objects.filter(organization=e.organization, start_on__lt=term.start_on)
                        .exclude(pk=term.pk).order_by("-start_on").first())
                if prev is None:
                    continue
                prev.ended_on = term.start_on + dt.timedelta(days=rng.randint(30, 300))
                prev.save(update_fields=["ended_on"])
                self.plant("election_contradiction", e.organization_id, f"terms:{prev.id}:{term.id}", "任期重叠")
                continue
            elif plan == "secretary":
                post = CommitteePost.objects.filter(term=term, post=Post.SECRETARY).first()
                if post is None:
                    continue
                Membership.objects.filter(pk=post.membership_id).update(
                    full_on=e.held_on + dt.timedelta(days=rng.randint(10, 120)), status=MembershipStatus.FULL)
            self.plant("election_contradiction", e.organization_id, f"election:{e.id}", plan)

    # -- photos -----------------------------------------------------------------------------------
    def photos(self):
        rng = self.rng
        pool = [m for m in self.meetings if m.kind.code in ("theme_day", "group_meeting")]
        chosen = rng.sample(pool, min(len(pool), self.count(40)))
        n_groups = self.count(8)
        originals = []
        for i, m in enumerate(chosen):
            img = _picture(rng)
            att = MeetingAttachment(meeting=m, kind="image", caption="活动现场")
            data = _jpeg(img)
            att.size = len(data)
            att.file.save(f"audit-demo-{m.pk}-{i}.jpg", ContentFile(data), save=False)
            att.save()
            originals.append((att, img, m))
        others = [m for m in pool if m not in chosen]
        for att, img, m in originals[:n_groups]:
            for j in range(rng.randint(1, 2)):
                target = rng.choice(others)
                data = _jpeg(img, quality=rng.randint(45, 75), scale=rng.choice([0.5, 0.66, 0.8, 1.25]))
                copy = MeetingAttachment(meeting=target, kind="image", caption="活动现场", size=len(data))
                copy.file.save(f"audit-demo-{target.pk}-copy{j}.jpg", ContentFile(data), save=False)
                copy.save()
            self.plant("photo_reuse", m.organization_id, f"photos:{att.pk}", "同一照片用于多次活动")


    # -- ratings ----------------------------------------------------------------------------------
    def ratings(self):
        """Full marks given by a reviewer where the branch's own records give half or less (评星与事实不符)."""
        from changqing.evaluation.models import ItemScore, ItemSource
        from changqing.evaluation.services import _refresh_total

        rng = self.rng
        scores = list(ItemScore.objects.filter(in_subtree(self.root.path, "assessment__organization"),
                                               assessment__year=YEAR, computed_score__isnull=False,
                                               reviewer_score__isnull=True)
                      .filter(Q(item__source=ItemSource.DATA)
                              | (Q(item__source=ItemSource.MANUAL) & ~Q(item__related_metric="")))
                      .select_related("item", "assessment").order_by("id"))
        low = [s for s in scores if s.item.weight and s.computed_score <= s.item.weight * Decimal("0.5")]
        rng.shuffle(low)
        done: set[int] = set()
        for sc in low:
            if len(done) >= self.count(5):
                break
            if sc.assessment_id in done:
                continue
            done.add(sc.assessment_id)
            ItemScore.objects.filter(pk=sc.pk).update(
                reviewer_score=sc.item.weight, final_score=sc.item.weight, reviewer_name="考核组",
                reason=rng.choice(["该支部工作扎实，按要求开展", "经查阅资料，各项活动正常开展", "支部汇报全部完成"]),
                reviewed_at=_aware(dt.date(YEAR + 1, 1, 10), rng))
            _refresh_total(sc.assessment)
            self.plant("rating_contradiction", sc.assessment.organization_id,
                       f"rating:{sc.assessment_id}:{sc.item.code}", "评分人给满分，记录显示不到一半")


def record_entry_times(root, seed: int):
    """Care visits and study records are bulk-created by their demos, so their 录入时间 is the day the demo
    was loaded: every one would look back-filled. Give them the rhythm of honest entry (a few days after,
    the odd one two or three weeks) with their own generator, so the other plants are unchanged."""
    import random

    from changqing.care.models import Visit
    from changqing.life.models import StudyRecord

    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    for model, day_field, lookup in ((Visit, "visited_on", "retiree__organization"),
                                     (StudyRecord, "studied_on", "organization")):
        rows = list(model.objects.filter(in_subtree(root.path, lookup)).order_by("id").values_list("id", day_field))
        objs = []
        for pk, day in rows:
            lag = rng.randint(0, 4) if rng.random() < 0.85 else rng.randint(5, 20)
            objs.append(model(pk=pk, created_at=timezone.make_aware(
                dt.datetime.combine(day + dt.timedelta(days=lag), dt.time(rng.randint(8, 20), rng.randint(0, 59))),
                tz)))
        model.objects.bulk_update(objs, ["created_at"], batch_size=2000)


def extend(ctx):
    if ctx.scale == "province":
        return
    if PlantedFake.objects.filter(in_subtree(ctx.root.path, "organization")).exists():
        return
    p = _Planter(ctx)
    if not p.meetings:
        return
    with transaction.atomic():
        p.record_life_rush()
        p.repair_same_hour()
        p.minutes()
        p.backfill()
        p.rush()
        p.attendance()
        p.elections()
        p.photos()
        p.ratings()
        record_entry_times(ctx.root, ctx.rng.randint(0, 10 ** 6))
        PlantedFake.objects.bulk_create(p.planted, ignore_conflicts=True)
    # The audit itself, so the findings pages have something to review.
    from .services import findings_store, run_integrity_audit

    for year in (YEAR - 1, YEAR):
        findings_store(hits=run_integrity_audit(root=ctx.root, year=year), year=year)
    counts = defaultdict(int)
    for f in p.planted:
        counts[f.kind] += 1
    ctx.progress("诚信审计：埋设已知问题 " + "，".join(f"{k} {n}" for k, n in sorted(counts.items())))
