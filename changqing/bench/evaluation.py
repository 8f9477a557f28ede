"""Benchmark: the yearly metrics of every branch in bulk vs branch by branch."""
import random
import time

from changqing.bench import BenchContext, Figure, benchmark

from changqing.orgs.models import Organization, OrgKind
from changqing.core.tree import in_subtree

from changqing.evaluation import selectors

YEAR = 2025
SAMPLE = 40


def _ms(start):
    return (time.perf_counter() - start) * 1000


@benchmark("evaluation.metrics", description="全辖区支部年度考核数据指标：批量计算 vs 逐个支部计算")
def evaluation_metrics(ctx: BenchContext) -> list[Figure]:
    branches = list(Organization.objects.filter(in_subtree(ctx.root.path), kind=OrgKind.BRANCH,
                                                dissolved_on__isnull=True).order_by("path"))
    t = time.perf_counter()
    bulk = selectors.collect(branches, YEAR, root=ctx.root)
    bulk_ms = _ms(t)
    # Branch by branch (each its own collect, as a per-branch loop would): a sample, extrapolated.
    sample = random.Random(1).sample(branches, min(SAMPLE, len(branches)))
    t = time.perf_counter()
    for b in sample:
        one = selectors.collect([b], YEAR, root=b)[b.pk]
        assert {k: {x: y for x, y in v.items() if x != "rules"} for k, v in one.items()} == \
            {k: {x: y for x, y in v.items() if x != "rules"} for k, v in bulk[b.pk].items()}, b.code
    loop_ms = _ms(t) * len(branches) / max(len(sample), 1)
    return [Figure(label=f"{len(branches)} 个支部 {YEAR} 年六项数据指标：逐个支部计算（{len(sample)} 个抽样外推）",
                   value=loop_ms, floor=bulk_ms, unit="ms",
                   floor_label="selectors.collect 一次批量计算全部支部（固定条数查询 + 组织生活引擎）",
                   detail={"branches": len(branches), "sample": len(sample)})]
