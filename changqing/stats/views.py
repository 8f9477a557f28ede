"""统计 pages: the statistics table of 篇6 for an organisation and a date, and the records behind each figure."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from changqing.core.masking import birth_column_kwargs, retired_column_kwargs
from changqing.core.export_gate import ExportGate
from changqing.core.scope import can, get_scoped_object_or_404, restrict, scope_for
from changqing.core.exports import date_label
from changqing.core.lists import Column, ScopedListView
from changqing.members.models import Retiree
from changqing.orgs.models import Organization, OrgKind
from changqing.core.tree import in_subtree
from changqing.core.params import parse_date as parse_iso_date

from . import selectors
from .selectors import FIGURE_LABELS, ORG_FIGURES

TREND_YEARS = 8
ORG_CHOICES_MAX = 300


def scope_roots(user) -> list[Organization]:
    """The topmost organisations the user may view (the roots of the tree for a superuser)."""
    scope = scope_for(user, "view")
    if scope.everything:
        return list(Organization.objects.filter(parent__isnull=True).order_by("path"))
    if not scope.org_paths:
        return []
    return list(Organization.objects.filter(path__in=scope.org_paths).order_by("depth", "path"))


def resolve_org(request) -> Organization:
    """?org=CODE when it is in the user's view scope (else 404); without it, the user's top organisation."""
    code = request.GET.get("org", "").strip()
    if code:
        return get_scoped_object_or_404(Organization.objects.all(), request.user, "view", code=code)
    roots = scope_roots(request.user)
    if not roots:
        raise PermissionDenied("您的角色无权查看统计")
    return default_org(roots)


def default_org(roots: list[Organization]) -> Organization:
    """Of several top organisations (a county's retired cadres and its 两新工委), the one serving most retirees."""
    if len(roots) == 1:
        return roots[0]
    counted = Retiree.objects.aggregate(**{f"r{i}": Count("pk", filter=in_subtree(o.path, "organization"))
                                           for i, o in enumerate(roots)})
    return max(enumerate(roots), key=lambda io: (counted[f"r{io[0]}"], -io[0]))[1]


def parse_date(text: str, default: dt.date) -> dt.date:
    text = (text or "").strip()
    if not text:
        return default
    day = parse_iso_date(text)
    if day is None:
        raise BadRequest(f"日期“{text[:40]}”格式不正确，应为 年-月-日，如 2018-12-31") from None
    return day


def trend_years(on: dt.date) -> list[int]:
    """The last TREND_YEARS complete years up to `on` (its own year only when `on` is 12-31)."""
    last = on.year if (on.month, on.day) == (12, 31) else on.year - 1
    return list(range(last - TREND_YEARS + 1, last + 1))


def org_choices(user, current: Organization) -> list[Organization]:
    """Organisations offered in the picker: every organisation in scope when there are at most
    ORG_CHOICES_MAX of them, else the committees and 党总支; plus the user's roots and the current one."""
    qs = restrict(Organization.objects.exclude(kind=OrgKind.GROUP), user)
    if qs.count() > ORG_CHOICES_MAX:
        qs = qs.filter(kind__in=[OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH])
    orgs = {o.pk: o for o in qs.order_by("path")[:ORG_CHOICES_MAX]}
    for o in scope_roots(user) + [current]:
        orgs.setdefault(o.pk, o)
    return sorted(orgs.values(), key=lambda o: o.path)


def _table_rows(figures: dict, org, on) -> dict:
    """The figures of 篇6 as the page shows them: people (人数 / 其中党员) and organisations."""

    def cell(key):
        return {"key": key, "label": FIGURE_LABELS[key], "value": figures[key],
                "url": selectors.records_url(key, org=org, on=on)}

    people = [
        {"label": "离休干部", "total": cell("lixiu"), "members": cell("lixiu_members"), "indent": 1},
        {"label": "退休干部", "total": cell("tuixiu"), "members": cell("tuixiu_members"), "indent": 1},
        {"label": "合计", "total": cell("retirees"), "members": cell("members"), "indent": 0},
    ]
    organizations = [
        {"label": "离退休干部党组织", "cell": cell("organizations"), "indent": 0},
        {"label": "其中：单独设置", "cell": cell("organizations_alone"), "indent": 1},
        {"label": "与在职人员合编或编入社区", "cell": cell("organizations_combined"), "indent": 1},
        {"label": "其中：与在职人员合编", "cell": cell("organizations_with_staff"), "indent": 2},
        {"label": "编入社区", "cell": cell("organizations_community"), "indent": 2},
        {"label": "其他（老年大学临时、流动）", "cell": cell("organizations_other"), "indent": 1},
    ]
    return {"people": people, "organizations": organizations, "cells": {k: cell(k) for k in figures}}


@login_required
def statistics(request):
    org = resolve_org(request)
    today = timezone.localdate()
    try:
        on, date_error = parse_date(request.GET.get("on", ""), today), ""
    except BadRequest as exc:
        on, date_error = today, str(exc)
    figures = selectors.annual_figures(org=org, on=on)
    dists = selectors.distributions(org=org, on=on)
    years = trend_years(on)
    trend = selectors.trend(org=org, years=years)
    if request.GET.get("export") == "xlsx":
        return _export(request, org, on, figures, dists, trend)
    table = _table_rows(figures, org, on)
    trend_keys = ["retirees", "members", "lixiu", "tuixiu", "organizations"]
    trend_rows = [{"key": k, "label": FIGURE_LABELS[k],
                   "cells": [{"value": t["figures"][k], "url": selectors.records_url(k, org=org, on=t["on"])}
                             for t in trend]} for k, _ in selectors.FIGURES]
    chart = {
        "years": [str(t["year"]) for t in trend],
        "series": [{"name": FIGURE_LABELS[k], "data": [t["figures"][k] for t in trend],
                    "urls": [selectors.records_url(k, org=org, on=t["on"]) for t in trend]} for k in trend_keys],
    }
    return render(request, "stats/statistics.html", {
        "title": "统计", "org": org, "on": on, "today": today, "table": table, "figures": figures,
        "distributions": dists, "trend": trend, "trend_rows": trend_rows, "chart": chart,
        "org_choices": org_choices(request.user, org), "can_export": can(request.user, "export", org),
        "on_label": date_label(on), "date_error": date_error,
    })


def _export(request, org, on, figures, dists, trend):
    # Every figure counts the organisation's subtree: the organisation itself must be exportable.
    gate = ExportGate(request)
    gate.require(org)
    title = f"{org.name}离退休干部党建统计（截至{date_label(on)}）"
    rows = [["基本情况", label, figures[key], ""] for key, label in selectors.FIGURES]
    for d in dists.values():
        rows += [[d["label"], b["label"], b["count"], b["percent"]] for b in d["buckets"]]
    for t in trend:
        rows += [[f"{t['year']}年12月31日", label, t["figures"][key], ""] for key, label in selectors.FIGURES]
    return gate.xlsx(title, ["类别", "项目", "数量", "占比（%）"], rows, org_path=org.path, unit="行",
                     data={"org": org.code, "on": on.isoformat()})


def _membership_text(r: Retiree) -> str:
    m = getattr(r, "membership", None)  # a missing reverse one-to-one raises an AttributeError subclass
    return m.get_status_display() if m is not None else "群众"


RETIREE_COLUMNS = [
    Column("name", "姓名", sort="name_pinyin", link=True),
    Column("gender", "性别", value=lambda r: r.get_gender_display()),
    Column("birth_date", "出生日期", sort="birth_date", **birth_column_kwargs()),
    Column("id_number", "身份证号", value=lambda r: r.masked_id_number),
    Column("retirement_kind", "类别", sort="retirement_kind", value=lambda r: r.get_retirement_kind_display()),
    Column("retired_on", "离退休日期", sort="retired_on", **retired_column_kwargs()),
    Column("membership", "政治面貌", value=_membership_text),
    Column("organization.name", "所在组织", sort="organization__path"),
    Column("health", "健康状况", sort="health", value=lambda r: r.get_health_display()),
    Column("phone", "联系电话", value=lambda r: r.masked_phone),
]
ORG_COLUMNS = [
    Column("code", "组织编码", sort="code"),
    Column("name", "组织名称", sort="path", link=True),
    Column("kind", "组织类别", sort="kind", value=lambda o: o.get_kind_display()),
    Column("setup_kind", "组建方式", sort="setup_kind", value=lambda o: o.get_setup_kind_display()),
    Column("parent.name", "上级组织"),
    Column("established_on", "成立日期", sort="established_on"),
]


class FigureRecordsView(ScopedListView):
    """The records behind one figure (or one bucket of a distribution): same condition, same count."""

    template_name = "stats/records.html"
    queryset = Retiree.objects.all()  # the default figure; organisation figures swap the model in get_base_queryset

    @cached_property
    def params(self) -> dict:
        request = self.request
        org = resolve_org(request)
        on = parse_date(request.GET.get("on", ""), timezone.localdate())
        figure = request.GET.get("figure", "") or "retirees"
        if figure not in FIGURE_LABELS:
            raise BadRequest(f"未知的统计项“{figure}”")
        dist, bucket = request.GET.get("dist", ""), request.GET.get("bucket", "")
        label = FIGURE_LABELS[figure]
        if dist:
            d = selectors.DISTRIBUTION_BY_KEY.get(dist)
            if d is None or d.figure != figure:
                raise BadRequest(f"分布“{dist}”不属于统计项“{label}”")
            names = {b.key: b.label for b in d.buckets}
            label = f"{label} · {d.label}：{names.get(bucket, bucket)}"
        return {"org": org, "on": on, "figure": figure, "dist": dist, "bucket": bucket, "label": label}

    @property
    def columns(self):
        return ORG_COLUMNS if self.params["figure"] in ORG_FIGURES else RETIREE_COLUMNS

    @property
    def default_ordering(self):
        return "path" if self.params["figure"] in ORG_FIGURES else "organization__path"

    @property
    def title(self):
        p = self.params
        return f"{p['org'].name} {p['label']}（截至{date_label(p['on'])}）"

    def export_subject(self):
        return self.params["org"]

    def get_base_queryset(self):
        p = self.params
        try:
            qs = selectors.figure_records(p["figure"], org=p["org"], on=p["on"], dist=p["dist"] or None,
                                          bucket=p["bucket"] or None)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        if p["figure"] in ORG_FIGURES:
            return qs.select_related("parent")
        return qs.select_related("organization", "membership")

    def render_row(self, row):
        cells = super().render_row(row)
        if self.params["figure"] in ORG_FIGURES:  # the code opens that organisation's own statistics
            cells[0]["url"] = f"{reverse('stats:home')}?{urlencode({'org': row.code, 'on': self.params['on'].isoformat()})}"
        return cells

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        p = self.params
        ctx.update(stats_org=p["org"], stats_on=p["on"], figure_label=p["label"])
        return ctx
