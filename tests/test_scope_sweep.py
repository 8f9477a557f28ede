"""The scope sweep: every URL of the project, as the secretary of branch A, shows nothing of branch B.

Generic on purpose. The test resolves the whole urlconf (pages, /api/v1/ router
routes, every app mounted now or later) and:

* GETs every URL without kwargs (and its ?export=xlsx when the view is a
  ScopedListView) and asserts no name or code of branch B's organisation,
  people or records appears, in HTML, JSON or the xlsx cells;
* asserts the "共 N 条" of list pages (and the API's "count") equals the number
  of records under A, counted here straight from the organisation path, not
  through the scope layer under test;
* for every URL with kwargs, finds the model it shows (@object_view on function
  views, `model`/`queryset` on class-based views, `queryset`/`lookup_field` on
  DRF viewsets), fills the kwargs from a record in B's scope and not in A's, and
  asserts GET and POST (and PATCH/DELETE on the API) answer 403/404/405 and
  that nothing was written.

A URL whose model cannot be determined fails, telling the developer to add
@object_view; a model with no record in B fails unless it is in
NO_B_RECORD_ALLOWED below, with the reason.

A second persona may VIEW branches A and B but EXPORT only B (a liaison of A
who is a committee member over B). Every URL of the urlconf is asked for a file
(as it is, with ?export=xlsx, and with A named as the organisation; object URLs
with a record of A, of B and of a level above): no file may hold a name of A's,
and no file may be served for a record of A (NOT_EXPORTS excepted).
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from changqing.accounts.models import RoleAssignment, User
from changqing.core.roles import Role
from changqing.core.scope import restrict, spec_of
from changqing.core.lists import ScopedListView
from changqing.core.models import ObjectChange, OperationLog
from changqing.members.models import Retiree
from changqing.orgs.models import Organization, OrgKind

# Namespaces left out of the sweep, with the reason.
SKIPPED_NAMESPACES = {
    # Django admin is for superusers only; test_admin_refuses_secretary checks a secretary is sent away.
    "admin",
}

# Models that may legitimately have no record inside one branch's scope ("app.*" = a whole app).
# Their URLs are still tried, with a record outside A's scope instead of one of B's.
NO_B_RECORD_ALLOWED = {
    # A 月通报 is issued by a jurisdiction about its branches, never by a branch.
    "life.bulletin",
    # Zones belong to the 党工委 above the branches; a branch secretary reaches none.
    "orgs.zone",
    # Rules (policies) are set mostly by a jurisdiction; only some branches record their own decisions.
    "policies.policy", "policies.policyversion",
    # 党建指导站 records are scoped by guidance station (两新组织), never by a retired cadres' branch.
    "guidance.*",
    # 学习材料 are published by the 党工委 for the branches below (their only URL is 朗读, life/read_aloud.py,
    # swept in tests/test_read_aloud.py with another branch's material); the demo has no branch-level ones.
    "life.studymaterial",
    # Kept by the 党工委 and shown to the branches below it; the county demo has no branch-level ones.
    "care.campaign", "care.venue", "care.volunteerteam", "care.volunteeractivity", "care.oralhistory",
    # An interview's media belong to the interview (above); their file URL is swept in tests/test_private_files.py.
    "care.oralhistorymedia",
    # Rulesets ship without an owner or belong to a jurisdiction; work lists and courses are published from above.
    "life.ruleset", "life.worklist", "life.trainingcourse",
    # A selection (评选) is run by a jurisdiction for the branches below it; its categories belong to it.
    "honours.campaign", "honours.category",
    # Rubrics ship without an owner or belong to a bureau; 示范支部 are a few branches; the demo uploads no evidence files.
    "evaluation.rubric", "evaluation.designation", "evaluation.scoreevidence",
    # 民主评议 follow-ups exist only for members graded 基本合格 or 不合格: a few demo branches have one.
    "appraisal.followup",
    # 年度报告 are generated on request, the demo makes none; their scope is tested in changqing/reports/tests.
    "reports.generatedreport",
    # 上报统计表 are produced on request, the demo makes none; their scope is tested in changqing/upward/tests.
    "upward.reportsnapshot",
    # A death record (and its checklist) exists only where someone died: the members demo has deaths in about a
    # third of the branches, and recording more would change every member count the other tests read.
    "lifeevents.deathrecord", "lifeevents.checklistitem",
}


def _allowed_without_b(model) -> bool:
    label = model._meta.label_lower
    return label in NO_B_RECORD_ALLOWED or f"{model._meta.app_label}.*" in NO_B_RECORD_ALLOWED

ALLOWED_REFUSALS = {403, 404, 405}


@dataclass
class Endpoint:
    route: str  # the URL template with {kwarg} placeholders
    kwargs: list[str]
    callback: object
    name: str
    converters: dict = field(default_factory=dict)

    @property
    def label(self):
        return f"{self.route} ({self.name or 'unnamed'})"


@dataclass
class Target:
    model: type | None
    lookups: dict = field(default_factory=dict)  # URL kwarg -> model field
    samples: dict = field(default_factory=dict)  # URL kwarg -> example value
    list_view: type | None = None  # a ScopedListView subclass
    viewset: type | None = None  # a DRF viewset class


# -- walking the urlconf --------------------------------------------------------

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")


def _regex_to_template(regex: str) -> str:
    """'^retirees/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$' -> 'retirees/{pk}.{format}/'."""
    out, i = [], 0
    regex = regex.lstrip("^")
    if regex.endswith("$") and not regex.endswith("\\$"):
        regex = regex[:-1]
    while i < len(regex):
        if regex.startswith("(?P<", i):
            end = regex.index(">", i)
            name = regex[i + 4:end]
            depth, j = 1, end + 1
            while depth:
                if regex[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            out.append("{" + name + "}")
            i = j
        elif regex[i] == "\\":
            out.append(regex[i + 1])
            i += 2
        elif regex.startswith("/?", i):
            out.append("/")
            i += 2
        else:
            out.append(regex[i])
            i += 1
    return "".join(out)


def _template(pattern) -> tuple[str, list[str], dict]:
    raw = str(pattern)
    if hasattr(pattern, "_route"):  # RoutePattern
        names = [m["name"] for m in _ROUTE_PARAM.finditer(raw)]
        return _ROUTE_PARAM.sub(lambda m: "{" + m["name"] + "}", raw), names, dict(pattern.converters)
    template = _regex_to_template(raw)
    return template, re.findall(r"\{(\w+)\}", template), {}


def walk(patterns=None, prefix="", kwargs=(), namespaces=(), converters=None):
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        template, names, convs = _template(p.pattern)
        convs = {**(converters or {}), **convs}
        if isinstance(p, URLResolver):
            ns = namespaces + ((p.namespace,) if p.namespace else ())
            if SKIPPED_NAMESPACES & set(ns):
                continue
            yield from walk(p.url_patterns, prefix + template, kwargs + tuple(names), ns, convs)
        elif isinstance(p, URLPattern):
            full_name = ":".join(namespaces + (p.name,)) if p.name else ""
            yield Endpoint("/" + prefix + template, list(kwargs) + names, p.callback, full_name, convs)


def target_of(callback) -> Target:
    """Which model a view shows, and how its URL kwargs map onto that model's fields."""
    if getattr(callback, "scope_model", None) is not None:
        return Target(callback.scope_model, dict(callback.scope_lookups), dict(callback.scope_samples))
    cls = getattr(callback, "cls", None)  # Django REST framework
    if cls is not None:
        qs = getattr(cls, "queryset", None)
        model = getattr(cls, "scope_model", None) or getattr(qs, "model", None)
        lookup_field = getattr(cls, "lookup_field", "pk")
        kwarg = getattr(cls, "lookup_url_kwarg", None) or lookup_field
        is_viewset = hasattr(cls, "get_extra_actions")
        return Target(model, {kwarg: lookup_field}, dict(getattr(cls, "scope_samples", {})),
                      viewset=cls if is_viewset else None)
    view_class = getattr(callback, "view_class", None)  # Django class-based view
    if view_class is not None:
        qs = getattr(view_class, "queryset", None)
        model = getattr(view_class, "model", None) or getattr(qs, "model", None)
        lookups = dict(getattr(view_class, "scope_lookups", {}) or {})
        lookups.setdefault(getattr(view_class, "pk_url_kwarg", "pk"), "pk")
        if getattr(view_class, "slug_url_kwarg", None):
            lookups.setdefault(view_class.slug_url_kwarg, getattr(view_class, "slug_field", "slug"))
        list_view = view_class if issubclass(view_class, ScopedListView) else None
        return Target(model, lookups, dict(getattr(view_class, "scope_samples", {})), list_view=list_view)
    return Target(None)


def build_url(endpoint: Endpoint, values: dict) -> str:
    parts = {}
    for k in endpoint.kwargs:
        conv = endpoint.converters.get(k)
        parts[k] = conv.to_url(values[k]) if conv is not None else values[k]
    url = endpoint.route.format(**parts)
    try:
        match = resolve(url)
    except Resolver404:
        raise AssertionError(f"{url} 无法解析") from None
    assert match.func == endpoint.callback, f"{url} 解析到了另一个视图"
    return url


# URL kwargs that choose a representation, not a record.
FORMAT_KWARGS = {"format": "json"}


def field_value(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj.pk if hasattr(obj, "_meta") else obj


# -- the world: county demo, branches A and B --------------------------------------


@dataclass
class World:
    a: Organization
    b: Organization
    sec_a: User
    sec_b: User
    forbidden: list[str]


def _scoped_models():
    from django.apps import apps

    from django.db import connection

    tables = set(connection.introspection.table_names())  # a model still without its migration has no rows
    return [m for m in apps.get_models() if getattr(m, "scope_spec", None) is not None
            and m not in (ObjectChange, OperationLog) and m._meta.db_table in tables]


def _org_paths_of(model) -> list[str]:
    spec = spec_of(model)
    if spec.org is not None:
        key = f"{spec.org}__path" if spec.org else "path"
    elif spec.retiree is not None:
        key = f"{spec.retiree}__organization__path" if spec.retiree else "organization__path"
    else:
        return []
    return [p for p in model._default_manager.order_by().values_list(key, flat=True).distinct() if p]


def _object_url_models() -> set:
    models = set()
    for ep in walk():
        t = target_of(ep.callback)
        if t.model is not None and any(k in t.lookups and k not in t.samples for k in ep.kwargs):
            models.add(t.model)
    return models


def _pick_branches():
    """A and B: branches with people, in different zones; B holds records of as many URL models as possible."""
    branches = list(Organization.objects.filter(kind=OrgKind.BRANCH, retirees__isnull=False, zone__isnull=False)
                    .select_related("zone").distinct().order_by("path"))
    url_models = _object_url_models()
    coverage = {b.path: [0, 0] for b in branches}
    for model in _scoped_models():
        paths = _org_paths_of(model)
        for b in branches:
            if any(p.startswith(b.path) for p in paths):
                coverage[b.path][0 if model in url_models else 1] += 1
    ranked = sorted(branches, key=lambda b: ([-n for n in coverage[b.path]], b.path))
    b = ranked[0]
    # A must not be B's zone lead or deputy (a zone page could then name B legitimately).
    a = next(x for x in ranked[1:] if x.zone_id != b.zone_id and x.pk not in (b.zone.lead_org_id, b.zone.deputy_org_id)
             and b.pk not in (x.zone.lead_org_id, x.zone.deputy_org_id))
    return a, b


# Fields that name a record: a value found only in B's records is a fingerprint of B.
NAME_FIELDS = ("name", "code", "title", "full_name", "username", "topic", "subject")


def _forbidden_strings(sec_a, sec_b) -> list[str]:
    """Names, codes and titles of B's records that appear in no record outside B (so a hit is a real leak)."""
    candidates: set[str] = set()
    outside: list[str] = []
    for model in _scoped_models():
        fields = [f.name for f in model._meta.concrete_fields if f.name in NAME_FIELDS
                  and f.get_internal_type() in ("CharField", "TextField", "SlugField")]
        if not fields:
            continue
        in_a = restrict(model._default_manager.all(), sec_a).values("pk")
        b_only = restrict(model._default_manager.all(), sec_b).exclude(pk__in=in_a).values("pk")
        if not b_only.exists():
            continue
        for row in model._default_manager.filter(pk__in=b_only).values_list(*fields):
            candidates.update(v for v in row if v)
        for row in model._default_manager.exclude(pk__in=b_only).values_list(*fields).iterator():
            outside.extend(v for v in row if v)
    # Words of the interface itself (role and choice labels, model names) are nobody's fingerprint.
    from django.apps import apps

    outside += [str(label) for label in Role.labels]
    for model in apps.get_models():
        outside += [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
        for f in model._meta.fields:
            outside += [str(label) for _, label in (f.flatchoices or [])] + [str(f.verbose_name)]
    corpus = "\x00".join(outside)
    return sorted(s for s in candidates if len(s) >= 2 and s.strip() and s not in corpus)


def _own_records_of(user, org):
    """Per-user platform records (a job, a notification) the demo does not make for B's secretary."""
    from changqing.core import models as core_models

    if hasattr(core_models, "Job"):
        core_models.Job.objects.create(kind="sweep", title="乙书记的导出任务", owner=user, org_path=org.path,
                                       func="changqing.core.tasks.noop")
    if hasattr(core_models, "Notification"):
        core_models.Notification.objects.create(user=user, title="乙书记的提醒", org_path=org.path)


@pytest.fixture(scope="module")
def world(county_demo, django_db_blocker):
    county_demo.ensure()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            a, b = _pick_branches()
            sec_a = User.objects.create_user("sweep_sec_a", password="pw-for-tests-1", full_name="甲书记测试")
            RoleAssignment.objects.create(user=sec_a, role=Role.BRANCH_SECRETARY, organization=a)
            sec_b = User.objects.create_user("sweep_sec_b", password="pw-for-tests-1", full_name="乙书记专有名")
            RoleAssignment.objects.create(user=sec_b, role=Role.BRANCH_SECRETARY, organization=b)
            sec_a = User.objects.get(pk=sec_a.pk)
            sec_b = User.objects.get(pk=sec_b.pk)
            _own_records_of(sec_b, b)
            yield World(a, b, sec_a, sec_b, _forbidden_strings(sec_a, sec_b))
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def client_a(world, db):
    client = Client(raise_request_exception=False)
    client.force_login(world.sec_a)
    return client


def _text_of(response) -> str:
    ctype = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in ctype:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                         for c in row if c is not None)
    text = body.decode("utf-8", errors="replace")
    if "json" in ctype:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def _leaks(text: str, forbidden: list[str]) -> list[str]:
    return [s for s in forbidden if s in text]


def _expected_count(base_qs, a: Organization) -> int | None:
    """Records of base_qs under A, counted from the org path directly (not through restrict)."""
    from django.db.models import Q

    spec = spec_of(base_qs.model)
    orgs = ([spec.org] if spec.org is not None else []) + list(spec.more_orgs)
    if orgs:
        q = Q(pk__in=[])
        for org in orgs:
            q |= Q(**{f"{org}__path__startswith" if org else "path__startswith": a.path})
    elif spec.org_path is not None:
        q = Q(**{f"{spec.org_path}__startswith": a.path})
    else:
        return None
    qs = base_qs.filter(q)
    return (qs.distinct() if spec.distinct else qs).count()


def _overrides(cls, base, name) -> bool:
    return getattr(cls, name) is not getattr(base, name)


# -- the tests ----------------------------------------------------------------------


def test_world_is_meaningful(world):
    assert world.a.pk != world.b.pk
    assert Retiree.objects.filter(organization=world.b).exists()
    assert world.b.name in world.forbidden and world.b.code in world.forbidden
    b_names = set(Retiree.objects.filter(organization=world.b).values_list("name", flat=True))
    assert len(b_names & set(world.forbidden)) >= len(b_names) // 2, "too few of B's names are distinctive"


def test_every_url_is_understood(world):
    """Every URL with kwargs must say which model it shows, so the sweep can try B's records on it."""
    problems = []
    for ep in walk():
        if not set(ep.kwargs) - set(FORMAT_KWARGS):
            continue
        t = target_of(ep.callback)
        if t.model is None:
            problems.append(f"{ep.label}: 不知道它显示哪种记录。函数视图请加 @object_view(Model, url_kwarg='field')"
                            f"（changqing/core/scope.py），类视图请声明 model 或 queryset。")
            continue
        try:
            spec_of(t.model)
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            problems.append(f"{ep.label}: {exc}")
            continue
        unknown = [k for k in ep.kwargs if k not in t.lookups and k not in t.samples and k not in FORMAT_KWARGS]
        if unknown:
            problems.append(f"{ep.label}: URL 参数 {unknown} 无法填写：在 @object_view 的 lookups 或 samples 中给出")
    assert not problems, "\n".join(problems)


def test_pages_without_kwargs_show_nothing_of_b(world, client_a):
    failures, checked_counts, visited, exports = [], 0, 0, 0
    for ep in walk():
        t = target_of(ep.callback)
        object_kwargs = [k for k in ep.kwargs if k in t.lookups and k not in t.samples]
        if object_kwargs or any(k not in t.samples and k not in FORMAT_KWARGS for k in ep.kwargs):
            continue
        values = {**FORMAT_KWARGS, **t.samples}
        try:
            url = build_url(ep, values)
        except (KeyError, AssertionError) as exc:
            failures.append(f"{ep.label}: 无法生成 URL（{exc}）")
            continue
        response = client_a.get(url)
        visited += 1
        if response.status_code >= 500:
            failures.append(f"GET {url}: HTTP {response.status_code}")
            continue
        leaks = _leaks(_text_of(response), world.forbidden)
        if leaks:
            failures.append(f"GET {url} 显示了乙支部的数据：{leaks[:5]}")
        if response.status_code != 200:
            continue
        if t.list_view is not None:
            view = t.list_view()
            view.setup(RequestFactory().get(url), **values)
            view.request.user = world.sec_a
            expected = _expected_count(view.get_base_queryset(), world.a)
            if expected is not None and not any(_overrides(t.list_view, ScopedListView, name)
                                                for name in ("get_rows", "scoped")):
                shown = re.search(r"共\s*(\d+)\s*条", response.content.decode())
                checked_counts += 1
                if shown is None or int(shown.group(1)) != expected:
                    failures.append(f"GET {url}: 显示「共 {shown and shown.group(1)} 条」，甲支部实有 {expected} 条")
            export = client_a.get(url, {"export": "xlsx"})
            exports += 1
            if export.status_code != 200 or "spreadsheetml" not in export.get("Content-Type", ""):
                failures.append(f"GET {url}?export=xlsx: HTTP {export.status_code}")
            else:
                text = _text_of(export)
                leaks = _leaks(text, world.forbidden)
                if leaks:
                    failures.append(f"导出 {url} 含有乙支部的数据：{leaks[:5]}")
        if t.viewset is not None and "count" in (data := _json(response)):
            from changqing.api.base import ScopedModelViewSet, ScopedReadOnlyViewSet

            base = ScopedModelViewSet if issubclass(t.viewset, ScopedModelViewSet) else ScopedReadOnlyViewSet
            if issubclass(t.viewset, base) and not _overrides(t.viewset, base, "get_queryset"):
                expected = _expected_count(t.viewset.queryset.all(), world.a)
                if expected is not None:
                    checked_counts += 1
                    if data["count"] != expected:
                        failures.append(f"GET {url}: count={data['count']}，甲支部实有 {expected} 条")
    print(f"\n范围扫描：无参数 URL {visited} 个，核对条数 {checked_counts} 个，导出 {exports} 个")
    assert visited >= 10
    assert not failures, "\n".join(failures)


def _json(response) -> dict:
    if "json" not in response.get("Content-Type", ""):
        return {}
    try:
        data = json.loads(response.content)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _b_record(model, world):
    in_a = restrict(model._default_manager.all(), world.sec_a).values("pk")
    return restrict(model._default_manager.all(), world.sec_b).exclude(pk__in=in_a).order_by("pk").first()


def _outside_a_record(model, world):
    """A record outside A's scope that does not belong to one of A's ancestors either.

    Records owned by a higher level (a ruleset, a work list published to the
    branches) may rightly be shown to the branches below it.
    """
    from django.db.models import Q

    in_a = restrict(model._default_manager.all(), world.sec_a).values("pk")
    codes = world.a.path.strip("/").split("/")
    ancestors = ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes))]
    spec = spec_of(model)
    above, elsewhere = Q(pk__in=[]), Q(pk__in=[])
    for org in ([spec.org] if spec.org is not None else []) + list(spec.more_orgs):
        key = f"{org}__path" if org else "path"
        above |= Q(**{f"{key}__in": ancestors})
        elsewhere |= Q(**{f"{key}__isnull": False})
    if spec.org_path is not None:
        above |= Q(**{f"{spec.org_path}__in": ancestors})
        elsewhere |= ~Q(**{spec.org_path: ""})
    # Records with no organisation at all (shipped defaults) are shared by design.
    return (model._default_manager.exclude(pk__in=in_a).filter(elsewhere).exclude(above)
            .order_by("pk").first())


def _row(model, pk):
    return model._base_manager.filter(pk=pk).values().first()


def _post_payload(obj) -> dict:
    data = {"save_user": "1", "add_role": "1", "confirm": "1", "delete": "1"}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        if value is not None and f.name not in ("id", "created_at", "updated_at"):
            data[f.name] = value if isinstance(value, (str, int)) else str(value)
    return data


def test_object_urls_refuse_b_records(world, client_a):
    failures, missing, tried, urls, own_shown = [], set(), 0, 0, 0
    for ep in walk():
        t = target_of(ep.callback)
        object_kwargs = [k for k in ep.kwargs if k in t.lookups and k not in t.samples]
        if not object_kwargs or t.model is None:
            continue  # pages without an object; URLs without a model fail test_every_url_is_understood
        obj, whose = _b_record(t.model, world), "乙支部的"
        if obj is None:
            whose = "甲支部范围外的"
            if not _allowed_without_b(t.model):
                missing.add(t.model._meta.label_lower)
            obj = _outside_a_record(t.model, world)
            if obj is None:
                continue
        values = {**FORMAT_KWARGS, **t.samples}
        values.update({k: field_value(obj, t.lookups[k]) for k in object_kwargs})
        try:
            url = build_url(ep, values)
        except (KeyError, AssertionError) as exc:
            failures.append(f"{ep.label}: 无法生成 URL（{exc}）")
            continue
        urls += 1
        before_row = _row(t.model, obj.pk)
        before_count = t.model._base_manager.count()
        changes_before = ObjectChange.objects.count()
        attempts = [("GET", lambda: client_a.get(url)),
                    ("POST", lambda: client_a.post(url, _post_payload(obj)))]
        if t.viewset is not None:
            attempts += [("PATCH", lambda: client_a.patch(url, "{}", content_type="application/json")),
                         ("DELETE", lambda: client_a.delete(url))]
        for method, call in attempts:
            response = call()
            tried += 1
            if response.status_code not in ALLOWED_REFUSALS:
                failures.append(f"{method} {url}（{whose} {t.model._meta.label} #{obj.pk}）答复 HTTP "
                                f"{response.status_code}，应为 404")
        if ObjectChange.objects.count() != changes_before:
            failures.append(f"{url}: 甲支部书记的请求写入了变更记录（改动了数据）")
        own = restrict(t.model._default_manager.all(), world.sec_a).order_by("pk").first()
        if own is not None and t.viewset is None:
            # Control: the same URL with A's own record is not refused, so the 404s above mean something.
            own_url = build_url(ep, {**values, **{k: field_value(own, t.lookups[k]) for k in object_kwargs}})
            own_shown += client_a.get(own_url).status_code == 200
        if _row(t.model, obj.pk) != before_row or t.model._base_manager.count() != before_count:
            failures.append(f"{url}: 甲支部书记改动了{whose} {t.model._meta.label} #{obj.pk}")
    if missing:
        failures.append(f"演示数据中乙支部没有这些记录，无法检查其 URL：{sorted(missing)}。"
                        "请在演示数据里为每个支部生成记录，或在 NO_B_RECORD_ALLOWED 中注明原因。")
    print(f"\n范围扫描：对象 URL {urls} 个，尝试请求 {tried} 次；用甲支部自己的记录打开成功 {own_shown} 个")
    assert urls >= 5 and own_shown >= 5
    assert not failures, "\n".join(failures)


def test_admin_refuses_secretary(world, client_a):
    response = client_a.get("/django-admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# URLs that act on the session itself, not on records.
SESSION_URLS = {"accounts:logout", "accounts:login", "accounts:large_text", "accounts:token", "api-token"}


def _b_payload(world) -> dict:
    """Form data naming B's records: each scoped model's first B record, field by field.

    Unique text is changed (and an ID number made fresh and valid) so that only
    the scope check can refuse it.
    """
    from changqing.core.idcard import check_char

    data = {"save": "1", "confirm": "1"}
    for model in _scoped_models():
        obj = _b_record(model, world)
        if obj is None:
            continue
        for key, value in _post_payload(obj).items():
            data.setdefault(key, value)
        for f in model._meta.concrete_fields:
            if f.unique and f.name in data and isinstance(data[f.name], str):
                data[f.name] = (data[f.name] + "S")[: f.max_length or None]
    # A fresh, valid ID number that agrees with the birth date and gender in the payload.
    birth = str(data.get("birth_date", "1950-01-01")).replace("-", "")[:8]
    body = "433127" + birth + ("997" if data.get("gender") == "male" else "998")
    data["id_number"] = body + check_char(body)
    return data


def test_posts_without_kwargs_cannot_write_into_b(world, client_a):
    """POST B's values to every URL without kwargs (create forms, API lists, imports): nothing lands in B."""
    payload, failures, tried = _b_payload(world), [], 0
    under_b = ObjectChange.objects.filter(org_path__startswith=world.b.path)
    for ep in walk():
        t = target_of(ep.callback)
        if ep.name in SESSION_URLS or t.list_view is not None:
            continue
        if any(k not in t.samples and k not in FORMAT_KWARGS for k in ep.kwargs):
            continue
        url = build_url(ep, {**FORMAT_KWARGS, **t.samples})
        before = under_b.count()
        if t.viewset is not None or url.startswith("/api/"):
            response = client_a.post(url, json.dumps(payload, default=str), content_type="application/json")
        else:
            response = client_a.post(url, payload)
        tried += 1
        if under_b.count() != before:
            failures.append(f"POST {url}（HTTP {response.status_code}）在乙支部新建或改动了记录")
    print(f"\n范围扫描：以乙支部的数据 POST 无参数 URL {tried} 个")
    assert tried >= 10
    assert not failures, "\n".join(failures)


# -- a user whose export scope is narrower than their view scope ----------------------------

# File URLs that serve an uploaded attachment of a record the user may view; they are not exports.
NOT_EXPORTS = {
    "life:attachment_file",  # a meeting's scanned sign-in sheet or photo
    "guidance:material_download",  # a guidance station's published study material
    "evaluation:evidence_file",  # evidence uploaded for an evaluation score
    # The checked file view (core/files.py) of the same uploads and of photos shown on record pages.
    "core:file_life_meetingattachment_file", "core:file_guidance_material_file",
    "core:file_evaluation_scoreevidence_file", "core:file_members_retiree_photo",
    "core:file_care_oralhistorymedia_file", "core:file_guidance_standardevidence_photo",
}

FILE_TYPES = ("spreadsheetml", "wordprocessingml", "application/pdf", "text/csv", "application/octet-stream")


@dataclass
class Persona:
    user: User
    a_only: list[str]  # names found only in A's records: none may appear in an export


@pytest.fixture(scope="module")
def persona(world, django_db_blocker):
    """Views A (liaison: view, change) and B (committee member: view, export); exports only B."""
    from django.core.files.base import ContentFile

    from changqing.core.exports import write_xlsx
    from changqing.core.models import Job

    with django_db_blocker.unblock():
        user = User.objects.create_user("sweep_two_scopes", password="pw-for-tests-1", full_name="两范围测试人")
        RoleAssignment.objects.create(user=user, role=Role.LIAISON, organization=world.a)
        RoleAssignment.objects.create(user=user, role=Role.COMMITTEE_MEMBER, organization=world.b)
        a_only = _forbidden_strings(world.sec_b, world.sec_a)
        # A file the persona's job made while filed under A: downloading it is an export of A.
        job = Job.objects.create(kind="sweep", title="两范围的导出任务", owner=user, org_path=world.a.path,
                                 func="changqing.core.tasks.noop", status=Job.Status.SUCCEEDED)
        job.result_file.save("sweep.xlsx", ContentFile(write_xlsx("甲支部", ["名称"], [[a_only[0]]])))
        yield Persona(User.objects.get(pk=user.pk), a_only)


def _is_file(response) -> bool:
    ctype = response.get("Content-Type", "")
    return response.status_code == 200 and (
        "attachment" in response.get("Content-Disposition", "") or any(t in ctype for t in FILE_TYPES))


def _file_text(response) -> str:
    """The words of an exported file (xlsx cells, docx paragraphs and tables, text); a PDF's are not read."""
    ctype = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK" and ("wordprocessingml" in ctype or b"word/document.xml" in body[:4000]):
        import docx

        document = docx.Document(io.BytesIO(body))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if body[:2] == b"PK":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                         for c in row if c is not None)
    if body[:4] == b"%PDF":
        return ""
    return body.decode("utf-8", errors="replace")


def _view_only_record(model, user):
    exportable = restrict(model._default_manager.all(), user, "export").values("pk")
    return restrict(model._default_manager.all(), user).exclude(pk__in=exportable).order_by("pk").first()


def _exportable_record(model, user):
    return restrict(model._default_manager.all(), user, "export").order_by("pk").first()


def _above_record(model, org):
    """A record owned by an ancestor of `org` (a campaign, a bulletin, a work list shared downwards)."""
    from django.db.models import Q

    codes = org.path.strip("/").split("/")
    ancestors = ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes))]
    spec = spec_of(model)
    q = Q(pk__in=[])
    for key in ([spec.org] if spec.org is not None else []) + list(spec.more_orgs):
        q |= Q(**{f"{key}__path__in" if key else "path__in": ancestors})
    if spec.org_path is not None:
        q |= Q(**{f"{spec.org_path}__in": ancestors})
    return model._default_manager.filter(q).order_by("pk").first()


def _file_requests(world, user):
    """(endpoint, url, GET params, whether the URL's record is view-only) for every URL of the urlconf.

    URLs without a record are asked as they are, with ?export=xlsx, and with A named as the
    organisation; URLs of a record with one of A (view-only), one of B and one of a level above.
    """
    a_params = {"export": "xlsx", "org": world.a.code, "under": world.a.code}
    for ep in walk():
        t = target_of(ep.callback)
        object_kwargs = [k for k in ep.kwargs if k in t.lookups and k not in t.samples]
        if any(k not in t.lookups and k not in t.samples and k not in FORMAT_KWARGS for k in ep.kwargs):
            continue
        if not object_kwargs:
            url = build_url(ep, {**FORMAT_KWARGS, **t.samples})
            for params in ({}, {"export": "xlsx"}, a_params):
                yield ep, url, params, False
            continue
        if t.model is None:
            continue  # test_every_url_is_understood fails for it
        candidates = [(_view_only_record(t.model, user), True), (_exportable_record(t.model, user), False),
                      (_above_record(t.model, world.b), False)]
        for obj, view_only in candidates:
            if obj is None:
                continue
            values = {**FORMAT_KWARGS, **t.samples, **{k: field_value(obj, t.lookups[k]) for k in object_kwargs}}
            url = build_url(ep, values)
            for params in ({}, {"export": "xlsx"}):
                yield ep, url, params, view_only


def test_exports_hold_only_the_export_scope(world, persona, db):
    """Every file the platform serves to a user holds rows of their EXPORT scope only, whatever they may view."""
    client = Client(raise_request_exception=False)
    client.force_login(persona.user)
    failures, files, with_b, refused, asked = [], 0, 0, 0, 0
    for ep, url, params, view_only in _file_requests(world, persona.user):
        response = client.get(url, params)
        asked += 1
        shown = f"GET {url}{'?' + '&'.join(f'{k}={v}' for k, v in params.items()) if params else ''}"
        if response.status_code >= 500:
            failures.append(f"{shown}: HTTP {response.status_code}")
            continue
        refused += response.status_code == 403
        if not _is_file(response):
            continue
        files += 1
        if view_only and ep.name not in NOT_EXPORTS:
            failures.append(f"{shown}: 为只可查看、不可导出的甲支部记录提供了文件")
        text = _file_text(response)
        leaks = _leaks(text, persona.a_only)
        if leaks:
            failures.append(f"{shown}: 导出文件含有只可查看的甲支部的数据：{leaks[:5]}")
        with_b += bool(_leaks(text, world.forbidden))
    print(f"\n导出扫描：请求 {asked} 次，得到文件 {files} 个（含乙支部数据 {with_b} 个），拒绝 {refused} 次")
    # The sweep means something: it met many files, and B's rows do get exported.
    assert files >= 20 and with_b >= 5, (files, with_b)
    assert not failures, "\n".join(failures)
