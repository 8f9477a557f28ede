"""python -m changqing.bench [--only NAME] [--scale city|county] [--keep-db] [--reuse-db] [--repeat N]

Creates a dedicated PostgreSQL database (changqing_bench), migrates it, loads
the demo at the chosen scale, runs every registered benchmark, prints a table
of ratios to their floors, writes var/bench/<timestamp>.json and drops the
database (unless --keep-db).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/changqing_bench"


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m changqing.bench", description="常青基准测试：每个数字都是相对同一次运行中测得的下限的倍数")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="只运行这些基准（可重复，或用逗号分隔；按名称前缀匹配，如 roster）")
    p.add_argument("--scale", choices=["city", "county"], default="city", help="演示数据规模（county 用于快速试跑）")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=30, help="每个页面计时的请求次数（取中位数）")
    p.add_argument("--keep-db", action="store_true", help="结束后保留基准数据库")
    p.add_argument("--reuse-db", action="store_true", help="沿用 --keep-db 留下的数据库，不重建、不重新加载")
    p.add_argument("--no-extenders", action="store_true", help="只运行核心生成器，不运行各应用的 demo.py")
    p.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--list", action="store_true", help="列出已注册的基准后退出")
    return p.parse_args(argv)


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), name


def _server_up(admin_url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(admin_url, connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


def ensure_server(admin_url: str):
    if _server_up(admin_url):
        return
    if shutil.which("pg_ctlcluster") and Path("/etc/postgresql").is_dir():
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        print(f"PostgreSQL 未运行，正在启动（pg_ctlcluster {version} main start）…", flush=True)
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
        for _ in range(30):
            if _server_up(admin_url):
                return
            time.sleep(1)
    sys.exit(f"无法连接 PostgreSQL：{admin_url}。请先启动数据库，或用 --db-url / BENCH_DATABASE_URL 指定。")


def recreate_database(admin_url: str, name: str):
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str):
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def discover():
    """Import every changqing/bench/<topic>.py so their @benchmark functions register."""
    import importlib
    import pkgutil

    from changqing import bench

    for info in pkgutil.iter_modules(bench.__path__):
        # The soak (make soak) is a separate command: its Locust file would monkey-patch threading with gevent.
        if info.name not in {"__main__", "urls"} and not info.name.startswith("soak"):
            importlib.import_module(f"changqing.bench.{info.name}")
    return bench.REGISTRY


def select(registry, only: list[str]):
    wanted = [w.strip() for item in only for w in item.split(",") if w.strip()]
    if not wanted:
        return list(registry.values())
    chosen = [b for b in registry.values() if any(b.name == w or b.name.startswith(w + ".") or b.name.startswith(w)
                                                  for w in wanted)]
    if not chosen:
        sys.exit(f"没有名为 {', '.join(wanted)} 的基准。已注册：{', '.join(sorted(registry))}")
    return chosen


def print_table(figures, skipped):
    headers = ["基准", "指标", "值", "下限", "下限说明", "倍数"]
    rows = []
    for f in figures:
        rows.append([f.benchmark, f.label, f"{f.value:,.1f} {f.unit}", f"{f.floor:,.1f} {f.unit}", f.floor_label,
                     f"{f.ratio:,.2f}×"])
    for name, why in skipped:
        rows.append([name, "（跳过）", "", "", why, ""])

    def width(s):
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    cols = [max(width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(r):
        return "  ".join(c + " " * (cols[i] - width(c)) for i, c in enumerate(r))

    print(line(headers))
    print("  ".join("-" * c for c in cols))
    for r in rows:
        print(line(r))
    print("倍数：1.00× 即达到下限；越大越慢（耗时为 值/下限，速度为 下限/值）。")


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent.parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main(argv=None):
    args = parse_args(argv)
    admin_url, db_name = _admin_url(args.db_url)
    os.environ["DATABASE_URL"] = args.db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changqing.settings")
    os.environ["DEBUG"] = "0"  # no per-query bookkeeping in the measurements

    if args.list:
        import django

        django.setup()
        for b in sorted(discover().values(), key=lambda b: b.name):
            print(f"{b.name:<24} {b.description}")
        return 0

    ensure_server(admin_url)
    started_at = dt.datetime.now(dt.timezone.utc)
    if not args.reuse_db:
        print(f"创建数据库 {db_name} …", flush=True)
        recreate_database(admin_url, db_name)

    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    from changqing.bench import BenchContext
    from changqing.demo.generator import ROOTS, load_demo
    from changqing.orgs.models import Organization

    registry = discover()
    chosen = select(registry, args.only)
    load = None
    try:
        if not args.reuse_db:
            t = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            print(f"迁移完成（{time.perf_counter() - t:.1f} 秒）；正在加载 {args.scale} 演示数据 …", flush=True)
            load = load_demo(args.scale, args.seed, log_history=False, extenders=not args.no_extenders)
            c = load.counts
            print(f"演示数据：组织 {c.organizations}，离退休干部 {c.retirees}，党员 {c.members}，外出 {c.absences}；"
                  f"生成器 {load.generator_seconds:.1f} 秒，各应用扩展 {load.extender_seconds:.1f} 秒"
                  f"（{', '.join(load.extenders) or '无'}）", flush=True)
        root = Organization.objects.get(code=ROOTS[args.scale])
        ctx = BenchContext(scale=args.scale, root=root, load=load, database_url=args.db_url, repeat=args.repeat)
        figures, skipped = [], []
        for b in chosen:
            if b.needs_load and load is None:
                skipped.append((b.name, "需要本次加载的计时（--reuse-db 时跳过）"))
                continue
            print(f"运行 {b.name} …", flush=True)
            for f in b.fn(ctx):
                f.benchmark = b.name
                figures.append(f)
        print()
        print_table(figures, skipped)
        from django.conf import settings

        results = settings.VAR_DIR / "bench"  # outside the package, which may be installed read-only
        results.mkdir(parents=True, exist_ok=True)
        path = results / f"{started_at:%Y%m%dT%H%M%SZ}.json"
        parts = urlsplit(args.db_url)
        payload = {
            "started_at": started_at.isoformat(), "scale": args.scale, "seed": args.seed, "repeat": args.repeat,
            "git_commit": git_commit(), "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "database": f"{parts.hostname}:{parts.port}{parts.path}",
            "load": None if load is None else {
                "generator_seconds": round(load.generator_seconds, 2), "extender_seconds": round(load.extender_seconds, 2),
                "rows": load.rows, "counts": load.counts.__dict__, "extenders": load.extenders},
            "figures": [f.as_dict() for f in figures],
            "skipped": [{"benchmark": n, "reason": r} for n, r in skipped],
        }
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"结果已写入 {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    finally:
        connections.close_all()
        if not args.keep_db:
            drop_database(admin_url, db_name)
        else:
            print(f"已保留数据库 {db_name}（下次可用 --reuse-db）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
