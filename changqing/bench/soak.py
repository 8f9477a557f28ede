"""`make soak`: gunicorn on PostgreSQL with the city demo, 20 users of different roles for 10 minutes.

    python -m changqing.bench.soak [--minutes 10] [--workers 4] [--database-url postgres://…/changqing_soak]

1. Prepares the database (created if missing, migrated, the city demo seeded once) and 20 soak accounts
   (8 branch secretaries, 4 liaisons, 6 readers at bureau, committee and zone level, 2 members), each
   bound to a different part of the tree, with what each may record.
2. Starts gunicorn (deploy/gunicorn.conf.py, several workers, DEBUG off, worker recycling off so a leak
   shows) and runs Locust headless on loopback (changqing/bench/soak_locustfile.py).
3. Reports requests, errors, p50/p95 per page, the workers' memory (RSS) at the start, after the first
   minute and at the end, and the writes: every write the server acknowledged carries a marker, and each
   marker is looked up in the database afterwards (a missing one is a lost write).

The report goes to the terminal and var/soak/report.md. Load and server share this machine's cores, so
the figures are for comparing runs on one machine, not a capacity promise.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/changqing_soak"


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description="常青稳定性压测（soak）")
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 10)))
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SOAK_WORKERS", 4)))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SOAK_PORT", 8199)))
    parser.add_argument("--database-url", default=os.environ.get("SOAK_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--scale", default=os.environ.get("SOAK_SCALE", "city"))
    parser.add_argument("--out", default=str(ROOT / "var" / "soak"))
    return parser.parse_args(argv)


def _ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg

    params = dj_database_url.parse(url)
    admin = {"dbname": "postgres", "host": params["HOST"] or "127.0.0.1", "port": params["PORT"] or 5432,
             "user": params["USER"] or "postgres"}
    if params.get("PASSWORD"):
        admin["password"] = params["PASSWORD"]
    with psycopg.connect(**admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{params["NAME"]}"')


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changqing.settings")
    import django

    django.setup()


def _prepare(scale: str) -> dict:
    """Migrates, seeds once, and makes the soak accounts; returns the plan the Locust users read."""
    from django.core.management import call_command

    from changqing.accounts.models import RoleAssignment, User
    from changqing.care.models import Visit  # noqa: F401  (the app must be there: visits are recorded)
    from changqing.core.roles import Role
    from changqing.core.tree import in_subtree
    from changqing.members.models import Membership
    from changqing.orgs.models import Organization, OrgKind

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", "--scale", scale, "--if-empty", stdout=open(os.devnull, "w"))
    password = secrets.token_urlsafe(16) + "Aa1!"
    # The retired cadres' tree: the root with the most branches that have members (a 两新 tree is beside it).
    with_members = Organization.objects.filter(kind=OrgKind.BRANCH, memberships__isnull=False).distinct()
    root = max(Organization.objects.filter(parent__isnull=True).order_by("path"),
               key=lambda r: with_members.filter(in_subtree(r.path)).count())
    branches = list(with_members.filter(in_subtree(root.path)).order_by("path"))
    rng = random.Random(2026)
    rng.shuffle(branches)
    middle = list(Organization.objects.filter(in_subtree(root.path)).exclude(kind=OrgKind.BRANCH)
                  .exclude(pk=root.pk).order_by("path")[:4])
    today = dt.date.today()

    def account(username: str, role: str, **scope) -> dict:
        user, _ = User.objects.get_or_create(username=username, defaults={"full_name": f"压测{username[-2:]}"})
        user.set_password(password)
        user.is_active = True
        user.save()
        user.role_assignments.all().delete()
        RoleAssignment.objects.create(user=user, role=role, **scope)
        return {"username": username, "password": password}

    plan = {"accounts": {"secretary": [], "liaison": [], "reader": [], "member": []}}
    for i, branch in enumerate(branches[:8]):
        entry = account(f"soak_shuji_{i:02d}", Role.BRANCH_SECRETARY, organization=branch)
        members = list(Membership.objects.filter(organization=branch).values_list("pk", flat=True)[:30])
        # Past days, shuffled: each recorded meeting takes one, so two writes never claim the same day.
        days = [(today - dt.timedelta(days=d)).isoformat() for d in range(1, 200)]
        rng.shuffle(days)
        plan["accounts"]["secretary"].append({**entry, "branch": branch.code, "members": members, "meeting_days": days})
    for i, branch in enumerate(branches[8:12]):
        plan["accounts"]["liaison"].append(account(f"soak_lianluo_{i:02d}", Role.LIAISON, organization=branch))
    readers = [(Role.BUREAU_ADMIN, root)] * 2 + [(Role.COMMITTEE_MEMBER, org) for org in middle]
    for i, (role, org) in enumerate(readers[:6]):
        plan["accounts"]["reader"].append(account(f"soak_read_{i:02d}", role, organization=org))
    for i, membership in enumerate(Membership.objects.filter(organization__in=branches[12:14]).select_related("retiree")[:2]):
        entry = account(f"soak_dangyuan_{i:02d}", Role.MEMBER)
        User.objects.filter(username=entry["username"]).update(retiree=membership.retiree)
        plan["accounts"]["member"].append(entry)
    return plan


def _counts() -> dict:
    from changqing.care.models import Visit
    from changqing.dues.models import DuesPayment
    from changqing.life.models import Meeting

    return {"meeting": Meeting.objects.count(), "payment": DuesPayment.objects.count(), "visit": Visit.objects.count()}


def _found(tally: dict) -> dict:
    """How many acknowledged writes are in the database, found by their markers."""
    from changqing.care.models import Visit
    from changqing.dues.models import DuesPayment
    from changqing.life.models import Meeting

    found = {
        "meeting": set(Meeting.objects.filter(topic__in=tally["meeting"]).values_list("topic", flat=True)),
        "payment": set(DuesPayment.objects.filter(receipt_number__in=tally["payment"])
                       .values_list("receipt_number", flat=True)),
        "visit": set(Visit.objects.filter(notes__in=tally["visit"]).values_list("notes", flat=True)),
    }
    return {kind: {"acknowledged": len(set(tally[kind])), "found": len(found[kind]),
                   "lost": sorted(set(tally[kind]) - found[kind])[:10]} for kind in found}


def _children(pid: int) -> list[int]:
    """The gunicorn workers: every process whose parent is the master (read from /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return sorted(children)


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _memory(master: int) -> dict:
    return {str(pid): round(_rss_mb(pid), 1) for pid in _children(master)}


def _wait_until_up(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn 在 {seconds} 秒内没有启动：{url}")


def _stats(prefix: Path) -> tuple[list[dict], dict]:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    total = next((row for row in rows if row["Name"] == "Aggregated"), {})
    pages = [row for row in rows if row["Name"] != "Aggregated"]
    pages.sort(key=lambda row: -int(row["Request Count"]))
    return pages, total


def _report(args, pages, total, memory, writes, refused, errors_file: Path) -> str:
    lines = [
        f"# 常青 soak：{args.users} 个用户，{args.minutes:g} 分钟，gunicorn {args.workers} 个 worker，{args.scale} 演示数据",
        "",
        f"- 请求 {total.get('Request Count', 0)} 次，失败 {total.get('Failure Count', 0)} 次；"
        f"整体 p50 {total.get('50%', '?')} ms，p95 {total.get('95%', '?')} ms，{float(total.get('Requests/s', 0)):.1f} 次/秒",
        "- 写入（服务器确认保存的，按标记在数据库中逐条找回）：" + "；".join(
            f"{kind} 确认 {w['acknowledged']}、找到 {w['found']}" for kind, w in writes.items()),
        f"- 被业务规则拒绝的提交（如该月已缴、当天已记录）：{refused} 次",
        "- worker 内存（RSS，MB）：" + "；".join(f"{label} {sum(m.values()):.0f}（{', '.join(f'{v:.0f}' for v in m.values())}）"
                                        for label, m in memory.items()),
        "",
        "| 页面 | 请求 | 失败 | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in pages:
        lines.append(f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
                     f"{row['50%']} | {row['95%']} |")
    if errors_file.exists() and len(errors_file.read_text(encoding="utf-8").splitlines()) > 1:
        lines += ["", "## 错误", "", "```", errors_file.read_text(encoding="utf-8")[:4000], "```"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = _parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _ensure_database(args.database_url)
    _setup_django(args.database_url)
    print(f"准备数据库与压测账号（{args.scale} 演示数据，首次需要几分钟）…", flush=True)
    plan = _prepare(args.scale)
    (out / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    before = _counts()

    env = dict(os.environ, DATABASE_URL=args.database_url, DEBUG="false", GUNICORN_BIND=f"127.0.0.1:{args.port}",
               GUNICORN_WORKERS=str(args.workers), GUNICORN_MAX_REQUESTS="0", GUNICORN_LOGLEVEL="warning",
               GUNICORN_ACCESSLOG=str(out / "access.log"), SOAK_PLAN=str(out / "plan.json"),
               SOAK_TALLY=str(out / "tally.json"))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "changqing.wsgi"],
        cwd=ROOT, env=env, stdout=open(out / "gunicorn.log", "w"), stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{args.port}/accounts/login/")
        memory = {"开始": _memory(server.pid)}
        print(f"gunicorn 已启动（{args.workers} 个 worker），开始 {args.minutes:g} 分钟的压测…", flush=True)
        run_time = f"{max(1, int(args.minutes * 60))}s"
        locust = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("soak_locustfile.py")), "--headless",
             "-u", str(args.users), "-r", "4", "-t", run_time, "--host", f"http://127.0.0.1:{args.port}",
             "--csv", str(out / "locust"), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=open(out / "locust.log", "w"), stderr=subprocess.STDOUT,
        )
        time.sleep(min(60, args.minutes * 60 / 2))
        memory["1 分钟后"] = _memory(server.pid)
        locust.wait()
        memory["结束"] = _memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    tally = json.loads((out / "tally.json").read_text(encoding="utf-8"))
    writes = _found(tally)
    after = _counts()
    for kind in writes:
        writes[kind]["rows_added"] = after[kind] - before[kind]
    pages, total = _stats(out / "locust")
    report = _report(args, pages, total, memory, writes, len(tally["refused"]), out / "locust_failures.csv")
    (out / "report.md").write_text(report, encoding="utf-8")
    print(report)
    lost = sum(len(w["lost"]) for w in writes.values()) + sum(w["acknowledged"] - w["found"] for w in writes.values())
    failures = int(total.get("Failure Count", 0) or 0)
    return 1 if (lost or failures) else 0


if __name__ == "__main__":
    sys.exit(main())
