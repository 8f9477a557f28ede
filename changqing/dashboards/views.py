"""Dashboard pages: thin views over selectors.py; every number links to records.RecordsView or an app's list."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from changqing.core.scope import restrict
from changqing.core.lists import ScopedListView
from changqing.dues.selectors import last_closed_month
from changqing.life import engine
from changqing.orgs.models import Organization, OrgKind, Zone
from changqing.orgs.selectors import requested_root

from . import records, selectors

TABS = [
    ("dashboards:overview", "总览"),
    ("dashboards:compliance", "组织生活"),
    ("dashboards:dues", "党费收缴"),
    ("dashboards:care", "关怀覆盖"),
    ("dashboards:zones", "片组对比"),
]


def _today() -> dt.date:
    return timezone.localdate()


def resolve_root(request) -> Organization:
    """?org=CODE when the user may see something under it, else the root of the user's whole scope."""
    return requested_root(request, denied="您的角色无权查看数据看板")


def resolve_period(request) -> tuple[engine.Period, str, str | None]:
    default = str(_today().year)
    text = request.GET.get("period", "").strip() or default
    try:
        return engine.parse_period(text), text, None
    except engine.PeriodError as exc:
        return engine.parse_period(default), default, str(exc)


def org_choices(user, root: Organization) -> list[Organization]:
    """The jurisdictions the user may pick: non-branch organisations in scope, plus the current one."""
    qs = restrict(Organization.objects.exclude(kind__in=[OrgKind.BRANCH, OrgKind.GROUP])
                  .filter(dissolved_on__isnull=True), user).order_by("path").only("code", "name", "depth", "path")
    out = list(qs[:300])
    if root.pk not in {o.pk for o in out}:
        out.insert(0, root)
    return out


def period_choices(today: dt.date) -> list[tuple[str, list[tuple[str, str]]]]:
    years = list(range(today.year, today.year - 3, -1))
    return [
        ("年度", [(str(y), f"{y}年") for y in years]),
        ("季度", [(f"{y}-Q{q}", f"{y}年第{q}季度") for y in years[:2] for q in range(4, 0, -1)
                 if dt.date(y, 3 * q - 2, 1) <= today]),
        ("月份", [(f"{m:%Y-%m}", f"{m.year}年{m.month}月") for m in
                  (engine.add_months(today.replace(day=1), -i) for i in range(18))]),
    ]


def _page(request, template: str, build, **extra):
    root = resolve_root(request)
    period, text, error = resolve_period(request)
    today = _today()
    board = build(root, period, text, user=request.user, today=today)
    query = urlencode({"org": root.code, "period": text})
    return render(request, template, {
        "title": f"{extra.pop('heading')} · {root.name}", "board": board, "root": root, "period": period,
        "period_text": text, "error": error, "today": today, "query": query,
        "orgs": org_choices(request.user, root), "periods": period_choices(today),
        "tabs": [(reverse(name), label, request.resolver_match.view_name == name) for name, label in TABS],
        "screen_url": f"{reverse('dashboards:screen')}?{query}", **extra,
    })


@login_required
def overview(request):
    return _page(request, "dashboards/overview.html", selectors.overview, heading="数据看板")


@login_required
def compliance(request):
    return _page(request, "dashboards/compliance.html", selectors.compliance, heading="组织生活完成情况")


@login_required
def dues(request):
    return _page(request, "dashboards/dues.html", selectors.dues_overview, heading="党费收缴")


@login_required
def care(request):
    return _page(request, "dashboards/care.html", selectors.care_overview, heading="关怀覆盖")


@login_required
def zones(request):
    return _page(request, "dashboards/zones.html", selectors.zones_overview, heading="片组对比")


@login_required
def screen(request):
    """大屏: the overview in a dark full-screen layout for a meeting-room display; reloads itself."""
    root = resolve_root(request)
    period, text, error = resolve_period(request)
    today = _today()
    sub = selectors.subtree(root, request.user)
    board = selectors.overview(root, period, text, user=request.user, today=today, sub=sub)
    zones_board = selectors.zones_overview(root, period, text, user=request.user, today=today, sub=sub)
    charts = board.charts + [c for c in zones_board.charts if c["categories"]]
    for c in charts:  # the wall shows the weakest rows when a chart has many
        if c["id"] == "care-groups":
            c["title"] = c["title"].split("（最低")[0]
            selectors.keep_lowest(c, 8)
    return render(request, "dashboards/screen.html", {
        "title": f"{root.name} 党建工作大屏", "board": board, "charts": charts, "root": root, "period": period,
        "period_text": text, "now": timezone.localtime(), "refresh_seconds": 300,
        "back_url": f"{reverse('dashboards:overview')}?{urlencode({'org': root.code, 'period': text})}",
    })



class RecordsView(ScopedListView):
    """The records behind a dashboard figure (records.SPECS), scoped, paged and exportable."""

    template_name = "dashboards/records.html"

    def _ask(self):
        if hasattr(self, "ask"):
            return self.ask
        root = resolve_root(self.request)
        period, text, _ = resolve_period(self.request)
        key = self.request.GET.get("figure", records.DEFAULT)
        if key not in records.SPECS:
            raise Http404("没有这个统计项")
        g = self.request.GET
        zone = Zone.objects.filter(code=g["zone"]).first() if g.get("zone") else None
        try:
            month = engine.parse_period(g["month"]).start if g.get("month") else None
        except engine.PeriodError:
            raise Http404("月份格式不对，应为 2025-03")
        levels = selectors.arrears_levels_of(selectors.warning_months(root, last_closed_month(_today())))
        level = int(g["level"]) if g.get("level", "").isdigit() and int(g["level"]) in levels else 1
        self.key, self.spec, self.period_text = key, records.SPECS[key], text
        self.ask = records.Ask(root=root, period=period, today=_today(), user=self.request.user, zone=zone,
                               month=month, level=level, reason=g.get("reason", ""))
        self.columns = self.spec.columns
        self.title = self._title()
        return self.ask

    def _title(self):
        a = self.ask
        parts = [a.root.name]
        if a.zone:
            parts.append(a.zone.name)
        if self.key.startswith("dues.") and self.key != "dues.arrears":
            m = records._month(a)
            parts.append(f"{m.year}年{m.month}月")
        elif self.key.startswith(("life.", "care.visit", "care.unvisit", "care.hardship_unvisited", "care.hardship_visited")):
            parts.append(a.period.label)
        return f"{self.spec.title}（{'·'.join(parts)}）"

    def get_base_queryset(self):
        ask = self._ask()
        return self.spec.rows(ask)

    def export_subject(self):
        return self._ask().root

    def get_rows(self):
        qs = self.scoped(self.get_base_queryset())
        self.filterset = None
        model = qs.model._meta.label_lower
        default = {"orgs.organization": "path", "members.retiree": "name_pinyin",
                   "members.membership": "retiree__name_pinyin", "care.visit": "-visited_on",
                   "care.hardshiprecord": "-since", "audit.finding": "-score"}.get(model, "pk")
        self.default_ordering = default
        return qs.order_by(self.current_ordering() or default, "pk")

    def render_row(self, row):
        cells = super().render_row(row)
        if getattr(row, "retiree", None) is not None and not hasattr(row, "get_absolute_url"):
            for c, col in zip(cells, self.columns):
                if col.link:
                    c["url"] = row.retiree.get_absolute_url()
        return cells

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["back_url"] = f"{reverse('dashboards:overview')}?" + urlencode(
            {"org": self.ask.root.code, "period": self.period_text})
        ctx["figure_key"] = self.key
        return ctx
