"""Pages of 民主评议党员: thin views over selectors and services."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from changqing.core.params import query_year
from changqing.core import documents as core_documents
from changqing.core.export_gate import ExportGate
from changqing.core.scope import get_scoped_object_or_404, object_view, restrict

from . import documents, selectors, services
from .forms import GRADE_CHOICES, FollowUpForm, RoundOpenForm, SelfAppraisalForm, StepForm
from .models import GRADE_ORDER, AppraisalRound, AppraisalStep, FollowUp
from .policy import APPRAISAL_RULES


def _round_or_404(user, pk) -> AppraisalRound:
    rnd = selectors.rounds_for(user).filter(pk=pk).first()
    if rnd is None:
        raise Http404("不在您的数据范围内，或记录不存在")
    return rnd


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _apply(form, exc: ValidationError):
    for field, msgs in _errors(exc).items():
        form.add_error(field if field in form.fields else None, msgs)


@login_required
def rounds(request):
    """Rounds in scope, newest first; a secretary opens the year's round here."""
    user = request.user
    qs = selectors.rounds_for(user).order_by("-year", "organization__path")
    year = query_year(request)
    if year is not None:
        qs = qs.filter(year=year)
    form = RoundOpenForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.round_open(user=user, organization=form.cleaned_data["organization"],
                                      year=form.cleaned_data["year"])
        except ValidationError as exc:
            _apply(form, exc)
        except PermissionDenied as exc:
            form.add_error("organization", str(exc))
        else:
            messages.success(request, f"已开启{rnd.organization.name}{rnd.year}年度民主评议，评议步骤已按规则设置列出")
            return redirect(rnd)
    return render(request, "appraisal/rounds.html", {
        "title": "民主评议党员", "rounds": qs[:100], "form": form,
        "can_open": form.fields["organization"].queryset.exists(), "year": year,
        "own": selectors.own_membership(user)})


@object_view(AppraisalRound)
@login_required
def round_detail(request, pk):
    user = request.user
    rnd = _round_or_404(user, pk)
    manager = selectors.is_manager(user, rnd)
    rows = selectors.member_rows(rnd)
    own = selectors.own_membership(user)
    mine = next((r for r in rows if own is not None and r.membership.pk == own.pk), None)
    staff_view = _staff_scope(user, rnd)
    return render(request, "appraisal/round.html", {
        "title": f"{rnd.organization.name}{rnd.year}年度民主评议党员", "r": rnd, "manager": manager,
        "rows": rows, "progress": selectors.progress(rows), "steps": list(rnd.steps.all()), "mine": mine,
        "staff_view": staff_view, "grade_labels": [g.label for g in GRADE_ORDER],
        "can_export": restrict(AppraisalRound.objects.filter(pk=rnd.pk), user, "export").exists(),
        "grade_counts": selectors.grade_counts(rows), "policy_kind": APPRAISAL_RULES})


def _member_in_round(rnd, member_pk):
    from changqing.members.models import Membership

    m = Membership.objects.filter(pk=member_pk, appraisal_tallies__round=rnd).select_related("retiree").first()
    if m is None:
        raise Http404("该党员不在本次民主评议的名单中")
    return m


def _subject_for(request, rnd, member_pk):
    """(membership, at_home): the member themselves, or the one the secretary records for at a home visit."""
    if member_pk is None:
        own = selectors.own_membership(request.user)
        if own is None or not selectors.in_roster(rnd, own):
            raise PermissionDenied("您不在本次民主评议的党员名单中")
        return own, False
    if not selectors.is_manager(request.user, rnd):
        raise PermissionDenied("只有本支部的书记或支委可以上门代为记录")
    return _member_in_round(rnd, member_pk), True


@object_view(AppraisalRound, samples={"member": 1})
@login_required
def self_appraisal(request, pk, member=None):
    rnd = _round_or_404(request.user, pk)
    subject, for_other = _subject_for(request, rnd, member)
    existing = subject.self_appraisals.filter(round=rnd).first()
    initial = {"text": existing.text if existing else "", "at_home": for_other}
    form = SelfAppraisalForm(request.POST or None, initial=initial)
    if not for_other:
        del form.fields["at_home"]
    if request.method == "POST" and form.is_valid():
        try:
            services.self_appraisal_save(user=request.user, round=rnd, membership=subject,
                                         text=form.cleaned_data["text"],
                                         at_home=form.cleaned_data.get("at_home", False))
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"已保存{subject.retiree.name}的个人自评" + ("（上门记录）" if for_other else ""))
            return redirect(rnd)
    return render(request, "appraisal/self.html", {
        "title": "个人自评" + (f"：{subject.retiree.name}" if for_other else ""), "r": rnd, "form": form,
        "subject": subject, "for_other": for_other, "closed": rnd.is_published})


@object_view(AppraisalRound, samples={"member": 1})
@login_required
def ballot(request, pk, member=None):
    """The 民主测评票: a grade for every other member; secret, once, counted at once."""
    rnd = _round_or_404(request.user, pk)
    voter, for_other = _subject_for(request, rnd, member)
    voted = voter.appraisal_ballots.filter(round=rnd).exists()
    subjects = [m for m in selectors.roster(rnd) if m.pk != voter.pk]
    marks: dict[int, str] = {}
    errors: dict = {}
    if request.method == "POST" and not voted:
        for m in subjects:
            marks[m.pk] = request.POST.get(f"mark_{m.pk}", "")
        confirm_home = request.POST.get("at_home") == "on"
        if for_other and not confirm_home:
            errors["__all__"] = ["请勾选“上门投票”：本人不能到会，由我上门送达选票并代为录入本人的选择"]
        else:
            try:
                services.ballot_cast(user=request.user, round=rnd, voter=voter, marks=marks, at_home=for_other)
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, "投票成功。测评票不记名：系统只记录您已投票，不记录您的选择")
                return redirect(rnd)
    elif request.method == "POST":
        errors["__all__"] = [f"{voter.retiree.name}已经投过票，每名党员只能投一次，投出后不能修改"]
    items = [{"m": m, "field": f"mark_{m.pk}", "chosen": marks.get(m.pk, ""), "errors": errors.get(f"mark_{m.pk}", [])}
             for m in subjects]
    return render(request, "appraisal/ballot.html", {
        "title": "民主测评票" + (f"：上门投票（{voter.retiree.name}）" if for_other else ""), "r": rnd,
        "items": items, "grades": [(g.value, g.label) for g in GRADE_ORDER], "voted": voted,
        "errors": errors.get("__all__", []), "for_other": for_other, "voter": voter,
        "closed": rnd.is_published})


@object_view(AppraisalRound)
@login_required
def grades(request, pk):
    """支部委员会评定: every member's grade and reason on one page, beside the counted marks."""
    rnd = _round_or_404(request.user, pk)
    if not selectors.is_manager(request.user, rnd):
        raise PermissionDenied("只有本支部的书记或支委可以评定等次")
    rows = selectors.member_rows(rnd)
    errors: dict[int, dict] = {}
    posted: dict[int, tuple[str, str]] = {}
    if request.method == "POST":
        if rnd.is_published:
            messages.error(request, services.CLOSED)
            return redirect(rnd)
        for r in rows:
            g, reason = request.POST.get(f"grade_{r.membership.pk}", ""), request.POST.get(f"reason_{r.membership.pk}", "")
            posted[r.membership.pk] = (g, reason)
        saved = 0
        for r in rows:
            g, reason = posted[r.membership.pk]
            if not g and not reason.strip():
                continue
            try:
                services.grade_set(user=request.user, round=rnd, membership=r.membership, grade=g, reason=reason)
                saved += 1
            except ValidationError as exc:
                errors[r.membership.pk] = _errors(exc)
        if not errors:
            messages.success(request, f"已保存 {saved} 名党员的评定等次")
            return redirect(rnd)
        rows = selectors.member_rows(rnd)
    items = []
    for r in rows:
        g, reason = posted.get(r.membership.pk, (r.grade.grade if r.grade else "", r.grade.reason if r.grade else ""))
        items.append({"row": r, "grade": g, "reason": reason, "errors": errors.get(r.membership.pk, {})})
    return render(request, "appraisal/grades.html", {
        "title": f"支部委员会评定：{rnd.organization.name}{rnd.year}年度", "r": rnd, "items": items,
        "grade_choices": GRADE_CHOICES, "has_errors": bool(errors)})


@object_view(AppraisalRound)
@login_required
@require_POST
def publish(request, pk):
    rnd = _round_or_404(request.user, pk)
    try:
        created = services.round_publish(user=request.user, round=rnd)
    except ValidationError as exc:
        for msgs in _errors(exc).values():
            for m in msgs:
                messages.error(request, m)
    else:
        extra = f"；已按规则生成 {len(created)} 项后续处置（谈话提醒、限期改正），到期前会提醒" if created else ""
        messages.success(request, "评议结果已公示，并记入每名党员的档案" + extra)
    return redirect(rnd)


@object_view(AppraisalStep)
@login_required
def step_edit(request, pk):
    step = get_scoped_object_or_404(AppraisalStep.objects.select_related("round__organization"), request.user,
                                    pk=pk)
    rnd = step.round
    if not selectors.is_manager(request.user, rnd):
        raise PermissionDenied("只有本支部的书记或支委可以记录评议步骤")
    form = StepForm(request.POST or None, initial={"held_on": step.held_on, "record": step.record})
    if request.method == "POST" and form.is_valid():
        try:
            services.step_update(user=request.user, step=step, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"已保存“{step.name}”的日期和记录")
            return redirect(rnd)
    return render(request, "appraisal/step.html", {"title": f"评议步骤：{step.name}", "r": rnd, "step": step,
                                                   "form": form})


@object_view(FollowUp)
@login_required
def follow_up(request, pk):
    f = get_scoped_object_or_404(FollowUp.objects.select_related("round__organization", "membership__retiree"),
                                 request.user, pk=pk)
    manager = selectors.is_manager(request.user, f.round)
    form = FollowUpForm(request.POST or None, initial={"done_on": f.done_on or timezone.localdate(),
                                                       "note": f.note})
    if request.method == "POST":
        if not manager:
            raise PermissionDenied("只有本支部的书记或支委可以记录后续处置")
        if form.is_valid():
            try:
                services.follow_up_done(user=request.user, follow_up=f, **form.cleaned_data)
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, f"已记录{f.membership.retiree.name}的{f.get_kind_display()}")
                return redirect(f.round)
    return render(request, "appraisal/follow_up.html", {
        "title": f"{f.get_kind_display()}：{f.membership.retiree.name}", "f": f, "r": f.round, "form": form,
        "manager": manager})


# -- printables -------------------------------------------------------------------------------

def _file(request, data: bytes, filename: str):
    if request.GET.get("fmt") == "pdf":
        pdf = core_documents.docx_to_pdf(data)
        if pdf is None:
            raise Http404("本机没有安装 LibreOffice，只能下载 Word 文件")
        data, filename = pdf, filename.rsplit(".", 1)[0] + ".pdf"
        ctype = "application/pdf"
    else:
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    from urllib.parse import quote

    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


@object_view(AppraisalRound, samples={"what": "summary"})
@login_required
def print_round(request, pk, what):
    """民主测评表 (blank ballots, one per member) or the branch summary table; for those who run the round."""
    rnd = _round_or_404(request.user, pk)
    if what not in ("ballots", "summary"):
        raise Http404("没有这种打印件")
    if not _staff_scope(request.user, rnd):
        raise PermissionDenied("测评表和汇总表由支部打印；党员可以打印本人的结果通知")
    # A file of the branch's people leaves the platform: the export scope, not only the view, must reach it.
    gate = ExportGate(request)
    gate.require(rnd)
    rows = selectors.member_rows(rnd)
    mark = core_documents.watermark_text(request.user)
    if what == "ballots":
        data, label = documents.ballots(rnd, rows, watermark=mark), "民主测评表"
    else:
        data, label = documents.summary(rnd, rows, watermark=mark), "民主评议结果汇总表"
    gate.printed(f"{rnd.organization.name}{rnd.year}年度{label}", len(rows), org_path=rnd.organization.path,
                 data={"round": rnd.pk})
    return _file(request, data, f"{rnd.organization.name}{rnd.year}年度{label}.docx")


@object_view(AppraisalRound, samples={"member": 1})
@login_required
def print_result(request, pk, member):
    """One member's result sheet: the member themselves (once published) or those who may see the round."""
    rnd = _round_or_404(request.user, pk)
    subject = _member_in_round(rnd, member)
    own = selectors.own_membership(request.user)
    is_self = own is not None and own.pk == subject.pk
    staff = _staff_scope(request.user, rnd)
    if not (staff or (is_self and rnd.is_published)):
        raise PermissionDenied("只能打印本人已公示的评议结果")
    if is_self and rnd.is_published:
        gate = ExportGate(request, kind="print")  # the member's own result: theirs to print
    else:
        gate = ExportGate(request)
        gate.require(rnd)
    row = next(r for r in selectors.member_rows(rnd) if r.membership.pk == subject.pk)
    data = documents.result_sheet(rnd, row, watermark=core_documents.watermark_text(request.user))
    gate.printed(f"{subject.retiree.name}{rnd.year}年度民主评议结果", 1,
                                              org_path=rnd.organization.path, data={"round": rnd.pk})
    return _file(request, data, f"{subject.retiree.name}{rnd.year}年度民主评议结果.docx")


def _staff_scope(user, rnd) -> bool:
    """The round's branch is in the user's own (organisation) scope, not only reached as a member of it."""
    return restrict(AppraisalRound.objects.filter(pk=rnd.pk), user).exists()
