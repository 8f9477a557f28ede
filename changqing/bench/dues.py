"""Dues benchmark: a year of dues for the city dataset, in bulk queries vs a naive per-member loop.

- bulk: changqing.dues.selectors.compute over every active member under the city root
  (seed_demo --scale city, root "BB") for the twelve months of a year: five queries
  whatever the number of members, rules applied in Python (what the pages, the
  command and the ledger use);
- naive: what a straightforward loop over the ORM does: for each member and month,
  fetch the base, the settled month and any hardship decision (≈37 queries a member).
  It runs on a sample (default 1,000 members) and is extrapolated to the city; on
  that sample both give the same totals (checked, or the benchmark fails).

Read-only: it changes nothing. Needs the city demo in the database:
    manage.py seed_demo --scale city --no-history
"""
from __future__ import annotations

import datetime as dt
import time
from changqing.core.tree import in_subtree
from decimal import Decimal

from changqing.bench import BenchContext, Figure, QueryCounter, benchmark

ROOT = "BB"
YEAR = 2025
SAMPLE = 1000



def _members():
    from changqing.dues.selectors import active_memberships
    from changqing.members.models import Membership
    from changqing.orgs.models import Organization

    root = Organization.objects.filter(code=ROOT).first()
    if root is None:
        raise SystemExit(f"没有找到市级演示数据（组织编码 {ROOT}）：请先运行 manage.py seed_demo --scale city --no-history")
    return active_memberships(Membership.objects.filter(in_subtree(root.path, "organization")))


def bulk_year(members, year: int = YEAR):
    from changqing.dues import rules
    from changqing.dues.selectors import compute

    months = rules.month_range(dt.date(year, 1, 1), 12)
    rows = compute(members, months, as_of=months[-1])
    due = sum((md.due or Decimal(0) for r in rows for md in r.months.values()), Decimal(0))
    paid = sum((r.paid_total for r in rows), Decimal(0))
    return len(rows), due, paid


def naive_year(member_ids, year: int = YEAR):
    """One member and one month at a time, as a simple loop over the ORM would."""
    from changqing.dues import rules
    from changqing.dues.models import DuesBase, DuesMonth, HardshipDecision
    from changqing.dues.selectors import rules_for
    from changqing.members.models import Membership

    months = rules.month_range(dt.date(year, 1, 1), 12)
    due_total, paid_total = Decimal(0), Decimal(0)
    for mid in member_ids:
        m = Membership.objects.select_related("organization").get(pk=mid)
        first = DuesBase.objects.filter(membership=m).order_by("effective_from").first()
        for month in months:
            settled = DuesMonth.objects.filter(membership=m, month=month).first()
            if settled is not None:
                due_total += settled.amount_due
                paid_total += settled.amount_due if settled.payment_id else Decimal(0)
                continue
            if first is None or month < max(first.effective_from, rules.month_start(m.joined_on)):
                continue
            h = HardshipDecision.objects.filter(membership=m, first_month__lte=month, last_month__gte=month).first()
            if h is not None:
                due_total += Decimal(0) if h.kind == "waive" else h.monthly_amount
                continue
            rule = rules_for(m.organization, month)
            base = (DuesBase.objects.filter(membership=m, effective_from__lte=rules.assessment_month(month, rule))
                    .order_by("-effective_from").first() or first)
            due_total += rules.monthly_dues(base.category, income=base.income, pension_whole=base.pension_whole,
                                            pension_basic=base.pension_basic, rules=rule).amount or Decimal(0)
    return due_total, paid_total


def run(sample: int = SAMPLE, year: int = YEAR) -> dict:
    from django.db import connection

    from changqing.members.models import Membership

    members = _members()
    bulk_q = QueryCounter()
    with connection.execute_wrapper(bulk_q):
        t0 = time.perf_counter()
        count, due, paid = bulk_year(members, year)
        bulk_s = time.perf_counter() - t0
    ids = list(members.order_by("pk").values_list("pk", flat=True)[:sample])
    _, s_due, s_paid = bulk_year(Membership.objects.filter(pk__in=ids), year)
    naive_q = QueryCounter()
    with connection.execute_wrapper(naive_q):
        t0 = time.perf_counter()
        n_due, n_paid = naive_year(ids, year)
        naive_s = time.perf_counter() - t0
    if (n_due, n_paid) != (s_due, s_paid):
        raise AssertionError(f"逐人计算与批量计算结果不一致：{n_due}/{n_paid} ≠ {s_due}/{s_paid}")
    per_member = naive_s / len(ids)
    return {
        "database": connection.vendor, "members": count, "year": year, "member_months": count * 12,
        "bulk": {"seconds": round(bulk_s, 2), "queries": bulk_q.n,
                 "member_months_per_s": round(count * 12 / bulk_s) if bulk_s else None},
        "due_total": str(due), "paid_total": str(paid),
        "naive": {"sample": len(ids), "seconds": round(naive_s, 2), "queries": naive_q.n,
                  "queries_per_member": round(naive_q.n / len(ids), 1),
                  "extrapolated_seconds": round(per_member * count, 1)},
        "speedup": round(per_member * count / bulk_s, 1) if bulk_s else None,
    }


@benchmark("dues.year", description="城市全部党员全年党费计算：批量查询 vs 逐人 ORM 循环")
def dues_year(ctx: BenchContext) -> list[Figure]:
    r = run()
    detail = {k: r[k] for k in ("members", "member_months", "year", "due_total", "paid_total")}
    return [Figure(
        label=f"党费全年计算·逐人循环（抽样 {r['naive']['sample']} 人推算全市）",
        value=r["naive"]["extrapolated_seconds"] * 1000, floor=r["bulk"]["seconds"] * 1000, unit="ms",
        floor_label=f"批量计算全市（{r['bulk']['queries']} 次查询，结果在抽样上一致）",
        detail={**detail, "naive_queries_per_member": r["naive"]["queries_per_member"]})]


def report(r: dict) -> str:
    b, n = r["bulk"], r["naive"]
    return "\n".join([
        f"党费全年计算基准（{r['database']}，{r['members']} 名党员 × 12 个月 = {r['member_months']} 人月，{r['year']}年）",
        f"  批量：{b['seconds']:.2f} 秒，{b['queries']} 次查询，{b['member_months_per_s']:,} 人月/秒；"
        f"应缴合计 {r['due_total']} 元，实缴 {r['paid_total']} 元",
        f"  逐人循环（抽样 {n['sample']} 人）：{n['seconds']:.1f} 秒，{n['queries']} 次查询（每人 {n['queries_per_member']} 次）；"
        f"推算全市 {n['extrapolated_seconds']:.0f} 秒",
        f"  批量比逐人快约 {r['speedup']} 倍（两种算法在抽样上的合计一致）",
    ])


if __name__ == "__main__":
    import argparse
    import json
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changqing.settings")
    django.setup()
    parser = argparse.ArgumentParser(description="党费全年计算基准")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="逐人循环的抽样人数")
    parser.add_argument("--year", type=int, default=YEAR)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = run(args.sample, args.year)
    print(json.dumps(out, ensure_ascii=False, indent=2) if args.json else report(out))
