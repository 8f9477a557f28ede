"""The demo extender on a small jurisdiction: every branch gets its records, and they obey the rules."""
import datetime as dt
import random

from changqing.demo.extend import DemoContext
from changqing.orgs import demo, rules
from changqing.orgs.models import (
    CommitteeMemberAssignment, CommitteeTerm, CommitteeVisit, Election, Liaison, LiaisonContact, Organization,
    OrgKind, Zone,
)
from changqing.orgs.selectors import terms_in_state

from .helpers import members

TODAY = dt.date(2026, 11, 24)


def test_demo_extend_fills_every_branch_with_valid_records(db):
    root = Organization.objects.create(code="D", name="演示党工委", kind=OrgKind.COMMITTEE)
    zones = [Zone.objects.create(code=f"D-Z{i}", name=f"片组{i}", organization=root) for i in range(4)]
    branches = []
    for i in range(24):
        b = Organization.objects.create(code=f"D-B{i:02d}", name=f"演示支部{i}", kind=OrgKind.BRANCH, parent=root,
                                        zone=zones[i % 4])
        members(b, 3 + i % 12, prefix=f"演{i}党员", history=False, full_on=dt.date(2000, 1, 1))
        branches.append(b)
    for z in zones:
        z.lead_org = Organization.objects.filter(zone=z).order_by("code").first()
        z.save()
    ctx = DemoContext(scale="county", seed=1, root=root, today=TODAY, log_history=False, progress=lambda m: None,
                      rng=random.Random("1:orgs"))
    demo.extend(ctx)

    assert CommitteeTerm.objects.filter(ended_on__isnull=True).count() == 24
    assert Liaison.objects.filter(end_on__isnull=True).count() == 24
    assert LiaisonContact.objects.count() > 24 * 12
    assert CommitteeMemberAssignment.objects.count() == 4  # one per zone-lead branch, at most seven
    assert CommitteeVisit.objects.filter(visited_on__year=2025).count() >= 4 * 3
    current = CommitteeTerm.objects.all()
    assert terms_in_state(current, rules.TERM_OVERDUE, TODAY).exists()
    assert terms_in_state(current, rules.TERM_DUE_SOON, TODAY).exists()
    assert terms_in_state(current, rules.TERM_DUE, TODAY).exclude(
        pk__in=terms_in_state(current, rules.TERM_DUE_SOON, TODAY)).exists()
    r = rules.current_rules()
    for e in Election.objects.prefetch_related("candidates__membership__retiree"):
        check = rules.check_election(
            seats=e.seats, due=e.due_to_attend, present=e.present, eligible_voters=e.due_to_attend + 2,
            candidates=[rules.Candidate(c.membership_id, c.membership.retiree.name, c.votes) for c in e.candidates.all()],
            basis=e.win_basis, rules=r)
        assert check.ok, (e, check.errors)
        assert set(check.elected) == {c.membership_id for c in e.candidates.all() if c.elected}
        assert len(check.elected) == e.seats
    # Months without a contact exist (the demo has gaps), and some months have two.
    months = set(LiaisonContact.objects.filter(contacted_on__year=2026).values_list("liaison_id", "contacted_on__month"))
    assert len(months) < 24 * 11
