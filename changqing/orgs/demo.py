"""Demo records for the organisation domain (seed 003, seed 000 篇6).

For every branch of the jurisdiction: the committee (班子) with its previous
and current term, the valid election that opened the current term, a liaison
with monthly contacts that have realistic gaps; for each 党工委: seven members
each contacting one branch, with their visits. Terms are spread so that the
alerts have something to show: a few overdue, a few ending within 30 and 90
days, and a few branches of 7+ full members that never set up a committee.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from changqing.demo import names
from changqing.demo.bulk import copy_insert, log_created
from changqing.members.models import Membership
from changqing.core.tree import in_subtree

from .models import (
    Committee, CommitteeForm, CommitteeMemberAssignment, CommitteePost, CommitteeTerm, CommitteeVisit, Election,
    ElectionCandidate, JointUnit, JointUnitKind, Liaison, LiaisonContact, Organization, OrgKind, Post, SetupKind,
    Zone,
)
from .rules import add_years, current_rules

COMMITTEE_POSTS = [("书记", "县委组织部副部长、县委老干部局局长"), ("副书记", "县委老干部局副局长"), ("委员", "县委组织部组织科科长"),
                   ("委员", "县委老干部局离退休干部党建办主任"), ("委员", "县直机关工委副书记"), ("委员", "县老年大学常务副校长"),
                   ("委员", "县委老干部局综合股股长")]
DUTIES = ["组织委员", "宣传委员", "纪检委员", "生活委员", "青年委员"]
VISIT_TOPICS = ["指导支部落实“三会一课”", "参加支部主题党日并讲党课", "检查支部学习纪实档案", "督促换届准备工作",
                "走访慰问生病老党员", "指导党费收缴和台账规范", "听取支部书记工作汇报", "指导开展组织生活会"]
CONTACT_NOTES = ["参加支部主题党日", "传达上级会议精神", "走访慰问困难老党员", "协助开展集中学习", "电话了解支部近况",
                 "协助筹备组织生活会", "送学习资料上门"]


def _batch(model, objs, ctx, *related):
    created = copy_insert(model, objs)
    if ctx.log_history:
        log_created(created, *related)
    return created


CITY_ZONE_SIZE = 15


def _city_zones(ctx) -> None:
    """片组 for the city: each district/county committee's branches, in order, in groups of ≤15.

    The city generator reproduces seed 000 篇6's figures and has no zones; a bureau's zone comparison
    needs them. Deterministic (no random draws), so the other demo records stay as they were.
    """
    if Zone.objects.filter(in_subtree(ctx.root.path, "organization")).exists():
        return
    committees = list(Organization.objects.filter(in_subtree(ctx.root.path), depth=ctx.root.depth + 1,
                                                  kind=OrgKind.COMMITTEE).order_by("path"))
    zones, members = [], []
    for committee in committees:
        branches = list(Organization.objects.filter(in_subtree(committee.path), kind=OrgKind.BRANCH,
                                                    dissolved_on__isnull=True).order_by("path"))
        short = re.sub(r"(离退休干部)?党?工委$", "", committee.name)
        for i in range(0, len(branches), CITY_ZONE_SIZE):
            group = branches[i:i + CITY_ZONE_SIZE]
            n = i // CITY_ZONE_SIZE + 1
            zones.append(Zone(code=f"{committee.code}-Z{n:02d}", name=f"{short}第{names.cn_number(n)}片组",
                              organization=committee, lead_org=group[0],
                              deputy_org=group[1] if len(group) > 1 else None))
            members.append(group)
    Zone.objects.bulk_create(zones)
    for zone, group in zip(zones, members):
        for b in group:
            b.zone = zone
    Organization.objects.bulk_update([b for group in members for b in group], ["zone"], batch_size=500)
    ctx.progress(f"片组 {len(zones)} 个（每个党工委的支部按顺序每 {CITY_ZONE_SIZE} 个一组）")


def _joint_units(ctx, branches):
    """The units each 联合建 branch of the county covers (the generator's former units)."""
    from changqing.demo.names import COUNTY_BRANCHES

    units = {name: former for name, _zone, former, _career, setup, *_ in COUNTY_BRANCHES if setup == SetupKind.JOINT}
    _batch(JointUnit, [JointUnit(organization=b, name=u, kind=JointUnitKind.UNIT)
                       for b in branches if b.setup_kind == SetupKind.JOINT for u in units.get(b.name, ())[:5]], ctx)


def extend(ctx):
    if ctx.scale == "city":
        _city_zones(ctx)
    rng, today, rules = ctx.rng, ctx.today, current_rules()
    branches = list(Organization.objects.filter(in_subtree(ctx.root.path), kind=OrgKind.BRANCH,
                                                dissolved_on__isnull=True).order_by("path"))
    if not branches:
        return
    members_by_org = defaultdict(list)
    for m in (Membership.objects.filter(organization__in=branches, state="active", status="full")
              .values("id", "organization_id", "full_on").order_by("id")):
        members_by_org[m["organization_id"]].append(m)

    _joint_units(ctx, branches)

    # -- committees, terms, elections ------------------------------------------------
    staffed = [b for b in branches if members_by_org.get(b.pk)]
    n = len(staffed)
    # Positions (after a shuffle) that get an overdue term, one ending within 30 days, within 90 days.
    order = list(range(n))
    rng.shuffle(order)
    k = max(1, n // 12)
    overdue, soon, due = set(order[:k]), set(order[k:k + max(1, k // 2)]), set(order[k + max(1, k // 2):2 * k + 1])
    no_committee = set(order[2 * k + 1:2 * k + 1 + max(1, n // 20)])  # 7+ full members but only a secretary
    plans = []
    for i, org in enumerate(staffed):
        pool = members_by_org[org.pk]
        years = org.term_years
        if i in overdue:
            end = today - dt.timedelta(days=rng.randint(20, 400))
        elif i in soon:
            end = today + dt.timedelta(days=rng.randint(3, 29))
        elif i in due:
            end = today + dt.timedelta(days=rng.randint(35, 88))
        else:
            end = today + dt.timedelta(days=rng.randint(120, 365 * years - 30))
        start = add_years(end, -years)
        eligible = [m for m in pool if m["full_on"] and m["full_on"] <= start]
        if not eligible:
            continue
        big = len(eligible) >= rules.committee_from_full_members and i not in no_committee
        form = CommitteeForm.COMMITTEE if big else CommitteeForm.SECRETARY
        seats = (rng.choice((3, 5)) if len(eligible) >= 12 else 3) if big else min(2, len(eligible))
        plans.append((org, start, years, form, seats, eligible))

    committees = _batch(Committee, [Committee(organization=p[0], form=p[3]) for p in plans], ctx)
    elections, candidate_rows = [], []
    for (org, start, years, form, seats, eligible) in plans:
        n_cand = min(len(eligible), rules.candidates_needed(seats) + rng.choice((0, 0, 1)))
        due_to_attend = len(eligible) - (rng.randint(0, 2) if len(eligible) > 6 else 0)  # frail members excused
        present = min(due_to_attend, due_to_attend * rules.quorum_numerator // rules.quorum_denominator + 1
                      + rng.randint(0, max(0, due_to_attend // 8)))
        if n_cand < rules.candidates_needed(seats) or not rules.quorum_met(due_to_attend, present):
            elections.append(None)
            candidate_rows.append([])
            continue
        chosen = rng.sample(eligible, n_cand)
        need = rules.votes_to_win(due_to_attend, present)
        votes = []
        for j, m in enumerate(chosen):
            v = rng.randint(max(need, present - 3), present) if j < seats else rng.randint(0, max(0, need - 1))
            votes.append((m, v))
        # One vote per seat per voter: the losers get at most the ballots the winners left (no extra draws).
        left = present * seats - sum(v for _, v in votes[:seats])
        for j in range(seats, len(votes)):
            m, v = votes[j]
            votes[j] = (m, min(v, max(left, 0)))
            left -= votes[j][1]
        elections.append(Election(organization=org, held_on=start, seats=seats, due_to_attend=due_to_attend,
                                  present=present, win_basis=rules.win_basis, votes_to_win=need,
                                  excused_note="年老体弱经批准不参加" if due_to_attend < len(eligible) else "",
                                  result_note=f"当选{seats}名，选举有效"))
        candidate_rows.append(votes)
    saved = iter(_batch(Election, [e for e in elections if e], ctx))
    elections = [next(saved) if e else None for e in elections]

    candidates, terms, posts_plan = [], [], []
    for committee, (org, start, years, form, seats, eligible), election, votes in zip(
            committees, plans, elections, candidate_rows):
        ranked = sorted(votes, key=lambda mv: -mv[1])[:seats]
        winners = {m["id"] for m, _ in ranked}
        for m, v in votes:
            candidates.append(ElectionCandidate(election=election, membership_id=m["id"], votes=v,
                                                elected=m["id"] in winners))
        team = [m for m, _ in ranked] if election else rng.sample(eligible, min(seats, len(eligible)))
        number = rng.randint(2, 6)
        prev_start = add_years(start, -years)
        terms.append(CommitteeTerm(committee=committee, organization=org, number=number - 1, form=form,
                                   start_on=prev_start, years=years, end_on=start, ended_on=start))
        terms.append(CommitteeTerm(committee=committee, organization=org, number=number, form=form, start_on=start,
                                   years=years, end_on=add_years(start, years), election=election))
        prev_team = rng.sample(eligible, min(len(team), len(eligible)))
        posts_plan.append((prev_team, team))
    _batch(ElectionCandidate, candidates, ctx, "membership__retiree")
    terms = _batch(CommitteeTerm, terms, ctx)
    posts = []
    for (prev_team, team), prev_term, cur_term in zip(posts_plan, terms[0::2], terms[1::2]):
        for term, people in ((prev_term, prev_team), (cur_term, team)):
            for j, m in enumerate(people):
                post = Post.SECRETARY if j == 0 else Post.DEPUTY if j == 1 else Post.MEMBER
                duty = DUTIES[j - 2] if post == Post.MEMBER and j - 2 < len(DUTIES) else ""
                posts.append(CommitteePost(term=term, membership_id=m["id"], post=post, duty=duty))
    _batch(CommitteePost, posts, ctx, "membership__retiree")

    # -- liaisons, one per branch, with monthly contacts ------------------------------
    liaisons = []
    for org in branches:
        unit = org.name
        for suffix in ("离退休干部联合党支部", "离退休干部党支部", "老干党支部", "退休教师党支部", "退休党支部", "临时党支部"):
            unit = unit.replace(suffix, "")
        start = names.random_date(rng, dt.date(2022, 1, 1), dt.date(2025, 6, 30))
        liaisons.append(Liaison(organization=org, name=names.person_name(rng, rng.choice(("male", "female")),
                                                                       birth_year=rng.randint(1975, 1995)),
                                unit=unit if "社区" not in org.name else f"{unit}居委会", post=rng.choice(
                                    ("办公室副主任", "人事股股长", "党建专干", "科员", "机关党委委员")),
                                phone=names.phone(rng), start_on=start))
    liaisons = _batch(Liaison, liaisons, ctx)
    contacts = []
    from_day = dt.date(today.year - 1, 1, 1)
    for x in liaisons:
        reliability = rng.choice((1.0, 0.95, 0.9, 0.85, 0.7, 0.5))
        month = max(from_day, x.start_on.replace(day=1))
        while month <= today:
            last_day = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            if rng.random() < reliability:
                for _ in range(rng.choice((1, 1, 1, 2))):
                    day = names.random_date(rng, max(month, x.start_on), min(last_day, today))
                    contacts.append(LiaisonContact(liaison=x, organization_id=x.organization_id, contacted_on=day,
                                                   way=rng.choice(LiaisonContact.Way.values),
                                                   notes=rng.choice(CONTACT_NOTES)))
            month = last_day + dt.timedelta(days=1)
    _batch(LiaisonContact, contacts, ctx, "organization")

    # -- 党工委 members: each contacts one branch, ≥4 visits a year (seed 003) --------------
    assignments = []
    for committee_org in Organization.objects.filter(in_subtree(ctx.root.path), kind=OrgKind.COMMITTEE,
                                                     dissolved_on__isnull=True):
        own = [b for b in branches if b.parent_id == committee_org.pk]
        if not own:
            continue
        leads = {z.lead_org_id for z in committee_org.zones.all()} - {None}
        targets = [b for b in own if b.pk in leads] or own
        for j, (post, office) in enumerate(COMMITTEE_POSTS[:min(7, len(targets))]):
            assignments.append(CommitteeMemberAssignment(
                committee_org=committee_org, organization=targets[j], name=names.person_name(
                    rng, rng.choice(("male", "male", "female")), birth_year=rng.randint(1968, 1985)),
                post=f"{post}（{office}）", phone=names.phone(rng), start_on=dt.date(today.year - 2, 3, 1)))
    assignments = _batch(CommitteeMemberAssignment, assignments, ctx)
    visits = []
    for a in assignments:
        for year, count in ((today.year - 1, rng.choice((4, 4, 5, 6, 3))), (today.year, rng.choice((2, 3, 4, 4, 5)))):
            end = min(dt.date(year, 12, 31), today)
            for _ in range(count):
                visits.append(CommitteeVisit(assignment=a, organization_id=a.organization_id, visitor=a.name,
                                             visited_on=names.random_date(rng, dt.date(year, 1, 5), end),
                                             notes=rng.choice(VISIT_TOPICS)))
    _batch(CommitteeVisit, visits, ctx, "organization")
    ctx.progress(f"班子 {len(committees)} 个，联络员 {len(liaisons)} 名，党工委委员联系点 {len(assignments)} 个")


def demo_users(ctx):
    """Bind the demo 党工委委员 and 联络员 logins to the records they stand for."""
    from changqing.accounts.models import User
    from changqing.core.roles import Role

    for username, role, model in (("gongwei", Role.COMMITTEE_MEMBER, CommitteeMemberAssignment),
                                  ("lianluo", Role.LIAISON, Liaison)):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        ra = user.role_assignments.filter(role=role).select_related("organization").first()
        if ra is None or ra.organization is None:
            continue
        record = model.objects.filter(organization=ra.organization, end_on__isnull=True).first()
        if record is not None:
            record.user, record.role_assignment = user, ra
            record.save(update_fields=["user", "role_assignment", "updated_at"])
    return []
