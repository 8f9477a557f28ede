"""常青 benchmark harness: `make bench` (python -m changqing.bench).

Every figure is a ratio to a floor measured in the same run on the same
machine, so the numbers mean something across machines: a list page against a
trivial view served the same way, the demo loader against PostgreSQL COPY of
the same rows. Add a benchmark with the `@benchmark` decorator in
changqing/bench/<topic>.py, one module per app or topic (see README.md here).
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

REGISTRY: dict[str, "Benchmark"] = {}


@dataclass
class Figure:
    """One measured value and the floor it is compared with.

    ratio = value / floor when lower is better (times, ms), floor / value when
    higher is better (rows/s): either way 1.0 is the floor and bigger is worse.
    """

    label: str
    value: float
    floor: float
    unit: str
    floor_label: str
    lower_is_better: bool = True
    detail: dict[str, Any] = field(default_factory=dict)
    benchmark: str = ""

    @property
    def ratio(self) -> float:
        if not self.value or not self.floor:
            return float("nan")
        return self.value / self.floor if self.lower_is_better else self.floor / self.value

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": round(self.ratio, 3)}


@dataclass
class Benchmark:
    name: str
    fn: Callable[["BenchContext"], list[Figure]]
    description: str = ""
    needs_load: bool = False  # needs the timing of this run's demo load (skipped with --reuse-db)


def benchmark(name: str, *, description: str = "", needs_load: bool = False):
    """Register `fn(ctx) -> list[Figure]` under `name` (dotted: "roster.list")."""

    def register(fn):
        if name in REGISTRY and REGISTRY[name].fn is not fn:
            raise ValueError(f"benchmark {name!r} registered twice")
        REGISTRY[name] = Benchmark(name, fn, description or (fn.__doc__ or "").strip().split("\n")[0], needs_load)
        return fn

    return register


@dataclass
class BenchContext:
    """What a benchmark gets: the loaded demo, a logged-in client, timing helpers."""

    scale: str
    root: Any  # the jurisdiction's root Organization
    load: Any  # changqing.demo.generator.LoadResult, or None with --reuse-db
    database_url: str
    repeat: int = 30
    warmup: int = 3

    def client(self, username: str = "admin"):
        """A django.test.Client logged in as a demo user (admin = the bureau admin of the root)."""
        from django.test import Client

        from changqing.accounts.models import User

        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    def time_get(self, client, url: str, *, repeat: int | None = None) -> list[float]:
        """Milliseconds per GET, after a few warm-up requests; fails unless every answer is 200."""
        for _ in range(self.warmup):
            _get_ok(client, url)
        out = []
        for _ in range(repeat or self.repeat):
            started = time.perf_counter()
            _get_ok(client, url)
            out.append((time.perf_counter() - started) * 1000)
        return out

    def time_call(self, fn, *, repeat: int | None = None, warmup: int | None = None) -> list[float]:
        """Milliseconds per call of fn(), after warm-up calls (the machine is shared)."""
        for _ in range(self.warmup if warmup is None else warmup):
            fn()
        out = []
        for _ in range(repeat or self.repeat):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
        return out

    def page_figures(self, client, pages, floor: float, *, repeat: int | None = None) -> list[Figure]:
        """One Figure per (label, url): the median ms of GET url against `floor` (the trivial view through the
        same client), with the page's query count and the spread in the detail."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        figures = []
        for label, url in pages:
            times = self.time_get(client, url, repeat=repeat)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            figures.append(Figure(label=label, value=self.median(times), floor=floor, unit="ms",
                                  floor_label="空视图（同一客户端、同一中间件）", detail={
                                      "url": url, "requests": len(times), "queries": len(queries),
                                      "min_ms": round(min(times), 2), "max_ms": round(max(times), 2)}))
        return figures

    @staticmethod
    def median(values: list[float]) -> float:
        return statistics.median(values)


class QueryCounter:
    """A database execute wrapper (`connection.execute_wrapper(counter)`) that counts the queries run."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def _get_ok(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"GET {url} answered {response.status_code}")
    return response
