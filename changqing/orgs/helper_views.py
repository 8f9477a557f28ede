"""换届选举助手: four steps on one page each (who is due → candidates → 请示 and ballots → the vote).

Thin views over orgs/helper.py (reads, documents) and services.election_plan_* (writes); the same
permission as 记录换届选举 ("change" on the branch).
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from changqing.core.export_gate import ExportGate
from changqing.core.scope import get_scoped_object_or_404, object_view
from changqing.core.widgets import DateInput

from . import helper, services
from .forms import apply_errors
from .models import ExcuseReason, Organization
from .rules import TERM_LABELS, WIN_BASIS_LABELS, term_state, votes_total_error

STEPS = [(1, "应到会与名额", "orgs:election_helper"), (2, "候选人", "orgs:election_helper_candidates"),
         (3, "请示与选票", "orgs:election_helper_documents"), (4, "录入选举结果", "orgs:election_helper_result")]


def _org(request, code):
    return get_scoped_object_or_404(Organization, request.user, "change", code=code)


def _context(org, step, roll, plan, **extra):
    today = timezone.localdate()
    term = roll.term
    info = None
    if term is not None:
        state = term_state(term.end_on, today, roll.rules)
        info = {"state": state, "label": TERM_LABELS[state], "days": (term.end_on - today).days,
                "due": helper.helper_due(term, today, roll.rules)}
    return {"title": f"{org.name} · 换届选举助手", "org": org, "step": step, "roll": roll, "plan": plan,
            "term": term, "info": info, "months": roll.rules.election_helper_months,
            "steps": [{"n": n, "label": label, "url": reverse(name, args=[org.code]), "current": n == step,
                       "done": n < step} for n, label, name in STEPS], **extra}


class RollForm(forms.Form):
    seats = forms.IntegerField(label="应选名额", min_value=1, max_value=15,
                               error_messages={"required": "请填写应选名额", "min_value": "应选名额至少为1"})
    planned_on = forms.DateField(label="计划选举日期", required=False, widget=DateInput(),
                                 help_text="写入请示；批复后可再调整")

    def __init__(self, *args, roll, **kwargs):
        super().__init__(*args, **kwargs)
        self.roll = roll
        choices = [("", "参加（计入应到会）")] + list(ExcuseReason.choices)
        for a in roll.attendees:
            pk = a.membership.pk
            self.fields[f"ex_{pk}"] = forms.ChoiceField(label=f"{a.name} 是否计入应到会", choices=choices,
                                                       required=False, initial=a.excused)
            self.fields[f"ap_{pk}"] = forms.CharField(label=f"{a.name} 批准情况", required=False, max_length=100,
                                                     initial=a.approval)

    def rows(self):
        return [{"a": a, "ex": self[f"ex_{a.membership.pk}"], "ap": self[f"ap_{a.membership.pk}"]}
                for a in self.roll.attendees]

    def excused(self):
        d = self.cleaned_data
        return [{"membership": a.membership.pk, "reason": d.get(f"ex_{a.membership.pk}"),
                 "approval": d.get(f"ap_{a.membership.pk}", "")}
                for a in self.roll.attendees if d.get(f"ex_{a.membership.pk}")]


@object_view(Organization, code="code")
@login_required
def election_helper(request, code: str):
    """Step 1: the term's end, the full members due (with approved exclusions), quorum, seats, candidates needed."""
    org = _org(request, code)
    plan = helper.open_plan(org)
    roll = helper.roll_for(org, plan, timezone.localdate())
    initial = {"seats": roll.seats, "planned_on": plan.planned_on if plan else None}
    form = RollForm(request.POST or None, roll=roll, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                plan = services.election_plan_prepare(organization=org, seats=d["seats"], excused=form.excused(),
                                                      planned_on=d.get("planned_on"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            for warning in helper.roll_for(org, plan, timezone.localdate()).seat_warnings(plan.seats):
                messages.warning(request, warning)
            return redirect("orgs:election_helper_candidates", org.code)
    return render(request, "orgs/election_helper.html", _context(org, 1, roll, plan, form=form))


def _need_plan(request, org, *, candidates=False):
    plan = helper.open_plan(org)
    if plan is None or (candidates and not plan.candidates):
        messages.info(request, "请先完成前面的步骤")
        return None
    return plan


class CandidatesForm(forms.Form):
    candidates = forms.MultipleChoiceField(label="候选人预备人选", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, roll, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = [(str(a.membership.pk), a.name) for a in roll.attendees]


@object_view(Organization, code="code")
@login_required
def election_helper_candidates(request, code: str):
    """Step 2: the candidates from the full members, sorted by pinyin; at least seats × 1.2."""
    org = _org(request, code)
    plan = _need_plan(request, org)
    if plan is None:
        return redirect("orgs:election_helper", org.code)
    roll = helper.roll_for(org, plan, timezone.localdate())
    form = CandidatesForm(request.POST or None, roll=roll, initial={"candidates": [str(c) for c in plan.candidates]})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.election_plan_candidates(plan=plan, membership_ids=form.cleaned_data["candidates"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("orgs:election_helper_documents", org.code)
    return render(request, "orgs/election_helper.html", _context(org, 2, roll, plan, form=form))


@object_view(Organization, code="code")
@login_required
def election_helper_documents(request, code: str):
    """Step 3: the 请示 to the upper level and the ballots, as Word documents."""
    org = _org(request, code)
    plan = _need_plan(request, org, candidates=True)
    if plan is None:
        return redirect("orgs:election_helper", org.code)
    roll = helper.roll_for(org, plan, timezone.localdate())
    which = request.GET.get("doc")
    if which in ("request", "ballots"):
        gate = ExportGate(request, kind="print")
        if which == "request":
            body, name = helper.request_docx(org, plan, roll, timezone.localdate()), f"{org.name}换届选举请示.docx"
        else:
            body, name = helper.ballots_docx(org, plan, roll), f"{org.name}换届选举选票.docx"
        gate.printed("换届选举请示" if which == "request" else "换届选举选票",
                     1 if which == "request" else roll.due, org_path=org.path)
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument."
                                                   "wordprocessingml.document")
        from urllib.parse import quote

        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    return render(request, "orgs/election_helper.html", _context(
        org, 3, roll, plan, candidates=helper.plan_candidates(plan, roll)))


class ResultForm(forms.Form):
    held_on = forms.DateField(label="选举日期", widget=DateInput(), error_messages={"required": "请填写选举日期"})
    present = forms.IntegerField(label="实到会人数", min_value=0, error_messages={"required": "请填写实到会人数"})
    approval_no = forms.CharField(label="上级批复文号", required=False, max_length=50)
    approval_on = forms.DateField(label="上级批复日期", required=False, widget=DateInput())
    secretary = forms.ChoiceField(label="书记（当选人中）", required=False)
    deputy = forms.ChoiceField(label="副书记（当选人中，可不设）", required=False)
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        names = [(str(m.pk), m.retiree.name) for m in candidates]
        self.fields["secretary"].choices = [("", "请选择")] + names
        self.fields["deputy"].choices = [("", "（不设）")] + names
        for m in candidates:
            self.fields[f"votes_{m.pk}"] = forms.IntegerField(
                label=f"{m.retiree.name} 得票数", min_value=0, error_messages={
                    "required": "请填写得票数（没有得票填0）", "min_value": "得票数不能为负数"})

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise ValidationError("选举日期不能晚于今天")
        return day

    def vote_fields(self):
        return [self[f"votes_{m.pk}"] for m in self.candidates]

    def votes(self):
        return {m.pk: self.cleaned_data[f"votes_{m.pk}"] for m in self.candidates}

    def member(self, name):
        pk = self.cleaned_data.get(name)
        return next((m for m in self.candidates if str(m.pk) == pk), None)


@object_view(Organization, code="code")
@login_required
def election_helper_result(request, code: str):
    """Step 4: the count per candidate; 预览 shows validity and winners, 确认 records the election and the term."""
    org = _org(request, code)
    plan = _need_plan(request, org, candidates=True)
    if plan is None:
        return redirect("orgs:election_helper", org.code)
    today = timezone.localdate()
    roll = helper.roll_for(org, plan, today)
    candidates = helper.plan_candidates(plan, roll)
    form = ResultForm(request.POST or None, candidates=candidates,
                      initial={"held_on": plan.planned_on if plan.planned_on and plan.planned_on <= today else None})
    preview, candidate_errors = None, []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        day_roll = helper.roll_for(org, plan, d["held_on"])
        check = services.election_check(
            organization=org, held_on=d["held_on"], seats=plan.seats, due_to_attend=day_roll.due,
            present=d["present"], win_basis=day_roll.rules.win_basis,
            candidates=[(m, form.votes()[m.pk]) for m in candidates], approval_no=d["approval_no"],
            approval_on=d.get("approval_on"))
        too_many = votes_total_error(votes=list(form.votes().values()), present=d["present"], seats=plan.seats)
        if too_many:
            check.add("candidates", too_many)
        if not check.ok:
            errors = dict(check.errors)
            candidate_errors = errors.pop("candidates", [])
            if errors.pop("due_to_attend", None):
                candidate_errors.append("应到会人数有误，请回到第一步核对")
            if errors:
                apply_errors(form, ValidationError(errors))
        elif request.POST.get("confirm") == "1":
            try:
                with transaction.atomic():
                    election = services.election_plan_record(
                        plan=plan, held_on=d["held_on"], present=d["present"], votes=form.votes(),
                        approval_no=d["approval_no"], approval_on=d.get("approval_on"),
                        secretary=form.member("secretary"), deputy=form.member("deputy"), notes=d["notes"])
            except ValidationError as exc:
                errors = exc.message_dict
                candidate_errors = errors.pop("candidates", [])
                if errors:
                    apply_errors(form, ValidationError(errors))
            else:
                messages.success(request, f"已记录换届选举：{election.result_note}")
                for warning in election.warnings:
                    messages.warning(request, warning)
                return redirect(election)
        else:
            elected = set(check.elected)
            preview = {"check": check, "due": day_roll.due, "quorum": day_roll.quorum,
                       "basis": WIN_BASIS_LABELS[day_roll.rules.win_basis],
                       "rows": [{"name": m.retiree.name, "votes": form.votes()[m.pk], "elected": m.pk in elected}
                                for m in candidates],
                       "fills": len(elected) == plan.seats}
    return render(request, "orgs/election_helper.html", _context(
        org, 4, roll, plan, form=form, candidates=candidates, preview=preview, candidate_errors=candidate_errors))
