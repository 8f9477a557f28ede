"""Engine unit tests: pure Python, no database."""
import datetime as dt
import io

from PIL import Image, ImageDraw

from changqing.audit import engine
from changqing.audit.engine import (
    AttendanceRow,
    AuditData,
    ElectionRow,
    MeetingRow,
    PhotoRow,
    TermRow,
)

D = dt.date
CFG = dict(engine.DEFAULTS)
YEAR = (D(2025, 1, 1), D(2025, 12, 31))


def meeting(i, org=1, held=D(2025, 3, 1), entered=None, **kw):
    return MeetingRow(i, org, held, entered or held, **kw)


def test_backfill_uses_the_lag_setting():
    data = AuditData(period=YEAR, meetings=[meeting(1, entered=D(2025, 3, 31)), meeting(2, entered=D(2025, 4, 1))])
    assert [h.key for h in engine.detect_backfill(data, CFG)] == ["meeting:2"]
    assert engine.detect_backfill(data, {**CFG, "BACKFILL_LAG_DAYS": 60}) == []


def test_rush_compares_with_the_branch_rhythm():
    window_start = D(2025, 12, 20) - dt.timedelta(days=CFG["RUSH_WINDOW_DAYS"])
    rushed = [meeting(i, org=1, held=D(2025, 1 + i % 9, 5), entered=D(2025, 12, 1)) for i in range(10)]
    calm = [meeting(100 + i, org=2, held=D(2025, 1 + i % 9, 5), entered=D(2025, 1 + i % 9, 6)) for i in range(10)]
    # Branch 3 enters late all year round: ten in the window, as late as ever, are its usual rhythm, not a
    # rush (ten reaching back months in one sitting would be: test_detectors_redteam).
    steady = [meeting(200 + i, org=3, held=D(2025, 1 + i % 11, 1), entered=D(2025, 1 + i % 11, 20))
              for i in range(40)] + [meeting(300 + i, org=3, held=D(2025, 11, 12), entered=D(2025, 12, 1))
                                     for i in range(10)]
    data = AuditData(period=YEAR, meetings=rushed + calm + steady)
    hits = engine.detect_rush(data, CFG)
    assert [h.org_id for h in hits] == [1]
    assert hits[0].evidence["rushed_entries"] == 10 and window_start < D(2025, 12, 1)


BOILER = "会议由支部书记主持。\n应到党员12名，实到10名。\n"


def test_copied_minutes_ignore_boilerplate_and_find_copies():
    body = ("老党员张建国发言，谈到社区垃圾分类推进中的困难，建议组织党员志愿者每周三上午到小区门口值守。"
            "李秀英同志结合自己在医院工作三十年的经历，讲述了为人民服务的体会，大家深受触动。"
            "会议决定下月开展走访慰问困难党员活动，由组织委员负责联系街道。")
    other = ("王德明同志汇报了上半年党费收缴情况，全支部按时足额缴纳。"
             "赵桂兰提出老年大学书法班可以吸收更多党员参加，陶冶情操、发挥余热。"
             "支部讨论了重阳节活动方案，确定到敬老院开展文艺演出。")
    ms = [meeting(1, org=1, minutes=BOILER + body), meeting(2, org=2, minutes=BOILER + body.replace("三十年", "二十八年")),
          meeting(3, org=3, minutes=BOILER + other)]
    ms += [meeting(10 + i, org=10 + i, minutes=BOILER + f"第{i}次会议，讨论了第{i}项工作安排和具体分工，落实到人。")
           for i in range(6)]
    data = AuditData(period=YEAR, meetings=ms)
    hits = engine.detect_copied_minutes(data, CFG)
    assert [h.record_ids["meetings"] for h in hits] == [[1, 2]]
    assert hits[0].score >= 0.6
    assert all("支部书记主持" not in p for p in hits[0].evidence["shared_passages"])


def test_copies_in_two_shards_are_candidates_across_shards_only():
    body = ("老党员张建国发言，谈到社区垃圾分类推进中的困难，建议组织党员志愿者每周三上午到小区门口值守。"
            "李秀英同志结合自己在医院工作三十年的经历，讲述了为人民服务的体会，大家深受触动。")
    filler = [meeting(50 + i, org=50 + i, minutes=BOILER + f"第{i}次会议，讨论了第{i}项工作安排和具体分工，落实到人。"
                                                              f"由第{i}小组负责联系街道第{i}社区。") for i in range(8)]
    big = AuditData(period=YEAR, meetings=[meeting(1, org=1, minutes=BOILER + body)] + filler[:6])
    small = AuditData(period=YEAR, meetings=[meeting(2, org=2, minutes=BOILER + body)] + filler[6:])
    for data in (big, small):
        assert engine.detect_copied_minutes(data, CFG) == []  # nothing to find inside either shard
    # Only the shard of seven branches can tell the standard opening lines are boilerplate; the union of
    # the shards' filters is used for both sides, so the copy in the small shard is compared without them.
    assert any("支部书记主持" in ln for ln in big.minutes_filter.boiler)
    assert not small.minutes_filter.boiler
    filt = engine.MinutesFilter.union([big.minutes_filter, small.minutes_filter], CFG["BOILERPLATE_MIN_BRANCHES"])
    assert filt.boiler == big.minutes_filter.boiler and filt.branches == 10
    parts = [engine.minutes_band_keys(d.meetings, filt, CFG) for d in (big, small)]
    assert parts[0][1].shape == (7, CFG["LSH_BANDS"]) and parts[0][1].dtype.name == "uint64"
    pairs = engine.cross_shard_candidates(parts, CFG["LSH_BANDS"])
    assert (1, 0, 2, 1) in pairs
    assert not any(p[1] == p[3] for p in pairs)  # pairs inside one shard were compared there
    assert engine.cross_shard_candidates(parts[:1], CFG["LSH_BANDS"]) == set()
    sets = [engine.shingles(m.minutes, filt.boiler, CFG["SHINGLE_WORDS"]) - filt.common
            for m in (big.meetings[0], small.meetings[0])]
    hit = engine.copied_pair(big.meetings[0], small.meetings[0], *sets, CFG, filt.boiler)
    assert hit.score == 1.0 and hit.key == "minutes:1:2" and hit.org_id == 2
    assert all("支部书记主持" not in p for p in hit.evidence["shared_passages"])


def test_impossible_attendance_reasons():
    ms = [meeting(1, org=1, held=D(2025, 5, 1), place="活动室", start_time=dt.time(9)),
          meeting(2, org=2, held=D(2025, 5, 1), place="社区", start_time=dt.time(10)),
          meeting(3, org=1, held=D(2025, 6, 1), place="活动室")]
    att = [AttendanceRow(1, 11, 101, "present"), AttendanceRow(2, 11, 101, "present"),  # two places at once
           AttendanceRow(3, 12, 102, "present"),  # dead
           AttendanceRow(3, 13, 103, "present"),  # away
           AttendanceRow(3, 14, 104, "present"),  # immobile, no note
           AttendanceRow(3, 15, 105, "present", "家人陪同到会"),  # immobile with a note: fine
           AttendanceRow(3, 16, 106, "present")]  # transferred out
    data = AuditData(period=YEAR, meetings=ms, attendance=att, deaths={102: D(2025, 5, 20)},
                     absences={103: [(D(2025, 5, 15), None, "海南")]}, mobility_impaired={104, 105},
                     transfers_out={16: [(1, D(2025, 5, 25))]},
                     member_periods={1: [(D(2010, 1, 1), None)] * 2, 2: [(D(2010, 1, 1), None)] * 10})
    hits = engine.detect_impossible_attendance(data, CFG)
    whys = sorted(h.evidence["reasons"][0]["why"] for h in hits)
    assert whys == ["after_death", "after_transfer_out", "away", "immobile_in_person",
                    "more_present_than_members", "two_places"]
    # The dead and the transferred-out are reported as such, not counted again: 3 present of 2 members.
    over = next(h for h in hits if h.key.startswith("overcount"))
    assert over.evidence["reasons"][0]["present"] == 3


def test_one_sitting_of_two_meetings_clashes_once():
    """党员大会 then 党课 in one room at 9:00, while the same member is marked at another branch's meeting."""
    ms = [meeting(1, org=1, held=D(2025, 5, 1), place="活动室", start_time=dt.time(9)),
          meeting(2, org=1, held=D(2025, 5, 1), place="活动室", start_time=dt.time(9)),
          meeting(3, org=2, held=D(2025, 5, 1), place="社区", start_time=dt.time(9))]
    att = [AttendanceRow(mid, 11, 101, "present") for mid in (1, 2, 3)]
    hits = engine.detect_simultaneous_attendance(AuditData(period=YEAR, meetings=ms, attendance=att), CFG)
    assert [h.key for h in hits] == ["simultaneous:1:3:11"]


def test_overcount_uses_the_branch_size_on_the_meeting_date():
    """Six members in spring, two left in May: five present is fine in April, impossible in June."""
    ms = [meeting(1, org=1, held=D(2025, 4, 1), place="活动室"), meeting(2, org=1, held=D(2025, 6, 1), place="活动室"),
          meeting(3, org=1, held=D(2025, 5, 10), place="活动室")]
    att = [AttendanceRow(mid, 10 + i, 100 + i, "present") for mid in (1, 2, 3) for i in range(5)]
    periods = {1: [(D(2010, 1, 1), None)] * 4 + [(D(2010, 1, 1), D(2025, 5, 10))] * 2}
    data = AuditData(period=YEAR, meetings=ms, attendance=att, member_periods=periods)
    assert data.members_on(1, D(2025, 4, 1)) == 6
    assert data.members_on(1, D(2025, 5, 10)) == 6  # the day they left still counts
    assert data.members_on(1, D(2025, 6, 1)) == 4
    assert data.members_on(1, D(2009, 6, 1)) == 0
    hits = engine.detect_impossible_attendance(data, CFG)
    assert [h.key for h in hits] == ["overcount:2"]


def test_election_contradictions():
    elections = [ElectionRow(1, 1, D(2025, 3, 1), seats=5, present=20, candidates=5, max_votes=25),
                 ElectionRow(2, 2, D(2025, 3, 1), seats=5, present=20, candidates=6, max_votes=19)]
    terms = [TermRow(10, 1, D(2025, 4, 1), D(2028, 4, 1), None, None),
             TermRow(11, 1, D(2025, 5, 1), D(2028, 5, 1), None, 1, secretary_membership_id=7)]
    data = AuditData(period=YEAR, elections=elections, terms=terms, full_on={7: D(2025, 6, 1)})
    hits = engine.detect_election_contradictions(data, CFG)
    assert len(hits) == 1 and hits[0].key == "election:1"
    assert {r["why"] for r in hits[0].evidence["reasons"]} == {
        "too_few_candidates", "votes_exceed_present", "before_closed_term_began", "secretary_not_full_member"}


def _picture(seed):
    import random

    rng = random.Random(seed)
    img = Image.new("RGB", (400, 300), (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randint(0, 350), rng.randint(0, 250)
        draw.rectangle((x, y, x + rng.randint(20, 120), y + rng.randint(20, 120)),
                       fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    return img


def _recompress(img, scale, quality):
    buf = io.BytesIO()
    img.resize((int(img.width * scale), int(img.height * scale))).save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue()))


def test_dhash_is_robust_to_resize_and_recompression():
    a = _picture(1)
    assert bin(engine.dhash(a) ^ engine.dhash(_recompress(a, 0.6, 40))).count("1") <= 4
    assert bin(engine.dhash(a) ^ engine.dhash(_picture(2))).count("1") > CFG["PHOTO_HAMMING"]


def test_photo_reuse_groups_copies_across_meetings():
    a, b = _picture(1), _picture(2)
    photos = [PhotoRow(1, 1, 1, engine.dhash(a)), PhotoRow(2, 2, 2, engine.dhash(_recompress(a, 0.5, 50))),
              PhotoRow(3, 3, 3, engine.dhash(b))]
    hits = engine.detect_photo_reuse(AuditData(period=YEAR, photos=photos), CFG)
    assert [h.record_ids["attachments"] for h in hits] == [[1, 2]]


def test_lsh_is_sub_quadratic_in_candidates():
    import random

    rng = random.Random(5)
    sets = [{f"w{rng.randint(0, 10**6)}" for _ in range(30)} for _ in range(400)]
    sig = engine.minhash_signatures(sets, 128)
    assert len(engine.lsh_candidates(sig, 32)) < 400 * 399 / 2 / 100


def _rating(aid, reviewer, data, weight=10, code="meetings"):
    return {"assessment_id": aid, "organization_id": aid * 10, "item_code": code, "item_name": "三会一课",
            "weight": weight, "reviewer_score": reviewer, "data_score": data, "metric": "meetings_held",
            "metric_figures": {"held": 5, "required": 12}, "reviewer": "pingshen", "reason": "按要求开展"}


def test_rating_contradiction_flags_inflated_reviewer_scores_only():
    ratings = [_rating(1, 10, 3),      # full marks where the records give 3 of 10: high
               _rating(2, 8, 3.5),     # 45 points of the weight above the data: medium
               _rating(3, 6, 3),       # 30 points above: a judgement call, not flagged
               _rating(4, 2, 9),       # stricter than the data: not flagged
               _rating(5, 5, 0, weight=0)]  # weightless item: nothing to compare
    hits = engine.detect_rating_contradictions(AuditData(period=YEAR, ratings=ratings), CFG)
    assert [(h.key, h.severity) for h in hits] == [("rating:1:meetings", "high"), ("rating:2:meetings", "medium")]
    e = hits[0].evidence
    assert (e["reviewer_score"], e["data_score"], e["gap"], e["figures"]) == (10.0, 3.0, 0.7, {"held": 5,
                                                                                              "required": 12})
    assert hits[0].record_ids == {"assessments": [1]} and hits[0].org_id == 10


def test_minhash_estimates_jaccard():
    """The share of equal signature slots estimates the Jaccard similarity (a degenerate hash would not)."""
    import random

    rng = random.Random(11)
    for n, keep in ((20, 0.9), (50, 0.7), (80, 0.4)):
        a = {f"a{rng.random()}" for _ in range(n)}
        b = set(list(a)[:int(n * keep)]) | {f"b{rng.random()}" for _ in range(n - int(n * keep))}
        sig = engine.minhash_signatures([a, b], 256)
        assert abs((sig[0] == sig[1]).mean() - engine.jaccard(a, b)) < 0.12
