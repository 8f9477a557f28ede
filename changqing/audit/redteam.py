"""Red team: a second, independent generator of fakes, written in another hand than `audit.demo`.

It plants each kind of fake in the styles a person would actually use, plus honest look-alikes, straight into
the database of an already loaded demo (tests run it inside their transaction, `make bench` on its copy).
It knows only the domain (DOMAIN.md: a back-fill is entered more than a month late, the county's yearly
assessment is on 20 December, a voter has one vote per seat) — never the detectors' thresholds: it must not
import `audit.conf`, `audit.engine` or `audit.demo` (tests/test_redteam enforces this by parsing the imports).

`plant(root, year, seed)` returns a `RedTeamSet`: the planted truth as (kind, key) with its style, in the keys
the audit gives its findings, and the honest look-alikes it wrote (which must not be reported).
"""
from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from changqing.care.models import Visit
from changqing.core.tree import in_subtree
from changqing.life.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingAttachment,
    MeetingState,
    StudyMode,
    StudyRecord,
)
from changqing.orgs.models import Election, ElectionCandidate as Candidate

from .models import PlantedFake

ASSESSMENT = (12, 20)  # the county's yearly assessment (考核) day: a domain fact, not a detector setting
MONTH = 30  # "entered more than a month after it happened" is a back-fill (DOMAIN.md §9)


@dataclass
class RedPlant:
    kind: str
    key: str
    style: str


@dataclass
class RedTeamSet:
    plants: list[RedPlant] = field(default_factory=list)
    honest: list[str] = field(default_factory=list)

    def truth(self) -> set[tuple[str, str]]:
        return {(p.kind, p.key) for p in self.plants}

    def styles(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for p in self.plants:
            out[p.kind].add(p.style)
        return out


# ---- a different hand's vocabulary --------------------------------------------------------------------

FAMILY = "欧阳司马上官诸葛东方皇甫尉迟公孙慕容长孙宇文"
SINGLE = "钱褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳"
NAMES2 = ["淑华", "卫东", "援朝", "胜利", "桂芳", "春燕", "解放", "红旗", "玉梅", "振国", "凤英", "立新", "向阳",
          "爱民", "秀兰", "跃进", "保国", "兰芝", "树林", "宝珍"]
PLACES = ["社区党群服务中心二楼", "老干部活动室", "街道文化站会议室", "小区凉亭", "离退休党支部活动室",
          "村委会议室", "图书馆报告厅", "老年大学教室"]
TOPICS = [
    ("老旧小区改造", ["楼道灯更换", "雨水管疏通", "外墙保温", "停车位划线", "绿化补种"]),
    ("退休党员冬季健康", ["流感疫苗接种", "防跌倒提醒", "慢病用药登记", "家庭医生签约", "取暖安全检查"]),
    ("红色故事宣讲", ["抗美援朝亲历", "三线建设回忆", "知青岁月", "铁路建设往事", "边疆行医经历"]),
    ("社区议事", ["快递柜选址", "广场舞音量", "电动车充电", "宠物管理公约", "垃圾房改造"]),
    ("关爱空巢老人", ["结对认领", "每周电话问候", "助餐点登记", "紧急呼叫器安装", "代购生活用品"]),
    ("学习新修订党章", ["党员义务", "组织生活制度", "民主评议", "发展党员程序", "党费使用"]),
]
REMARKS = ["这件事拖了两年，这回必须有个说法", "建议先摸一摸底，把台账理清楚", "要请物业一起来开个碰头会",
           "他举了自己在厂里当车间主任时的例子", "说到动情处几位老同志都红了眼眶", "大家七嘴八舌出了不少主意",
           "提议让年轻一点的党员牵头跑腿", "希望支委会下次给个进度", "说钱的事要公开，账目贴在公告栏",
           "会后要把意见整理成书面材料报社区"]


def _name(rng) -> str:
    if rng.random() < 0.15:
        i = rng.randrange(len(FAMILY) // 2)
        return FAMILY[2 * i:2 * i + 2] + rng.choice(NAMES2)
    return rng.choice(SINGLE) + rng.choice(NAMES2)


def red_minutes(rng, day: dt.date, place: str, lines: int = 7) -> str:
    """Minutes in the red team's own voice: names, a date, a place and head counts throughout."""
    topic, items = rng.choice(TOPICS)
    out = [f"{day.year}年{day.month}月{day.day}日上午，支部在{place}召开会议，应到{rng.randint(9, 30)}人，"
           f"实到{rng.randint(7, 25)}人，议题是{topic}"]
    for _ in range(lines):
        out.append(f"{_name(rng)}就{rng.choice(items)}发言，{rng.choice(REMARKS)}，"
                   f"涉及{rng.randint(3, 60)}户、约{rng.randint(2, 40)}位老人")
    out.append(f"会议商定由{_name(rng)}负责，{rng.randint(1, 12)}月底前把{rng.choice(items)}的方案拿出来")
    return "。\n".join(out) + "。"


def disguise(rng, text: str, day: dt.date, place: str) -> str:
    """A copy made to look different: every name, date, place and number swapped, a line dropped, two swapped."""
    import re

    lines = text.split("\n")
    if len(lines) > 5:
        lines.pop(rng.randrange(2, len(lines) - 1))
        i = rng.randrange(1, len(lines) - 2)
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    text = "\n".join(lines)
    text = re.sub(r"\d{4}年\d{1,2}月\d{1,2}日", f"{day.year}年{day.month}月{day.day}日", text)
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), text)
    for p in PLACES:
        text = text.replace(p, place)
    names = set(re.findall("(?:" + "|".join(FAMILY[i:i + 2] for i in range(0, len(FAMILY), 2)) + "|["
                           + SINGLE + "])(?:" + "|".join(NAMES2) + ")", text))
    for n in names:
        text = text.replace(n, _name(rng))
    return text


# ---- pictures in another hand: gradients, stripes and lettering, not the demo's blobs -----------------

def red_picture(rng, size=(640, 480), room=None):
    from PIL import Image, ImageDraw

    w, h = size
    base = room or (rng.randint(30, 200), rng.randint(30, 200), rng.randint(30, 200))
    img = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(img)
    for y in range(0, h, 4):  # a wall with a vertical gradient
        shade = tuple(max(0, min(255, c + (y * 60) // h - 30)) for c in base)
        draw.rectangle((0, y, w, y + 3), fill=shade)
    draw.rectangle((int(w * .1), int(h * .1), int(w * .9), int(h * .3)), fill=(180, 20, 30))  # the banner
    for _ in range(rng.randint(8, 14)):  # people: heads and bodies, in varying places
        x, y = rng.randint(20, w - 80), rng.randint(int(h * .35), h - 120)
        draw.ellipse((x, y, x + 40, y + 40), fill=(230, 200, 170))
        draw.rectangle((x - 8, y + 40, x + 48, y + 120), fill=tuple(rng.randint(0, 255) for _ in range(3)))
    for _ in range(rng.randint(3, 6)):  # chairs and tables
        x = rng.randint(0, w - 120)
        draw.rectangle((x, h - 60, x + rng.randint(60, 160), h - 40), fill=(90, 60, 30))
    return img


def as_screenshot(img, rng):
    """What a phone screenshot of the photo looks like: black bars above and below, a status bar on top."""
    from PIL import Image, ImageDraw

    w = 720
    scaled = img.resize((w, int(img.height * w / img.width)))
    h = int(w * rng.choice([2.0, 2.16, 1.78]))
    shot = Image.new("RGB", (w, h), (0, 0, 0) if rng.random() < .7 else (250, 250, 250))
    top = (h - scaled.height) // 2 + rng.randint(-40, 40)
    shot.paste(scaled, (0, top))
    draw = ImageDraw.Draw(shot)
    draw.rectangle((0, 0, w, 48), fill=(20, 20, 20))
    draw.text((20, 14), f"{rng.randint(8, 21)}:{rng.randint(10, 59)}", fill=(255, 255, 255))
    for k in range(4):
        draw.rectangle((w - 150 + 30 * k, 16, w - 130 + 30 * k, 34), fill=(255, 255, 255))
    return shot


def cropped(img, rng, share: float):
    """Cut `share` of the width and height off, from sides chosen at random."""
    w, h = img.size
    dx, dy = int(w * share), int(h * share)
    left = rng.randint(0, dx)
    top = rng.randint(0, dy)
    return img.crop((left, top, w - (dx - left), h - (dy - top)))


def jpeg(img, quality=85) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


# ---- the planter -------------------------------------------------------------------------------------

class _RedTeam:
    def __init__(self, root, year: int, seed: int):
        self.root, self.year, self.rng = root, year, random.Random(seed)
        self.out = RedTeamSet()
        self.deadline = dt.date(year, *ASSESSMENT)
        self.tz = timezone.get_current_timezone()
        # The other generator's plants: records it used are left alone, so each truth stays one generator's.
        used = defaultdict(set)
        for kind, key in PlantedFake.objects.filter(in_subtree(root.path, "organization")).values_list("kind", "key"):
            used[kind].add(key)
            if key.startswith("rush:"):
                used["org"].add(int(key.split(":")[1]))
        self.used = used
        self.meetings = list(Meeting.objects.filter(in_subtree(root.path, "organization"), state=MeetingState.HELD,
                                                    held_on__year=year).order_by("id"))
        self.by_org: dict[int, list[Meeting]] = defaultdict(list)
        for m in self.meetings:
            self.by_org[m.organization_id].append(m)
        self.taken_orgs: set[int] = set(used["org"])
        self.taken_meetings: set[int] = {int(k.split(":")[1]) for k in used["backfill"]}

    def plant(self, kind, key, style):
        self.out.plants.append(RedPlant(kind, key, style))

    def at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour or self.rng.randint(8, 21),
                                                                    self.rng.randint(0, 59))), self.tz)

    def pick_orgs(self, n: int, min_meetings: int) -> list[int]:
        orgs = sorted(o for o, ms in self.by_org.items() if len(ms) >= min_meetings and o not in self.taken_orgs)
        chosen = self.rng.sample(orgs, min(n, len(orgs)))
        self.taken_orgs.update(chosen)
        return chosen

    def enter(self, records, days, style):
        """Set the entry time of records (meetings, visits or study records) and plant each back-fill."""
        kind_of = {Meeting: "meeting", Visit: "visit", StudyRecord: "study"}
        for rec, day in zip(records, days):
            rec.created_at = self.at(day)
            happened = getattr(rec, "held_on", None) or getattr(rec, "visited_on", None) or rec.studied_on
            if (day - happened).days > MONTH:
                self.plant("backfill", f"{kind_of[type(rec)]}:{rec.pk}", style)
            type(rec).objects.filter(pk=rec.pk).update(created_at=rec.created_at)

    # -- rush ----------------------------------------------------------------------------------------
    def rush(self):
        rng, deadline = self.rng, self.deadline
        key = lambda org: f"rush:{org}:{deadline.isoformat()}"  # noqa: E731
        orgs = self.pick_orgs(6, 12)
        if len(orgs) < 6:
            return
        late, spread, inside, visits, mixed, calm_late = orgs
        # 1. A branch that always enters a few weeks late, then enters eight months in one sitting.
        ms = sorted(self.by_org[late], key=lambda m: m.held_on)
        sitting = deadline - dt.timedelta(days=rng.randint(5, 25))
        months = [m for m in ms if m.held_on.month <= 8][:rng.randint(10, 14)]
        usual = [m for m in ms if m not in months]
        self.enter(usual, [min(m.held_on + dt.timedelta(days=rng.randint(8, 24)), deadline + dt.timedelta(days=20))
                           for m in usual], "习惯晚录")
        self.enter(months, [sitting] * len(months), "习惯晚录的支部一次补录八个月")
        self.plant("rush", key(late), "习惯晚录的支部一次补录八个月")
        # 2. Spread over three or four sittings in the last weeks.
        ms = sorted(self.by_org[spread], key=lambda m: m.held_on)
        chosen = [m for m in ms if m.held_on.month <= 9][:rng.randint(9, 13)]
        sittings = sorted(deadline - dt.timedelta(days=rng.randint(2, 35)) for _ in range(rng.randint(3, 4)))
        self.enter(chosen, [sittings[i % len(sittings)] for i in range(len(chosen))], "分几次补录")
        self.plant("rush", key(spread), "分几次补录")
        # 3. In the assessment window itself: back to March, including meetings held in the window.
        ms = sorted(self.by_org[inside], key=lambda m: m.held_on)
        chosen = [m for m in ms if 3 <= m.held_on.month and m.held_on < deadline - dt.timedelta(days=3)][-12:]
        self.enter(chosen, [deadline - dt.timedelta(days=rng.randint(0, 2)) for _ in chosen], "考核前几天集中录入")
        self.plant("rush", key(inside), "考核前几天集中录入")
        # 4. Care visits and home deliveries rushed: a year of visits written up in one sitting.
        retirees = list(Visit.objects.filter(retiree__organization_id=visits).values_list("retiree_id", flat=True)
                        .distinct()[:20]) or list(
            StudyRecord.objects.filter(organization_id=visits).values_list("membership__retiree_id", flat=True)[:20])
        new = []
        for i in range(rng.randint(10, 14)):
            if not retirees:
                break
            new.append(Visit(retiree_id=rng.choice(retirees), kind="routine", visitors=_name(rng),
                             visited_on=dt.date(self.year, 1 + i % 9, rng.randint(1, 27)), notes="走访了解近况"))
        # distinct (retiree, day, visitor): the visit constraint
        seen, rows = set(), []
        for v in new:
            if (v.retiree_id, v.visited_on, v.visitors) not in seen:
                seen.add((v.retiree_id, v.visited_on, v.visitors))
                rows.append(v)
        Visit.objects.bulk_create(rows)
        sitting = deadline - dt.timedelta(days=rng.randint(3, 20))
        self.enter(rows, [sitting] * len(rows), "走访记录突击补录")
        self.plant("rush", key(visits), "走访记录突击补录")
        # 5. Meetings and study records (送学上门) together over two sittings.
        ms = sorted(self.by_org[mixed], key=lambda m: m.held_on)[:6]
        studies = list(StudyRecord.objects.filter(organization_id=mixed, studied_on__year=self.year,
                                                  studied_on__month__lte=8).order_by("id")[:6])
        days = [deadline - dt.timedelta(days=rng.choice([4, 11])) for _ in ms + studies]
        self.enter(ms, days[:len(ms)], "会议与送学上门一起补录")
        self.enter(studies, days[len(ms):], "会议与送学上门一起补录")
        self.plant("rush", key(mixed), "会议与送学上门一起补录")
        # Honest: a branch that is always two or three weeks late, in the window as all year.
        ms = self.by_org[calm_late]
        self.enter(ms, [m.held_on + dt.timedelta(days=rng.randint(10, 24)) for m in ms], "honest")
        self.out.honest.append(f"支部{calm_late}全年一贯晚两三周录入（含考核前）")

    # -- back-fills of visits, study records and home deliveries ---------------------------------------
    def backfill(self):
        rng = self.rng
        sub = self.root.path
        visits = list(Visit.objects.filter(in_subtree(sub, "retiree__organization"), visited_on__year=self.year,
                                           visited_on__month__lte=9)
                      .exclude(retiree__organization_id__in=self.taken_orgs).order_by("id"))
        for v in rng.sample(visits, min(5, len(visits))):
            self.enter([v], [v.visited_on + dt.timedelta(days=rng.randint(40, 150))], "走访事后补录")
        for mode, style in ((StudyMode.HOME_DELIVERY, "送学上门事后补录"), (StudyMode.SELF, "学习纪实事后补录")):
            rows = list(StudyRecord.objects.filter(in_subtree(sub, "organization"), studied_on__year=self.year,
                                                   studied_on__month__lte=9, mode=mode)
                        .exclude(organization_id__in=self.taken_orgs).order_by("id"))
            for s in rng.sample(rows, min(4, len(rows))):
                self.enter([s], [s.studied_on + dt.timedelta(days=rng.randint(35, 200))], style)
        # Honest: entered a few days late.
        for v in rng.sample(visits, min(3, len(visits))):
            if not any(p.key == f"visit:{v.pk}" for p in self.out.plants):
                self.enter([v], [v.visited_on + dt.timedelta(days=rng.randint(3, 9))], "honest")
                self.out.honest.append(f"走访{v.pk}晚几天录入")

    # -- copied minutes --------------------------------------------------------------------------------
    def minutes(self):
        rng = self.rng
        free = [m for m in self.meetings if m.organization_id not in self.taken_orgs]
        rng.shuffle(free)
        pairs = []
        # 1. Names, dates, places and numbers changed in a copy from another branch.
        for _ in range(4):
            a, b = free.pop(), free.pop()
            if a.organization_id == b.organization_id:
                continue
            a.minutes = red_minutes(rng, a.held_on, a.place or rng.choice(PLACES), rng.randint(6, 9))
            b.minutes = disguise(rng, a.minutes, b.held_on, rng.choice(PLACES))
            pairs.append((a, b, "换了人名日期地点人数"))
        # 2. A short text mostly of the stock phrases many branches use.
        stock = self.stock_lines()
        for _ in range(4):
            a, b = free.pop(), free.pop()
            own = [f"{_name(rng)}谈到{rng.choice(rng.choice(TOPICS)[1])}，{rng.choice(REMARKS)}",
                   f"{_name(rng)}建议{rng.choice(rng.choice(TOPICS)[1])}，{rng.choice(REMARKS)}"]
            a.minutes = "。\n".join(rng.sample(stock, min(4, len(stock))) + own) + "。"
            b.minutes = a.minutes
            pairs.append((a, b, "短文本套话多"))
        # 3. A branch reusing its own minutes of last year.
        last_year = defaultdict(list)
        for m in Meeting.objects.filter(in_subtree(self.root.path, "organization"), state=MeetingState.HELD,
                                        held_on__year=self.year - 1).order_by("id")[:3000]:
            last_year[m.organization_id].append(m)
        done = 0
        for b in list(free):
            if done >= 4:
                break
            if not last_year.get(b.organization_id):
                continue
            a = rng.choice(last_year[b.organization_id])
            free.remove(b)
            a.minutes = red_minutes(rng, a.held_on, a.place or rng.choice(PLACES), 7)
            b.minutes = a.minutes.replace(f"{a.held_on.year}年{a.held_on.month}月{a.held_on.day}日",
                                          f"{b.held_on.year}年{b.held_on.month}月{b.held_on.day}日")
            pairs.append((a, b, "照搬本支部去年的记录"))
            done += 1
        # 4. Copied, then lines reordered and one of the copier's own added.
        for _ in range(3):
            a, b = free.pop(), free.pop()
            a.minutes = red_minutes(rng, a.held_on, a.place or rng.choice(PLACES), 8)
            lines = a.minutes.split("\n")
            head, body = lines[0], lines[1:]
            rng.shuffle(body)
            body.insert(2, f"{_name(rng)}补充说明了{rng.choice(rng.choice(TOPICS)[1])}的情况。")
            b.minutes = "\n".join([head] + body)
            pairs.append((a, b, "打乱顺序再加一行"))
        # Honest: two branches sharing one standard agenda line, the rest their own.
        for _ in range(3):
            a, b = free.pop(), free.pop()
            agenda = "按照街道党工委统一部署，传达学习上级关于开展冬季送温暖活动的通知精神"
            a.minutes = agenda + "。\n" + red_minutes(rng, a.held_on, a.place or PLACES[0], 7)
            b.minutes = agenda + "。\n" + red_minutes(rng, b.held_on, b.place or PLACES[1], 7)
            Meeting.objects.filter(pk__in=[a.pk, b.pk]).update(minutes=a.minutes)
            Meeting.objects.filter(pk=b.pk).update(minutes=b.minutes)
            self.out.honest.append(f"会议{a.pk}与{b.pk}共用一句统一议程")
        for a, b, style in pairs:
            Meeting.objects.filter(pk=a.pk).update(minutes=a.minutes)
            Meeting.objects.filter(pk=b.pk).update(minutes=b.minutes)
            x, y = sorted((a.pk, b.pk))
            self.plant("copied_minutes", f"minutes:{x}:{y}", style)

    def stock_lines(self) -> list[str]:
        """The lines the most branches' minutes share, read from the data (a copier's ready-made phrases)."""
        seen: dict[str, set[int]] = defaultdict(set)
        for org, text in (Meeting.objects.filter(in_subtree(self.root.path, "organization"),
                                                 held_on__year=self.year).exclude(minutes="")
                          .values_list("organization_id", "minutes")[:4000]):
            for ln in text.replace("。", "\n").split("\n"):
                if ln.strip():
                    seen[ln.strip()].add(org)
        return [ln for ln, _ in sorted(seen.items(), key=lambda kv: -len(kv[1]))[:8]]

    # -- simultaneous attendance inside one branch ------------------------------------------------------
    def simultaneous(self):
        rng = self.rng
        present = defaultdict(list)
        ids = [m.pk for m in self.meetings]
        for mid, ms in Attendance.objects.filter(meeting_id__in=ids, status=AttendanceStatus.PRESENT).values_list(
                "meeting_id", "membership_id"):
            present[mid].append(ms)
        from changqing.life.models import MeetingKind

        kinds = list(MeetingKind.objects.values_list("id", flat=True))
        cands = [m for m in self.meetings if len(present[m.pk]) >= 4 and m.start_time
                 and m.organization_id not in self.taken_orgs and 3 <= m.held_on.month <= 10]
        rng.shuffle(cands)
        new_att = []
        for n, a in enumerate(cands[:6]):
            self.taken_orgs.add(a.organization_id)
            later = (dt.datetime.combine(a.held_on, a.start_time) + dt.timedelta(minutes=[0, 30, 60, 0, 45, 0][n])).time()
            place = next(p for p in PLACES if p != a.place)
            honest = n >= 4
            if honest:  # a joint sitting in the same room, or the afternoon in another place
                place = a.place if n == 4 else place
                later = a.start_time if n == 4 else dt.time(max(a.start_time.hour + 5, 15), 0)
            other_kind = next(k for k in kinds if not Meeting.objects.filter(
                organization_id=a.organization_id, held_on=a.held_on, kind_id=k).exists())
            b = Meeting.objects.create(organization_id=a.organization_id, kind_id=other_kind, held_on=a.held_on,
                                       start_time=later, place=place, topic="支部委员会", state=MeetingState.HELD,
                                       created_at=self.at(a.held_on + dt.timedelta(days=1)), created_by_name="支部书记")
            both = rng.sample(present[a.pk], rng.randint(1, 3))
            for ms in both:
                new_att.append(Attendance(meeting=b, membership_id=ms, status=AttendanceStatus.PRESENT))
                if not honest:
                    x, y = sorted((a.pk, b.pk))
                    self.plant("impossible_attendance", f"simultaneous:{x}:{y}:{ms}", "同一支部同一时间两处开会")
            if honest:
                self.out.honest.append(f"支部{a.organization_id}同日两会（{'同一地点连开' if n == 4 else '上下午'}）")
        Attendance.objects.bulk_create(new_att)
        # Honest: a member present the day before he died.
        from changqing.members.models import Membership

        dead = list(Membership.objects.filter(in_subtree(self.root.path, "organization"),
                                              retiree__deceased_on__year=self.year,
                                              retiree__mobility_impaired=False)  # the death rule, not mobility
                    .values_list("id", "organization_id", "retiree__deceased_on")[:20])
        for ms, org, died in dead[:3]:
            day = died - dt.timedelta(days=1)
            kind = next((k for k in kinds if not Meeting.objects.filter(organization_id=org, held_on=day,
                                                                        kind_id=k).exists()), None)
            if kind is None:
                continue
            m = Meeting.objects.create(organization_id=org, kind_id=kind,
                                       held_on=died - dt.timedelta(days=1), start_time=dt.time(9), place=PLACES[2],
                                       topic="支部学习", state=MeetingState.HELD,
                                       created_at=self.at(died), created_by_name="支部书记")
            Attendance.objects.create(meeting=m, membership_id=ms, status=AttendanceStatus.PRESENT)
            self.out.honest.append(f"党员{ms}去世前一天出席")

    # -- ballot totals ----------------------------------------------------------------------------------
    def ballots(self):
        rng = self.rng
        planted = {int(k.split(":")[1]) for k in self.used["election_contradiction"] if k.startswith("election:")}
        elections = list(Election.objects.filter(in_subtree(self.root.path, "organization"),
                                                 held_on__year=self.year).exclude(pk__in=planted).order_by("id"))
        rng.shuffle(elections)
        done = 0
        for e in elections:
            cands = list(Candidate.objects.filter(election=e).order_by("id"))
            if len(cands) < 2 or e.present < 3:
                continue
            cap = e.present * e.seats
            if done < 4:
                # Each candidate's votes look possible (≤ present), the total does not: more ballots than voters.
                per = [rng.randint(max(1, e.present - 2), e.present) for _ in cands]
                if sum(per) <= cap:
                    per = [e.present] * len(cands)
                if sum(per) <= cap:
                    continue
                style = "每人票数不超过到会人数，总票数超过" if done % 2 else "全部候选人都接近满票"
                self.plant("election_contradiction", f"election:{e.pk}", style)
            elif done < 6:
                per = [0] * len(cands)  # honest: exactly present × seats, every ballot full
                left = cap
                for i in range(len(cands)):
                    per[i] = min(e.present, left)
                    left -= per[i]
                self.out.honest.append(f"选举{e.pk}总票数恰为到会人数×应选名额")
            else:
                break
            for c, v in zip(cands, per):
                Candidate.objects.filter(pk=c.pk).update(votes=v)
            done += 1

    # -- reused photos ----------------------------------------------------------------------------------
    def photos(self):
        rng = self.rng
        pool = [m for m in self.meetings if m.organization_id not in self.taken_orgs]
        rng.shuffle(pool)

        def attach(m, data: bytes, tag: str):
            att = MeetingAttachment(meeting=m, kind="image", caption="活动照片", size=len(data))
            att.file.save(f"redteam-{m.pk}-{tag}.jpg", ContentFile(data), save=False)
            att.save()
            return att

        styles = [("手机截屏（上下黑边和状态栏）", lambda img: as_screenshot(img, rng)),
                  ("裁掉5%", lambda img: cropped(img, rng, .05)),
                  ("裁掉10%", lambda img: cropped(img, rng, .10)),
                  ("裁掉15%", lambda img: cropped(img, rng, .15)),
                  ("重新压缩", lambda img: img),
                  ("缩小", lambda img: img.resize((img.width // 2, img.height // 2))),
                  ("截屏后再裁", lambda img: cropped(as_screenshot(img, rng), rng, .06))]
        for n, (style, make) in enumerate(styles * 2):
            a, b = pool.pop(), pool.pop()
            img = red_picture(rng)
            orig = attach(a, jpeg(img, 88), f"o{n}")
            copy = make(img)
            attach(b, jpeg(copy, rng.choice([35, 55, 70]) if style == "重新压缩" else 80), f"c{n}")
            self.plant("photo_reuse", f"photos:{orig.pk}", style)
        # Honest: two photos of the same room (same wall and banner, different people and chairs).
        for n in range(4):
            a, b = pool.pop(), pool.pop()
            room = (rng.randint(60, 180), rng.randint(60, 180), rng.randint(60, 180))
            attach(a, jpeg(red_picture(rng, room=room)), f"room{n}a")
            attach(b, jpeg(red_picture(rng, room=room)), f"room{n}b")
            self.out.honest.append(f"会议{a.pk}与{b.pk}在同一会议室拍的两张照片")


def plant(root, year: int = 2025, seed: int = 424242) -> RedTeamSet:
    """Plant every kind in several styles, with honest look-alikes, under `root` for `year`."""
    team = _RedTeam(root, year, seed)
    team.rush()
    team.backfill()
    team.minutes()
    team.simultaneous()
    team.ballots()
    team.photos()
    return team.out
