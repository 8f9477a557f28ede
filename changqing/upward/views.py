"""上报统计表 pages: the yearly tables for any date and subtree, each figure a link to its records;
producing a report keeps its figures; a produced report shows what moved since the one before."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from changqing.core.export_gate import ExportGate
from changqing.core.exports import XLSX_CONTENT_TYPE, date_label, watermark_text
from changqing.core.lists import Column, ScopedListView
from changqing.core.scope import can, get_scoped_object_or_404, object_view
from changqing.orgs.models import Organization
from changqing.stats.views import FigureRecordsView, ORG_COLUMNS, RETIREE_COLUMNS, org_choices, parse_date, resolve_org

from . import diff, selectors, services
from .models import ReportSnapshot
from .xlsx import workbook_bytes


def default_date(today: dt.date) -> dt.date:
    """The last year-end: the yearly report's date."""
    return dt.date(today.year - 1, 12, 31)


def _xlsx(request, org: Organization, on: dt.date, values: dict, *, produced: str = "") -> HttpResponse:
    gate = ExportGate(request)
    gate.require(org)  # every figure counts the organisation's subtree: the organisation must be exportable
    tables = selectors.tables(values, org=org, on=on, links=False)
    title = f"{org.name}离退休干部党内统计表（截至{date_label(on)}）"
    data = workbook_bytes(tables, unit_name=org.name, on=on, produced=produced, watermark=watermark_text(request.user))
    gate.log(f"导出「{title}」{len(tables)} 张表", org_path=org.path, data={"org": org.code, "on": on.isoformat()})
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
    return response


@login_required
def tables(request):
    org = resolve_org(request)
    today = timezone.localdate()
    try:
        on, date_error = parse_date(request.GET.get("on", ""), default_date(today)), ""
    except BadRequest as exc:
        on, date_error = default_date(today), str(exc)
    values = selectors.figures(org=org, on=on)
    if request.GET.get("export") == "xlsx":
        return _xlsx(request, org, on, values)
    last = ReportSnapshot.objects.filter(organization=org).order_by("-produced_at", "-id").first()
    return render(request, "upward/tables.html", {
        "title": "上报统计表", "org": org, "on": on, "on_label": date_label(on), "date_error": date_error,
        "tables": selectors.tables(values, org=org, on=on), "org_choices": org_choices(request.user, org),
        "can_export": can(request.user, "export", org), "last": last,
    })


@login_required
@require_POST
def produce(request):
    org = get_scoped_object_or_404(Organization.objects.all(), request.user, "view",
                                   code=request.POST.get("org", "").strip())
    on = parse_date(request.POST.get("on", ""), default_date(timezone.localdate()))
    snapshot = services.snapshot_produce(organization=org, on=on, user=request.user)
    return redirect(snapshot)


@login_required
@object_view(ReportSnapshot)
def snapshot_detail(request, pk: int):
    snapshot = get_scoped_object_or_404(ReportSnapshot.objects.select_related("organization", "produced_by"),
                                        request.user, "view", pk=pk)
    org, on = snapshot.organization, snapshot.on
    if request.GET.get("export") == "xlsx":
        when = timezone.localtime(snapshot.produced_at)
        return _xlsx(request, org, on, snapshot.figures, produced=f"生成时间：{when:%Y-%m-%d %H:%M}。")
    before = diff.previous(snapshot)
    return render(request, "upward/snapshot.html", {
        "title": str(snapshot), "snapshot": snapshot, "org": org, "on_label": date_label(on),
        "tables": selectors.tables(snapshot.figures, org=org, on=on), "before": before,
        "changes": diff.changes(snapshot, before), "can_export": can(request.user, "export", org),
    })


class SnapshotListView(ScopedListView):
    queryset = ReportSnapshot.objects.select_related("organization", "produced_by")
    title = "已生成的上报统计表"
    default_ordering = "-produced_at"
    columns = [
        Column("organization.name", "统计范围", sort="organization__path", link=True),
        Column("on", "统计截至日期", sort="on"),
        Column("produced_at", "生成时间", sort="produced_at"),
        Column("produced_by", "生成人", value=lambda s: s.produced_by.display_name if s.produced_by else "系统"),
    ]


class CellRecordsView(FigureRecordsView):
    """The records behind one cell of the tables: the statistics' records list with the cell's condition."""

    template_name = "upward/records.html"

    @cached_property
    def params(self) -> dict:
        request = self.request
        org = resolve_org(request)
        on = parse_date(request.GET.get("on", ""), timezone.localdate())
        key = request.GET.get("cell", "").strip()
        try:
            selectors.cell_records(key, org=org, on=on)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        names = selectors.labels(selectors.tables({}, org=org, on=on, links=False))
        figure = "organizations" if selectors.is_org_cell(key) else "retirees"
        return {"org": org, "on": on, "figure": figure, "cell": key, "dist": "", "bucket": "",
                "label": names.get(key, key)}

    @property
    def columns(self):
        return ORG_COLUMNS if selectors.is_org_cell(self.params["cell"]) else RETIREE_COLUMNS

    def get_base_queryset(self):
        p = self.params
        qs = selectors.cell_records(p["cell"], org=p["org"], on=p["on"])
        if selectors.is_org_cell(p["cell"]):
            return qs.select_related("parent")
        return qs.select_related("organization", "membership")
