"""Per detector, a fake in the styles the red team uses and an honest look-alike (pure Python, no database)."""
import datetime as dt
import io
import random

from PIL import Image

from changqing.audit import engine, redteam
from changqing.audit.engine import AttendanceRow, AuditData, ElectionRow, MeetingRow, PhotoRow, RecordRow

D = dt.date
CFG = dict(engine.DEFAULTS)
YEAR = (D(2025, 1, 1), D(2025, 12, 31))


def m(i, org=1, held=D(2025, 3, 1), entered=None, **kw):
    return MeetingRow(i, org, held, entered or held, **kw)


def test_rush_of_a_habitually_late_branch_is_judged_by_its_own_habit():
    # Branch 1 always enters two to three weeks late, then enters eight months in one sitting.
    usual = [m(i, 1, D(2025, 1 + i % 11, 3), D(2025, 1 + i % 11, 3) + dt.timedelta(days=14 + i % 8))
             for i in range(30)]
    rushed = [m(100 + i, 1, D(2025, 1 + i % 8, 12), D(2025, 12, 2)) for i in range(10)]
    # Branch 2 is just as late all year, the window included: its habit, not a rush.
    calm = [m(200 + i, 2, D(2025, 1 + i % 12, 3), D(2025, 1 + i % 12, 3) + dt.timedelta(days=10 + i % 15))
            for i in range(40)]
    hits = engine.detect_rush(AuditData(period=YEAR, meetings=usual + rushed + calm), CFG)
    assert [h.org_id for h in hits] == [1]
    e = hits[0].evidence
    assert e["max_per_sitting"] == 10 and e["reach_back_months"] > 6 and "天内集中补录10条" in e["rule"]


def test_visits_and_study_records_are_back_filled_and_rushed_too():
    visits = [RecordRow("visit", i, 5, D(2025, 1 + i % 9, 4), D(2025, 12, 10)) for i in range(9)]
    study = [RecordRow("study", 50, 6, D(2025, 5, 1), D(2025, 5, 6))]  # a few days late: honest
    data = AuditData(period=YEAR, records=visits + study)
    keys = {h.key for h in engine.detect_backfill(data, CFG)}
    assert keys == {f"visit:{i}" for i in range(9)}
    rush = engine.detect_rush(data, CFG)
    assert [h.org_id for h in rush] == [5] and rush[0].record_ids["visits"] == list(range(9))


def test_simultaneous_attendance_inside_one_branch():
    a = m(1, 1, D(2025, 4, 1), start_time=dt.time(9), place="活动室")
    b = m(2, 1, D(2025, 4, 1), start_time=dt.time(9, 30), place="街道会议室")
    joint = m(3, 1, D(2025, 4, 1), start_time=dt.time(9), place="活动室")  # same room: one sitting
    afternoon = m(4, 1, D(2025, 4, 1), start_time=dt.time(15), place="小区凉亭")
    att = [AttendanceRow(k, 7, 70, "present") for k in (1, 2, 3, 4)]
    hits = engine.detect_simultaneous_attendance(AuditData(period=YEAR, meetings=[a, b, joint, afternoon],
                                                           attendance=att), CFG)
    assert [h.key for h in hits] == ["simultaneous:1:2:7"] and hits[0].evidence["reasons"][0]["same_branch"]
    # A shard checks its own branches only; the pass over the whole subtree then checks across branches only.
    assert not engine.detect_simultaneous_attendance(AuditData(period=YEAR, meetings=[a, b], attendance=att),
                                                     CFG, cross_only=True)


def test_ballot_totals_over_present_times_seats():
    bad = ElectionRow(1, 1, D(2025, 6, 1), seats=3, present=10, candidates=4, max_votes=10, total_votes=34)
    exact = ElectionRow(2, 2, D(2025, 6, 1), seats=3, present=10, candidates=4, max_votes=10, total_votes=30)
    hits = engine.detect_election_contradictions(AuditData(period=YEAR, elections=[bad, exact]), CFG)
    assert [h.key for h in hits] == ["election:1"]
    assert hits[0].evidence["reasons"][0] == {"why": "votes_total_exceed", "total_votes": 34, "present": 10,
                                              "seats": 3, "limit": 30}


def _others(n=8):
    rng = random.Random(5)
    return [m(100 + i, org=100 + i, held=D(2025, 5, 1 + i), minutes=redteam.red_minutes(rng, D(2025, 5, 1 + i),
                                                                                          "活动室"))
            for i in range(n)]


def test_copied_minutes_with_names_dates_places_and_numbers_changed():
    rng = random.Random(1)
    text = redteam.red_minutes(rng, D(2025, 3, 2), "老干部活动室", 8)
    copy = redteam.disguise(rng, text, D(2025, 9, 9), "村委会议室")
    assert copy != text
    data = AuditData(period=YEAR, meetings=[m(1, 1, D(2025, 3, 2), minutes=text),
                                            m(2, 2, D(2025, 9, 9), D(2025, 9, 10), minutes=copy)] + _others())
    hits = engine.detect_copied_minutes(data, CFG)
    assert [h.key for h in hits] == ["minutes:1:2"]
    assert hits[0].evidence["normalised"] and hits[0].evidence["shared_passages"]


def test_a_branch_reusing_its_own_minutes_of_last_year():
    rng = random.Random(2)
    text = redteam.red_minutes(rng, D(2024, 6, 2), "老干部活动室", 7)
    data = AuditData(period=YEAR, meetings=[m(1, 1, D(2024, 6, 2), minutes=text),
                                            m(2, 1, D(2025, 6, 3), minutes=text.replace("2024年6月2日",
                                                                                       "2025年6月3日"))] + _others())
    hits = engine.detect_copied_minutes(data, CFG)
    assert [h.key for h in hits] == ["minutes:1:2"] and hits[0].evidence["cross_year"]
    # Another branch's minutes of last year are not compared (last year's audit did that).
    data.meetings[0].org_id = 9
    assert engine.detect_copied_minutes(data, CFG) == []


def test_a_short_copy_mostly_of_stock_phrases_and_two_branches_sharing_an_agenda_line():
    stock = ["会议由支部书记主持", "会议传达了上级有关文件精神", "与会党员结合实际谈了体会", "会议要求按时交纳党费"]
    rng = random.Random(3)
    filler = [m(200 + i, org=200 + i, held=D(2025, 4, 1 + i), minutes="。".join(stock) + "。"
                + redteam.red_minutes(rng, D(2025, 4, 1 + i), "活动室", 5)) for i in range(8)]
    short = "。".join(stock) + "。钱卫东谈到楼道灯更换，这件事拖了两年。许秀兰建议先摸底，把台账理清楚。"
    agenda = "按照街道党工委统一部署，传达学习上级关于开展冬季送温暖活动的通知精神。"
    honest = [m(300, 300, D(2025, 11, 2), minutes=agenda + redteam.red_minutes(rng, D(2025, 11, 2), "活动室", 7)),
              m(301, 301, D(2025, 11, 3), minutes=agenda + redteam.red_minutes(rng, D(2025, 11, 3), "凉亭", 7))]
    data = AuditData(period=YEAR, meetings=filler + honest + [m(1, 1, minutes=short),
                                                              m(2, 2, entered=D(2025, 3, 4), minutes=short)])
    assert [h.key for h in engine.detect_copied_minutes(data, CFG)] == ["minutes:1:2"]


def test_normalise_replaces_names_dates_places_and_numbers():
    a = engine.normalise("2025年3月2日，支部在社区党群服务中心召开会议，应到12人。钱卫东就停车位划线发言。")
    b = engine.normalise("2025年9月19日，支部在老干部活动室召开会议，应到15人。欧阳援朝就停车位划线发言。")
    assert a == b


def _jpeg(img, quality=80):
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue()))


def test_photos_reused_as_a_screenshot_or_a_crop_but_not_two_photos_of_one_room():
    rng = random.Random(11)
    rows = []
    for n in range(3):
        img = redteam.red_picture(rng)
        copy = [redteam.as_screenshot(img, rng), redteam.cropped(img, rng, .12),
                redteam.cropped(redteam.as_screenshot(img, rng), rng, .06)][n]
        for k, pic in enumerate((img, copy)):
            dh, crops = engine.photo_hashes(_jpeg(pic))
            rows.append(PhotoRow(10 * n + k, 10 * n + k, n, dh, crops))
    room = (120, 130, 140)
    for k in range(2):
        dh, crops = engine.photo_hashes(_jpeg(redteam.red_picture(rng, room=room)))
        rows.append(PhotoRow(100 + k, 100 + k, 9, dh, crops))
    hits = engine.detect_photo_reuse(AuditData(period=YEAR, photos=rows), CFG)
    assert sorted(h.key for h in hits) == ["photos:0", "photos:10", "photos:20"]
    assert "裁剪比对门槛" in hits[0].evidence["rule"]


def test_trim_removes_a_screenshots_bars_and_status_bar():
    rng = random.Random(4)
    img = redteam.red_picture(rng)
    shot = redteam.as_screenshot(img, rng).convert("L")
    left, top, right, bottom = engine.trim_borders(shot)
    assert top > 0.15 * shot.height and bottom < 0.85 * shot.height and (left, right) == (0, shot.width)


def test_the_evidence_page_marks_the_shared_sentences_of_a_disguised_copy_in_both_records():
    from changqing.audit.selectors import highlighted, shared_norms

    rng = random.Random(1)
    text = redteam.red_minutes(rng, D(2025, 3, 2), "老干部活动室", 8)
    copy = redteam.disguise(rng, text, D(2025, 9, 9), "村委会议室")
    data = AuditData(period=YEAR, meetings=[m(1, 1, D(2025, 3, 2), minutes=text),
                                            m(2, 2, D(2025, 9, 9), D(2025, 9, 10), minutes=copy)] + _others())
    (hit,) = engine.detect_copied_minutes(data, CFG)
    shared = shared_norms(hit.evidence)
    for doc in (text, copy):
        assert str(highlighted(doc, shared, True)).count("<mark>") >= 5
