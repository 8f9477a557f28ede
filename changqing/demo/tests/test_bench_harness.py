"""The benchmark harness's own logic (the benchmarks themselves run only under `make bench`)."""
import math

import pytest

from changqing.bench import Figure
from changqing.bench.__main__ import discover, select


def test_ratio_is_one_at_the_floor_and_grows_when_slower():
    assert Figure("page", value=30.0, floor=3.0, unit="ms", floor_label="空视图").ratio == 10.0
    rate = Figure("loader", value=1_000.0, floor=40_000.0, unit="行/秒", floor_label="COPY", lower_is_better=False)
    assert rate.ratio == 40.0
    assert math.isnan(Figure("x", value=0.0, floor=1.0, unit="ms", floor_label="").ratio)


def test_discovery_finds_the_harness_benchmarks_and_only_selects_by_name():
    registry = discover()
    assert {"roster.list", "demo.loader"} <= set(registry)
    assert [b.name for b in select(registry, ["demo.loader"])] == ["demo.loader"]
    assert "roster.list" in [b.name for b in select(registry, ["roster"])]
    assert len(select(registry, [])) == len(registry)
    with pytest.raises(SystemExit):
        select(registry, ["no-such-benchmark"])
