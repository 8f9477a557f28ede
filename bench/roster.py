"""The roster list page (/retirees/) against a trivial view, both through django.test.Client."""
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from . import BenchContext, Figure, benchmark

PAGES = [
    ("名册列表 /retirees/（第1页）", "/retirees/"),
    ("名册搜索 ?q=wang", "/retirees/?q=wang"),
    ("名册排序+翻页 ?sort=-birth_date&page=200", "/retirees/?sort=-birth_date&page=200"),
    ("名册筛选 离休党员", "/retirees/?retirement_kind=lixiu&party=member"),
]


@benchmark("roster.list", description="名册列表页（市级管理员）与空视图的中位耗时之比")
def roster_list(ctx: BenchContext) -> list[Figure]:
    with override_settings(ROOT_URLCONF="bench.urls", DEBUG=False):
        client = ctx.client("admin")
        floor = ctx.median(ctx.time_get(client, "/__bench__/floor/"))
        figures = []
        for label, url in PAGES:
            times = ctx.time_get(client, url)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            figures.append(Figure(label=label, value=ctx.median(times), floor=floor, unit="ms",
                                  floor_label="空视图（同一客户端、同一中间件）", detail={
                                      "url": url, "requests": len(times), "queries": len(queries),
                                      "min_ms": round(min(times), 2), "max_ms": round(max(times), 2)}))
        return figures
