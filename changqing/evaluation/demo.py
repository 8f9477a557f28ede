"""Demo assessments: 2024 and 2025 for every branch, computed from the demo's own records.

Data items come from the records (the same bulk path as the 重新计算 button).
Manual items are scored as an honest reviewer would: an item with a related
metric gets the data-derived reference rounded to half a point (so the demo
holds no manual-vs-data contradictions — the integrity audit plants its own);
an item without one follows the branch's overall data performance. The best
branches get an innovation score, so 五星级 exist; 2025 is partly still under
review (a few drafts with unscored manual items, some submitted). A few
confirmed 五好支部 are designated, one designation revoked. Units (党工委/党总支
leading branches) get the 党建目标责任制 score.

Province scale is skipped: the yearly metrics read every attendance row of the
subtree, which the county and city carry in seconds but a million members do not.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone

from changqing.core.changelog import logging_on
from changqing.orgs.models import Organization, OrgKind
from changqing.core.tree import in_subtree

from . import metrics, selectors, services
from .models import Assessment, AssessmentState, Designation, ItemScore, ItemSource, Rubric

YEARS = (2024, 2025)
REVIEWER = "县委老干部局考核组"
REASONS_RELATED = ["查阅全年记录，与台账一致", "抽查会议记录与签到，情况属实", "走访党员核实，记录真实",
                   "台账齐全，与系统记录相符"]
REASONS_FREE = ["支部班子团结，作用发挥较好", "组织设置合理，覆盖全体党员", "群众评价较好，志愿服务经常",
                "工作扎实，有一定成效"]
INNOVATION = ["开展“银发帮忙团”志愿服务，形成品牌", "建立“红色记忆”口述史档案", "推行“一室一校一站”共建共享",
              "组织老党员进社区宣讲党史"]


def _half(x: Decimal) -> Decimal:
    return (Decimal(x) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def _perf(scores: list[ItemScore]) -> Decimal:
    data = [s for s in scores if s.item.source == ItemSource.DATA and s.item.weight]
    if not data:
        ref = [s for s in scores if s.computed_score is not None and s.item.weight]
        data = ref
    if not data:
        return Decimal("0.8")
    return sum((s.computed_score / s.item.weight for s in data), Decimal(0)) / len(data)


def _score_manually(rng, scores: list[ItemScore], *, leave_unscored: bool, now) -> None:
    perf = _perf(scores)
    for s in scores:
        if s.item.source != ItemSource.MANUAL or leave_unscored:
            continue
        w = s.item.weight
        if s.item.is_innovation:
            value = _half(w * Decimal(rng.uniform(0.6, 1.0))) if perf >= Decimal("0.93") and rng.random() < 0.7 \
                else (Decimal(0) if rng.random() < 0.7 else _half(w * Decimal("0.3")))
            s.reason = rng.choice(INNOVATION) if value else "本年度未见创新做法"
        elif s.computed_score is not None:
            value = min(w, _half(s.computed_score))
            s.reason = rng.choice(REASONS_RELATED)
        else:
            value = min(w, _half(w * min(Decimal(1), perf + Decimal(rng.uniform(-0.05, 0.05)))))
            s.reason = rng.choice(REASONS_FREE)
        s.reviewer_score, s.reviewer_name, s.reviewed_at = value, REVIEWER, now
        s.evidence_text = "现场查看台账" if rng.random() < 0.5 else ""


def _finish(rng, assessments: list[Assessment], year: int, *, drafts: float, submitted: float) -> None:
    """Score the manual items, set the states, and write totals in bulk."""
    now = timezone.now()
    by_a: dict[int, list[ItemScore]] = {}
    for s in ItemScore.objects.filter(assessment__in=assessments).select_related("item"):
        by_a.setdefault(s.assessment_id, []).append(s)
    changed = []
    for a in assessments:
        r = rng.random()
        state = (AssessmentState.DRAFT if r < drafts else
                 AssessmentState.SUBMITTED if r < drafts + submitted else AssessmentState.CONFIRMED)
        scores = by_a.get(a.pk, [])
        _score_manually(rng, scores, leave_unscored=state == AssessmentState.DRAFT and rng.random() < 0.6, now=now)
        services._rescore(a, scores)
        a.state = state
        if state != AssessmentState.DRAFT:
            a.submitted_at = now
        if state == AssessmentState.CONFIRMED:
            a.confirmed_at = now
        changed.extend(s for s in scores if s.item.source == ItemSource.MANUAL)
    if logging_on():  # the county keeps its history: the change-logged bulk_update writes it
        ItemScore.objects.bulk_update(changed, ["reviewer_score", "final_score", "reason", "reviewer_name",
                                                "reviewed_at", "evidence_text"], batch_size=1000)
        Assessment.objects.bulk_update(assessments, ["state", "total", "grade", "grade_label", "unscored",
                                                     "submitted_at", "confirmed_at"], batch_size=1000)
        return
    # executemany instead of bulk_update: Django's CASE WHEN per row dominated the city's time.
    with connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {ItemScore._meta.db_table} SET reviewer_score = %s, final_score = %s, reason = %s, "
            "reviewer_name = %s, reviewed_at = %s, evidence_text = %s WHERE id = %s",
            [(s.reviewer_score, s.final_score, s.reason, s.reviewer_name, s.reviewed_at, s.evidence_text, s.pk)
             for s in changed])
        cur.executemany(
            f"UPDATE {Assessment._meta.db_table} SET state = %s, total = %s, grade = %s, grade_label = %s, "
            "unscored = %s, submitted_at = %s, confirmed_at = %s WHERE id = %s",
            [(a.state, a.total, a.grade, a.grade_label, a.unscored, a.submitted_at, a.confirmed_at, a.pk)
             for a in assessments])


def extend(ctx):
    if ctx.scale == "province":
        ctx.progress("考核评价：省级规模不生成（见 evaluation/demo.py）")
        return
    rng, root = ctx.rng, ctx.root
    today = ctx.today
    branches = list(Organization.objects.filter(in_subtree(root.path), kind=OrgKind.BRANCH,
                                                dissolved_on__isnull=True).order_by("path"))
    if not branches or Assessment.objects.filter(organization__in=branches, year__in=YEARS).exists():
        return  # nothing to score, or already done (a second run adds nothing)
    star = Rubric.objects.get(code="star")
    five = Rubric.objects.get(code="five_good")
    resp = Rubric.objects.get(code="responsibility")
    units, led = selectors.responsibility_units(root)
    designations = []
    for year in YEARS:
        figures = selectors.collect(branches, year, today=today, root=root)
        current = year == max(YEARS)
        for rubric in (star, five):
            made = services.assessments_compute(orgs=branches, year=year, rubric=rubric, today=today,
                                                figures=figures)
            _finish(rng, made, year, drafts=0.1 if current else 0, submitted=0.2 if current else 0)
        unit_figures = {}
        for u in units:
            agg = {}
            for b in led[u.pk]:
                for metric, f in figures.get(b.pk, {}).items():
                    metrics.add(agg.setdefault(metric, {}), f)
            agg.setdefault("term_on_time", {})["branches"] = len(led[u.pk])
            unit_figures[u.pk] = agg
        made = services.assessments_compute(orgs=units, year=year, rubric=resp, today=today, figures=unit_figures)
        _finish(rng, made, year, drafts=0, submitted=0.3 if current else 0)
        passed = list(Assessment.objects.filter(organization__in=branches, year=year, rubric=five,
                                                state=AssessmentState.CONFIRMED, grade_label=five.title)
                      .order_by("-total", "organization__path")[:5])
        for a in passed:
            designations.append(Designation(organization_id=a.organization_id, year=year, title=five.title, basis=a,
                                            designated_on=dt.date(year + 1, 1, 20), note="经支部申报、片组推荐、局考核组审定"))
    if designations:
        first = designations[0]
        first.revoked_on, first.revoke_reason = dt.date(first.year + 1, 6, 1), "班子长期不健全，经复核撤销"
    Designation.objects.bulk_create(designations)
