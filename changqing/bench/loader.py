"""The demo loader's rows/s against PostgreSQL COPY of the same rows into scratch tables."""
from __future__ import annotations

import time

import psycopg

from . import BenchContext, Figure, benchmark

# The tables the generator writes (change history is off at city scale, as in seed_demo).
TABLES = ["orgs_organization", "orgs_zone", "members_retiree", "members_membership", "members_absence"]


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@benchmark("demo.loader", description="演示数据生成器的写入速度与 COPY 同样行的速度之比", needs_load=True)
def loader_vs_copy(ctx: BenchContext) -> list[Figure]:
    load = ctx.load
    with psycopg.connect(_libpq_url(ctx.database_url)) as conn:
        tables = {}
        for table in TABLES:
            with conn.cursor() as cur:
                # Exactly the rows the generator wrote (the extenders' come after the watermark).
                cur.execute(f"SELECT * FROM {table} WHERE id <= %s ORDER BY id",  # noqa: S608 - fixed names
                            [load.watermarks.get(table, 0)])
                columns = [d.name for d in cur.description]
                tables[table] = (columns, cur.fetchall())
        copied = 0
        elapsed = 0.0
        for table, (columns, rows) in tables.items():
            scratch = f"bench_copy_{table}"
            with conn.cursor() as cur:
                # Same columns, defaults, checks and indexes (unique ones included); LIKE copies no foreign keys.
                cur.execute(f"DROP TABLE IF EXISTS {scratch}")
                cur.execute(f"CREATE TABLE {scratch} (LIKE {table} INCLUDING ALL)")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cur:
                with cur.copy(f"COPY {scratch} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            conn.commit()
            elapsed += time.perf_counter() - started
            copied += len(rows)
            with conn.cursor() as cur:
                cur.execute(f"DROP TABLE {scratch}")
            conn.commit()
    if copied != load.rows:
        raise AssertionError(f"copied {copied} rows but the generator reported {load.rows}")
    loader_rate = load.rows / load.generator_seconds
    copy_rate = copied / elapsed
    return [Figure(label=f"演示数据生成器（{ctx.scale}）写入", value=loader_rate, floor=copy_rate, unit="行/秒",
                   floor_label="psycopg COPY 同样的行", lower_is_better=False, detail={
                       "loader_rows": load.rows, "loader_seconds": round(load.generator_seconds, 2),
                       "copy_rows": copied, "copy_seconds": round(elapsed, 2),
                       "counts": load.counts.__dict__, "extender_seconds": round(load.extender_seconds, 2),
                       "extenders": load.extenders})]
