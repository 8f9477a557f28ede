"""Writes for evaluation: keyword-only, atomic, Chinese errors keyed by field."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changqing.core import conflicts
from changqing.core.roles import Role
from changqing.core.uploads import upload_kind
from changqing.orgs.models import Organization, OrgKind

from . import metrics, selectors
from .models import (
    Assessment, AssessmentState, Designation, ItemScore, ItemSource, Rubric,
    RubricItem, RubricKind, RubricVersion, ScoreEvidence,
)

REVIEWER_ROLES = {Role.BUREAU_ADMIN, Role.COMMITTEE_MEMBER}


def can_review(user, org: Organization) -> bool:
    """Reviewers: a bureau admin or a 党工委 member whose organisation covers `org` (never the branch itself)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if "_role_assignments" not in user.__dict__:
        user.__dict__["_role_assignments"] = list(user.role_assignments.select_related("organization", "user"))
    return any(a.role in REVIEWER_ROLES and a.organization_id and org.path.startswith(a.organization.path)
               for a in user.__dict__["_role_assignments"])


def _require_reviewer(user, org):
    if not can_review(user, org):
        raise PermissionDenied("只有管辖该组织的老干部局管理员或党工委委员可以评分")


def _decimal(value, field: str, label: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{label}必须是数字"}) from None
    if d != d.quantize(Decimal("0.1")):
        raise ValidationError({field: f"{label}最多保留一位小数"})
    return d


# -- computing --------------------------------------------------------------------------------

def _rescore(assessment: Assessment, scores: list[ItemScore]) -> None:
    """Final scores, total, unscored items and the grade from the version's bands."""
    total, unscored, innovation = Decimal(0), 0, None
    for s in scores:
        if s.reviewer_score is not None:
            s.final_score = s.reviewer_score
        elif s.item.source == ItemSource.DATA:
            s.final_score = s.computed_score
        else:
            s.final_score = None
            unscored += 1
        total += s.final_score or 0
        if s.item.is_innovation:
            innovation = s.final_score
    v = assessment.version
    assessment.total = metrics.to_tenth(total)
    assessment.unscored = unscored
    assessment.grade, assessment.grade_label = metrics.grade_for(
        assessment.total, v.bands, innovation_required=v.innovation_required, innovation_score=innovation)


def _apply_figures(score: ItemScore, figures_by_metric: dict[str, dict]) -> None:
    metric = score.item.scoring_metric
    if not metric:
        score.computed_score, score.figures = None, {}
        return
    figures = {k: v for k, v in figures_by_metric.get(metric, {}).items() if k != "rows"}
    score.figures = figures
    score.computed_score = metrics.score(metric, figures, score.item.weight, score.item.target)


def _version_items(version: RubricVersion) -> list[RubricItem]:
    return list(version.items.order_by("order", "code"))


@transaction.atomic
def assessments_compute(*, orgs: list[Organization], year: int, rubric: Rubric, today: dt.date | None = None,
                        progress: Callable[[int, str], None] | None = None, user=None,
                        figures: dict[int, dict[str, dict]] | None = None) -> list[Assessment]:
    """(Re)compute the data items of `rubric` for every organisation given, in bulk.

    New assessments are created as drafts with the rubric version in effect for
    the year; existing ones keep their version and their reviewers' scores;
    confirmed ones are left untouched (skipped). `figures` (from selectors.collect)
    may be passed in when several rubrics are computed from the same year's records.
    """
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度不正确"})
    today = today or timezone.localdate()
    if year > today.year:
        raise ValidationError({"year": "不能计算尚未开始的年度"})
    progress = progress or (lambda p, m: None)
    orgs = list(orgs)
    if rubric.kind == RubricKind.RESPONSIBILITY:
        bad = [o.name for o in orgs if o.kind in (OrgKind.BRANCH, OrgKind.GROUP)]
        if bad:
            raise ValidationError({"organization": f"党建目标责任制考核的对象是党工委、党委或党总支，不是支部：{bad[0]}"})
    elif any(o.kind != OrgKind.BRANCH for o in orgs):
        raise ValidationError({"organization": "星级评定和示范支部评定的对象是党支部"})
    existing = {a.organization_id: a for a in Assessment.objects.filter(
        organization__in=orgs, year=year, rubric=rubric).select_related("version")}
    # One star rating (one 责任制 score) per organisation and year: an organisation already scored
    # under another rubric of the kind keeps it (recompute that one); 五好 and 六好 may coexist.
    other = set() if rubric.kind == RubricKind.MODEL_BRANCH else set(
        Assessment.objects.filter(organization__in=orgs, year=year, kind=rubric.kind).exclude(rubric=rubric)
        .values_list("organization_id", flat=True))
    todo = [o for o in orgs if o.pk not in other
            and (o.pk not in existing or existing[o.pk].state != AssessmentState.CONFIRMED)]
    if not todo:
        return []
    progress(10, f"正在汇总 {len(todo)} 个组织的数据")
    if figures is not None:
        pass
    elif rubric.kind == RubricKind.RESPONSIBILITY:
        figures = selectors.collect_units(todo, year, today=today)
    else:
        figures = selectors.collect(todo, year, today=today)
    progress(60, "正在计算得分")
    now = timezone.now()
    version_new = rubric.version_for(year)
    if version_new is None:
        raise ValidationError({"rubric": "该考核细则还没有版本"})
    versions = {v.pk: v for v in RubricVersion.objects.filter(
        pk__in={a.version_id for a in existing.values()} | {version_new.pk})}
    items = {vid: _version_items(v) for vid, v in versions.items()}
    created, to_update = [], []
    for o in todo:
        a = existing.get(o.pk)
        if a is None:
            a = Assessment(organization=o, year=year, rubric=rubric, version=versions[version_new.pk],
                           kind=rubric.kind)
            created.append(a)
        else:
            a.version = versions[a.version_id]
            to_update.append(a)
        a.computed_at = now
    Assessment.objects.bulk_create(created)
    old_scores = {}
    for s in ItemScore.objects.filter(assessment__in=to_update).select_related("item"):
        old_scores[(s.assessment_id, s.item_id)] = s
    new_scores, changed_scores = [], []
    for a in created + to_update:
        a_scores = []
        for item in items[a.version_id]:
            s = old_scores.get((a.pk, item.pk))
            if s is None:
                s = ItemScore(assessment=a, item=item)
                new_scores.append(s)
            else:
                changed_scores.append(s)
            s.item = item
            _apply_figures(s, figures.get(a.organization_id, {}))
            a_scores.append(s)
        _rescore(a, a_scores)
    ItemScore.objects.bulk_create(new_scores, batch_size=2000)
    ItemScore.objects.bulk_update(changed_scores, ["computed_score", "figures", "final_score"], batch_size=2000)
    fields = ["total", "grade", "grade_label", "unscored", "computed_at", "updated_at"]
    for a in created + to_update:
        a.updated_at = now
    Assessment.objects.bulk_update(created + to_update, fields, batch_size=1000)
    progress(100, f"已计算 {len(todo)} 个组织")
    return created + to_update


def assessment_compute(*, organization: Organization, year: int, rubric: Rubric | None = None,
                       today: dt.date | None = None, user=None) -> Assessment:
    """重新计算 one organisation's assessment (the same bulk path, one organisation)."""
    kind = RubricKind.RESPONSIBILITY if organization.kind != OrgKind.BRANCH else RubricKind.STAR_RATING
    if rubric is None:
        same_kind = Assessment.objects.filter(organization=organization, year=year, kind=kind).select_related(
            "rubric").first()
        rubric = same_kind.rubric if same_kind else selectors.rubric_for(organization, kind, year)
    existing = Assessment.objects.filter(organization=organization, year=year, rubric=rubric).first()
    if existing and existing.state == AssessmentState.CONFIRMED:
        raise ValidationError({"state": "该考核已确认，不能重新计算；如需更正，请审核人先退回"})
    assessments_compute(orgs=[organization], year=year, rubric=rubric, today=today, user=user)
    return Assessment.objects.get(organization=organization, year=year, rubric=rubric)


def _refresh_total(assessment: Assessment) -> None:
    scores = list(assessment.scores.select_related("item"))
    _rescore(assessment, scores)
    ItemScore.objects.bulk_update(scores, ["final_score"])
    assessment.save(update_fields=["total", "grade", "grade_label", "unscored", "updated_at"])


# -- reviewing --------------------------------------------------------------------------------

@transaction.atomic
def item_score_set(*, score: ItemScore, value, reason: str, user, evidence_text: str = "") -> ItemScore:
    """A reviewer scores a manual item, or overrides a data item; both need a reason.

    `value` None/"" on a data item removes an override (the computed score applies again).
    """
    read = score.__dict__.get("_expected_version")  # the version the reviewer's form was read at (core.conflicts)
    score = ItemScore.objects.select_for_update().select_related("assessment__organization", "assessment__version",
                                                                  "item").get(pk=score.pk)
    if read is not None:
        conflicts.expect(score, read)
    assessment = score.assessment
    _require_reviewer(user, assessment.organization)
    if assessment.state == AssessmentState.CONFIRMED:
        raise ValidationError({"value": "该考核已确认，不能再修改评分"})
    item = score.item
    reason = (reason or "").strip()
    blank = value is None or str(value).strip() == ""
    if blank:
        if item.source == ItemSource.MANUAL:
            raise ValidationError({"value": "请填写得分"})
        if score.reviewer_score is None:
            raise ValidationError({"value": "请填写得分"})
        if not reason:
            raise ValidationError({"reason": "取消调整也须填写理由"})
        score.reviewer_score = None
    else:
        v = _decimal(value, "value", "得分")
        if v < 0 or v > item.weight:
            raise ValidationError({"value": f"得分应在 0 到 {item.weight} 分之间"})
        if not reason:
            msg = ("调整数据计算的得分必须填写理由" if item.source == ItemSource.DATA
                   else "人工评分必须填写评分理由")
            raise ValidationError({"reason": msg})
        score.reviewer_score = v
    score.reason = reason
    score.evidence_text = (evidence_text or "").strip()
    score.reviewer = user
    score.reviewer_name = getattr(user, "full_name", "") or user.get_username()
    score.reviewed_at = timezone.now()
    score.save()
    _refresh_total(assessment)
    return score


@transaction.atomic
def evidence_add(*, score: ItemScore, upload, caption: str = "", user) -> ScoreEvidence:
    """Photos (JPEG/PNG, checked with Pillow) and PDF, at most 10 MB; reviewers only."""
    _require_reviewer(user, score.assessment.organization)
    if score.assessment.state == AssessmentState.CONFIRMED:
        raise ValidationError({"file": "该考核已确认，不能再添加佐证材料"})
    kind = upload_kind(upload)
    return ScoreEvidence.objects.create(score=score, file=upload, kind=kind, caption=caption.strip()[:100],
                                        size=upload.size)


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user) -> Assessment:
    if assessment.state != AssessmentState.DRAFT:
        raise ValidationError({"state": "只有草稿状态的考核可以提交"})
    assessment.state = AssessmentState.SUBMITTED
    assessment.submitted_at, assessment.submitted_by = timezone.now(), user
    assessment.save()
    return assessment


@transaction.atomic
def assessment_confirm(*, assessment: Assessment, user) -> Assessment:
    _require_reviewer(user, assessment.organization)
    if assessment.state == AssessmentState.CONFIRMED:
        raise ValidationError({"state": "该考核已经确认"})
    if assessment.unscored:
        raise ValidationError({"state": f"还有 {assessment.unscored} 个人工评分项未评分，不能确认"})
    assessment.state = AssessmentState.CONFIRMED
    assessment.confirmed_at, assessment.reviewer = timezone.now(), user
    assessment.save()
    return assessment


@transaction.atomic
def assessment_reopen(*, assessment: Assessment, user, reason: str) -> Assessment:
    _require_reviewer(user, assessment.organization)
    if assessment.state == AssessmentState.DRAFT:
        raise ValidationError({"state": "该考核已是草稿"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "退回须填写理由"})
    if assessment.designations.filter(revoked_on__isnull=True).exists():
        raise ValidationError({"state": "该考核是示范支部命名的依据，请先撤销命名"})
    assessment.state = AssessmentState.DRAFT
    assessment.confirmed_at = None
    assessment.returned_reason = reason.strip()[:300]
    assessment.save()  # the change log keeps who returned it and when
    return assessment


# -- model branches ---------------------------------------------------------------------------

@transaction.atomic
def designation_create(*, basis: Assessment, user, on: dt.date | None = None, note: str = "") -> Designation:
    """示范支部: a bureau user names a branch on a confirmed 五好/六好 assessment that reached the title."""
    from changqing.core.scope import can

    if not can(user, "manage", basis.organization):
        raise PermissionDenied("只有老干部局管理员可以命名示范支部")
    if basis.kind != RubricKind.MODEL_BRANCH:
        raise ValidationError({"basis": "示范支部须以“五好”或“六好”评定为依据"})
    if basis.state != AssessmentState.CONFIRMED:
        raise ValidationError({"basis": "评定尚未确认，不能据此命名"})
    title = basis.rubric.title or "示范支部"
    if basis.grade_label != title:
        raise ValidationError({"basis": f"该支部{basis.year}年评定结果为“{basis.grade_label}”，未达到“{title}”"})
    if Designation.objects.filter(organization=basis.organization, year=basis.year, title=title).exists():
        raise ValidationError({"basis": f"该支部已被命名为{basis.year}年{title}"})
    return Designation.objects.create(organization=basis.organization, year=basis.year, title=title, basis=basis,
                                      designated_on=on or timezone.localdate(), designated_by=user,
                                      note=(note or "").strip()[:200])


@transaction.atomic
def designation_revoke(*, designation: Designation, user, reason: str, on: dt.date | None = None) -> Designation:
    from changqing.core.scope import can

    if not can(user, "manage", designation.organization):
        raise PermissionDenied("只有老干部局管理员可以撤销示范支部命名")
    if designation.revoked_on:
        raise ValidationError({"reason": "该命名已撤销"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "撤销命名须填写理由"})
    designation.revoked_on, designation.revoked_by = on or timezone.localdate(), user
    designation.revoke_reason = reason.strip()[:200]
    designation.save()
    return designation


# -- rubrics ----------------------------------------------------------------------------------

def parse_bands(text: str) -> list[dict]:
    """Lines "90 五星级 5" (min, label, optional grade code), highest first; Chinese errors."""
    bands = []
    for n, line in enumerate((text or "").replace("，", " ").replace(",", " ").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 2:
            raise ValidationError({"bands": f"第{n}行应写成“分数线 档次名称”，如“90 五星级”"})
        try:
            low = Decimal(parts[0])
        except InvalidOperation:
            raise ValidationError({"bands": f"第{n}行的分数线“{parts[0]}”不是数字"}) from None
        if not 0 <= low <= 100:
            raise ValidationError({"bands": f"第{n}行的分数线应在 0 到 100 之间"})
        bands.append({"min": float(low) if low != low.to_integral() else int(low), "label": parts[1],
                      "grade": parts[2] if len(parts) > 2 else ""})
    if not bands:
        raise ValidationError({"bands": "请至少填写一个档次"})
    mins = [Decimal(str(b["min"])) for b in bands]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        raise ValidationError({"bands": "档次须按分数线从高到低排列，且分数线不能重复"})
    if mins[-1] != 0:
        raise ValidationError({"bands": "最后一档的分数线应为 0（低于上一档的都归入此档）"})
    return bands


@transaction.atomic
def rubric_copy(*, source: Rubric, owner: Organization, code: str, name: str, user) -> Rubric:
    from changqing.core.scope import can

    if not can(user, "manage", owner):
        raise PermissionDenied("只有老干部局管理员可以制定考核细则")
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise ValidationError({"code": "请填写编码"})
    if not name:
        raise ValidationError({"name": "请填写名称"})
    if Rubric.objects.filter(code=code).exists():
        raise ValidationError({"code": "该编码已被使用"})
    copy = Rubric.objects.create(code=code, name=name, kind=source.kind, owner=owner, based_on=source,
                                 title=source.title, description=f"复制自「{source.name}」")
    version = source.version_for(timezone.localdate().year)
    if version:
        new = RubricVersion.objects.create(rubric=copy, number=1, from_year=timezone.localdate().year,
                                           bands=version.bands, innovation_required=version.innovation_required,
                                           note=f"复制自「{source.name}」第{version.number}版")
        RubricItem.objects.bulk_create([
            RubricItem(version=new, code=i.code, name=i.name, order=i.order, weight=i.weight, source=i.source,
                       metric=i.metric, related_metric=i.related_metric, target=i.target,
                       is_innovation=i.is_innovation, guidance=i.guidance) for i in version.items.all()])
    return copy


@transaction.atomic
def rubric_revise(*, rubric: Rubric, from_year: int, bands_text: str, items: list[dict], user,
                  innovation_required: bool = False, note: str = "") -> RubricVersion:
    """A new version for `from_year` on; assessments already made keep the version they were scored with."""
    from changqing.core.scope import can

    if rubric.owner is None or not can(user, "manage", rubric.owner):
        raise PermissionDenied("随系统提供的细则不能直接修改，请先复制为本单位的细则")
    errors = {}
    try:
        bands = parse_bands(bands_text)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        bands = []
    codes, total = set(), Decimal(0)
    clean = []
    for n, it in enumerate(items, start=1):
        if not (it.get("name") or "").strip():
            continue
        code = (it.get("code") or "").strip()
        if not code:
            errors.setdefault("items", []).append(f"第{n}项缺少编号")
            continue
        if code in codes:
            errors.setdefault("items", []).append(f"编号“{code}”重复")
        codes.add(code)
        weight = Decimal(str(it.get("weight") or 0))
        total += weight
        source = it.get("source")
        metric = it.get("metric") or ""
        if source == ItemSource.DATA and metric not in metrics.METRICS:
            errors.setdefault("items", []).append(f"“{it['name']}”是数据计算项，须选择数据指标")
        if source == ItemSource.MANUAL:
            metric = ""
        clean.append(RubricItem(code=code, name=it["name"].strip(), order=n, weight=weight, source=source,
                                metric=metric, related_metric=it.get("related_metric") or "",
                                target=Decimal(str(it.get("target") or 1)),
                                is_innovation=bool(it.get("is_innovation")), guidance=it.get("guidance") or ""))
    if not clean:
        errors.setdefault("items", []).append("请至少填写一个考核项目")
    elif total != 100:
        errors.setdefault("items", []).append(f"各项分值合计应为 100 分，现为 {total} 分")
    if innovation_required and not any(i.is_innovation for i in clean):
        errors.setdefault("innovation_required", []).append("要求创新项时，须有一个项目标为创新项")
    if errors:
        raise ValidationError(errors)
    last = rubric.versions.order_by("-number").first()
    version = RubricVersion.objects.create(rubric=rubric, number=(last.number + 1) if last else 1,
                                           from_year=from_year, bands=bands,
                                           innovation_required=innovation_required, note=note)
    for i in clean:
        i.version = version
    RubricItem.objects.bulk_create(clean)
    return version
