"""Pages for evaluation: thin views over services and selectors."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Window
from django.db.models.functions import Rank
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from changqing.core import conflicts
from changqing.core.files import serve_file
from changqing.core.scope import can, get_scoped_object_or_404, object_view, restrict, scope_for
from changqing.core.forms import apply_errors
from changqing.core.jobs import job_start
from changqing.core.lists import Column, ScopedListView
from changqing.orgs.models import Organization, OrgKind
from changqing.core.params import query_year

from . import metrics, selectors, services
from .filters import AssessmentFilterSet, DesignationFilterSet, GradeFilterSet, RankingFilterSet
from .forms import ComputeForm, DesignateForm, ReasonForm, RubricCopyForm, RubricItemFormSet, RubricVersionForm
from .forms import ScoreForm
from .models import (
    Assessment, AssessmentState, Designation, ItemScore, ItemSource, Rubric, RubricKind, ScoreEvidence,
)


def _default_year() -> int:
    """The last complete year: what a yearly assessment is about."""
    return timezone.localdate().year - 1


def _year(request) -> int:
    y = query_year(request, default=0)
    return y if 2000 <= y <= 2100 else _default_year()


def _root(user) -> Organization | None:
    """The top of what the user may see (the shortest path in scope; everything → the first root)."""
    scope = scope_for(user)
    if scope.everything:
        return Organization.objects.filter(parent__isnull=True).order_by("path").first()
    paths = sorted(scope.org_paths, key=len)
    return Organization.objects.filter(path=paths[0]).first() if paths else None


STATE_CSS = {AssessmentState.DRAFT: "muted", AssessmentState.SUBMITTED: "warn", AssessmentState.CONFIRMED: "ok"}


def stars_text(grade: str | None) -> str:
    return f"{'★' * int(grade)}{'☆' * (5 - int(grade))}" if grade and grade.isdigit() else ""


def movement(grade: str | None, last: str | None) -> str:
    if not grade:
        return ""
    if not last:
        return "首次评定"
    if grade > last:
        return f"晋位升级（+{int(grade) - int(last)}）" if grade.isdigit() and last.isdigit() else "晋位升级"
    if grade < last:
        return f"降级（−{int(last) - int(grade)}）" if grade.isdigit() and last.isdigit() else "降级"
    return "持平"


@login_required
def home(request):
    """A secretary lands on their branch's history; everyone else on the jurisdiction's grades."""
    branches = list(restrict(Organization.objects.filter(kind=OrgKind.BRANCH), request.user)[:2])
    if len(branches) == 1:
        return redirect("evaluation:history", code=branches[0].code)
    return redirect("evaluation:grades")


# -- lists ------------------------------------------------------------------------------------

class GradeListView(ScopedListView):
    """晋位升级: this year's star grade beside last year's, for every branch in scope."""

    title = "支部星级评定"
    template_name = "evaluation/grades.html"
    filterset_class = GradeFilterSet
    default_ordering = "organization__path"
    columns = [
        Column("organization.name", "支部", sort="organization__path", link=True),
        Column("organization.zone", "片组", value=lambda a: a.organization.zone.name if a.organization.zone else ""),
        Column("total", "本年得分", sort="total"),
        Column("grade_label", "本年星级", sort="grade"),
        Column("last_label", "上年星级", sort="last_grade", value=lambda a: a.last_label or "—"),
        Column("movement", "升降", value=lambda a: movement(a.grade, a.last_grade)),
        Column("state", "状态", sort="state", value=lambda a: a.get_state_display()),
    ]

    def get_base_queryset(self):
        self.year = _year(self.request)
        qs = Assessment.objects.select_related("organization__zone")
        return selectors.compare_years(qs, self.year)

    @property
    def export_title(self):
        return f"{self.year}年支部星级评定"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = self.get_rows()
        counts = {g: 0 for g in ["5", "4", "3", "2", "1"]}
        for g in rows.values_list("grade", flat=True):
            if g in counts:
                counts[g] += 1
        ctx.update(year=self.year, grade_counts=[(g, stars_text(g), n) for g, n in counts.items()],
                   up=rows.filter(grade__gt=F("last_grade")).count(),
                   down=rows.filter(grade__lt=F("last_grade")).count(),
                   can_compute=can(self.request.user, "manage"))
        return ctx


class AssessmentListView(ScopedListView):
    title = "年度考核记录"
    queryset = Assessment.objects.select_related("organization", "rubric")
    filterset_class = AssessmentFilterSet
    default_ordering = "-year"
    columns = [
        Column("year", "年度", sort="year"),
        Column("organization.name", "党组织", sort="organization__path", link=True),
        Column("rubric.name", "考核细则"),
        Column("total", "总分", sort="total"),
        Column("grade_label", "评定结果", sort="grade"),
        Column("unscored", "未评分项", sort="unscored"),
        Column("state", "状态", sort="state", value=lambda a: a.get_state_display()),
    ]


class RankingView(ScopedListView):
    """党建目标责任制: the units' yearly scores, ranked within what the user sees."""

    title = "党建目标责任制考核排名"
    template_name = "evaluation/ranking.html"
    filterset_class = RankingFilterSet
    default_ordering = "rank"
    columns = [
        Column("rank", "名次", sort="rank"),
        Column("organization.name", "单位", sort="organization__path", link=True),
        Column("total", "总分", sort="total"),
        Column("grade_label", "等次"),
        Column("state", "状态", value=lambda a: a.get_state_display()),
    ]

    def get_base_queryset(self):
        self.year = _year(self.request)
        return Assessment.objects.filter(kind=RubricKind.RESPONSIBILITY, year=self.year).select_related(
            "organization")

    def get_rows(self):
        qs = self.scoped(self.get_base_queryset())
        self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
        if self.filterset.is_bound and self.filterset.is_valid():
            qs = self.filterset.qs
        # Rank after scope and filters: within the units the user sees.
        ranked = qs.annotate(rank=Window(Rank(), order_by=F("total").desc()))
        return ranked.order_by(self.current_ordering() or "rank", "pk")

    def sortable_keys(self):
        return {"rank": "rank", "organization.name": "organization__path", "total": "total"}

    @property
    def export_title(self):
        return f"{self.year}年党建目标责任制考核排名"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(year=self.year, can_compute=can(self.request.user, "manage"))
        return ctx


class DesignationListView(ScopedListView):
    title = "示范支部"
    queryset = Designation.objects.select_related("organization", "basis")
    filterset_class = DesignationFilterSet
    default_ordering = "-year"
    columns = [
        Column("year", "年度", sort="year"),
        Column("organization.name", "支部", sort="organization__path", link=True),
        Column("title", "称号"),
        Column("basis.total", "评定得分"),
        Column("designated_on", "命名日期", sort="designated_on"),
        Column("revoked_on", "状态", value=lambda d: f"已撤销（{d.revoke_reason}）" if d.revoked_on else "有效"),
    ]


# -- one assessment ---------------------------------------------------------------------------

def _item_links(a: Assessment, s: ItemScore, led_count: int = 0) -> list[dict]:
    """Links to the records behind a score's figures: the native lists where they match, else the evidence list."""
    metric = s.item.scoring_metric
    if not metric:
        return []
    f = s.figures or {}
    records = reverse("evaluation:records", args=[a.pk, metric])
    org = a.organization
    if a.kind == RubricKind.RESPONSIBILITY:
        return [{"label": f"各支部的数据（{led_count} 个支部）", "url": records}]
    if s.item.source == ItemSource.MANUAL:
        return [{"label": f"对照数据的记录（{metrics.METRICS[metric].label}）", "url": records}]
    links = []
    if metric == metrics.MEETINGS_HELD:
        for r in f.get("rules", []):
            ids = r.get("ids") or []
            url = (f"{reverse('life:meetings')}?ids={','.join(map(str, ids))}" if ids else
                   f"{reverse('life:meetings')}?org={org.code}&kind={r['kind']}&month={a.year}")
            what = f"应谈{r['required']}人，已谈{r['held']}人" if r.get("per_member") else \
                f"应开{r['required']}次，已开{r['held']}次"
            links.append({"label": f"{r['name']}：{what}（{r['status']}）", "url": url,
                          "count": len(ids), "ok": r["held"] >= r["required"]})
        links.append({"label": "逐条规则的应开与已开", "url": records})
    elif metric == metrics.ATTENDANCE_RATE:
        links.append({"label": f"{f.get('meetings', 0)} 次会议的出席情况", "url": records})
    elif metric == metrics.HOME_DELIVERY:
        links.append({"label": f"{f.get('immobile', 0)} 名行动不便党员的送学情况", "url": records})
    elif metric == metrics.CARE_VISITS:
        links.append({"label": f"{f.get('retirees', 0)} 名离退休干部的走访次数", "url": records})
    elif metric == metrics.DUES_ARREARS:
        links.append({"label": f"连续欠缴3个月及以上的 {f.get('arrears', 0)} 名党员", "url": records})
    elif metric == metrics.TERM_ON_TIME:
        links.append({"label": "现任班子的任期与判断日", "url": records})
        links.append({"label": "班子与换届记录", "url": reverse("orgs:committee", args=[org.code])})
    return links


def _score_rows(a: Assessment, scores):
    led_count = len(selectors.unit_branches([a.organization]).get(a.organization_id, [])) \
        if a.kind == RubricKind.RESPONSIBILITY else 0
    rows = []
    for s in scores:
        metric = s.item.scoring_metric
        rows.append({
            "s": s, "item": s.item, "metric": metrics.METRICS.get(metric),
            "figures_text": metrics.describe(metric, s.figures or {}) if metric else "",
            "links": _item_links(a, s, led_count),
            "lost": (s.item.weight - s.final_score) if s.final_score is not None else None,
            "evidence": list(s.evidence.all()),
        })
    return rows


@object_view(Assessment)
@login_required
def assessment_detail(request, pk: int):
    """The explain page: the grade item by item, each with its figures and the records behind them."""
    a = get_scoped_object_or_404(Assessment.objects.select_related("organization", "rubric", "version", "reviewer",
                                                                   "submitted_by"), request.user, pk=pk)
    scores = list(a.scores.select_related("item", "reviewer").prefetch_related("evidence").order_by("item__order"))
    reviewer = services.can_review(request.user, a.organization)
    designations = list(a.designations.all())
    can_designate = (a.kind == RubricKind.MODEL_BRANCH and a.state == AssessmentState.CONFIRMED
                     and a.grade_label == (a.rubric.title or "示范支部") and not designations
                     and can(request.user, "manage", a.organization))
    last = (Assessment.objects.filter(organization=a.organization, rubric__kind=a.kind, year=a.year - 1)
            .only("grade", "grade_label", "total").first())
    return render(request, "evaluation/assessment.html", {
        "title": f"{a.organization.name} · {a.year}年{a.rubric.name}", "a": a, "rows": _score_rows(a, scores),
        "stars": stars_text(a.grade) if a.kind == RubricKind.STAR_RATING else "",
        "reviewer": reviewer, "can_change": can(request.user, "change", a.organization),
        "state_css": STATE_CSS[a.state], "designations": designations, "can_designate": can_designate,
        "last": last, "move": movement(a.grade, last.grade) if last and a.kind == RubricKind.STAR_RATING else "",
        "weight_total": sum(s.item.weight for s in scores), "reopen_form": ReasonForm(),
    })


@object_view(Assessment, samples={"metric": metrics.MEETINGS_HELD})
@login_required
def records(request, pk: int, metric: str):
    """The records behind one figure, counted by the same bulk selector the score came from."""
    a = get_scoped_object_or_404(Assessment.objects.select_related("organization"), request.user, pk=pk)
    if metric not in metrics.METRICS:
        raise Http404("没有这个数据指标")
    stored = next((s.figures for s in a.scores.select_related("item") if s.item.scoring_metric == metric), None)
    m = metrics.METRICS[metric]
    org = a.organization
    ctx = {"title": f"{org.name} · {a.year}年 · {m.label}", "a": a, "metric": m, "stored": stored or {},
           "stored_text": metrics.describe(metric, stored or {}) if stored is not None else ""}
    if a.kind == RubricKind.RESPONSIBILITY:
        led = selectors.unit_branches([org]).get(org.pk, [])
        data = selectors.collect(led, a.year, root=org) if led else {}
        star = {x.organization_id: x for x in Assessment.objects.filter(
            organization__in=led, year=a.year, kind=RubricKind.STAR_RATING)}
        ctx["headers"] = ["支部", m.num_label, m.den_label, "比率", "星级评定"]
        ctx["rows"] = [[(b.name, None), (data[b.pk][metric].get(m.numerator, 0), None),
                        (data[b.pk][metric].get(m.denominator, 0), None),
                        (metrics.describe(metric, data[b.pk][metric]).rsplit("（", 1)[-1].rstrip("）"), None),
                        ((star[b.pk].grade_label, star[b.pk].get_absolute_url()) if b.pk in star else ("未评定", None))]
                       for b in led]
        now = {}
        for b in led:
            metrics.add(now, data[b.pk][metric])
        if metric == metrics.TERM_ON_TIME:
            now["branches"] = len(led)
        ctx["now_text"] = metrics.describe(metric, now)
        ctx["rows"] = [list(zip(ctx["headers"], [v for v, _ in r], [u for _, u in r])) for r in ctx["rows"]]
        return render(request, "evaluation/records.html", ctx)
    data = selectors.collect([org], a.year, root=org, rows=True)[org.pk]
    f = data[metric]
    ctx["now_text"] = metrics.describe(metric, f)
    rows = []
    if metric == metrics.MEETINGS_HELD:
        ctx["headers"] = ["规则", "应开", "已开", "状态", "会议记录"]
        for r in f["rules"]:
            ids = r["ids"]
            url = f"{reverse('life:meetings')}?ids={','.join(map(str, ids))}" if ids else None
            rows.append([(r["name"], None), (r["required"], None), (r["held"], None), (r["status"], None),
                         (f"{len(ids)} 条", url)])
    elif metric == metrics.ATTENDANCE_RATE:
        ctx["headers"] = ["会议日期", "类型", "参加人次", "登记人次"]
        for r in f.get("rows", []):
            rows.append([(r["held_on"], reverse("life:meeting_detail", args=[r["meeting_id"]])), (r["kind"], None),
                         (r["participated"], None), (r["recorded"], None)])
    elif metric == metrics.HOME_DELIVERY:
        ctx["headers"] = ["党员", "全年参加（含送学）", "请假当月未送学（次）", "是否覆盖"]
        for r in f.get("rows", []):
            rows.append([(r["name"], None), (r["participations"], None), (r["unreached"], None),
                         ("已覆盖" if r["reached"] else "未覆盖", None)])
    elif metric == metrics.CARE_VISITS:
        ctx["headers"] = ["离退休干部", "全年走访次数"]
        for r in f.get("rows", []):
            rows.append([(r["name"], reverse("members:retiree_detail", args=[r["retiree_id"]])),
                         (r["visits"] or "未走访", None)])
    elif metric == metrics.DUES_ARREARS:
        ctx["headers"] = ["党员", "最近缴至"]
        for r in f.get("rows", []):
            rows.append([(r["name"], reverse("dues:member", args=[r["membership_id"]])),
                         (r["last_settled"][:7] or "无记录", None)])
    elif metric == metrics.TERM_ON_TIME:
        ctx["headers"] = ["任期开始", "任期届满", "判断日", "是否超期"]
        rows.append([(f["term_start"] or "未录入班子", reverse("orgs:committee", args=[org.code])),
                     (f["term_end"], None), (f["as_of"], None),
                     ("未超期" if f["on_time"] else (f"超期 {f['days_overdue']} 天" if f["term_end"] else "未录入"),
                      None)])
    ctx["rows"] = [list(zip(ctx["headers"], [v for v, _ in r], [u for _, u in r])) for r in rows]
    return render(request, "evaluation/records.html", ctx)


@object_view(ItemScore)
@login_required
def score_edit(request, pk: int):
    s = get_scoped_object_or_404(ItemScore.objects.select_related("assessment__organization", "item"),
                                 request.user, pk=pk)
    a = s.assessment
    if not services.can_review(request.user, a.organization):
        raise PermissionDenied("只有管辖该组织的老干部局管理员或党工委委员可以评分")
    initial = {"value": s.reviewer_score if s.reviewer_score is not None else "", "reason": s.reason,
               "evidence_text": s.evidence_text}
    form = ScoreForm(request.POST or None, request.FILES or None, initial=initial, versioned=s)
    if request.method == "POST" and form.is_valid():
        try:
            from django.db import transaction

            with transaction.atomic():
                services.item_score_set(score=s, value=form.cleaned_data["value"], reason=form.cleaned_data["reason"],
                                        evidence_text=form.cleaned_data["evidence_text"], user=request.user)
                if form.cleaned_data.get("file"):
                    services.evidence_add(score=s, upload=form.cleaned_data["file"],
                                          caption=form.cleaned_data["caption"], user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        except conflicts.ConflictError as exc:  # another reviewer scored this item since the form was read
            conflicts.reject(form, exc)
        else:
            a.refresh_from_db()
            messages.success(request, f"已保存「{s.item.name}」的评分。总分 {a.total} 分，评定结果：{a.grade_label}")
            return redirect(f"{a.get_absolute_url()}#item-{s.item.code}")
    metric = s.item.scoring_metric
    return render(request, "evaluation/score_form.html", {
        "title": f"评分：{s.item.name}", "s": s, "a": a, "form": form,
        "figures_text": metrics.describe(metric, s.figures or {}) if metric else "",
        "metric": metrics.METRICS.get(metric),
    })


@object_view(ScoreEvidence)
@login_required
def evidence_file(request, pk: int):
    ev = get_scoped_object_or_404(ScoreEvidence, request.user, pk=pk)
    return serve_file(ev.file)


def _post_action(request, pk, action, *, need="change"):
    a = get_scoped_object_or_404(Assessment.objects.select_related("organization", "rubric"), request.user, need,
                                 pk=pk) if need != "review" else \
        get_scoped_object_or_404(Assessment.objects.select_related("organization", "rubric"), request.user, pk=pk)
    try:
        message = action(a)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, message)
    return redirect(a)


@object_view(Assessment)
@require_POST
@login_required
def recompute(request, pk: int):
    def act(a):
        services.assessment_compute(organization=a.organization, year=a.year, rubric=a.rubric, user=request.user)
        a.refresh_from_db()
        return f"已按记录重新计算。总分 {a.total} 分，评定结果：{a.grade_label}"
    return _post_action(request, pk, act)


@object_view(Assessment)
@require_POST
@login_required
def submit(request, pk: int):
    return _post_action(request, pk, lambda a: services.assessment_submit(assessment=a, user=request.user)
                        and "已提交，等待审核人确认")


@object_view(Assessment)
@require_POST
@login_required
def confirm(request, pk: int):
    return _post_action(request, pk, lambda a: services.assessment_confirm(assessment=a, user=request.user)
                        and "已确认评定结果", need="review")


@object_view(Assessment)
@require_POST
@login_required
def reopen(request, pk: int):
    return _post_action(request, pk, lambda a: services.assessment_reopen(
        assessment=a, user=request.user, reason=request.POST.get("reason", "")) and "已退回为草稿", need="review")


@object_view(Assessment)
@require_POST
@login_required
def designate(request, pk: int):
    form = DesignateForm(request.POST)
    form.is_valid()
    return _post_action(request, pk, lambda a: services.designation_create(
        basis=a, user=request.user, note=form.cleaned_data.get("note", "")) and "已命名为示范支部", need="review")


@object_view(Designation)
@login_required
def designation_detail(request, pk: int):
    d = get_scoped_object_or_404(Designation.objects.select_related("organization", "basis", "designated_by",
                                                                    "revoked_by"), request.user, pk=pk)
    can_revoke = d.active and can(request.user, "manage", d.organization)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        if not can_revoke:
            raise PermissionDenied("只有老干部局管理员可以撤销示范支部命名")
        try:
            services.designation_revoke(designation=d, user=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已撤销命名")
            return redirect(d)
    return render(request, "evaluation/designation.html", {"title": str(d), "d": d, "form": form,
                                                           "can_revoke": can_revoke})


@object_view(Organization, code="code")
@login_required
def history(request, code: str):
    """One organisation's grades across years, every rubric."""
    org = get_scoped_object_or_404(Organization, request.user, code=code)
    rows = []
    by_kind: dict[str, list[Assessment]] = {}
    for a in selectors.grade_history(org):
        by_kind.setdefault(a.kind, []).append(a)
    order = [RubricKind.STAR_RATING, RubricKind.MODEL_BRANCH, RubricKind.RESPONSIBILITY]
    for kind, items in sorted(by_kind.items(), key=lambda kv: order.index(kv[0])):
        for i, a in enumerate(items):
            prev = items[i + 1] if i + 1 < len(items) and items[i + 1].year == a.year - 1 else None
            rows.append({"a": a, "stars": stars_text(a.grade) if kind == RubricKind.STAR_RATING else "",
                         "move": movement(a.grade, prev.grade if prev else None)
                         if kind == RubricKind.STAR_RATING else ""})
    designations = list(Designation.objects.filter(organization=org).order_by("-year"))
    chart = [{"year": r["a"].year, "grade": int(r["a"].grade)} for r in rows
             if r["a"].kind == RubricKind.STAR_RATING and r["a"].grade.isdigit()]
    return render(request, "evaluation/history.html", {
        "title": f"{org.name} · 历年考核", "org": org, "rows": rows, "designations": designations,
        "chart": sorted(chart, key=lambda c: c["year"]),
        "can_compute": can(request.user, "change", org) and not Assessment.objects.filter(
            organization=org, year=_default_year(), kind=RubricKind.STAR_RATING,
            state=AssessmentState.CONFIRMED).exists(),
        "this_year": _default_year(),
    })


@object_view(Organization, code="code")
@require_POST
@login_required
def compute_one(request, code: str):
    """Compute (or recompute) one organisation's assessment for a year from its history page."""
    org = get_scoped_object_or_404(Organization, request.user, "change", code=code)
    try:
        year = int(request.POST.get("year", ""))
        a = services.assessment_compute(organization=org, year=year, user=request.user)
    except (ValueError, ValidationError) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else "年度不正确")
        return redirect("evaluation:history", code=code)
    messages.success(request, f"已计算 {a.year} 年：总分 {a.total} 分，{a.grade_label}")
    return redirect(a)


@login_required
def compute_all(request):
    """为辖区所有支部计算: a background job with progress."""
    if not can(request.user, "manage"):
        raise PermissionDenied("只有老干部局管理员可以批量计算")
    rubrics = selectors.visible_rubrics(request.user).order_by("kind", "code")
    form = ComputeForm(request.POST or None, rubrics=rubrics,
                       initial={"year": _default_year(), "rubric": rubrics.filter(is_default=True).first()})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["org"].strip()
        root = _root(request.user)
        if code:
            root = Organization.objects.filter(code=code).first()
            if root is None or not can(request.user, "manage", root):
                form.add_error("org", "该组织不存在或不在您的管理范围内")
        if not form.errors and root is not None:
            rubric = form.cleaned_data["rubric"]
            job = job_start(kind="evaluation.compute", user=request.user, func="evaluation.compute",
                            params={"root": root.pk, "year": form.cleaned_data["year"], "rubric": rubric.pk},
                            title=f"计算{form.cleaned_data['year']}年{rubric.name}（{root.name}）",
                            org_path=root.path)
            return redirect(job)
    return render(request, "core/form.html", {"title": "为辖区所有支部计算", "form": form,
                                              "cancel_url": reverse("evaluation:grades")})


# -- rubrics ----------------------------------------------------------------------------------

class RubricListView(ScopedListView):
    title = "考核细则"
    queryset = Rubric.objects.select_related("owner")
    default_ordering = "kind"
    columns = [
        Column("name", "名称", link=True, sort="name"),
        Column("kind", "类别", sort="kind", value=lambda r: r.get_kind_display()),
        Column("owner", "制定单位", value=lambda r: r.owner.name if r.owner else "系统默认"),
        Column("is_default", "本类别默认使用"),
    ]

    def get_rows(self):
        self.filterset = None
        return selectors.visible_rubrics(self.request.user).select_related("owner").order_by(
            self.current_ordering() or "kind", "pk")


@object_view(Rubric)
@login_required
def rubric_detail(request, pk: int):
    rubric = selectors.visible_rubrics(request.user).filter(pk=pk).first()
    if rubric is None:
        raise Http404("不在您的数据范围内，或记录不存在")
    versions = list(rubric.versions.prefetch_related("items").order_by("-number"))
    root = _root(request.user)
    can_manage = root is not None and can(request.user, "manage", root)
    copy_form = RubricCopyForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("只有老干部局管理员可以制定考核细则")
        if copy_form.is_valid():
            try:
                new = services.rubric_copy(source=rubric, owner=root, code=copy_form.cleaned_data["code"],
                                           name=copy_form.cleaned_data["name"], user=request.user)
            except ValidationError as exc:
                apply_errors(copy_form, exc)
            else:
                messages.success(request, "已复制为本单位的考核细则，可以修订；在“规则设置”中指定它从哪天起适用于哪些组织")
                return redirect(new)
    used = dict(Assessment.objects.filter(rubric=rubric).values("version").annotate(
        n=Count("id")).values_list("version", "n"))
    return render(request, "evaluation/rubric_detail.html", {
        "title": rubric.name, "rubric": rubric, "versions": [(v, used.get(v.pk, 0)) for v in versions],
        "copy_form": copy_form, "can_manage": can_manage,
        "can_revise": rubric.owner is not None and can(request.user, "manage", rubric.owner),
    })


@object_view(Rubric)
@login_required
def rubric_revise(request, pk: int):
    rubric = get_scoped_object_or_404(Rubric, request.user, "manage", pk=pk)
    current = rubric.versions.order_by("-number").first()
    items = [{"code": i.code, "name": i.name, "weight": i.weight, "source": i.source, "metric": i.metric,
              "related_metric": i.related_metric, "target": i.target, "is_innovation": i.is_innovation,
              "guidance": i.guidance} for i in (current.items.all() if current else [])]
    bands = "\n".join(f"{b['min']} {b['label']} {b.get('grade', '')}".strip()
                      for b in (current.bands if current else []))
    form = RubricVersionForm(request.POST or None, initial={
        "from_year": timezone.localdate().year, "bands": bands,
        "innovation_required": current.innovation_required if current else False})
    formset = RubricItemFormSet(request.POST or None, initial=items, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.rubric_revise(rubric=rubric, from_year=form.cleaned_data["from_year"],
                                   bands_text=form.cleaned_data["bands"], items=[f for f in formset.cleaned_data if f],
                                   innovation_required=form.cleaned_data["innovation_required"],
                                   note=form.cleaned_data["note"], user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
            if "items" in exc.message_dict:
                form.add_error(None, exc.message_dict["items"])
        else:
            messages.success(request, "已保存新版本；此前年度的考核仍按原版本")
            return redirect(rubric)
    return render(request, "evaluation/rubric_form.html", {"title": f"修订：{rubric.name}", "rubric": rubric,
                                                           "form": form, "formset": formset})

