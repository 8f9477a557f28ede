"""Benchmarks reports.*: the ledger export and the yearly summary's data, each against what it is built on.

* reports.ledger — the 党费收缴台账 of one month of the whole jurisdiction (typed cells, widths from
  content, print set-up) against the plain list export of the same rows (display strings), in the same
  process: the price of the ledger over the list export.
* reports.summary — gathering every figure of the 年度工作总结 of the root for last year against the
  organisational-life compliance alone (the engine the summary is built on, usually its largest part).
"""
from __future__ import annotations

import datetime as dt

from changqing.bench import BenchContext, Figure, benchmark

REPEAT = 3


@benchmark("reports.ledger", description="台账导出：党费收缴台账与普通列表导出")
def ledger_export(ctx: BenchContext) -> list[Figure]:
    from django.db.models import Max
    from django.test import RequestFactory

    from changqing.core.export_gate import ExportGate
    from changqing.accounts.models import User
    from changqing.core.lists import ScopedListView
    from changqing.dues.models import DuesPayment
    from changqing.dues.views import PaymentListView

    last = DuesPayment.objects.aggregate(m=Max("paid_on"))["m"]
    month = last.replace(day=1)
    params = {"export": "xlsx", "paid_from": month.isoformat(), "paid_to": last.isoformat()}
    request = RequestFactory().get("/dues/payments/", params)
    request.user = User.objects.get(username="admin")
    view = PaymentListView()
    view.setup(request)
    rows = view.get_rows()
    n = rows.count()
    ledger = min(ctx.time_call(lambda: view.export(rows), repeat=REPEAT, warmup=1))

    def plain_export():  # the same gated rows, written by the plain list writer instead of the ledger's
        gate = ExportGate(request)
        return ScopedListView.write_export(view, gate, gate.rows(rows))

    plain = min(ctx.time_call(plain_export, repeat=REPEAT, warmup=1))
    return [Figure(label=f"党费收缴台账导出（{n} 条）", value=ledger, floor=plain, unit="ms",
                   floor_label="同样的行用普通列表导出", detail={"rows": n}, benchmark="reports.ledger")]


@benchmark("reports.summary", description="年度工作总结：汇总全部数字与组织生活完成情况")
def summary_figures(ctx: BenchContext) -> list[Figure]:
    from django.utils import timezone

    from changqing.life import engine, selectors
    from changqing.reports.summary import summary_data

    year = timezone.localdate().year - 1
    period = engine.parse_period(str(year))
    after = dt.date(year + 1, 1, 1)
    whole = min(ctx.time_call(lambda: summary_data(ctx.root, year, today=after), repeat=2, warmup=1))
    life = min(ctx.time_call(lambda: selectors.compliance_results(ctx.root, period, today=after), repeat=2,
                             warmup=1))
    return [Figure(label=f"{ctx.root.name}{year}年度工作总结的全部数字", value=whole, floor=life, unit="ms",
                   floor_label="仅组织生活完成情况（规则引擎）", benchmark="reports.summary")]
