"""Benchmark: compliance for a whole year across every branch of the city dataset.

The engine (changqing.life.selectors.compliance_results: a handful of bulk
queries, then pure Python) against a naive per-branch ORM loop written here:
for each branch, resolve its ruleset up the tree, then count meetings per rule
and window with one query each. Both must give the same rows; the benchmark
checks that before it reports times.

Needs the city demo (`seed_demo --scale city`), whose life extender writes
2025-01..2026-11 meetings for all 881 branches.
"""
from __future__ import annotations

import datetime as dt
import time
from changqing.core.tree import in_subtree

from changqing.bench import BenchContext, Figure, QueryCounter, benchmark

YEAR = "2025"
TODAY = dt.date(2026, 11, 24)
ROOT = "BB"


def naive_compliance(root, period, today):
    """What one would write without the engine: queries per branch, per rule, per window."""
    from changqing.life import engine
    from changqing.life.models import Attendance, Meeting, MeetingState, Ruleset
    from changqing.members.models import Membership
    from changqing.orgs.models import Organization, OrgKind
    from changqing.policies.selectors import policy_for

    rows = []
    for branch in Organization.objects.filter(in_subtree(root.path), kind=OrgKind.BRANCH).order_by("path"):
        chosen = policy_for("life.ruleset", branch, period.end)
        ruleset = Ruleset.objects.get(pk=chosen) if chosen else Ruleset.objects.get(is_fallback=True)
        version = ruleset.current_version(period.end)
        for rule in version.rules.select_related("kind").order_by("kind__order"):
            required = held = 0
            ids, worst = [], engine.DONE
            judged = 0
            for wstart, wend in engine.judged_windows(rule.period, period, today):
                if branch.established_on and wend < branch.established_on:
                    continue
                judged += 1
                found = list(Meeting.objects.filter(organization=branch, kind=rule.kind, state=MeetingState.HELD,
                                                    held_on__gte=wstart, held_on__lte=wend)
                             .order_by("held_on", "id").values_list("id", flat=True))
                if rule.per_member:
                    roll = Membership.objects.filter(organization=branch, state="active").count()
                    need = rule.count * roll
                    got = (Attendance.objects.filter(meeting_id__in=found, status__in=sorted(engine.PARTICIPATED),
                                                     membership__organization=branch, membership__state="active")
                           .values("membership_id").distinct().count())
                else:
                    need, got = rule.count, len(found)
                required, held = required + need, held + got
                ids.extend(found)
                status = engine._window_status(got, need, wstart, wend, today, version.due_soon_days)
                if engine.STATUS_RANK[status] > engine.STATUS_RANK[worst]:
                    worst = status
            if judged:
                rows.append((branch.code, rule.kind.code, required, held, worst, sorted(ids)))
    return rows


def measure(root, year: str = YEAR) -> dict:
    """Time the facts load alone (the floor), the engine (load + compute) and the naive loop; check equality."""
    from django.db import connection

    from changqing.life import engine, selectors
    from changqing.life.models import Attendance, Meeting
    from changqing.orgs.models import OrgKind

    period = engine.parse_period(year)
    branches = root.descendants().filter(kind=OrgKind.BRANCH).count()
    meetings = Meeting.objects.filter(in_subtree(root.path, "organization"), held_on__gte=period.start,
                                      held_on__lte=period.end)
    counts = {"branches": branches, "meetings": meetings.count(),
              "attendance": Attendance.objects.filter(meeting__in=meetings).count()}

    def timed(fn):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            t = time.perf_counter()
            out = fn()
            return time.perf_counter() - t, out, counter.n

    timed(lambda: selectors.compliance_results(root, period, today=TODAY))  # warm-up
    t_load, _, q_load = timed(lambda: selectors.load_facts(root, period))
    t_engine, results, q_engine = timed(lambda: selectors.compliance_results(root, period, today=TODAY))
    t_naive, naive, q_naive = timed(lambda: naive_compliance(root, period, TODAY))
    engine_rows = sorted((r.branch.code, r.rule.kind, r.required, r.held, r.status, sorted(r.record_ids))
                         for r in results)
    if engine_rows != sorted(naive):
        raise AssertionError("引擎与逐支部查询的结果不一致，基准无效")
    return {
        "database": connection.vendor, "year": year, **counts, "rows": len(results),
        "overdue_rows": sum(1 for r in results if r.status == engine.OVERDUE),
        "load": {"seconds": round(t_load, 3), "queries": q_load},
        "engine": {"seconds": round(t_engine, 3), "queries": q_engine},
        "naive": {"seconds": round(t_naive, 2), "queries": q_naive},
        "speedup": round(t_naive / t_engine, 1) if t_engine else None,
    }


@benchmark("life.compliance", description="城市全部支部全年组织生活合规计算：引擎 vs 逐支部 ORM 循环")
def compliance_year(ctx: BenchContext) -> list[Figure]:
    r = measure(ctx.root)
    detail = {k: r[k] for k in ("year", "branches", "meetings", "attendance", "rows", "overdue_rows")}
    return [
        Figure(label=f"合规计算·引擎（{r['branches']}个支部全年）", value=r["engine"]["seconds"] * 1000,
               floor=r["load"]["seconds"] * 1000, unit="ms",
               floor_label=f"只读取同样的事实数据（{r['load']['queries']}次查询，不计算）",
               detail={**detail, "queries": r["engine"]["queries"]}),
        Figure(label="合规计算·逐支部 ORM 循环", value=r["naive"]["seconds"] * 1000,
               floor=r["engine"]["seconds"] * 1000, unit="ms",
               floor_label=f"引擎（同一数据、逐行相同的结果，{r['engine']['queries']}次查询）",
               detail={**detail, "queries": r["naive"]["queries"]}),
    ]


def run(year: str = YEAR) -> dict:
    from changqing.orgs.models import Organization

    root = Organization.objects.filter(code=ROOT).first()
    if root is None:
        raise SystemExit(f"没有找到市级演示数据（组织编码 {ROOT}）：请先运行 manage.py seed_demo --scale city --no-history")
    return measure(root, year)


def report(r: dict) -> str:
    e, n, lo = r["engine"], r["naive"], r["load"]
    return "\n".join([
        f"组织生活合规计算基准（{r['database']}，{r['branches']} 个支部，{r['year']}年全年，"
        f"会议 {r['meetings']} 次、出席记录 {r['attendance']} 条，结果 {r['rows']} 行，其中逾期 {r['overdue_rows']} 行）",
        f"  只读取事实数据：{lo['seconds']:.3f} 秒，{lo['queries']} 次查询",
        f"  引擎（批量读取 + 纯 Python）：{e['seconds']:.3f} 秒，{e['queries']} 次查询",
        f"  逐支部 ORM 循环：{n['seconds']:.2f} 秒，{n['queries']} 次查询",
        f"  引擎快约 {r['speedup']} 倍（两种算法逐行结果一致）",
    ])


if __name__ == "__main__":
    import json
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changqing.settings")
    django.setup()
    result = run()
    print(json.dumps(result, ensure_ascii=False) if "--json" in sys.argv else report(result))
