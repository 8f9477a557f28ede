"""信息完整度 pages: the board of a jurisdiction (branches ranked by what is missing) and one branch's board
with its to-fix list. Individuals are listed only to be fixed, never ranked."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from changqing.core.export_gate import ExportGate
from changqing.core.exports import date_label
from changqing.core.scope import can, get_scoped_object_or_404, object_view, restrict, scope_for
from changqing.core.tree import in_subtree
from changqing.members.models import Retiree
from changqing.orgs.models import Organization, OrgKind

from . import selectors
from .rules import RULE_BY_KEY, available_rules

TO_FIX_PAGE = 20


def _roots(user) -> list[Organization]:
    scope = scope_for(user, "view")
    if scope.everything:
        return list(Organization.objects.filter(parent__isnull=True).order_by("path"))
    return list(Organization.objects.filter(path__in=scope.org_paths).order_by("depth", "path"))


def _visible_ids(user, root: Organization) -> set[int] | None:
    """The organisations under root the user may view; None when the whole subtree is in scope."""
    scope = scope_for(user, "view")
    if scope.everything or scope.covers_path(root.path):
        return None
    qs = Organization.objects.filter(kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE])
    return set(restrict(qs, user).values_list("pk", flat=True))


def _root(request) -> Organization:
    code = request.GET.get("org", "").strip()
    if code:
        return get_scoped_object_or_404(Organization.objects.all(), request.user, "view", code=code)
    roots = _roots(request.user)
    if len(roots) > 1:
        # Of several top organisations (a county's retired cadres and its 两新工委), the one serving most retirees.
        counted = Retiree.objects.aggregate(**{f"r{i}": Count("pk", filter=in_subtree(o.path, "organization"))
                                               for i, o in enumerate(roots)})
        return max(enumerate(roots), key=lambda io: (counted[f"r{io[0]}"], -io[0]))[1]
    if roots:
        return roots[0]
    if scope_for(request.user, "view").empty:
        raise PermissionDenied("您的角色无权查看信息完整度")
    # A scattered scope (a zone lead's branches): the whole tree, narrowed to those branches.
    top = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if top is None:
        raise PermissionDenied("还没有党组织")
    return top


def _rule_param(request):
    key = request.GET.get("rule", "").strip()
    rules = available_rules()
    return (RULE_BY_KEY[key] if key in RULE_BY_KEY and RULE_BY_KEY[key] in rules else None), rules


def _percent(p) -> str:
    return "—" if p is None else f"{p}%"


@login_required
def board(request):
    root = _root(request)
    branch = request.GET.get("branch", "").strip()
    if branch:  # the branch filter opens that branch's own board
        org = get_scoped_object_or_404(Organization.objects.all(), request.user, "view", code=branch)
        target = reverse("completeness:branch", args=[org.code])
        rule = request.GET.get("rule", "").strip()
        return redirect(f"{target}?rule={rule}" if rule in RULE_BY_KEY else target)
    if root.kind == OrgKind.BRANCH and not request.GET.get("org"):
        return redirect("completeness:branch", code=root.code)
    rule, rules = _rule_param(request)
    data = selectors.board(root, rules=rules, visible=_visible_ids(request.user, root))
    units = data["units"]
    if rule is not None:
        units = sorted(units, key=lambda u: (-u.cells[rule.key].missing,
                                             u.cells[rule.key].percent if u.cells[rule.key].percent is not None
                                             else 101, u.org.path))
    sort = request.GET.get("sort", "")
    if sort == "percent":
        units = sorted(units, key=lambda u: (u.percent if u.percent is not None else 101, -u.missing, u.org.path))
    if request.GET.get("export") == "xlsx":
        gate = ExportGate(request)
        gate.reach(root)
        allowed = set(gate.rows(Organization.objects.filter(pk__in=[u.org.pk for u in units]))
                      .values_list("pk", flat=True))
        headers = ["序号", "党组织", "组织编码"] + [f"{r.label}（缺/应有）" for r in rules] + ["缺项合计", "完整度"]
        body = []
        for u in (u for u in units if u.org.pk in allowed):
            body.append([len(body) + 1, u.org.name, u.org.code]
                        + [f"{u.cells[r.key].missing}/{u.cells[r.key].total}" for r in rules]
                        + [u.missing, _percent(u.percent)])
        return gate.xlsx(f"{root.name}信息完整度（{date_label(timezone.localdate())}）", headers, body,
                         org_path=root.path, unit="个党组织", data={"org": root.code})
    table = [{"org": u.org, "url": reverse("completeness:branch", args=[u.org.code]),
              "missing": u.missing, "percent": _percent(u.percent),
              "cells": [{"rule": r, "missing": u.cells[r.key].missing, "total": u.cells[r.key].total,
                         "url": f"{reverse('completeness:branch', args=[u.org.code])}?rule={r.key}"}
                        for r in rules]} for u in units]
    totals = [{"rule": r, "cell": data["totals"][r.key], "percent": _percent(data["totals"][r.key].percent)}
              for r in rules]
    return render(request, "completeness/board.html", {
        "title": "信息完整度", "root": root, "rules": rules, "rule": rule, "sort": sort, "table": table,
        "totals": totals, "roots": _roots(request.user), "can_export": can(request.user, "export", root),
    })


@login_required
@object_view(Organization, code="code")
def branch(request, code: str):
    org = get_scoped_object_or_404(Organization.objects.all(), request.user, "view", code=code)
    rule, rules = _rule_param(request)
    data = selectors.board(org, rules=rules)
    cells = data["totals"]  # the whole subtree of the page's organisation
    if rule is None:
        rule = next((r for r in rules if cells[r.key].missing), rules[0] if rules else None)
    rows = restrict(selectors.missing_records(rule, org), request.user) if rule is not None else None
    if request.GET.get("export") == "xlsx" and rule is not None:
        gate = ExportGate(request)
        gate.reach(org)
        body = ([rule.describe(r), getattr(getattr(r, "organization", None), "name", ""), rule.label,
                 request.build_absolute_uri(rule.fix_url(r))] for r in gate.objects(gate.rows(rows)))
        return gate.xlsx(f"{org.name}待补充信息：{rule.label}", ["记录", "所在组织", "缺少", "补充链接"], body,
                         org_path=org.path, data={"org": org.code, "rule": rule.key})
    page = Paginator(rows, TO_FIX_PAGE).get_page(request.GET.get("page")) if rows is not None else None
    items = []
    if page is not None:
        rows_here = list(page)
        # Who may not change a record gets the page that shows it, not an edit page they cannot open.
        changeable = set(restrict(rule.model_class()._default_manager.filter(pk__in=[r.pk for r in rows_here]),
                                  request.user, "change").values_list("pk", flat=True))
        for r in rows_here:
            may = r.pk in changeable
            url = rule.fix_url(r) if may else (rule.view_url(r) if rule.view_url else r.get_absolute_url())
            items.append({"label": rule.describe(r), "org": getattr(r, "organization", None), "url": url,
                          "may_change": may})
    summary = [{"rule": r, "cell": cells[r.key], "percent": _percent(cells[r.key].percent),
                "url": f"?rule={r.key}", "current": rule is not None and r.key == rule.key} for r in rules]
    parent_board = None
    if org.parent_id and can(request.user, "view", org.parent):
        parent_board = f"{reverse('completeness:board')}?org={org.parent.code}"
    return render(request, "completeness/branch.html", {
        "title": f"{org.name}信息完整度", "org": org, "rules": rules, "rule": rule, "summary": summary,
        "page_obj": page, "items": items, "query": f"rule={rule.key}" if rule else "",
        "parent_board": parent_board, "can_export": can(request.user, "export", org),
    })
