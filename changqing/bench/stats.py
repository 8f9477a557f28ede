"""Benchmark: the statistics of 篇6 on the city demo (33,226 retirees, 881 organisations).

Registered as stats.city (`make bench --only stats`):
- the statistics page (figures, distributions, an eight-year trend) and the
  records list behind the largest figure, against the trivial view;
- annual_figures (two aggregate queries) against the floor of counting the
  same subtree's rows with no condition at all (two plain COUNTs), and a naive
  figure-by-figure loop (one COUNT per figure) against annual_figures.
"""
import datetime as dt

from django.test.utils import override_settings
from changqing.core.tree import in_subtree
from django.utils import timezone

from changqing.bench import BenchContext, Figure, benchmark

ON = dt.date(2018, 12, 31)


@benchmark("stats.city", description="统计页与年度统计（篇6 口径）vs 空视图与不带条件的计数")
def stats_city(ctx: BenchContext) -> list[Figure]:
    from changqing.members.models import Retiree
    from changqing.orgs.models import Organization

    from changqing.stats.selectors import FIGURES, annual_figures, figure_records, records_url

    root = ctx.root
    on = ON if ctx.scale == "city" else timezone.localdate()
    figures = annual_figures(org=root, on=on)
    with override_settings(ROOT_URLCONF="changqing.bench.urls"):
        client = ctx.client("admin")
        floor = ctx.median(ctx.time_get(client, "/__bench__/floor/"))
        page = ctx.median(ctx.time_get(client, f"/stats/?org={root.code}&on={on.isoformat()}"))
        records = ctx.median(ctx.time_get(client, records_url("retirees", org=root, on=on)))

    def plain_counts():
        Retiree.objects.filter(in_subtree(root.path, "organization")).count()
        Organization.objects.filter(in_subtree(root.path)).count()

    def naive():
        for key, _ in FIGURES:
            figure_records(key, org=root, on=on).count()

    counts_ms = ctx.median(ctx.time_call(plain_counts, repeat=15, warmup=2))
    figures_ms = ctx.median(ctx.time_call(lambda: annual_figures(org=root, on=on), repeat=15, warmup=2))
    naive_ms = ctx.median(ctx.time_call(naive, repeat=15, warmup=2))
    trivial = "空视图（同一客户端、同一中间件）"
    return [
        Figure(label=f"统计页 /stats/（{figures['retirees']} 人，含分布与8年趋势）", value=page, floor=floor, unit="ms",
               floor_label=trivial, detail={"figures": figures}),
        Figure(label="统计数字背后的名单 /stats/records/（离退休干部，第1页）", value=records, floor=floor, unit="ms",
               floor_label=trivial),
        Figure(label=f"annual_figures：{len(FIGURES)} 项统计，2 次聚合查询", value=figures_ms, floor=counts_ms, unit="ms",
               floor_label="同一范围的人员与组织各计数一次，不带任何条件"),
        Figure(label=f"逐项计数：{len(FIGURES)} 次 COUNT", value=naive_ms, floor=figures_ms, unit="ms",
               floor_label="annual_figures（2 次聚合查询）"),
    ]
