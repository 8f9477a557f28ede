"""The roster list page (/retirees/) against a trivial view, both through django.test.Client."""
from __future__ import annotations

from django.test.utils import override_settings

from . import BenchContext, Figure, benchmark

PAGES = [
    ("名册列表 /retirees/（第1页）", "/retirees/"),
    ("名册搜索 ?q=wang", "/retirees/?q=wang"),
    ("名册排序+翻页 ?sort=-birth_date&page=200", "/retirees/?sort=-birth_date&page=200"),
    ("名册筛选 离休党员", "/retirees/?retirement_kind=lixiu&party=member"),
]


@benchmark("roster.list", description="名册列表页（市级管理员）与空视图的中位耗时之比")
def roster_list(ctx: BenchContext) -> list[Figure]:
    with override_settings(ROOT_URLCONF="changqing.bench.urls", DEBUG=False):
        client = ctx.client("admin")
        floor = ctx.median(ctx.time_get(client, "/__bench__/floor/"))
        return ctx.page_figures(client, PAGES, floor)
