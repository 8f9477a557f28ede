"""Writes for the organisation domain: keyword-only, atomic, Chinese errors per field.

Membership moves during restructuring go through the members app's
`membership_move`, which writes the Transfer, the MembershipPeriod and the
MembershipEvent; past records (meetings, visits, terms) keep the organisation
they happened in because nothing here rewrites them.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changqing.accounts.models import RoleAssignment
from changqing.core.roles import Role
from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation

from . import rules as org_rules
from .models import (
    Committee, CommitteeForm, CommitteeMemberAssignment, CommitteePost, CommitteeTerm, CommitteeVisit, Election,
    ElectionCandidate, Liaison, LiaisonContact, Organization, OrgKind, Post, Restructuring,
)
from .selectors import eligible_memberships, rules_for


def _not_future(on: dt.date, field: str):
    if on > timezone.localdate():
        raise ValidationError({field: "日期不能晚于今天"})


def _branch_like(org: Organization, field: str = "organization"):
    if org.kind == OrgKind.GROUP:
        raise ValidationError({field: "党小组不设委员会、联络员，请选择党支部"})
    if org.dissolved_on:
        raise ValidationError({field: f"「{org.name}」已于{org.dissolved_on:%Y年%m月%d日}撤销"})


# -- roles ----------------------------------------------------------------------

def _bind_role(user, role: str, org: Organization, note: str) -> RoleAssignment | None:
    if user is None:
        return None
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, organization=org,
                                                               defaults={"note": note[:200]})
    if created:
        log_operation(OperationLog.Event.ROLE_CHANGE, detail=f"授予{user}「{Role(role).label}」：{org.name}",
                      org_path=org.path)
    return assignment


def _unbind_role(assignment: RoleAssignment | None, still_used: bool):
    if assignment is None or still_used:
        return
    log_operation(OperationLog.Event.ROLE_CHANGE, detail=f"收回{assignment.user}「{assignment.get_role_display()}」"
                                                         f"：{assignment.organization}",
                  org_path=assignment.organization.path if assignment.organization_id else "")
    assignment.delete()


# -- committees, terms, elections -----------------------------------------------------

def _committee_for(org: Organization, form: str) -> Committee:
    committee, _ = Committee.objects.get_or_create(organization=org, defaults={"form": form})
    if committee.form != form:
        committee.form = form
        committee.save(update_fields=["form", "updated_at"])
    return committee


def _check_posts(org: Organization, on: dt.date, form: str, posts: list[tuple], rules) -> list[str]:
    """posts: [(membership, post, duty)]. One secretary; the form by size (DOMAIN.md §3 rule 3); full members
    of org. Returns the warnings (6–7 committee members); raises on errors."""
    errors = []
    secretaries = [p for p in posts if p[1] == Post.SECRETARY]
    if len(secretaries) != 1:
        errors.append("班子中应有且只有一名书记")
    if len([p for p in posts if p[1] == Post.DEPUTY]) > 1 and form == CommitteeForm.SECRETARY:
        errors.append("不设委员会时只设书记一名、副书记至多一名")
    eligible_qs = eligible_memberships(org, on)
    full_members = eligible_qs.count()
    form_errors, warnings = org_rules.committee_form_check(full_members=full_members, seats=len(posts), form=form,
                                                           rules=rules)
    ids = [p[0].pk for p in posts]
    if len(ids) != len(set(ids)):
        errors.append("同一名党员不能在本届担任两个职务")
    eligible = set(eligible_qs.filter(pk__in=ids).values_list("pk", flat=True))
    for membership, _, _ in posts:
        if membership.pk not in eligible:
            errors.append(f"{membership.retiree.name}在{on:%Y年%m月%d日}不是本支部正式党员，不能进入班子")
    if form_errors:
        raise ValidationError({"form": form_errors, **({"posts": errors} if errors else {})})
    if errors:
        raise ValidationError({"posts": errors})
    return warnings


@transaction.atomic
def term_register(*, organization: Organization, start_on: dt.date, form: str, posts: list[tuple],
                  years: int | None = None, number: int | None = None, election: Election | None = None,
                  deferral_approval: str = "") -> CommitteeTerm:
    """Enter a term (the current 班子, or one opened by an election); the previous current term ends that day."""
    _branch_like(organization)
    _not_future(start_on, "start_on")
    rules = rules_for(organization, start_on)
    years = years or organization.term_years
    if years not in (3, 5):
        raise ValidationError({"years": "任期只能是3年或5年"})
    previous = CommitteeTerm.objects.select_for_update().filter(organization=organization, ended_on__isnull=True).first()
    if previous and start_on <= previous.start_on:
        raise ValidationError({"start_on": f"新一届开始日期应晚于上一届开始日期（{previous.start_on:%Y年%m月%d日}）"})
    warnings = _check_posts(organization, start_on, form, posts, rules)
    committee = _committee_for(organization, form)
    if previous:
        previous.ended_on = start_on
        previous.save(update_fields=["ended_on", "updated_at"])
    if number is None and previous and previous.number:
        number = previous.number + 1
    term = CommitteeTerm.objects.create(
        committee=committee, organization=organization, number=number, form=form, start_on=start_on, years=years,
        end_on=org_rules.add_years(start_on, years), election=election, deferral_approval=deferral_approval)
    CommitteePost.objects.bulk_create([CommitteePost(term=term, membership=m, post=p, duty=d[:50]) for m, p, d in posts])
    term.warnings = warnings
    return term


def term_closed_by(organization: Organization, held_on: dt.date, exclude_election: Election | None = None):
    """The term an election on `held_on` closes: the latest term begun before that day (not one it opened)."""
    qs = CommitteeTerm.objects.filter(organization=organization, start_on__lt=held_on)
    if exclude_election is not None:
        qs = qs.exclude(election=exclude_election)
    return qs.order_by("-start_on", "-id").first()


def election_check(*, organization: Organization, held_on: dt.date, seats: int, due_to_attend: int, present: int,
                   win_basis: str, candidates: list[tuple], approval_no: str = "",
                   approval_on: dt.date | None = None, election: Election | None = None) -> org_rules.ElectionCheck:
    """candidates: [(membership, votes)]. Reads who may stand/vote on that day, then applies the pure rules:
    §3 rule 6 (the vote), rule 3 (the seats by the branch's size) and rule 5 (the timing). Warnings that
    do not block saving are in .warnings."""
    rules = rules_for(organization, held_on)
    eligible = eligible_memberships(organization, held_on)
    eligible_ids = set(eligible.values_list("pk", flat=True))
    pure = [org_rules.Candidate(key=m.pk, name=m.retiree.name, votes=v, eligible=m.pk in eligible_ids)
            for m, v in candidates]
    check = org_rules.check_election(seats=seats, due=due_to_attend, present=present,
                                     eligible_voters=len(eligible_ids), candidates=pure, basis=win_basis, rules=rules)
    if 1 <= seats and "seats" not in check.errors:
        form_errors, form_warnings = org_rules.committee_form_check(full_members=len(eligible_ids), seats=seats,
                                                                    form=None, rules=rules)
        for message in form_errors:
            check.add("seats", message)
        check.warnings += form_warnings
    closed = term_closed_by(organization, held_on, exclude_election=election)
    timing = org_rules.election_timing(held_on=held_on, term_end=closed.end_on if closed else None,
                                       approval_no=approval_no, approval_on=approval_on, rules=rules)
    for name, messages in timing.errors.items():
        for message in messages:
            check.add(name, message)
    check.warnings += timing.warnings
    return check


@transaction.atomic
def election_record(*, organization: Organization, held_on: dt.date, seats: int, due_to_attend: int, present: int,
                    candidates: list[tuple], win_basis: str | None = None, excused_note: str = "",
                    approval_no: str = "", approval_on: dt.date | None = None, notes: str = "", secretary=None,
                    deputy=None, form: str | None = None) -> Election:
    """Record an election; when it fills its seats, open the new term with those elected.

    secretary/deputy: memberships among those elected (elected by the committee at its first meeting).
    """
    _branch_like(organization)
    _not_future(held_on, "held_on")
    rules = rules_for(organization, held_on)
    win_basis = win_basis or rules.win_basis
    check = election_check(organization=organization, held_on=held_on, seats=seats, due_to_attend=due_to_attend,
                           present=present, win_basis=win_basis, candidates=candidates, approval_no=approval_no,
                           approval_on=approval_on)
    if not check.ok:
        raise ValidationError(check.errors)
    elected = set(check.elected)
    form = form or (CommitteeForm.COMMITTEE if seats >= rules.committee_min_size else CommitteeForm.SECRETARY)
    opens_term = len(elected) == seats
    if opens_term:
        if secretary is None or secretary.pk not in elected:
            raise ValidationError({"secretary": "请从当选人中选定书记"})
        if deputy is not None and (deputy.pk not in elected or deputy.pk == secretary.pk):
            raise ValidationError({"deputy": "副书记应是当选人之一，且不能与书记为同一人"})
    election = Election.objects.create(
        organization=organization, held_on=held_on, seats=seats, due_to_attend=due_to_attend, present=present,
        win_basis=win_basis, votes_to_win=check.votes_to_win, excused_note=excused_note[:200],
        approval_no=approval_no.strip()[:50], approval_on=approval_on, notes=notes,
        result_note="；".join(check.notes) if check.notes else f"当选{len(elected)}名，选举有效")
    election.warnings = list(check.warnings)
    ElectionCandidate.objects.bulk_create([
        ElectionCandidate(election=election, membership=m, votes=v, elected=m.pk in elected) for m, v in candidates])
    if opens_term:
        posts = []
        for m, _ in candidates:
            if m.pk not in elected:
                continue
            post = Post.SECRETARY if m.pk == secretary.pk else Post.DEPUTY if deputy and m.pk == deputy.pk else Post.MEMBER
            posts.append((m, post, ""))
        term = term_register(organization=organization, start_on=held_on, form=form, posts=posts, election=election,
                             deferral_approval=approval_no)
        election.warnings += [w for w in term.warnings if w not in election.warnings]
    return election



@transaction.atomic
def election_correct(*, election: Election, user, reason: str, held_on: dt.date, due_to_attend: int, present: int,
                     votes: dict[int, int], excused_note: str = "", approval_no: str = "",
                     approval_on: dt.date | None = None, notes: str = "") -> Election:
    """Correct a recorded election (a wrong date, head count or vote count), with the reason kept.

    The corrected record is checked again by the same rules. Who was elected may not change: that would
    be another 班子, entered as a new election. A term the election opened moves with its date.
    """
    election = Election.objects.select_for_update().select_related("organization").get(pk=election.pk)
    org = election.organization
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写更正原因（例如：原记录日期填错，以选举报告为准）"})
    _not_future(held_on, "held_on")
    rows = list(election.candidates.select_related("membership__retiree").order_by("id"))
    missing = [c.membership.retiree.name for c in rows if c.pk not in votes]
    if missing:
        raise ValidationError({"candidates": [f"请填写{name}的得票数" for name in missing]})
    check = election_check(organization=org, held_on=held_on, seats=election.seats, due_to_attend=due_to_attend,
                           present=present, win_basis=election.win_basis,
                           candidates=[(c.membership, votes[c.pk]) for c in rows], approval_no=approval_no,
                           approval_on=approval_on, election=election)
    if not check.ok:
        raise ValidationError(check.errors)
    if set(check.elected) != {c.membership_id for c in rows if c.elected}:
        raise ValidationError({"candidates": ["更正后的票数会改变当选人；当选人不同是另一次选举，请按新的选举录入"]})
    term = CommitteeTerm.objects.select_for_update().filter(election=election).first()
    if term is not None and held_on != term.start_on:
        earlier = (CommitteeTerm.objects.filter(organization=org, start_on__lt=term.start_on).exclude(pk=term.pk)
                   .order_by("-start_on").first())
        if earlier and held_on <= earlier.start_on:
            raise ValidationError({"held_on": f"选举日期应晚于上一届班子的开始日期（{earlier.start_on:%Y年%m月%d日}）"})
        later = CommitteeTerm.objects.filter(organization=org, start_on__gt=term.start_on).order_by("start_on").first()
        if later and held_on >= later.start_on:
            raise ValidationError({"held_on": f"选举日期应早于下一届班子的开始日期（{later.start_on:%Y年%m月%d日}）"})
        if earlier and earlier.ended_on == term.start_on:
            earlier.ended_on = held_on
            earlier.save(update_fields=["ended_on", "updated_at"])
        term.start_on = held_on
        term.end_on = org_rules.add_years(held_on, term.years)
        term.save(update_fields=["start_on", "end_on", "updated_at"])
    changed = []
    if held_on != election.held_on:
        changed.append(f"选举日期 {election.held_on:%Y年%m月%d日}→{held_on:%Y年%m月%d日}")
    if due_to_attend != election.due_to_attend:
        changed.append(f"应到会 {election.due_to_attend}→{due_to_attend}人")
    if present != election.present:
        changed.append(f"实到会 {election.present}→{present}人")
    changed += [f"{c.membership.retiree.name}得票 {c.votes}→{votes[c.pk]}" for c in rows if c.votes != votes[c.pk]]
    who = getattr(user, "full_name", "") or user.get_username()
    line = f"{timezone.localdate():%Y年%m月%d日} {who}更正（{reason}）：{'，'.join(changed) or '备注等'}"
    election.correction_note = "\n".join(x for x in (election.correction_note, line) if x)
    election.held_on, election.due_to_attend, election.present = held_on, due_to_attend, present
    election.excused_note, election.approval_no, election.notes = excused_note[:200], approval_no.strip()[:50], notes
    election.approval_on = approval_on
    election.votes_to_win = check.votes_to_win
    election.result_note = "；".join(check.notes) if check.notes else f"当选{len(check.elected)}名，选举有效"
    election.save()
    for c in rows:
        if c.votes != votes[c.pk]:
            c.votes = votes[c.pk]
            c.save(update_fields=["votes", "updated_at"])
    return election

# -- the election helper (orgs/helper.py) ----------------------------------------------

@transaction.atomic
def election_plan_prepare(*, organization: Organization, seats: int, excused: list[dict],
                          planned_on: dt.date | None = None):
    """Step 1: who is left out of 应到会 (each with its approval) and the seats, by the branch's size."""
    from . import helper
    from .models import ElectionPlan, ExcuseReason

    _branch_like(organization)
    plan = helper.open_plan(organization) or ElectionPlan(organization=organization)
    today = timezone.localdate()
    roll = helper.roll_for(organization, None, today)
    members = {a.membership.pk for a in roll.attendees}
    errors: dict[str, list[str]] = {}
    rows = []
    for e in excused:
        mid, reason, approval = int(e["membership"]), e.get("reason", ""), (e.get("approval") or "").strip()
        if mid not in members:
            errors.setdefault("excused", []).append("只能对本支部有选举权的正式党员作不计入应到会的处理")
            continue
        if reason not in ExcuseReason.values:
            errors.setdefault(f"ex_{mid}", []).append("请选择不计入的原因")
            continue
        if not approval:
            errors.setdefault(f"ap_{mid}", []).append("不计入应到会须经批准：请填写批准情况（如：经党总支11月10日同意）")
            continue
        rows.append({"membership": mid, "reason": reason, "approval": approval[:100]})
    seat_errors = roll.seat_errors(seats) if seats >= 1 else ["应选名额至少为1"]
    if seat_errors:
        errors["seats"] = seat_errors
    if len(rows) >= len(members) and members:
        errors.setdefault("excused", []).append("不能把全部党员都排除在应到会之外")
    if errors:
        raise ValidationError(errors)
    plan.seats, plan.excused, plan.planned_on = seats, rows, planned_on
    plan.candidates = [c for c in plan.candidates if int(c) in members]
    plan.save()
    return plan


@transaction.atomic
def election_plan_candidates(*, plan, membership_ids: list[int]):
    """Step 2: the candidates, full members on the day, at least seats × 1.2 (rounded up)."""
    from . import helper

    roll = helper.roll_for(plan.organization, plan, timezone.localdate())
    members = {a.membership.pk for a in roll.attendees}
    ids = list(dict.fromkeys(int(x) for x in membership_ids))
    if any(i not in members for i in ids):
        raise ValidationError({"candidates": "候选人只能是本支部有被选举权的正式党员"})
    if len(ids) < roll.candidates_needed:
        raise ValidationError({"candidates": f"应选{plan.seats}名，候选人应不少于{roll.candidates_needed}名"
                                             f"（差额选举，不少于应选人数的{roll.rules.candidate_ratio}倍），"
                                             f"现选了{len(ids)}名"})
    plan.candidates = ids
    plan.save(update_fields=["candidates", "updated_at"])
    return plan


@transaction.atomic
def election_plan_record(*, plan, held_on: dt.date, present: int, votes: dict[int, int], approval_no: str = "",
                         approval_on: dt.date | None = None, secretary=None, deputy=None, notes: str = ""):
    """Step 4: the count per candidate → the Election (and, when the seats are filled, the new term)."""
    from . import helper

    org = plan.organization
    roll = helper.roll_for(org, plan, held_on)
    cands = helper.plan_candidates(plan, roll)
    if len(cands) != len(plan.candidates):
        raise ValidationError({"candidates": "有候选人在选举日已不是本支部正式党员，请回到第二步重新确定候选人"})
    too_many = org_rules.votes_total_error(votes=[votes.get(m.pk, 0) for m in cands], present=present,
                                           seats=plan.seats)
    if too_many:
        raise ValidationError({"candidates": too_many})
    election = election_record(
        organization=org, held_on=held_on, seats=plan.seats, due_to_attend=roll.due, present=present,
        candidates=[(m, votes.get(m.pk, 0)) for m in cands], excused_note=roll.excused_note(),
        approval_no=approval_no, approval_on=approval_on, notes=notes, secretary=secretary, deputy=deputy,
        form=roll.form)
    plan.election = election
    plan.save(update_fields=["election", "updated_at"])
    return election


# -- joint branches (DOMAIN.md §3 rule 2) ----------------------------------------------

@transaction.atomic
def joint_units_set(*, organization: Organization, units: list[tuple[str, str]]):
    """Replace the units (sectors, communities) a 联合建 branch covers: [(name, kind)], at most 5."""
    from .models import MAX_JOINT_UNITS, JointUnit, JointUnitKind, SetupKind

    cleaned, seen = [], set()
    for name, kind in units:
        name = (name or "").strip()
        if not name:
            continue
        if name in seen:
            raise ValidationError({"units": f"「{name}」重复填写"})
        if kind not in JointUnitKind.values:
            raise ValidationError({"units": f"「{name}」的类别无效"})
        seen.add(name)
        cleaned.append((name[:100], kind))
    if organization.setup_kind != SetupKind.JOINT and cleaned:
        raise ValidationError({"units": "只有组建方式为「联合建」的支部登记联合组建的单位；请先修改组建方式"})
    if len(cleaned) > MAX_JOINT_UNITS:
        raise ValidationError({"units": f"联合党支部覆盖的单位一般不超过{MAX_JOINT_UNITS}个（《支部工作条例》第五条），"
                                        f"现填写{len(cleaned)}个；请分设支部"})
    if organization.setup_kind == SetupKind.JOINT and len(cleaned) < 2:
        raise ValidationError({"units": "联合建的支部应覆盖至少2个单位（或系统、社区），请逐一填写"})
    existing = {u.name: u for u in JointUnit.objects.filter(organization=organization)}
    for name, unit in existing.items():
        if name not in seen:
            unit.delete()
    for name, kind in cleaned:
        unit = existing.get(name)
        if unit is None:
            JointUnit.objects.create(organization=organization, name=name, kind=kind)
        elif unit.kind != kind:
            unit.kind = kind
            unit.save(update_fields=["kind", "updated_at"])
    return list(JointUnit.objects.filter(organization=organization))


# -- liaisons -----------------------------------------------------------------------

@transaction.atomic
def liaison_assign(*, organization: Organization, name: str, unit: str, phone: str, start_on: dt.date,
                   post: str = "", user=None) -> Liaison:
    """One liaison per branch: the current one (if any) hands over on start_on. Binds the user's LIAISON role."""
    _branch_like(organization)
    errors = {}
    if not name.strip():
        errors["name"] = "请填写联络员姓名"
    if not unit.strip():
        errors["unit"] = "请填写联络员的工作单位（在职干部）"
    if not phone.strip():
        errors["phone"] = "请填写联系电话"
    if errors:
        raise ValidationError(errors)
    current = Liaison.objects.select_for_update().filter(organization=organization, end_on__isnull=True).first()
    if current and start_on <= current.start_on:
        raise ValidationError({"start_on": f"起始日期应晚于现任联络员{current.name}的起始日期（{current.start_on:%Y年%m月%d日}）"})
    if current:
        liaison_end(liaison=current, on=start_on)
    liaison = Liaison(organization=organization, name=name.strip(), unit=unit.strip(), post=post.strip(),
                      phone=phone.strip(), user=user, start_on=start_on)
    liaison.role_assignment = _bind_role(user, Role.LIAISON, organization, f"联络员：{organization.name}")
    liaison.save()
    return liaison


@transaction.atomic
def liaison_end(*, liaison: Liaison, on: dt.date) -> Liaison:
    if on < liaison.start_on:
        raise ValidationError({"end_on": "截止日期不能早于起始日期"})
    liaison.end_on = on
    liaison.save(update_fields=["end_on", "updated_at"])
    if liaison.role_assignment_id:
        still = Liaison.objects.filter(user_id=liaison.user_id, organization_id=liaison.organization_id,
                                       end_on__isnull=True).exclude(pk=liaison.pk).exists()
        _unbind_role(liaison.role_assignment, still)
    return liaison


@transaction.atomic
def liaison_contact_record(*, liaison: Liaison, contacted_on: dt.date, way: str, notes: str = "") -> LiaisonContact:
    _not_future(contacted_on, "contacted_on")
    if contacted_on < liaison.start_on or (liaison.end_on and contacted_on > liaison.end_on):
        raise ValidationError({"contacted_on": f"联系日期不在{liaison.name}担任联络员的期间内"})
    contact = LiaisonContact(liaison=liaison, organization_id=liaison.organization_id, contacted_on=contacted_on,
                             way=way, notes=notes.strip()[:300])
    contact.full_clean()
    contact.save()
    return contact


# -- 党工委 members and their visits ---------------------------------------------------

@transaction.atomic
def committee_member_assign(*, committee_org: Organization, organization: Organization, name: str,
                            start_on: dt.date, post: str = "", phone: str = "", user=None) -> CommitteeMemberAssignment:
    """A 党工委 member takes one branch to contact. Binds their COMMITTEE_MEMBER role on that branch."""
    if committee_org.kind != OrgKind.COMMITTEE:
        raise ValidationError({"committee_org": "请选择党工委/党委"})
    if not organization.path.startswith(committee_org.path) or organization.kind != OrgKind.BRANCH:
        raise ValidationError({"organization": f"请选择「{committee_org.name}」下的党支部"})
    _branch_like(organization)
    if not name.strip():
        raise ValidationError({"name": "请填写党工委委员姓名"})
    current = CommitteeMemberAssignment.objects.filter(organization=organization, end_on__isnull=True).first()
    if current is not None and current.name != name.strip():
        raise ValidationError({"organization": f"该支部已由党工委委员{current.name}联系，请先结束其联系安排"})
    if current is not None:
        raise ValidationError({"name": f"{current.name}已在联系该支部"})
    assignment = CommitteeMemberAssignment(committee_org=committee_org, organization=organization, name=name.strip(),
                                           post=post.strip(), phone=phone.strip(), user=user, start_on=start_on)
    assignment.role_assignment = _bind_role(user, Role.COMMITTEE_MEMBER, organization,
                                            f"党工委委员联系支部：{organization.name}")
    assignment.save()
    return assignment


@transaction.atomic
def committee_member_unassign(*, assignment: CommitteeMemberAssignment, on: dt.date) -> CommitteeMemberAssignment:
    if on < assignment.start_on:
        raise ValidationError({"end_on": "截止日期不能早于起始日期"})
    assignment.end_on = on
    assignment.save(update_fields=["end_on", "updated_at"])
    _unbind_role(assignment.role_assignment, False)
    return assignment


@transaction.atomic
def committee_visit_record(*, assignment: CommitteeMemberAssignment, visited_on: dt.date, visitor: str = "",
                           notes: str = "") -> CommitteeVisit:
    _not_future(visited_on, "visited_on")
    if visited_on < assignment.start_on or (assignment.end_on and visited_on > assignment.end_on):
        raise ValidationError({"visited_on": "指导日期不在该联系安排的期间内"})
    if not notes.strip():
        raise ValidationError({"notes": "请简要写明指导内容"})
    visit = CommitteeVisit(assignment=assignment, organization_id=assignment.organization_id, visited_on=visited_on,
                           visitor=(visitor.strip() or assignment.name)[:50], notes=notes.strip()[:300])
    visit.save()
    return visit


# -- restructuring (化并转) ------------------------------------------------------------

def _move_members(source: Organization, target: Organization, on: dt.date, reason: str, letter_no: str,
                  memberships=None) -> list[int]:
    from changqing.members.models import Membership
    from changqing.members.services import membership_move

    if memberships is None:
        memberships = list(Membership.objects.filter(organization=source, state="active"))
    moved = []
    for m in memberships:
        membership_move(membership=m, to_org=target, on=on, reason=reason, letter_no=letter_no)
        moved.append(m.pk)
    return moved


def _close_branch_records(org: Organization, on: dt.date):
    """A dissolved branch keeps its history; what is current about it ends that day."""
    CommitteeTerm.objects.filter(organization=org, ended_on__isnull=True).update(ended_on=on)
    for liaison in Liaison.objects.filter(organization=org, end_on__isnull=True):
        liaison_end(liaison=liaison, on=max(on, liaison.start_on))
    for a in CommitteeMemberAssignment.objects.filter(organization=org, end_on__isnull=True):
        committee_member_unassign(assignment=a, on=max(on, a.start_on))


def _check_restructure(on: dt.date, reason: str):
    _not_future(on, "on")
    if not reason.strip():
        raise ValidationError({"reason": "请写明调整原因"})


@transaction.atomic
def branches_merge(*, target: Organization, sources: list[Organization], on: dt.date, reason: str,
                   letter_no: str = "") -> list[Restructuring]:
    """Merge branches into `target`: members move (with history), groups follow, the merged branches are dissolved."""
    from changqing.members.models import Retiree

    _check_restructure(on, reason)
    _branch_like(target, "target")
    if target.kind != OrgKind.BRANCH:
        raise ValidationError({"target": "请选择保留的党支部"})
    if not sources:
        raise ValidationError({"sources": "请选择要并入的党支部"})
    records = []
    for source in sources:
        if source.pk == target.pk:
            raise ValidationError({"sources": "被合并的支部不能是保留的支部本身"})
        if source.kind != OrgKind.BRANCH or source.dissolved_on:
            raise ValidationError({"sources": f"「{source.name}」不是在册的党支部"})
        moved = _move_members(source, target, on, f"支部合并：{source.name}并入{target.name}。{reason}", letter_no)
        # People without party membership are served by the surviving branch too.
        for r in Retiree.objects.filter(organization=source):
            r.organization = target
            r.save(update_fields=["organization", "updated_at"])
        for group in Organization.objects.filter(parent=source, dissolved_on__isnull=True):
            group.parent = target
            group.save()
        _close_branch_records(source, on)
        source.dissolved_on = on
        source.save(update_fields=["dissolved_on", "updated_at"])
        records.append(Restructuring.objects.create(
            kind=Restructuring.Kind.MERGE, on=on, organization=target, source=source, letter_no=letter_no,
            reason=reason.strip()[:200], moved_members=len(moved), detail={"memberships": moved}))
    return records


@transaction.atomic
def branch_split(*, source: Organization, new_org: Organization, memberships: list, on: dt.date, reason: str,
                 letter_no: str = "") -> Restructuring:
    """Split `source`: create `new_org` (unsaved, validated here) and move the chosen members to it."""
    _check_restructure(on, reason)
    _branch_like(source, "source")
    if not memberships:
        raise ValidationError({"memberships": "请选择转入新支部的党员"})
    from changqing.members.models import Membership

    memberships = list(Membership.objects.filter(pk__in=[m.pk for m in memberships]).select_related("retiree"))
    wrong = [m.retiree.name for m in memberships if m.organization_id != source.pk or m.state != "active"]
    if wrong:
        raise ValidationError({"memberships": f"{'、'.join(wrong)}不是「{source.name}」的在册党员"})
    new_org.parent = new_org.parent or source.parent
    new_org.kind = OrgKind.BRANCH
    new_org.established_on = new_org.established_on or on
    new_org.full_clean()
    new_org.save()
    moved = _move_members(source, new_org, on, f"支部拆分：由{source.name}分设{new_org.name}。{reason}", letter_no,
                          memberships)
    return Restructuring.objects.create(
        kind=Restructuring.Kind.SPLIT, on=on, organization=new_org, source=source, letter_no=letter_no,
        reason=reason.strip()[:200], moved_members=len(moved), detail={"memberships": moved})


@transaction.atomic
def organization_move(*, org: Organization, new_parent: Organization, on: dt.date, reason: str,
                      letter_no: str = "") -> Restructuring:
    """Put an organisation (and its subtree) under another parent; Organization.save rewrites the subtree paths."""
    _check_restructure(on, reason)
    if org.parent_id == new_parent.pk:
        raise ValidationError({"new_parent": "新上级组织与原上级组织相同"})
    old_parent = org.parent
    org.parent = new_parent
    try:
        org.full_clean()
    except ValidationError as exc:
        raise ValidationError({"new_parent": exc.message_dict.get("parent", exc.messages)}) from None
    org.save()
    return Restructuring.objects.create(
        kind=Restructuring.Kind.MOVE, on=on, organization=org, from_parent=old_parent, to_parent=new_parent,
        letter_no=letter_no, reason=reason.strip()[:200])


@transaction.atomic
def organization_dissolve(*, org: Organization, on: dt.date, reason: str, letter_no: str = "") -> Restructuring:
    """Dissolve an organisation that holds no members and has no active sub-organisations."""
    from changqing.members.models import Membership

    _check_restructure(on, reason)
    if org.dissolved_on:
        raise ValidationError({"on": f"「{org.name}」已于{org.dissolved_on:%Y年%m月%d日}撤销"})
    if Membership.objects.filter(organization=org, state="active").exists():
        raise ValidationError({"on": "该组织仍有在册党员，请先合并到其他支部或办理转接"})
    if Organization.objects.filter(parent=org, dissolved_on__isnull=True).exists():
        raise ValidationError({"on": "该组织仍有下级组织，请先调整下级组织"})
    _close_branch_records(org, on)
    org.dissolved_on = on
    org.save(update_fields=["dissolved_on", "updated_at"])
    return Restructuring.objects.create(kind=Restructuring.Kind.DISSOLVE, on=on, organization=org,
                                        letter_no=letter_no, reason=reason.strip()[:200])
