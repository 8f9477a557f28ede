from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property

from changqing.core.scope import can, get_scoped_object_or_404, object_view, restrict, scope_for
from changqing.core.lists import Column, ScopedListView
from changqing.core.object_views import ObjectActionView, ObjectCreateView, ObjectFormView
from changqing.core.tree import in_subtree
from changqing.core.params import query_year

from . import selectors, services
from .filters import (
    AssignmentFilterSet, ElectionFilterSet, LiaisonFilterSet, OrganizationFilterSet, RestructuringFilterSet,
    SizeWarningFilterSet, TermFilterSet,
)
from .forms import (
    AssignmentForm, CandidateFormSet, ElectionCorrectForm, JointUnitFormSet, ElectionForm, LiaisonContactForm, LiaisonForm, MergeForm,
    MoveForm, OrganizationForm, SplitForm, TermForm, VisitForm, ZoneForm, apply_errors,
)
from .models import (
    CommitteeMemberAssignment, CommitteePost, CommitteeTerm, Election, ElectionCandidate, Liaison, Organization,
    OrgKind, Restructuring, Zone,
)
from .rules import TERM_LABELS, size_labels, size_warnings, term_state


def _today():
    return timezone.localdate()


def _require(user, action: str, obj, message="您无权进行此操作"):
    if not can(user, action, obj):
        raise PermissionDenied(message)


def _run(form, fn):
    """Call a service; on ValidationError show its messages beside the fields and return None."""
    try:
        with transaction.atomic():
            return fn()
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


# -- organisations -----------------------------------------------------------------

class OrganizationListView(ScopedListView):
    title = "党组织"
    queryset = Organization.objects.select_related("parent", "zone")
    filterset_class = OrganizationFilterSet
    default_ordering = "path"
    create_url_name = "orgs:create"
    columns = [
        Column("code", "编码", sort="code"),
        Column("name", "名称", sort="name", link=True),
        Column("kind", "类别", sort="kind", value=lambda o: o.get_kind_display()),
        Column("setup_kind", "组建方式", value=lambda o: o.get_setup_kind_display()),
        Column("parent.name", "上级组织"),
        Column("zone.name", "片组"),
        Column("established_on", "成立日期", sort="established_on"),
        Column("dissolved_on", "撤销日期", sort="dissolved_on"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["create_url_name"] = self.create_url_name if not scope_for(self.request.user, "manage").empty else None
        return ctx


def _tree_nodes(request, parent_qs):
    """Nodes with subtree counts and own warnings; a fixed number of queries for any number of nodes."""
    user = request.user
    scoped = restrict(Organization.objects.all(), user)
    nodes = list(selectors.with_member_counts(parent_qs).select_related("zone").annotate(
        child_count=Count("children", distinct=True)).order_by("path"))
    totals = selectors.org_counts_by_prefix([n.path for n in nodes], scoped)
    resolver = selectors.RulesResolver()
    for n in nodes:
        n.totals = totals.get(n.path, {})
        rules = resolver.for_org(n)
        n.warnings = ([size_labels(rules)[w] for w in size_warnings(
            full_members=n.full_members, members=n.members, has_committee=n.has_committee, rules=rules,
            temporary=selectors.too_few_exempt(n))] if n.kind == OrgKind.BRANCH and not n.dissolved_on else [])
    return nodes


@login_required
def organization_tree(request):
    """The tree: roots of the user's scope and their children; deeper levels load when a node opens."""
    user = request.user
    scope = scope_for(user)
    if scope.empty or not (scope.everything or scope.org_paths):
        raise PermissionDenied("您的角色无权查看组织树")
    show_dissolved = request.GET.get("dissolved") == "1"
    base = Organization.objects.all() if show_dissolved else Organization.objects.filter(dissolved_on__isnull=True)
    if scope.everything:
        roots = base.filter(parent__isnull=True)
    else:
        roots = base.filter(path__in=scope.org_paths)
    roots = _tree_nodes(request, roots)
    children = _tree_nodes(request, restrict(base.filter(parent__in=[r.pk for r in roots]), user))
    by_parent = {}
    for c in children:
        by_parent.setdefault(c.parent_id, []).append(c)
    for r in roots:
        r.loaded_children = by_parent.get(r.pk, [])
    return render(request, "orgs/tree.html", {
        "title": "组织树", "roots": roots, "show_dissolved": show_dissolved,
        "can_manage": not scope_for(user, "manage").empty,
    })


@object_view(Organization, code="code")
@login_required
def organization_tree_children(request, code: str):
    org = get_scoped_object_or_404(Organization, request.user, code=code)
    base = org.children.all() if request.GET.get("dissolved") == "1" else org.children.filter(dissolved_on__isnull=True)
    nodes = _tree_nodes(request, restrict(base, request.user))
    return render(request, "orgs/_tree_children.html", {"nodes": nodes,
                                                        "show_dissolved": request.GET.get("dissolved") == "1"})


@object_view(Organization, code="code")
@login_required
def organization_detail(request, code: str):
    user = request.user
    org = get_scoped_object_or_404(Organization.objects.select_related("parent", "zone", "zone__lead_org",
                                                                       "zone__deputy_org"), user, code=code)
    children = selectors.with_member_counts(restrict(org.children.all(), user)).order_by("path")
    from changqing.members.models import Membership, Retiree

    subtree_retirees = restrict(Retiree.objects.filter(in_subtree(org.path, "organization"), status="alive"), user)
    subtree_members = restrict(
        Membership.objects.filter(in_subtree(org.path, "organization"), state="active"), user)
    ancestors = [a for a in org.ancestors() if can(user, "view", a)]
    today = _today()
    rules = selectors.rules_for(org, today)
    own = selectors.with_member_counts(Organization.objects.filter(pk=org.pk)).get()
    warnings = []
    if org.kind == OrgKind.BRANCH and not org.dissolved_on:
        labels = size_labels(rules)
        warnings = [labels[w] for w in size_warnings(full_members=own.full_members, members=own.members,
                                                     has_committee=own.has_committee, rules=rules,
                                                     temporary=selectors.too_few_exempt(own))]
    term = (CommitteeTerm.objects.filter(organization=org, ended_on__isnull=True)
            .prefetch_related(Prefetch("posts", CommitteePost.objects.select_related("membership__retiree"))).first())
    term_info = None
    if term:
        state = term_state(term.end_on, today, rules)
        days = (term.end_on - today).days
        term_info = {"state": state, "label": TERM_LABELS[state], "days": days, "overdue": -days}
    liaison = Liaison.objects.filter(organization=org, end_on__isnull=True).first()
    liaison_status = selectors.liaison_months([liaison], today.year, today)[liaison.pk] if liaison else None
    assignment = selectors.visits_this_year(
        CommitteeMemberAssignment.objects.filter(organization=org, end_on__isnull=True), today.year).first()
    from . import helper

    joint_units = list(org.joint_units.all()) if org.setup_kind == "joint" else []
    helper_due = (org.kind == OrgKind.BRANCH and not org.dissolved_on and helper.helper_due(term, today, rules)
                  and can(user, "change", org))
    restructurings = Restructuring.objects.filter(Q(organization=org) | Q(source=org)).select_related(
        "organization", "source", "from_parent", "to_parent")[:10]
    return render(request, "orgs/detail.html", {
        "title": org.name, "org": org, "own": own, "children": children, "ancestors": ancestors,
        "retiree_count": subtree_retirees.count(), "member_count": subtree_members.count(),
        "can_manage": can(user, "manage", org), "can_change": can(user, "change", org),
        "warnings": warnings, "term": term, "term_info": term_info, "liaison": liaison,
        "liaison_status": liaison_status, "assignment": assignment, "visits_required": rules.committee_visits_per_year,
        "restructurings": restructurings, "is_branch": org.kind == OrgKind.BRANCH,
        "joint_units": joint_units, "helper_due": helper_due,
        "sections": selectors.org_sections(request, org),
        "visits_missing": max(0, rules.committee_visits_per_year - assignment.visits_done) if assignment else 0,
    })


@object_view(Organization, code="code")
@login_required
def joint_units(request, code: str):
    """The units (sectors, communities) a 联合建 branch covers, at most 5 (DOMAIN.md §3 rule 2)."""
    org = get_scoped_object_or_404(Organization, request.user, "manage", code=code)
    units = list(org.joint_units.all())
    initial = [{"name": u.name, "kind": u.kind} for u in units]
    formset = JointUnitFormSet(request.POST or None, initial=initial, prefix="u")
    unit_errors = []
    if request.method == "POST" and formset.is_valid():
        rows = [(f.cleaned_data.get("name", ""), f.cleaned_data.get("kind") or "unit") for f in formset.forms]
        try:
            with transaction.atomic():
                services.joint_units_set(organization=org, units=rows)
        except ValidationError as exc:
            unit_errors = [m for ms in exc.message_dict.values() for m in ms]
        else:
            messages.success(request, "已保存联合组建的单位")
            return redirect(org)
    return render(request, "orgs/joint_units.html", {
        "title": f"{org.name} · 联合组建的单位", "org": org, "formset": formset, "unit_errors": unit_errors})


class OrganizationEditView(ObjectCreateView):
    """New organisation (optionally under ?parent=code) or edit one; for administrators."""

    model = Organization
    scope_lookups = {"code": "code"}
    action = "manage"
    form_class = OrganizationForm

    def get_object(self):
        if scope_for(self.request.user, "manage").empty:  # said before looking the organisation up
            raise PermissionDenied("只有管理员可以维护组织")
        return super().get_object()

    def get_title(self):
        return f"修改组织：{self.object.name}" if self.object else "新增组织"

    def get_cancel_url(self):
        return self.object.get_absolute_url() if self.object else reverse("orgs:tree")

    def get_initial(self):
        code = self.request.GET.get("parent")
        parent = code and restrict(Organization.objects.filter(code=code), self.request.user, "manage").first()
        if self.object is not None or not parent:
            return {}
        child_kind = {OrgKind.COMMITTEE: OrgKind.BRANCH, OrgKind.GENERAL_BRANCH: OrgKind.BRANCH,
                      OrgKind.BRANCH: OrgKind.GROUP}.get(parent.kind)
        return {"parent": parent, "kind": child_kind, "setup_kind": parent.setup_kind}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_success_message(self, org):
        if org.setup_kind == "joint" and not org.joint_units.exists():
            return f"已保存「{org.name}」。这是联合建的支部，请在支部页面登记它联合组建的单位（不超过5个）"
        return f"已保存「{org.name}」"


# -- zones ------------------------------------------------------------------------------

class ZoneListView(ScopedListView):
    title = "片组"
    queryset = Zone.objects.select_related("organization", "lead_org", "deputy_org").annotate(
        branch_count=Count("organizations", filter=Q(organizations__dissolved_on__isnull=True)))
    default_ordering = "code"
    create_url_name = "orgs:zone_create"
    columns = [
        Column("code", "编码", sort="code"),
        Column("name", "名称", sort="name", link=True),
        Column("organization.name", "所属党工委"),
        Column("lead_org.name", "片组长单位"),
        Column("deputy_org.name", "副片组长单位"),
        Column("branch_count", "支部数", sort="branch_count"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["create_url_name"] = self.create_url_name if not scope_for(self.request.user, "manage").empty else None
        return ctx


class ZoneEditView(ObjectFormView):
    model = Zone
    action = "manage"
    form_class = ZoneForm
    cancel_url = reverse_lazy("orgs:zones")

    def check_permission(self):
        if scope_for(self.request.user, "manage").empty:
            raise PermissionDenied("只有管理员可以维护片组")

    def get_title(self):
        return f"修改片组：{self.object.name}" if self.object else "新增片组"

    def get_form_kwargs(self):
        return {"instance": self.object, "user": self.request.user}

    def perform(self, form):
        return form.save()

    def get_success_message(self, zone):
        return f"已保存「{zone.name}」"

    def get_success_url(self, zone=None):
        return reverse("orgs:list") + f"?zone={zone.pk}"


# -- committees, terms, elections -------------------------------------------------------------

@object_view(Organization, code="code")
@login_required
def committee(request, code: str):
    org = get_scoped_object_or_404(Organization, request.user, code=code)
    terms = (CommitteeTerm.objects.filter(organization=org).select_related("election")
             .prefetch_related(Prefetch("posts", CommitteePost.objects.select_related("membership__retiree")))
             .order_by("-start_on"))
    elections = Election.objects.filter(organization=org).prefetch_related(
        Prefetch("candidates", ElectionCandidate.objects.select_related("membership__retiree")))
    today = _today()
    rules = selectors.rules_for(org, today)
    current = next((t for t in terms if t.ended_on is None), None)
    info = None
    if current:
        state = term_state(current.end_on, today, rules)
        info = {"state": state, "label": TERM_LABELS[state], "days": (current.end_on - today).days}
    return render(request, "orgs/committee.html", {
        "title": f"{org.name} · 班子与换届", "org": org, "terms": terms, "current": current, "info": info,
        "elections": elections, "can_change": can(request.user, "change", org),
    })


class TermCreateView(ObjectFormView):
    model = Organization
    scope_lookups = {"code": "code"}
    form_class = TermForm
    success_message = "已登记班子"

    def get_title(self):
        return f"{self.object.name} · 登记现任班子"

    def get_cancel_url(self):
        return reverse("orgs:committee", args=[self.object.code])

    def get_form_kwargs(self):
        return {"org": self.object}

    def perform(self, form):
        d = form.cleaned_data
        term = services.term_register(organization=self.object, start_on=d["start_on"], years=d["years"],
                                      form=d["form"], number=d.get("number"), posts=form.posts())
        for warning in term.warnings:
            messages.warning(self.request, warning)
        return self.get_cancel_url()


@object_view(Organization, code="code")
@login_required
def election_create(request, code: str):
    org = get_scoped_object_or_404(Organization, request.user, "change", code=code)
    form = ElectionForm(request.POST or None, org=org, prefix="e")
    formset = CandidateFormSet(request.POST or None, form_kwargs={"org": org}, prefix="c")
    rules = selectors.rules_for(org)
    candidate_errors = []
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        d = form.cleaned_data
        candidates = [(f.cleaned_data["membership"], f.cleaned_data["votes"]) for f in formset.forms
                      if f.cleaned_data.get("membership")]
        try:
            with transaction.atomic():
                election = services.election_record(
                    organization=org, held_on=d["held_on"], seats=d["seats"], due_to_attend=d["due_to_attend"],
                    present=d["present"], win_basis=d["win_basis"], candidates=candidates,
                    excused_note=d["excused_note"], approval_no=d["approval_no"], approval_on=d.get("approval_on"),
                    notes=d["notes"], secretary=d.get("secretary"), deputy=d.get("deputy"))
            messages.success(request, f"已记录换届选举：{election.result_note}")
            for warning in election.warnings:
                messages.warning(request, warning)
            return redirect(election)
        except ValidationError as exc:
            errors = exc.message_dict
            candidate_errors = errors.pop("candidates", [])
            if errors:
                apply_errors(form, ValidationError(errors))
    return render(request, "orgs/election_form.html", {
        "title": f"{org.name} · 记录换届选举", "org": org, "form": form, "formset": formset, "rules": rules,
        "candidate_errors": candidate_errors,
    })


@object_view(Election)
@login_required
def election_detail(request, pk: int):
    election = get_scoped_object_or_404(Election.objects.select_related("organization"), request.user, pk=pk)
    candidates = election.candidates.select_related("membership__retiree")
    term = CommitteeTerm.objects.filter(election=election).prefetch_related(
        Prefetch("posts", CommitteePost.objects.select_related("membership__retiree"))).first()
    return render(request, "orgs/election_detail.html", {
        "title": str(election), "election": election, "candidates": candidates, "term": term,
        "org": election.organization, "can_correct": can(request.user, "change", election),
        "timing": selectors.election_timing_of(election),
        "can_help": can(request.user, "change", election.organization)})


@object_view(Election)
@login_required
def election_correct(request, pk: int):
    election = get_scoped_object_or_404(Election.objects.select_related("organization"), request.user, "change",
                                        pk=pk)
    form = ElectionCorrectForm(request.POST or None, election=election)
    candidate_errors = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.election_correct(election=election, user=request.user, reason=d["reason"],
                                      held_on=d["held_on"], due_to_attend=d["due_to_attend"], present=d["present"],
                                      votes=form.votes(), excused_note=d["excused_note"],
                                      approval_no=d["approval_no"], approval_on=d.get("approval_on"),
                                      notes=d["notes"])
        except ValidationError as exc:
            errors = exc.message_dict
            candidate_errors = errors.pop("candidates", [])
            if errors:
                apply_errors(form, ValidationError(errors))
        else:
            messages.success(request, "已更正选举记录，原记录保留在变更历史中")
            return redirect(election)
    return render(request, "orgs/election_correct.html", {
        "title": f"更正选举记录：{election.organization.name}", "election": election, "org": election.organization,
        "form": form, "candidate_errors": candidate_errors})


class TermListView(ScopedListView):
    """Current terms by due date: the list behind the 换届提醒 panel."""

    title = "换届提醒"
    queryset = CommitteeTerm.objects.filter(ended_on__isnull=True, organization__dissolved_on__isnull=True
                                            ).select_related("organization", "organization__zone")
    filterset_class = TermFilterSet
    default_ordering = "end_on"

    @cached_property
    def columns(self):
        rules = selectors.RulesResolver()  # each organisation's own alert windows, one query for the page
        return [
            Column("organization.name", "党组织", sort="organization__name", link=True),
            Column("organization.zone.name", "片组"),
            Column("number", "届次", value=lambda t: f"第{t.number}届" if t.number else ""),
            Column("start_on", "任期开始", sort="start_on"),
            Column("years", "任期", value=lambda t: f"{t.years}年"),
            Column("end_on", "任期届满", sort="end_on"),
            Column("state", "状态", value=lambda t: TERM_LABELS[term_state(t.end_on, _today(),
                                                                           rules.for_org(t.organization))]),
            Column("days", "剩余天数", value=lambda t: (t.end_on - _today()).days),
        ]


class SizeWarningListView(ScopedListView):
    title = "支部规模提醒"
    queryset = Organization.objects.none()
    filterset_class = SizeWarningFilterSet
    default_ordering = "path"

    @cached_property
    def columns(self):
        rules = selectors.RulesResolver()  # each branch's own thresholds, one query for the page

        def warnings(o):
            r = rules.for_org(o)
            return "；".join(size_labels(r)[w] for w in size_warnings(
                full_members=o.full_members, members=o.members, has_committee=o.has_committee, rules=r,
                temporary=selectors.too_few_exempt(o)))

        return [
            Column("name", "党支部", sort="name", link=True),
            Column("zone.name", "片组"),
            Column("members", "在册党员", sort="members"),
            Column("full_members", "正式党员", sort="full_members"),
            Column("has_committee", "设有委员会", value=lambda o: "是" if o.has_committee else "否"),
            Column("warnings", "提醒", value=warnings),
        ]

    def get_base_queryset(self):
        qs = selectors.with_member_counts(
            Organization.objects.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True).select_related("zone"))
        if not self.request.GET.get("warning"):
            qs = qs.filter(selectors.rules_q(lambda r: selectors.too_few_q(r) | selectors.too_many_q(r)
                                             | selectors.needs_committee_q(r)
                                             | selectors.committee_not_allowed_q(r)))
        return qs


class ElectionListView(ScopedListView):
    title = "换届选举记录"
    queryset = Election.objects.select_related("organization")
    filterset_class = ElectionFilterSet
    default_ordering = "-held_on"
    columns = [
        Column("held_on", "选举日期", sort="held_on", link=True),
        Column("organization.name", "党组织", sort="organization__name"),
        Column("seats", "应选"),
        Column("due_to_attend", "应到"),
        Column("present", "实到"),
        Column("result_note", "结果"),
    ]


# -- liaisons ----------------------------------------------------------------------------

class LiaisonListView(ScopedListView):
    title = "联络员"
    queryset = Liaison.objects.select_related("organization")
    filterset_class = LiaisonFilterSet
    default_ordering = "organization__path"
    columns = [
        Column("name", "姓名", sort="name", link=True),
        Column("unit", "工作单位"),
        Column("phone", "联系电话"),
        Column("organization.name", "联系支部", sort="organization__name"),
        Column("start_on", "起始日期", sort="start_on"),
        Column("end_on", "截止日期"),
        Column("missed", "今年未联系的月份", export=True,
               value=lambda x: "、".join(f"{m}月" for m in getattr(x, "missed", [])) or "无"),
    ]
    template_name = "orgs/liaison_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = list(ctx["rows"])
        today = _today()
        status = selectors.liaison_months(rows, today.year, today)
        for r in rows:
            r.missed = status[r.pk]["missed"]
        ctx["table"] = [self.render_row(r) for r in rows]
        return ctx

    def export_prepare(self, chunk):
        today = _today()
        status = selectors.liaison_months(chunk, today.year, today)
        for r in chunk:
            r.missed = status[r.pk]["missed"]


class OrganizationFormView(ObjectFormView):
    """A form on one organisation's page, for its administrators (URL names it by code)."""

    model = Organization
    scope_lookups = {"code": "code"}
    action = "manage"

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_success_url(self, result=None):
        return self.object


class LiaisonCreateView(OrganizationFormView):
    form_class = LiaisonForm
    current = None  # the liaison in office before this one, who steps down

    def get_title(self):
        current = self._current()
        return f"{self.object.name} · 安排联络员" + (f"（现任：{current.name}，保存后卸任）" if current else "")

    def _current(self):
        return Liaison.objects.filter(organization=self.object, end_on__isnull=True).first()

    def perform(self, form):
        self.current = self._current()
        return services.liaison_assign(organization=self.object, **form.cleaned_data)

    def get_success_message(self, liaison):
        return f"已安排{liaison.name}为联络员" + (f"，{self.current.name}同时卸任" if self.current else "")


@object_view(Liaison)
@login_required
def liaison_detail(request, pk: int):
    liaison = get_scoped_object_or_404(Liaison.objects.select_related("organization", "user"), request.user, pk=pk)
    may_record = can(request.user, "change", liaison.organization)
    form = LiaisonContactForm(request.POST or None, initial={"contacted_on": _today()})
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied("您无权记录联系情况")
        if form.is_valid():
            if _run(form, lambda: services.liaison_contact_record(liaison=liaison, **form.cleaned_data)):
                messages.success(request, "已记录联系情况")
                return redirect(liaison)
    today = _today()
    year = query_year(request, default=today.year)
    status = selectors.liaison_months([liaison], year, today)[liaison.pk]
    contacts = liaison.contacts.all()[:100]
    months = [{"month": m, "done": m in status["contacted"], "missed": m in status["missed"]} for m in range(1, 13)]
    return render(request, "orgs/liaison_detail.html", {
        "title": f"联络员 {liaison.name}", "liaison": liaison, "form": form if may_record else None,
        "contacts": contacts, "months": months, "year": year, "org": liaison.organization,
        "can_manage": can(request.user, "manage", liaison.organization)})


class LiaisonEndView(ObjectActionView):
    model = Liaison
    queryset = Liaison.objects.select_related("organization")
    action = "manage"

    def perform(self):
        if self.object.end_on is None:
            services.liaison_end(liaison=self.object, on=_today())
            return f"{self.object.name}已卸任联络员"

    def get_success_message(self, message):
        return message or ""


# -- 党工委 members ----------------------------------------------------------------------------

class AssignmentListView(ScopedListView):
    title = "党工委委员联系支部"
    queryset = CommitteeMemberAssignment.objects.select_related("organization", "committee_org")
    filterset_class = AssignmentFilterSet
    default_ordering = "name"

    @cached_property
    def columns(self):
        rules = selectors.RulesResolver()  # each branch's own number of visits a year, one query for the page
        return [
            Column("name", "党工委委员", sort="name", link=True),
            Column("post", "职务"),
            Column("organization.name", "联系支部", sort="organization__name"),
            Column("start_on", "起始日期", sort="start_on"),
            Column("end_on", "截止日期"),
            Column("visits_done", "今年到点指导", sort="visits_done", value=lambda a: (
                f"{a.visits_done}/{rules.for_org(a.organization).committee_visits_per_year}")),
        ]

    def get_base_queryset(self):
        return selectors.visits_this_year(self.queryset.all(), _today().year)


class AssignmentCreateView(OrganizationFormView):
    form_class = AssignmentForm
    success_message = ""

    def check_permission(self):
        self.committee_org = self.object.ancestors().filter(kind=OrgKind.COMMITTEE).order_by("-depth").first()
        if self.committee_org is None:
            raise PermissionDenied("该组织不在任何党工委之下")

    def get_title(self):
        return f"{self.object.name} · 安排联系的党工委委员"

    def perform(self, form):
        return services.committee_member_assign(committee_org=self.committee_org, organization=self.object,
                                                **form.cleaned_data)

    def get_success_message(self, a):
        return f"已安排党工委委员{a.name}联系本支部"


@object_view(CommitteeMemberAssignment)
@login_required
def assignment_detail(request, pk: int):
    a = get_scoped_object_or_404(CommitteeMemberAssignment.objects.select_related("organization", "committee_org"),
                                 request.user, pk=pk)
    user = request.user
    may_record = (a.user_id == user.pk or can(user, "change", a.organization)) and a.end_on is None
    form = VisitForm(request.POST or None, initial={"visited_on": _today(), "visitor": a.name})
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied("您无权记录到点指导")
        if form.is_valid():
            if _run(form, lambda: services.committee_visit_record(assignment=a, **form.cleaned_data)):
                messages.success(request, "已记录到点指导")
                return redirect(a)
    year = _today().year
    visits = a.visits.all()
    done = sum(1 for v in visits if v.visited_on.year == year)
    required = selectors.rules_for(a.organization).committee_visits_per_year
    return render(request, "orgs/assignment_detail.html", {
        "title": f"{a.name} 联系 {a.organization.name}", "a": a, "visits": visits, "done": done,
        "required": required, "slots": [i < done for i in range(max(required, done))], "form": form if may_record else None,
        "org": a.organization, "can_manage": can(user, "manage", a.organization), "year": year})


class AssignmentEndView(ObjectActionView):
    model = CommitteeMemberAssignment
    action = "manage"

    def perform(self):
        if self.object.end_on is None:
            services.committee_member_unassign(assignment=self.object, on=_today())
            return f"{self.object.name}已结束联系该支部"

    def get_success_message(self, message):
        return message or ""


# -- restructuring (化并转) -------------------------------------------------------------------

class RestructureView(OrganizationFormView):
    """化并转 pages: dated today unless changed; the service moves members with their history."""

    def get_form_kwargs(self):
        return {"org": self.object, "user": self.request.user, "initial": {"on": _today()}}


class OrganizationMergeView(RestructureView):
    form_class = MergeForm

    def get_title(self):
        return f"合并支部：并入「{self.object.name}」"

    def perform(self, form):
        d = form.cleaned_data
        return services.branches_merge(target=self.object, sources=list(d["sources"]), on=d["on"],
                                       reason=d["reason"], letter_no=d["letter_no"])

    def get_success_message(self, done):
        return f"已将{len(done)}个支部并入{self.object.name}，转接党员{sum(r.moved_members for r in done)}名"


class OrganizationSplitView(RestructureView):
    form_class = SplitForm

    def get_form_kwargs(self):
        return {"org": self.object, "initial": {"on": _today()}}

    def get_title(self):
        return f"拆分支部：从「{self.object.name}」分设新支部"

    def perform(self, form):
        d, org = form.cleaned_data, self.object
        new_org = Organization(code=d["code"], name=d["name"], setup_kind=d["setup_kind"], kind=OrgKind.BRANCH,
                               parent=org.parent, zone=org.zone, nature=org.nature, term_years=org.term_years)
        return services.branch_split(source=org, new_org=new_org, memberships=list(d["memberships"]), on=d["on"],
                                     reason=d["reason"], letter_no=d["letter_no"])

    def get_success_message(self, rec):
        return f"已分设{rec.organization.name}，转入党员{rec.moved_members}名"

    def get_success_url(self, rec=None):
        return rec.organization


class OrganizationMoveView(RestructureView):
    form_class = MoveForm

    def get_title(self):
        return f"调整隶属关系：{self.object.name}"

    def perform(self, form):
        d = form.cleaned_data
        return services.organization_move(org=self.object, new_parent=d["new_parent"], on=d["on"],
                                          reason=d["reason"], letter_no=d["letter_no"])

    def get_success_message(self, rec):
        return f"已将{self.object.name}调整到{rec.to_parent.name}之下"


class RestructuringListView(ScopedListView):
    title = "化并转记录"
    queryset = Restructuring.objects.select_related("organization", "source", "from_parent", "to_parent")
    filterset_class = RestructuringFilterSet
    default_ordering = "-on"
    columns = [
        Column("on", "日期", sort="on"),
        Column("kind", "类别", value=lambda r: r.get_kind_display()),
        Column("organization.name", "组织", link=False),
        Column("source.name", "被合并/拆出的组织"),
        Column("from_parent.name", "原上级"),
        Column("to_parent.name", "新上级"),
        Column("moved_members", "转接党员"),
        Column("letter_no", "批复文号"),
        Column("reason", "原因"),
    ]
