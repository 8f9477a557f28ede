"""Benchmark: every dashboard page on the city demo (bureau admin of the city) against a trivial view.

Both go through the same django.test.Client and middleware (changqing/bench/urls.py), so the ratio is what the
dashboard's own work costs. The number of queries of each page is recorded beside its time; the tests
(tests/test_dashboards.py) assert that it does not grow with the data.
"""
from __future__ import annotations

from django.test.utils import override_settings

from changqing.bench import BenchContext, Figure, benchmark

YEAR = 2025  # the demo's complete year
PAGES = [
    ("看板总览 /dashboards/", f"/dashboards/?period={YEAR}"),
    ("组织生活完成情况 /dashboards/compliance/", f"/dashboards/compliance/?period={YEAR}"),
    ("党费收缴 /dashboards/dues/", f"/dashboards/dues/?period={YEAR}"),
    ("关怀覆盖 /dashboards/care/", f"/dashboards/care/?period={YEAR}"),
    ("片组对比 /dashboards/zones/", f"/dashboards/zones/?period={YEAR}"),
    ("大屏 /dashboards/screen/", f"/dashboards/screen/?period={YEAR}"),
    ("数字背后的名单（全年未走访，第1页）", f"/dashboards/records/?figure=care.unvisited&period={YEAR}"),
]
REPEAT = 5  # a city page takes seconds: the median of a few is enough


@benchmark("dashboards.city", description="数据看板各页（市级管理员，全市）与空视图的中位耗时之比")
def dashboards_city(ctx: BenchContext) -> list[Figure]:
    ctx.warmup = 1
    with override_settings(ROOT_URLCONF="changqing.bench.urls", DEBUG=False):
        client = ctx.client("admin")
        floor = ctx.median(ctx.time_get(client, "/__bench__/floor/"))
        return ctx.page_figures(client, [(label, f"{url}&org={ctx.root.code}") for label, url in PAGES], floor,
                                repeat=min(REPEAT, ctx.repeat))
