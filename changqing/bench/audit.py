"""Benchmark: the integrity audit over the whole city, and near-duplicate search vs brute force."""
import random
import time
import tracemalloc

from changqing.bench import BenchContext, Figure, benchmark

from changqing.audit import engine
from changqing.audit.conf import audit_settings
from changqing.audit.evaluate import precision_recall, redteam_figures, table
from changqing.audit.loader import load_audit_data, plan_shards
from changqing.audit.services import run_integrity_audit

YEAR = 2025
SAMPLE = 800
SHARD = 150


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()


def _ms(start):
    return (time.perf_counter() - start) * 1000


def _quality(name: str, figures: dict) -> Figure:
    """Precision and recall per kind of one planted set: the weakest against the floor 0.9 (higher is better)."""
    worst = min((min(f["precision"], f["recall"]) for f in figures.values()), default=1.0)
    print("\n" + table(f"诚信审计 精确率/召回率：{name}", figures))
    return Figure(label=f"诚信审计 {name}：各类问题精确率、召回率中最低的一项", value=worst, floor=0.9, unit="",
                  floor_label="下限 0.9（每类问题的精确率和召回率）", lower_is_better=False,
                  detail={k: {"precision": round(f["precision"], 3), "recall": round(f["recall"], 3),
                              "planted": f["planted"], "found": f["found"]} for k, f in figures.items()})


@benchmark("audit.city", description="全市诚信审计（全部检查）与雷同记录检索（MinHash/LSH vs 两两比较）")
def audit_city(ctx: BenchContext) -> list[Figure]:
    cfg = audit_settings()
    t = time.perf_counter()
    data = load_audit_data(ctx.root, YEAR)
    load_ms = _ms(t)
    t = time.perf_counter()
    hits = engine.run(data, cfg)
    engine_ms = _ms(t)
    by_kind = {}
    for h in hits:
        by_kind[h.kind] = by_kind.get(h.kind, 0) + 1
    minutes = [m for m in data.meetings if m.minutes.strip() and engine.in_period(m.held_on, data.period)]
    detail = {"meetings": len(data.meetings), "records": len(data.records), "minutes": len(minutes),
              "attendance": len(data.attendance),
              "photos": len(data.photos), "findings": by_kind}

    # Near-duplicates: the engine's LSH over all minutes vs all pairs of a sample, extrapolated (n² / s²).
    t = time.perf_counter()
    lsh_hits = engine.detect_copied_minutes(data, cfg)
    lsh_ms = _ms(t)
    rng = random.Random(1)
    sample = rng.sample(minutes, min(SAMPLE, len(minutes)))
    t = time.perf_counter()
    boiler = engine.boilerplate_lines(minutes, cfg["BOILERPLATE_MIN_BRANCHES"])
    sets = [engine.shingles(m.minutes, boiler, cfg["SHINGLE_WORDS"]) for m in sample]
    brute_pairs = 0
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            if engine.jaccard(sets[i], sets[j]) >= cfg["NEAR_DUPLICATE_JACCARD"]:
                brute_pairs += 1
    brute_sample_ms = _ms(t)
    n, s = len(minutes), max(len(sample), 2)
    brute_ms = brute_sample_ms * (n * (n - 1)) / (s * (s - 1))
    # Memory: the whole city at once against shards of at most SHARD organisations (as a province is run).
    whole_hits = []
    whole_mb = _peak_mb(lambda: whole_hits.extend(run_integrity_audit(root=ctx.root, year=YEAR,
                                                                      max_branches=10 ** 9)))
    shards = len(plan_shards(ctx.root, SHARD))
    t = time.perf_counter()
    shard_mb = _peak_mb(lambda: run_integrity_audit(root=ctx.root, year=YEAR, max_branches=SHARD))
    shard_ms = _ms(t)
    quality = [_quality("演示生成器", precision_recall(whole_hits, ctx.root))]
    red, _planted = redteam_figures(ctx.root, YEAR)  # planted, audited and rolled back
    quality.append(_quality("红队生成器", red))
    return quality + [
        Figure(label=f"诚信审计峰值内存：全市一次读入（{detail['meetings']} 次会议）", value=whole_mb, floor=shard_mb,
               unit="MB", floor_label=f"按片审计，每片不超过 {SHARD} 个组织（共 {shards} 片，省级数据即按此运行）",
               detail={"shards": shards, "sharded_ms": round(shard_ms), "note": "tracemalloc 峰值，仅计 Python 分配"}),
        Figure(label=f"全市诚信审计 {YEAR} 年度（读取+全部检查）", value=load_ms + engine_ms, floor=load_ms, unit="ms",
               floor_label="只读取审计所需记录（同一批批量查询，不做检查）", detail=detail),
        Figure(label=f"雷同记录检索：{n} 份会议记录两两比较（{s} 份抽样外推）", value=brute_ms, floor=lsh_ms,
               unit="ms", floor_label="MinHash + LSH 分桶检索全部会议记录（含分词与验证）",
               detail={"minutes": n, "sample": s, "brute_sample_ms": round(brute_sample_ms, 1),
                       "brute_pairs_in_sample": brute_pairs, "lsh_findings": len(lsh_hits)}),
    ]
