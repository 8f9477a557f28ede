"""Integrity audit engine (DOMAIN.md §9): pure Python over data loaded in bulk.

Nothing here touches the database. `loader.load_audit_data` fills an
`AuditData` with a handful of bulk queries; `run(data, cfg)` returns a list of
`Hit`s. Every detector is sub-quadratic in the number of records:

* back-fill and rush: one pass over meetings, grouped by branch;
* copied minutes: jieba word shingles → MinHash signatures (numpy) → LSH
  banding into buckets → only candidate pairs in a shared bucket are verified
  with the exact Jaccard similarity;
* impossible attendance: one pass over attendance with dict look-ups;
  simultaneous meetings are found by grouping a member's in-person
  attendance by date;
* elections: grouped by branch, sorted by date;
* photo reuse: 64-bit dHash; the hash is cut into bands, photos sharing a band
  value are candidates (pigeonhole: Hamming distance ≤ bands-1 guarantees a
  shared band), verified by the exact Hamming distance.

* ratings: a reviewer's star-rating item score compared with the score the
  records give for the same item (evaluation.selectors.manual_vs_data).
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

KINDS = ("backfill", "rush", "copied_minutes", "impossible_attendance", "election_contradiction",
         "rating_contradiction", "photo_reuse", "election_timing")
# Kinds the demo plants no fakes for (not measured by precision/recall): election_timing reports a rule
# not kept (§3 rule 5), which the demo's histories contain as they come.
PENDING_KINDS: tuple[str, ...] = ("election_timing",)
# Detectors run once over the whole subtree after the shards: they read compact rows kept across shards.
GLOBAL_KINDS = ("rating_contradiction", "photo_reuse")

DEFAULTS = {
    # Each default with the reason for it; a bureau changes the policy ones (conf.POLICY_KEYS) per organisation.
    "BACKFILL_LAG_DAYS": 30,           # DOMAIN.md §9: entered more than a month after the date it claims
    "ASSESSMENT_DATES": ["12-20"],     # MM-DD of the yearly assessment (考核) each year: the county's date
    "RUSH_WINDOW_DAYS": 42,            # the six weeks before the assessment, when 前松后紧 shows
    "RUSH_MIN_ENTRIES": 6,             # deep back-fills made in the window: fewer is a forgotten record or two
                                       # (the honest demo has at most two a branch; a rush has ten and more)
    "RUSH_RATIO": 3.0,                 # ... and this many times the branch's usual deep back-fills per window
    # Reach-back: an entry made in the window counts as rushed if it reaches further back than three weeks,
    # and than RUSH_HABIT_FACTOR × the branch's own usual lag (75th percentile) — so a branch that habitually
    # enters a few weeks late is judged against its own habit, and its months-old entries still stand out;
    # the window's own meetings entered weeks late in the burst count too.
    "RUSH_REACH_DAYS": 21,
    "RUSH_HABIT_FACTOR": 2.0,
    # ... and the rush must look like one: at least this share of the year's records entered in the window,
    # or this many deep back-fills in one sitting, or twice RUSH_MIN_ENTRIES of them in the window at all. The honest demo's December catch-up is ~5% of a
    # branch's meetings and one or two a day; a year written up in a week is far above both.
    "RUSH_YEAR_SHARE": 0.2,
    "RUSH_SITTING_ENTRIES": 5,
    "RUSH_SITTING_DAYS": 3,            # a sitting: entries made within this many days in a row
    "SHINGLE_WORDS": 3,                # words per shingle: short enough to survive edits, long enough to be specific
    "BOILERPLATE_MIN_BRANCHES": 5,     # a line shared by this many branches is boilerplate
    "COMMON_SHINGLE_SHARE": 0.2,       # a phrase used by this share of branches is a stock phrase
    # The stock-phrase filter may remove at most this share of one document's sentences (the normalised pass):
    # a short text that is mostly stock phrases keeps its least common ones, so a copied pair still looks alike.
    "FILTER_MAX_SHARE": 0.5,
    "MINHASH_PERM": 128,
    "LSH_BANDS": 32,                   # 32 bands × 4 rows: catches Jaccard ≳ 0.5 with high probability
    "NEAR_DUPLICATE_JACCARD": 0.6,     # verified Jaccard at or above this is a finding (after normalising
                                       # names, dates, places and numbers, honest minutes stay below 0.3)
    "MIN_SHINGLES": 8,                 # minutes shorter than this are not compared
    "MIN_SHARED_SHINGLES": 3,          # distinctive shingles a near-duplicate pair must share
    "MIN_SHARED_LINES": 2,             # normalised sentences a pair must share in the sentence-by-sentence pass
    "COMPARE_YEARS_BACK": 1,           # a branch's minutes are also compared with its own of this many years before
    "MEETING_HOURS": 2,                # assumed length of a meeting for overlap checks
    "ELECTION_CANDIDATE_RATIO": 1.2,   # 差额: candidates ≥ ceil(seats × 1.2)
    "ELECTION_TIMING_GRACE_DAYS": 0,   # §3 rule 5: days off the term's end still on schedule (orgs: election_grace_days)
    "PHOTO_HAMMING": 8,                # dHash bits that may differ for "the same photo": re-encoded, resized or
                                       # screenshot copies stay within 5; two branches' photos of one layout
                                       # (the demo's) come as close as 10
    "PHOTO_BANDS": 11,                 # pigeonhole bands; must be > PHOTO_HAMMING
    # A crop: one photo's whole (trimmed) hash against the hashes of the other's 256 crops (each side cut by
    # 0, 4, 8 or 12%). Stricter than the whole-photo limit, since 256 crops give 256 chances to match by
    # accident: crops of 5–15% land within 8 bits, two photos of the same room stay 12 or more apart.
    "PHOTO_CROP_HAMMING": 8,
    "RATING_GAP": 0.4,                 # reviewer score above the data-derived one by this share of the weight
    "SHARD_MAX_BRANCHES": 2000,        # organisations audited together in memory (a city stays whole)
}

SEVERITY_HIGH, SEVERITY_MEDIUM, SEVERITY_LOW = "high", "medium", "low"


@dataclass
class MeetingRow:
    id: int
    org_id: int
    held_on: dt.date
    entered_on: dt.date
    kind: str = ""
    start_time: dt.time | None = None
    place: str = ""
    minutes: str = ""


@dataclass
class AttendanceRow:
    meeting_id: int
    membership_id: int
    retiree_id: int
    status: str
    note: str = ""


@dataclass
class ElectionRow:
    id: int
    org_id: int
    held_on: dt.date
    seats: int
    present: int
    candidates: int
    max_votes: int
    total_votes: int = 0
    approval_no: str = ""  # 上级批复文号 of an early or late election


@dataclass
class TermRow:
    id: int
    org_id: int
    start_on: dt.date
    end_on: dt.date
    ended_on: dt.date | None
    election_id: int | None
    secretary_membership_id: int | None = None
    number: int | None = None


@dataclass(slots=True)
class RecordRow:
    """A record other than a meeting that can be back-filled: a care visit or a study record (送学上门 too)."""

    kind: str          # "visit" or "study": the finding's key prefix
    id: int
    org_id: int
    happened_on: dt.date
    entered_on: dt.date


@dataclass(slots=True)
class PhotoRow:
    id: int
    meeting_id: int
    org_id: int
    dhash: int
    crops: bytes = b""  # 256 uint64 dHashes of crops (engine.photo_hashes), for a crop-robust comparison


@dataclass
class AuditData:
    period: tuple[dt.date, dt.date]
    branch_codes: dict[int, str] = field(default_factory=dict)
    meetings: list[MeetingRow] = field(default_factory=list)
    records: list[RecordRow] = field(default_factory=list)  # visits and study records (back-fill, rush)
    attendance: list[AttendanceRow] = field(default_factory=list)
    # organisation → (start_on, end_on) of every membership period there: the branch's size on a date
    member_periods: dict[int, list[tuple[dt.date, dt.date | None]]] = field(default_factory=dict)
    absences: dict[int, list[tuple[dt.date, dt.date | None, str]]] = field(default_factory=dict)
    deaths: dict[int, dt.date] = field(default_factory=dict)
    mobility_impaired: set[int] = field(default_factory=set)
    transfers_out: dict[int, list[tuple[int, dt.date]]] = field(default_factory=dict)  # membership → (org, date)
    elections: list[ElectionRow] = field(default_factory=list)
    terms: list[TermRow] = field(default_factory=list)
    full_on: dict[int, dt.date | None] = field(default_factory=dict)  # membership → 转正日期 (None = probationary)
    photos: list[PhotoRow] = field(default_factory=list)
    # False for one shard of a larger audit: meetings of two shards at once are checked over the whole
    # subtree instead (loader.load_simultaneous), not per shard.
    whole: bool = True
    ratings: list[dict] = field(default_factory=list)  # reviewer vs data-derived star-rating item scores
    # Left by detect_copied_minutes for the pass across shards: what this shard found to be boilerplate.
    minutes_filter: MinutesFilter | None = None
    _sizes: dict = field(default_factory=dict, repr=False)

    def members_on(self, org_id: int, day: dt.date) -> int:
        """Members the organisation had on `day` (a member who left that day still counts)."""
        if org_id not in self._sizes:
            periods = self.member_periods.get(org_id, ())
            self._sizes[org_id] = (sorted(p[0] for p in periods), sorted(p[1] for p in periods if p[1]))
        starts, ends = self._sizes[org_id]
        return bisect.bisect_right(starts, day) - bisect.bisect_left(ends, day)


@dataclass
class Hit:
    kind: str
    org_id: int
    key: str                    # stable identity of the finding across runs
    record_ids: dict
    score: float
    severity: str
    evidence: dict

    def digest(self) -> str:
        return evidence_digest(self.evidence)


# Explanations beside the evidence (which rule fired, in words): rewording them reopens no decided finding.
NOT_EVIDENCE = ("rule", "record", "crop_threshold")


def evidence_digest(evidence: dict) -> str:
    evidence = {k: v for k, v in evidence.items() if k not in NOT_EVIDENCE}
    raw = json.dumps(evidence, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def in_period(d: dt.date, period) -> bool:
    return period[0] <= d <= period[1]


# ---- back-fill and rush --------------------------------------------------------------------------

def entries(data: AuditData):
    """(key prefix, id, org, happened on, entered on) of every record that can be back-filled."""
    for m in data.meetings:
        yield "meeting", m.id, m.org_id, m.held_on, m.entered_on
    for r in data.records:
        yield r.kind, r.id, r.org_id, r.happened_on, r.entered_on


RECORD_IDS = {"meeting": "meetings", "visit": "visits", "study": "study_records"}


def detect_backfill(data: AuditData, cfg: dict) -> list[Hit]:
    n = cfg["BACKFILL_LAG_DAYS"]
    hits = []
    for kind, rid, org_id, held, entered in entries(data):
        if not in_period(held, data.period):
            continue
        lag = (entered - held).days
        if lag > n:
            score = min(1.0, lag / (4 * n))
            hits.append(Hit("backfill", org_id, f"{kind}:{rid}", {RECORD_IDS[kind]: [rid]}, round(score, 3),
                            SEVERITY_HIGH if lag > 3 * n else SEVERITY_MEDIUM,
                            {"record": kind, "held_on": held.isoformat(), "entered_on": entered.isoformat(),
                             "lag_days": lag, "threshold_days": n,
                             "rule": f"录入比发生晚{lag}天，超过{n}天"}))
    return hits


def assessment_dates(period, cfg) -> list[dt.date]:
    out = []
    for year in range(period[0].year, period[1].year + 1):
        for md in cfg["ASSESSMENT_DATES"]:
            month, day = (int(x) for x in md.split("-"))
            d = dt.date(year, month, day)
            if in_period(d, period):
                out.append(d)
    return out


def _usual_lag(values: list[int]) -> int:
    """The branch's usual lag: the 75th percentile (last December's catch-up and a few odd back-fills, a
    twentieth of the entries, do not move it)."""
    if not values:
        return 0
    values = sorted(values)
    return values[min(len(values) - 1, int(0.75 * len(values)))]


def detect_rush(data: AuditData, cfg: dict) -> list[Hit]:
    """A burst of back-fills before an assessment date, measured against the branch's own habits.

    An entry in the window is rushed when it reaches back further than RUSH_REACH_DAYS and than
    RUSH_HABIT_FACTOR × the branch's usual lag (so a habitually late branch is judged by its own habit); the
    window's meetings count too. A rush is RUSH_MIN_ENTRIES such entries, RUSH_RATIO times the branch's usual
    number per window, that are RUSH_YEAR_SHARE of the year's records, RUSH_SITTING_ENTRIES in one sitting
    (RUSH_SITTING_DAYS days), or twice RUSH_MIN_ENTRIES in all. Meetings, care visits and study records (送学上门 too) all count."""
    window = cfg["RUSH_WINDOW_DAYS"]
    by_org: dict[int, list[tuple]] = defaultdict(list)
    for row in entries(data):
        by_org[row[2]].append(row)
    hits = []
    for deadline in assessment_dates(data.period, cfg):
        start = deadline - dt.timedelta(days=window)
        year_start = deadline - dt.timedelta(days=365)
        for org_id, rows in by_org.items():
            in_window = [r for r in rows if start <= r[4] <= deadline]
            if len(in_window) < cfg["RUSH_MIN_ENTRIES"]:
                continue
            before = [r for r in rows if year_start <= r[4] < start]
            usual_lag = _usual_lag([(r[4] - r[3]).days for r in before])
            reach = max(cfg["RUSH_REACH_DAYS"], cfg["RUSH_HABIT_FACTOR"] * usual_lag)
            rushed = [r for r in in_window if (r[4] - r[3]).days > reach]
            if len(rushed) < cfg["RUSH_MIN_ENTRIES"]:
                continue
            usual = sum(1 for r in before if (r[4] - r[3]).days > reach) / max((start - year_start).days / window, 1)
            ratio = len(rushed) / max(usual, 1.0)
            if ratio < cfg["RUSH_RATIO"]:
                continue
            # Share of the year per kind of record (meetings, visits, study records), the largest.
            of_year: dict[str, int] = defaultdict(int)
            for r in rows:
                if year_start < r[3] <= deadline:
                    of_year[r[0]] += 1
            of_rushed: dict[str, int] = defaultdict(int)
            for r in rushed:
                of_rushed[r[0]] += 1
            share = max(n / max(of_year[k], 1) for k, n in of_rushed.items())
            sittings = defaultdict(int)
            for r in rushed:
                sittings[r[4]] += 1
            # A sitting: RUSH_SITTING_DAYS days in a row (a weekend at the keyboard); the most entries in one.
            days = sorted(r[4].toordinal() for r in rushed)
            per_sitting, lo = 0, 0
            for hi in range(len(days)):
                while days[hi] - days[lo] >= cfg["RUSH_SITTING_DAYS"]:
                    lo += 1
                per_sitting = max(per_sitting, hi - lo + 1)
            many = len(rushed) >= 2 * cfg["RUSH_MIN_ENTRIES"]  # a dozen deep back-fills is a rush in any shape
            if share < cfg["RUSH_YEAR_SHARE"] and per_sitting < cfg["RUSH_SITTING_ENTRIES"] and not many:
                continue
            reach_back = max((r[4] - r[3]).days for r in rushed)
            ids: dict[str, list[int]] = defaultdict(list)
            for r in rushed:
                ids[RECORD_IDS[r[0]]].append(r[1])
            ids = {k: sorted(v) for k, v in ids.items()}
            strength = max(share / cfg["RUSH_YEAR_SHARE"], per_sitting / cfg["RUSH_SITTING_ENTRIES"],
                           ratio / cfg["RUSH_RATIO"])
            rules = []
            if share >= cfg["RUSH_YEAR_SHARE"]:
                rules.append(f"考核前{window}天内补录了全年记录的{share:.0%}（门槛{cfg['RUSH_YEAR_SHARE']:.0%}）")
            if many:
                rules.append(f"考核前{window}天内补录{len(rushed)}条追溯{round(reach)}天以上的记录"
                             f"（门槛{2 * cfg['RUSH_MIN_ENTRIES']}条）")
            if per_sitting >= cfg["RUSH_SITTING_ENTRIES"]:
                rules.append(f"{cfg['RUSH_SITTING_DAYS']}天内集中补录{per_sitting}条（门槛{cfg['RUSH_SITTING_ENTRIES']}条）")
            hits.append(Hit("rush", org_id, f"rush:{org_id}:{deadline.isoformat()}", ids,
                            round(min(1.0, strength / 3), 3),
                            SEVERITY_HIGH if strength >= 2 else SEVERITY_MEDIUM,
                            {"assessment_on": deadline.isoformat(), "window_start": start.isoformat(),
                             "rushed_entries": len(rushed), "usual_per_window": round(usual, 2),
                             "ratio": round(ratio, 2), "usual_lag_days": usual_lag, "reach_days": round(reach),
                             "reach_back_months": round(reach_back / 30.4, 1), "year_share": round(share, 3),
                             "max_per_sitting": per_sitting, "sittings": len(sittings),
                             "rule": "；".join(rules), **ids}))
    return hits


# ---- copied minutes ------------------------------------------------------------------------------

_PUNCT = re.compile(r"[\s，。、；：！？,.;:!?（）()“”\"'《》【】\-—…·]+")
_MERSENNE = (1 << 61) - 1
_P31 = (1 << 31) - 1


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in re.split(r"[\n。；]", text) if ln.strip()]


# Normalisation before comparing: a copier changes the names, the date, the place and the head counts.
_SURNAMES = ("欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|令狐|"
             "[王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
             "阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱褚卫尤施严华陶戚喻柏"
             "水窦章云葛奚郎鲁韦昌苗凤花俞柳雷贺倪汤殷毕安常乐时皮卞齐伍元卜平和穆尹]")
_NAME_AFTER = ("同志|发言|就|谈|提出|建议|负责|说|介绍|汇报|分享|反映|总结|强调|回顾|补充|表示|认为|指出|主持|记录|"
               "带头|牵头|宣读|传达|领学|讲|代表")
_NAME = re.compile(f"(?:{_SURNAMES})[\u4e00-\u9fa5]{{1,2}}?(?=(?:{_NAME_AFTER}))")
_NUMBER = re.compile(r"\d+(?:\.\d+)?|[一二三四五六七八九十百两]+(?=[名人位户个次项条天月年元])")
_PLACE = re.compile(r"(?<=在)[^，。；\n]{2,16}?(?=召开|举行|开展|组织|集中)")


def normalise(text: str) -> str:
    """Names, dates, places and numbers → placeholders (the date is numbers too), so a copy with them changed
    is still a copy."""
    text = _NUMBER.sub("N", text)
    text = _PLACE.sub("P", text)
    return _NAME.sub("R", text)


def _norm_line(line: str) -> str:
    return _PUNCT.sub("", line)


def boilerplate_lines(meetings: list[MeetingRow], min_branches: int) -> set[str]:
    """Lines shared by many branches (standard openings, a published work list's wording)."""
    seen: dict[str, set[int]] = defaultdict(set)
    for m in meetings:
        for ln in set(_norm_line(x) for x in _lines(m.minutes)):
            if ln:
                seen[ln].add(m.org_id)
    return {ln for ln, orgs in seen.items() if len(orgs) >= min_branches}


@functools.lru_cache(maxsize=100_000)
def _words(line: str) -> tuple[str, ...]:
    """jieba words of a normalised line; cached, since minutes repeat many lines (and copies repeat all)."""
    import jieba

    return tuple(w for w in jieba.lcut(line, HMM=False) if w.strip())


def shingles(text: str, boiler: set[str], k: int) -> set[str]:
    words: list[str] = []
    for ln in _lines(text):
        norm = _norm_line(ln)
        if not norm or norm in boiler:
            continue
        words.extend(_words(norm))
    if len(words) < k:
        return {"".join(words)} if words else set()
    return {"\x1f".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def _shingle_ids(sh: set[str]) -> np.ndarray:
    return np.fromiter((int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little") & _MERSENNE
                        for s in sh), dtype=np.uint64, count=len(sh))


def minhash_signatures(sets: list[set[str]], perm: int, seed: int = 20261124) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, _P31, size=perm, dtype=np.uint64)
    b = rng.integers(0, _P31, size=perm, dtype=np.uint64)
    sig = np.empty((len(sets), perm), dtype=np.uint64)
    # h(x) = (a·x + b) mod (2³¹−1) with x, a < 2³¹: the product fits in 64 bits and wraps the prime
    # many times, so each (a, b) is a real permutation of the shingle ids.
    p31 = np.uint64(_P31)
    for i, sh in enumerate(sets):
        x = _shingle_ids(sh) % p31
        sig[i] = ((np.outer(x, a) + b) % p31).min(axis=0)
    return sig


def lsh_candidates(sig: np.ndarray, bands: int) -> set[tuple[int, int]]:
    rows = sig.shape[1] // bands
    pairs: set[tuple[int, int]] = set()
    for b in range(bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        block = np.ascontiguousarray(sig[:, b * rows:(b + 1) * rows])
        for i in range(block.shape[0]):
            buckets[block[i].tobytes()].append(i)
        for members in buckets.values():
            if 1 < len(members) <= 200:  # a giant bucket is boilerplate that slipped through
                for x in range(len(members)):
                    for y in range(x + 1, len(members)):
                        pairs.add((members[x], members[y]))
    return pairs


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def shared_passages(a: str, b: str, boiler: set[str]) -> list[str]:
    """Lines of `a` that also appear (normalised) in `b`, boilerplate excluded — for highlighting."""
    lines_b = {_norm_line(x) for x in _lines(b)}
    return [ln for ln in _lines(a) if _norm_line(ln) in lines_b and _norm_line(ln) not in boiler]


@dataclass
class MinutesFilter:
    """What is left out of minutes before comparing them: boilerplate lines and stock phrases, as found over
    `branches` branches (fewer than BOILERPLATE_MIN_BRANCHES can tell nothing)."""

    boiler: set[str]
    common: set[str]
    branches: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # branches using each common shingle (for the cap)

    @classmethod
    def union(cls, filters: list[MinutesFilter], min_branches: int) -> MinutesFilter:
        """The filter for comparing across shards: what any shard large enough to tell found common."""
        told = [f for f in filters if f.branches >= min_branches]
        counts: dict[str, int] = {}
        for f in told:
            for x, n in f.counts.items():
                counts[x] = max(counts.get(x, 0), n)
        return cls(set().union(*(f.boiler for f in told)), set().union(*(f.common for f in told)),
                   sum(f.branches for f in filters), counts)


def minutes_filter(ms: list[MeetingRow], cfg: dict) -> tuple[MinutesFilter, list[set[str]]]:
    """Boilerplate lines (shared by BOILERPLATE_MIN_BRANCHES branches) and stock phrases (shingles used by
    COMMON_SHINGLE_SHARE of the branches) of these minutes; and each minutes' shingles without the lines."""
    boiler = boilerplate_lines(ms, cfg["BOILERPLATE_MIN_BRANCHES"])
    sets = [shingles(m.minutes, boiler, cfg["SHINGLE_WORDS"]) for m in ms]
    # Shingle-level boilerplate: stock phrases ("结合自身经历谈了体会") that many branches use
    # legitimately would otherwise dominate the MinHash minima and flood the LSH buckets.
    branches_of: dict[str, set[int]] = defaultdict(set)
    for m, sh in zip(ms, sets):
        for x in sh:
            branches_of[x].add(m.org_id)
    n_branches = len({m.org_id for m in ms})
    floor = max(cfg["BOILERPLATE_MIN_BRANCHES"], cfg["COMMON_SHINGLE_SHARE"] * n_branches)
    counts = {x: len(orgs) for x, orgs in branches_of.items() if len(orgs) >= floor}
    return MinutesFilter(boiler, set(counts), n_branches, counts), sets


def compared_minutes(ms: list[MeetingRow], filt: MinutesFilter, cfg: dict,
                     full_sets: list[set[str]] | None = None) -> tuple[list[MeetingRow], list[set[str]]]:
    """The minutes long enough to compare and their distinctive shingles (length is judged on the full
    text, similarity on what the filter leaves). `full_sets`: the shingles without filt.boiler, if known."""
    kept, sets = [], []
    for n, m in enumerate(ms):
        sh = full_sets[n] if full_sets is not None else shingles(m.minutes, filt.boiler, cfg["SHINGLE_WORDS"])
        left = sh - filt.common
        if len(sh) >= cfg["MIN_SHINGLES"] and len(left) >= 2:
            kept.append(m)
            sets.append(left)
    return kept, sets


def band_keys(sig: np.ndarray, bands: int) -> np.ndarray:
    """One 64-bit key per band of each signature (a polynomial hash of the band's rows, wrapping)."""
    rows = sig.shape[1] // bands
    keys = np.zeros((sig.shape[0], bands), dtype=np.uint64)
    mult = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        for r in range(rows):
            keys = keys * mult + sig[:, r::rows][:, :bands] + np.uint64(r + 1)
    return keys


def copied_pair(a: MeetingRow, b: MeetingRow, set_a: set[str], set_b: set[str], cfg: dict,
                boiler: set[str]) -> Hit | None:
    """The finding for a candidate pair, if its exact Jaccard is high enough: the later entry is the copy."""
    score = jaccard(set_a, set_b)
    if score < cfg["NEAR_DUPLICATE_JACCARD"] or len(set_a & set_b) < cfg["MIN_SHARED_SHINGLES"]:
        return None
    a, b = sorted((a, b), key=lambda m: (m.entered_on, m.id))
    # The later entry is the copy: the finding belongs to its branch.
    return Hit("copied_minutes", b.org_id, f"minutes:{a.id}:{b.id}", {"meetings": [a.id, b.id]},
               round(score, 3), SEVERITY_HIGH if score >= 0.85 else SEVERITY_MEDIUM,
               {"jaccard": round(score, 3), "source_meeting": a.id, "copy_meeting": b.id,
                "same_branch": a.org_id == b.org_id,
                "rule": f"去掉套话后按词组比对，相似度{score:.0%}（门槛{cfg['NEAR_DUPLICATE_JACCARD']:.0%}）",
                "shared_passages": shared_passages(b.minutes, a.minutes, boiler)[:20]})


def compared_in_period(data: AuditData) -> list[MeetingRow]:
    return [m for m in data.meetings if m.minutes.strip() and in_period(m.held_on, data.period)]


def detect_copied_minutes(data: AuditData, cfg: dict) -> list[Hit]:
    """Copied minutes within the year, and a branch's minutes copied from its own of earlier years
    (COMPARE_YEARS_BACK): the earlier ones go into the same LSH; a pair is kept if both are of the year, or
    one is and both are the same branch's."""
    ms = compared_in_period(data)
    since = data.period[0].replace(year=data.period[0].year - cfg["COMPARE_YEARS_BACK"])
    earlier = [m for m in data.meetings if m.minutes.strip() and since <= m.held_on < data.period[0]]
    if earlier and ms:
        orgs = {m.org_id for m in ms}
        ms = ms + [m for m in earlier if m.org_id in orgs]
    data.minutes_filter = None
    if not ms:
        return []
    data.minutes_filter, full_sets = minutes_filter(ms, cfg)
    ms, sets = compared_minutes(ms, data.minutes_filter, cfg, full_sets)
    del full_sets
    if len(ms) < 2:
        return []
    sig = minhash_signatures(sets, cfg["MINHASH_PERM"])
    hits = []
    def kept(x: MeetingRow, y: MeetingRow) -> bool:
        a_in, b_in = in_period(x.held_on, data.period), in_period(y.held_on, data.period)
        return (a_in and b_in) or ((a_in or b_in) and x.org_id == y.org_id)

    found: dict[str, Hit] = {}
    for i, j in lsh_candidates(sig, cfg["LSH_BANDS"]):
        if not kept(ms[i], ms[j]):
            continue
        hit = copied_pair(ms[i], ms[j], sets[i], sets[j], cfg, data.minutes_filter.boiler)
        if hit is not None:
            found[hit.key] = hit
    # Second pass, sentence by sentence with names, dates, places and numbers normalised: a copy with those
    # changed, its lines reordered, or mostly stock phrases with a few lines of its own.
    # Too few branches to tell a published template from a copy: as for the stock-phrase filter.
    docs, line_sets = normalised_lines(ms, cfg) if data.minutes_filter.branches >= cfg[
        "BOILERPLATE_MIN_BRANCHES"] else ([], [])
    if len(docs) >= 2:
        lsig = minhash_signatures(line_sets, cfg["MINHASH_PERM"])
        for i, j in lsh_candidates(lsig, cfg["LSH_BANDS"]):
            a, b = docs[i], docs[j]
            if not kept(a, b):
                continue
            hit = copied_lines(a, b, line_sets[i], line_sets[j], cfg, data.minutes_filter.boiler)
            if hit is not None and (hit.key not in found or found[hit.key].score < hit.score):
                found[hit.key] = hit
    return list(found.values())


def normalised_lines(ms: list[MeetingRow], cfg: dict) -> tuple[list[MeetingRow], list[set[str]]]:
    """Each document as the set of its normalised lines (placeholders for names, dates, places, numbers).

    Lines many branches share (BOILERPLATE_MIN_BRANCHES) are stock phrases and left out — but never more than
    FILTER_MAX_SHARE of a document's lines: past that its least widespread stock lines stay in, so a short
    text that is mostly stock phrases is still compared by what it has of its own."""
    norm = [[x for x in dict.fromkeys(_PUNCT.sub("", normalise(ln)) for ln in _lines(m.minutes)) if len(x) >= 6]
            for m in ms]
    seen: dict[str, set[int]] = defaultdict(set)
    for m, lines in zip(ms, norm):
        for ln in lines:
            seen[ln].add(m.org_id)
    docs, sets = [], []
    floor = cfg["BOILERPLATE_MIN_BRANCHES"]
    for m, lines in zip(ms, norm):
        own = [ln for ln in lines if len(seen[ln]) < floor]
        cap = math.ceil((1 - cfg["FILTER_MAX_SHARE"]) * len(lines))
        if len(own) < cap:
            stock = sorted((ln for ln in lines if len(seen[ln]) >= floor), key=lambda ln: (len(seen[ln]), ln))
            own += ["\x00" + ln for ln in stock[:cap - len(own)]]  # marked: not evidence on its own
        if len(own) >= cfg["MIN_SHARED_LINES"]:
            docs.append(m)
            sets.append(set(own))
    return docs, sets


def copied_lines(a: MeetingRow, b: MeetingRow, set_a: set[str], set_b: set[str], cfg: dict,
                 boiler: set[str]) -> Hit | None:
    shared = set_a & set_b
    score = jaccard(set_a, set_b)
    own = [x for x in shared if not x.startswith("\x00")]
    if score < cfg["NEAR_DUPLICATE_JACCARD"] or len(own) < cfg["MIN_SHARED_LINES"]:
        return None  # two texts of nothing but stock phrases are alike, not copied
    shared = {x.lstrip("\x00") for x in shared}
    a, b = sorted((a, b), key=lambda m: (m.entered_on, m.id))
    passages = [ln for ln in _lines(b.minutes) if _PUNCT.sub("", normalise(ln)) in shared]
    return Hit("copied_minutes", b.org_id, f"minutes:{a.id}:{b.id}", {"meetings": [a.id, b.id]},
               round(score, 3), SEVERITY_HIGH if score >= 0.85 else SEVERITY_MEDIUM,
               {"jaccard": round(score, 3), "source_meeting": a.id, "copy_meeting": b.id,
                "same_branch": a.org_id == b.org_id, "cross_year": a.held_on.year != b.held_on.year,
                "shared_lines": len(shared), "normalised": True,
                "rule": f"人名、日期、地点、数字归一后逐句比对：{len(shared)}句相同，相似度{score:.0%}"
                        f"（门槛{cfg['NEAR_DUPLICATE_JACCARD']:.0%}）",
                "shared_passages": passages[:20]})


def minutes_band_keys(ms: list[MeetingRow], filt: MinutesFilter, cfg: dict) -> tuple[np.ndarray, np.ndarray]:
    """(meeting ids, LSH band keys) of the minutes compared under `filt`: 8 bytes a band, no text kept."""
    ms, sets = compared_minutes(ms, filt, cfg)
    if not ms:
        return np.empty(0, dtype=np.int64), np.empty((0, cfg["LSH_BANDS"]), dtype=np.uint64)
    sig = minhash_signatures(sets, cfg["MINHASH_PERM"])
    return np.array([m.id for m in ms], dtype=np.int64), band_keys(sig, cfg["LSH_BANDS"])


def cross_shard_candidates(parts: list[tuple[np.ndarray, np.ndarray]], bands: int,
                           max_bucket: int = 200) -> set[tuple[int, int, int, int]]:
    """Pairs of meetings from different shards that share an LSH band key, as (id, shard, id, shard).

    `parts` are each shard's (meeting ids, band keys); one band at a time is read (so a caller may pass
    memory-mapped keys), sorted, and cut into runs of equal keys: O(n log n) a band, never all pairs.
    """
    ids = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, dtype=np.int64)
    shard = np.concatenate([np.full(len(p[0]), k, dtype=np.int32) for k, p in enumerate(parts)]) if parts \
        else np.empty(0, dtype=np.int32)
    pairs: set[tuple[int, int]] = set()
    if len(ids) < 2:
        return pairs
    for b in range(bands):
        col = np.concatenate([np.asarray(p[1][:, b]) for p in parts])
        order = np.argsort(col, kind="stable")
        col = col[order]
        cuts = np.flatnonzero(col[1:] != col[:-1]) + 1
        starts = np.concatenate(([0], cuts))
        ends = np.concatenate((cuts, [len(col)]))
        for lo, hi in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
            if hi - lo > max_bucket:  # a giant bucket is boilerplate that slipped through
                continue
            members = order[lo:hi]
            if len(set(shard[members].tolist())) < 2:
                continue  # one shard only: compared there already
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    i, j = members[x], members[y]
                    if shard[i] != shard[j]:
                        x_, y_ = sorted(((int(ids[i]), int(shard[i])), (int(ids[j]), int(shard[j]))))
                        pairs.add((*x_, *y_))
    return pairs


# ---- impossible attendance -----------------------------------------------------------------------

IN_PERSON = {"present"}
PARTICIPATED = {"present", "online", "home_delivery"}


def _overlaps(t1: dt.time | None, t2: dt.time | None, hours: float) -> bool:
    if t1 is None or t2 is None:
        return True  # same day, no time: cannot rule out
    a = t1.hour * 60 + t1.minute
    b = t2.hour * 60 + t2.minute
    return abs(a - b) < hours * 60


def detect_impossible_attendance(data: AuditData, cfg: dict) -> list[Hit]:
    meetings = {m.id: m for m in data.meetings}
    hits = []
    present_count: dict[int, int] = defaultdict(int)
    for a in data.attendance:
        m = meetings.get(a.meeting_id)
        if m is None or not in_period(m.held_on, data.period):
            continue
        if a.status not in IN_PERSON:
            if a.status in PARTICIPATED:
                present_count[m.id] += 1
            continue
        reasons = []
        died = data.deaths.get(a.retiree_id)
        if died and m.held_on > died:
            reasons.append({"why": "after_death", "deceased_on": died.isoformat()})
        for start, end, place in data.absences.get(a.retiree_id, ()):
            if start <= m.held_on and (end is None or m.held_on <= end) and place != m.place:
                reasons.append({"why": "away", "away_from": start.isoformat(),
                                "away_until": end.isoformat() if end else None, "away_place": place})
                break
        for org_id, on in data.transfers_out.get(a.membership_id, ()):
            if org_id == m.org_id and m.held_on > on:
                reasons.append({"why": "after_transfer_out", "transferred_on": on.isoformat()})
                break
        if a.retiree_id in data.mobility_impaired and not a.note.strip():
            reasons.append({"why": "immobile_in_person"})
        # Someone who could not be a member that day is reported for that, not counted again below.
        if not any(r["why"] in ("after_death", "after_transfer_out") for r in reasons):
            present_count[m.id] += 1
        if reasons:
            hits.append(Hit("impossible_attendance", m.org_id, f"attendance:{m.id}:{a.membership_id}",
                            {"meetings": [m.id], "memberships": [a.membership_id]},
                            0.6 if reasons[0]["why"] == "immobile_in_person" else 1.0,
                            SEVERITY_MEDIUM if reasons[0]["why"] == "immobile_in_person" else SEVERITY_HIGH,
                            {"held_on": m.held_on.isoformat(), "place": m.place, "reasons": reasons}))
    # One shard of a larger audit checks its own branches' clashes; clashes between two organisations are
    # checked over the whole subtree (services.run_integrity_audit).
    hits.extend(detect_simultaneous_attendance(data, cfg, same_org_only=not data.whole))
    for meeting_id, n in present_count.items():
        m = meetings[meeting_id]
        members = data.members_on(m.org_id, m.held_on)
        if members and n > members:
            hits.append(Hit("impossible_attendance", m.org_id, f"overcount:{m.id}", {"meetings": [m.id]},
                            1.0, SEVERITY_HIGH, {"held_on": m.held_on.isoformat(), "reasons": [{
                                "why": "more_present_than_members", "present": n, "members": members}]}))
    return hits


def detect_simultaneous_attendance(data: AuditData, cfg: dict, *, same_org_only=False,
                                   cross_only=False) -> list[Hit]:
    """Present in person at two meetings at overlapping times in different places — of two organisations, or
    of one branch (its own two meetings at the same hour in different places)."""
    meetings = {m.id: m for m in data.meetings}
    by_member_day: dict[tuple[int, dt.date], list[AttendanceRow]] = defaultdict(list)
    for a in data.attendance:
        m = meetings.get(a.meeting_id)
        if m is not None and a.status in IN_PERSON and in_period(m.held_on, data.period):
            by_member_day[(a.membership_id, m.held_on)].append(a)
    hits = []
    hours = cfg["MEETING_HOURS"]
    for (mid, day), rows in by_member_day.items():
        if len(rows) < 2:
            continue
        # Two meetings of one branch in the same room at the same time are one sitting (e.g. 党员大会 then
        # 党课): keep the first, so the clash with another place is reported once.
        rows = sorted(rows, key=lambda r: r.meeting_id)
        sittings: list[AttendanceRow] = []
        for r in rows:
            m = meetings[r.meeting_id]
            if not any(meetings[k.meeting_id].org_id == m.org_id and meetings[k.meeting_id].place == m.place
                       and _overlaps(meetings[k.meeting_id].start_time, m.start_time, hours) for k in sittings):
                sittings.append(r)
        rows = sittings
        for x in range(len(rows)):
            for y in range(x + 1, len(rows)):
                m1, m2 = meetings[rows[x].meeting_id], meetings[rows[y].meeting_id]
                if m1.place == m2.place or not _overlaps(m1.start_time, m2.start_time, hours):
                    continue
                if (same_org_only and m1.org_id != m2.org_id) or (cross_only and m1.org_id == m2.org_id):
                    continue
                m1, m2 = sorted((m1, m2), key=lambda m: m.id)
                hits.append(Hit("impossible_attendance", m2.org_id, f"simultaneous:{m1.id}:{m2.id}:{mid}",
                                {"meetings": [m1.id, m2.id], "memberships": [mid]}, 1.0, SEVERITY_HIGH,
                                {"held_on": day.isoformat(), "reasons": [{
                                    "why": "two_places", "same_branch": m1.org_id == m2.org_id,
                                    "places": [m1.place, m2.place],
                                    "times": [str(m1.start_time or ""), str(m2.start_time or "")]}]}))
    return hits


# ---- elections and terms -------------------------------------------------------------------------

def detect_election_contradictions(data: AuditData, cfg: dict) -> list[Hit]:
    hits = []
    terms_by_org: dict[int, list[TermRow]] = defaultdict(list)
    for t in data.terms:
        terms_by_org[t.org_id].append(t)
    for e in data.elections:
        if not in_period(e.held_on, data.period):
            continue
        reasons = []
        need = math.ceil(e.seats * cfg["ELECTION_CANDIDATE_RATIO"] - 1e-9)
        if e.candidates < need:
            reasons.append({"why": "too_few_candidates", "candidates": e.candidates, "seats": e.seats,
                            "required": need})
        if e.max_votes > e.present:
            reasons.append({"why": "votes_exceed_present", "max_votes": e.max_votes, "present": e.present})
        elif e.total_votes > e.present * e.seats:
            # Each voter has at most one vote per seat: more votes in all than present × seats is impossible.
            reasons.append({"why": "votes_total_exceed", "total_votes": e.total_votes, "present": e.present,
                            "seats": e.seats, "limit": e.present * e.seats})
        # The term this election closes: the org's term that began before and was current.
        terms = sorted(terms_by_org.get(e.org_id, ()), key=lambda t: t.start_on)
        opened = next((t for t in terms if t.election_id == e.id), None)
        if opened is not None:
            # The term this election closes: the previous 届次 if numbered, else the latest earlier term.
            closed = None
            if opened.number:
                closed = next((t for t in terms if t.number == opened.number - 1 and t.id != opened.id), None)
            if closed is None:
                earlier = [t for t in terms if t.start_on < opened.start_on]
                closed = earlier[-1] if earlier else None
            if closed is not None and e.held_on < closed.start_on:
                reasons.append({"why": "before_closed_term_began", "closed_term": closed.id,
                                "term_began": closed.start_on.isoformat()})
            sec = opened.secretary_membership_id
            if sec is not None:
                full_on = data.full_on.get(sec)
                if full_on is None or full_on > e.held_on:
                    reasons.append({"why": "secretary_not_full_member", "membership": sec,
                                    "full_on": full_on.isoformat() if full_on else None})
        if reasons:
            hits.append(Hit("election_contradiction", e.org_id, f"election:{e.id}", {"elections": [e.id]},
                            1.0, SEVERITY_HIGH, {"held_on": e.held_on.isoformat(), "reasons": reasons}))
    for org_id, terms in terms_by_org.items():
        terms = sorted(terms, key=lambda t: (t.start_on, t.id))
        for prev, nxt in zip(terms, terms[1:]):
            prev_end = prev.ended_on or prev.end_on
            if nxt.start_on < prev_end and prev.ended_on is not None and in_period(nxt.start_on, data.period):
                hits.append(Hit("election_contradiction", org_id, f"terms:{prev.id}:{nxt.id}",
                                {"terms": [prev.id, nxt.id]}, 1.0, SEVERITY_HIGH,
                                {"reasons": [{"why": "overlapping_terms", "first_ended": prev_end.isoformat(),
                                              "second_began": nxt.start_on.isoformat()}]}))
    return hits


def detect_election_timing(data: AuditData, cfg: dict) -> list[Hit]:
    """DOMAIN.md §3 rule 5: an election held before or after the term it closes expired, with no upper-level
    approval recorded; and a term expired within the period with no election since."""
    hits = []
    grace = cfg["ELECTION_TIMING_GRACE_DAYS"]
    terms_by_org: dict[int, list[TermRow]] = defaultdict(list)
    for t in data.terms:
        terms_by_org[t.org_id].append(t)
    for e in data.elections:
        if not in_period(e.held_on, data.period) or e.approval_no:
            continue
        earlier = sorted((t for t in terms_by_org.get(e.org_id, ()) if t.start_on < e.held_on and t.election_id != e.id),
                         key=lambda t: (t.start_on, t.id))
        if not earlier:
            continue
        closed = earlier[-1]
        days = (e.held_on - closed.end_on).days
        if abs(days) <= grace:
            continue
        why = "late_without_approval" if days > 0 else "early_without_approval"
        hits.append(Hit("election_timing", e.org_id, f"election:{e.id}", {"elections": [e.id], "terms": [closed.id]},
                        round(min(1.0, abs(days) / 365), 3), SEVERITY_HIGH if abs(days) > 365 else SEVERITY_MEDIUM,
                        {"held_on": e.held_on.isoformat(), "term_end": closed.end_on.isoformat(),
                         "reasons": [{"why": why, "days": abs(days)}]}))
    for org_id, terms in terms_by_org.items():
        for t in terms:
            if t.ended_on is None and t.end_on + dt.timedelta(days=grace) < data.period[1] \
                    and t.end_on >= data.period[0]:
                hits.append(Hit("election_timing", org_id, f"term:{t.id}", {"terms": [t.id]},
                                round(min(1.0, (data.period[1] - t.end_on).days / 365), 3), SEVERITY_MEDIUM,
                                {"term_end": t.end_on.isoformat(),
                                 "reasons": [{"why": "term_expired", "days": (data.period[1] - t.end_on).days}]}))
    return hits


# ---- photos --------------------------------------------------------------------------------------

def dhash(image, size: int = 8) -> int:
    """Difference hash of a PIL image: 64 bits, robust to resizing and recompression."""
    from PIL import Image

    gray = image.convert("L").resize((size + 1, size), Image.Resampling.LANCZOS)
    px = np.asarray(gray, dtype=np.int16)
    bits = (px[:, 1:] > px[:, :-1]).flatten()
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return value


def _trim_axis(std: np.ndarray, mean: np.ndarray, flat_std: float = 4.0) -> tuple[int, int]:
    """The content range along one axis: black or white bars cut off both ends, and a phone's status bar (a
    thin strip of icons within 3% of the edge, followed by a uniform run that is mostly such a bar — at least
    6% of the side, a letterbox rather than a gap in the picture) with them.

    A uniform band of colour inside the picture (a wall, a banner) is content: trimming it would make a crop
    trim differently from its original."""
    n = len(std)
    uniform = std < flat_std
    bar = uniform & ((mean < 24) | (mean > 232))

    def strip_end(start: int, step: int) -> int | None:
        """Past a status bar beginning at `start` going `step`, or None if there is none."""
        k = start
        while 0 <= k < n and not uniform[k] and abs(k - start) < 0.09 * n:
            k += step
        j = k
        while 0 <= j < n and uniform[j]:
            j += step
        bars = [r for r in range(k, j, step) if bar[r]]
        if len(bars) >= 0.06 * n:
            return bars[-1] + step  # past the last bar row, not into the picture's own uniform rows
        return None

    lo, hi = 0, n
    while lo < hi and bar[lo]:
        lo += 1
    if lo <= 0.03 * n:
        past = strip_end(lo, 1)
        if past is not None:
            lo = past
    while hi > lo and bar[hi - 1]:
        hi -= 1
    if hi >= n - 0.03 * n:
        past = strip_end(hi - 1, -1)
        if past is not None:
            hi = past + 1
    if hi - lo < 0.2 * n:  # nearly all uniform: keep the whole
        return 0, n
    return lo, hi


def trim_borders(gray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of a grayscale PIL image without its uniform borders and status bar."""
    px = np.asarray(gray, dtype=np.float32)
    top, bottom = _trim_axis(px.std(axis=1), px.mean(axis=1))
    left, right = _trim_axis(px[top:bottom].std(axis=0), px[top:bottom].mean(axis=0))
    return left, top, right, bottom


CROP_STEPS = (0.0, 0.05, 0.10, 0.15)  # the share cut off each side, in every combination: 4⁴ = 256 crops


def photo_hashes(image) -> tuple[int, bytes]:
    """The dHash of the photo with its borders trimmed, and the dHashes of its 256 crops (uint64 bytes; the
    first is the whole). A screenshot's bars and status bar are trimmed away; a crop of up to ~15% of the
    width or height matches one of the other photo's crops within a few bits."""
    gray = image.convert("L")
    gray.thumbnail((256, 256))
    gray = gray.crop(trim_borders(gray))
    w, h = gray.size
    out = np.empty(len(CROP_STEPS) ** 4, dtype=np.uint64)
    n = 0
    for fl in CROP_STEPS:
        for fr in CROP_STEPS:
            for ft in CROP_STEPS:
                for fb in CROP_STEPS:
                    out[n] = dhash(gray.crop((int(w * fl), int(h * ft), w - int(w * fr), h - int(h * fb))))
                    n += 1
    return int(out[0]), out.tobytes()


def crop_matches(photos: list[PhotoRow], limit: int) -> dict[tuple[int, int], int]:
    """Pairs (i, j) of photo indices where one's whole hash is within `limit` bits of one of the other's crop
    hashes: the smallest distance. Vectorised popcounts over all crop hashes, one photo at a time."""
    have = [i for i, p in enumerate(photos) if p.crops]
    if len(have) < 2:
        return {}
    crops = np.stack([np.frombuffer(photos[i].crops, dtype=np.uint64) for i in have])  # (n, 256)
    whole = crops[:, 0]
    out: dict[tuple[int, int], int] = {}
    for a, i in enumerate(have):
        dist = np.bitwise_count(crops ^ whole[a]).min(axis=1)
        dist[a] = 64
        for b in np.flatnonzero(dist <= limit):
            j = have[int(b)]
            key = (i, j) if i < j else (j, i)
            out[key] = min(out.get(key, 64), int(dist[b]))
    return out


def detect_photo_reuse(data: AuditData, cfg: dict) -> list[Hit]:
    limit, bands = cfg["PHOTO_HAMMING"], cfg["PHOTO_BANDS"]
    photos = data.photos
    width = math.ceil(64 / bands)
    candidates: set[tuple[int, int]] = set()
    for b in range(bands):
        buckets: dict[int, list[int]] = defaultdict(list)
        shift = b * width
        mask = (1 << min(width, 64 - shift)) - 1 if shift < 64 else 0
        for i, p in enumerate(photos):
            buckets[(p.dhash >> shift) & mask].append(i)
        for members in buckets.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    candidates.add((members[x], members[y]))
    # Union the verified pairs into groups: one finding per reused photo, over all meetings it appears in.
    parent = list(range(len(photos)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    distances: dict[tuple[int, int], int] = {}
    crop_limit = cfg["PHOTO_CROP_HAMMING"]
    for (i, j), d in crop_matches(photos, crop_limit).items():
        p, q = photos[i], photos[j]
        if p.meeting_id != q.meeting_id:
            distances[(p.id, q.id) if p.id < q.id else (q.id, p.id)] = d
            parent[find(i)] = find(j)
    for i, j in candidates:
        p, q = photos[i], photos[j]
        if p.meeting_id == q.meeting_id:
            continue
        d = bin(p.dhash ^ q.dhash).count("1")
        if d <= limit:
            distances[(p.id, q.id) if p.id < q.id else (q.id, p.id)] = d
            parent[find(i)] = find(j)
    groups: dict[int, list[PhotoRow]] = defaultdict(list)
    for i, p in enumerate(photos):
        groups[find(i)].append(p)
    hits = []
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda p: p.id)
        ids = [p.id for p in members]
        first = members[0]
        pair_d = [d for (a, b), d in distances.items() if a in ids and b in ids]
        score = 1.0 - (min(pair_d) if pair_d else 0) / 64
        hits.append(Hit("photo_reuse", members[-1].org_id, f"photos:{first.id}", {
            "attachments": ids, "meetings": sorted({p.meeting_id for p in members})},
            round(score, 3), SEVERITY_HIGH if len({p.org_id for p in members}) > 1 else SEVERITY_MEDIUM,
            {"attachments": ids, "meetings": sorted({p.meeting_id for p in members}),
             "branches": sorted({data.branch_codes.get(p.org_id, str(p.org_id)) for p in members}),
             "max_hamming": max(pair_d) if pair_d else 0, "threshold": limit, "crop_threshold": crop_limit,
             "rule": f"边框裁掉后（含截屏的黑边和状态栏），整张或裁剪后的感知哈希最多相差{max(pair_d) if pair_d else 0}位"
                     f"（整张门槛{limit}位，裁剪比对门槛{crop_limit}位）"}))
    return hits


def detect_rating_contradictions(data: AuditData, cfg: dict) -> list[Hit]:
    """A reviewer's score well above what the records give for the same thing (e.g. full marks for
    "meetings held" where the record shows gaps). Only inflation is flagged: a reviewer stricter than the
    data is a judgement, not a fake."""
    gap_floor = cfg["RATING_GAP"]
    hits = []
    for r in data.ratings:
        weight = float(r["weight"] or 0)
        if weight <= 0:
            continue
        reviewer, computed = float(r["reviewer_score"]), float(r["data_score"])
        gap = (reviewer - computed) / weight
        if gap < gap_floor:
            continue
        full_marks = reviewer >= 0.95 * weight
        hits.append(Hit("rating_contradiction", r["organization_id"],
                        f"rating:{r['assessment_id']}:{r['item_code']}", {"assessments": [r["assessment_id"]]},
                        round(min(1.0, gap), 3), SEVERITY_HIGH if full_marks or gap >= 0.6 else SEVERITY_MEDIUM,
                        {"item_code": r["item_code"], "item_name": r["item_name"], "weight": weight,
                         "reviewer_score": reviewer, "data_score": computed, "gap": round(gap, 3),
                         "threshold": gap_floor, "metric": r["metric"], "figures": r["metric_figures"],
                         "reviewer": r["reviewer"], "reason": r["reason"]}))
    return hits


DETECTORS = {
    "backfill": detect_backfill,
    "rush": detect_rush,
    "copied_minutes": detect_copied_minutes,
    "impossible_attendance": detect_impossible_attendance,
    "election_contradiction": detect_election_contradictions,
    "rating_contradiction": detect_rating_contradictions,
    "photo_reuse": detect_photo_reuse,
    "election_timing": detect_election_timing,
}


def run(data: AuditData, cfg: dict | None = None, kinds=None, progress=None) -> list[Hit]:
    cfg = {**DEFAULTS, **(cfg or {})}
    hits: list[Hit] = []
    todo = [k for k in (kinds or KINDS)]
    for n, kind in enumerate(todo, 1):
        hits.extend(DETECTORS[kind](data, cfg))
        if progress:
            progress(n, len(todo), kind)
    return hits
