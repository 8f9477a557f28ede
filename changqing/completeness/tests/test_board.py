"""The completeness board agrees with a hand count on the county demo (independent ORM counts), ranks
branches and never people, opens each record at its missing field, and costs a fixed number of queries."""
from __future__ import annotations

import io
import re

import pytest
from django.db.models import Q
from openpyxl import load_workbook

from changqing.accounts.models import User
from changqing.completeness import selectors
from changqing.completeness.rules import RULE_BY_KEY, available_rules
from changqing.life.models import Meeting
from changqing.members.models import Membership, Retiree
from changqing.orgs.models import CommitteeTerm, Organization, OrgKind


def _root():
    """The admin's organisation serving the most retirees (the county's retired cadres, not its 两新工委)."""
    orgs = [a.organization for a in User.objects.get(username="admin").role_assignments.all()]
    return max(orgs, key=lambda o: Retiree.objects.filter(organization__path__startswith=o.path).count())


def _hand_counts(path: str) -> dict[str, tuple[int, int]]:
    """(applies, missing) per rule under `path`, counted without the board's code."""
    alive = Retiree.objects.filter(organization__path__startswith=path, status="alive")
    alone = alive.filter(living="alone")
    members = Membership.objects.filter(organization__path__startswith=path, state="active", retiree__status="alive")
    held = Meeting.objects.filter(organization__path__startswith=path, state="held")
    terms = CommitteeTerm.objects.filter(organization__path__startswith=path)
    return {
        "retiree_id_number": (alive.count(), alive.filter(id_number_hash="").count()),
        "retiree_birth_date": (alive.count(), alive.filter(birth_date__isnull=True).count()),
        "alone_emergency_contact": (alone.count(), sum(
            1 for r in alone.filter(Q(family_contact="") | Q(family_phone_hash=""))
            if not getattr(getattr(r, "health_profile", None), "emergency_phone", ""))),
        "member_joined_on": (members.count(), members.filter(joined_on__isnull=True).count()),
        "meeting_minutes": (held.count(), held.filter(minutes="").count()),
        "term_election": (terms.count(), terms.filter(election__isnull=True).count()),
    }


@pytest.fixture
def planted(county_demo, db):
    """A few holes made on purpose (rolled back with the test): minutes, an emergency contact, an election."""
    b1 = Meeting.objects.filter(state="held", organization__kind=OrgKind.BRANCH).order_by("pk").first().organization
    # The most recent ones: the to-fix list shows the newest first.
    meetings = list(Meeting.objects.filter(organization=b1, state="held").order_by("-held_on", "pk")[:3])
    Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(minutes="")
    alone = Retiree.objects.filter(status="alive").order_by("pk").first()
    Retiree.objects.filter(pk=alone.pk).update(living="alone", family_contact="")
    b2 = alone.organization
    while b2.kind == OrgKind.GROUP:
        b2 = b2.parent
    term = CommitteeTerm.objects.filter(election__isnull=False).order_by("pk").first()
    if term is not None:
        CommitteeTerm.objects.filter(pk=term.pk).update(election=None)
    return {"b1": b1, "b2": b2, "meetings": meetings, "alone": alone}


def test_the_board_agrees_with_a_hand_count(planted):
    root = _root()
    data = selectors.board(root)
    hand = _hand_counts(root.path)
    for rule in data["rules"]:
        cell = data["totals"][rule.key]
        assert (cell.total, cell.missing) == hand[rule.key], rule.key
    assert data["totals"]["meeting_minutes"].missing >= 3
    assert data["totals"]["alone_emergency_contact"].missing >= 1
    # Per branch: each unit's figures are its subtree's hand count (a 党小组's records count for its branch).
    by_org = {u.org.pk: u for u in data["units"]}
    for org in (planted["b1"], planted["b2"], *Organization.objects.filter(kind=OrgKind.BRANCH).order_by("-path")[:3]):
        if org.pk not in by_org:  # a committee serving retirees directly is a unit only when it holds records
            continue
        hand = _hand_counts(org.path)
        for key, cell in by_org[org.pk].cells.items():
            assert (cell.total, cell.missing) == hand[key], (org.name, key)
    # Ranked by what is missing, most first.
    missing = [u.missing for u in data["units"]]
    assert missing == sorted(missing, reverse=True)


def test_query_count_does_not_grow_with_the_tree(planted, django_assert_max_num_queries):
    root = _root()
    with django_assert_max_num_queries(1 + len(available_rules())):
        selectors.board(root)
    with django_assert_max_num_queries(1 + len(available_rules())):
        selectors.board(planted["b1"])


def test_jurisdiction_page_ranks_branches_never_people(client, planted):
    client.force_login(User.objects.get(username="admin"))
    response = client.get("/completeness/", {"rule": "meeting_minutes"})
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<tr data-org="([^"]+)"', html)
    # Ranked by this rule's missing count (hand-counted), most first; the planted branch is among them.
    branches = [o for o in (Organization.objects.get(code=c) for c in rows[:8]) if o.kind == OrgKind.BRANCH][:6]
    counts = [_hand_counts(o.path)["meeting_minutes"][1] for o in branches]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 3
    assert planted["b1"].code in rows
    assert planted["alone"].name not in html  # no person is named, let alone ranked


def test_branch_page_lists_each_record_at_its_field(client, planted):
    client.force_login(User.objects.get(username="admin"))
    b1 = planted["b1"]
    response = client.get(f"/completeness/branch/{b1.code}/", {"rule": "meeting_minutes"})
    assert response.status_code == 200
    html = response.content.decode()
    expected = _hand_counts(b1.path)["meeting_minutes"][1]
    assert f"（共 {expected} 条）" in html
    for m in planted["meetings"]:
        assert f"/life/meetings/{m.pk}/edit/#id_minutes" in html
    assert client.get(f"/life/meetings/{planted['meetings'][0].pk}/edit/").status_code == 200
    b2 = planted["b2"]
    html = client.get(f"/completeness/branch/{b2.code}/", {"rule": "alone_emergency_contact"}).content.decode()
    assert f"/retirees/{planted['alone'].pk}/edit/#id_family_contact" in html


def test_exports_go_through_the_gate(client, planted):
    from changqing.core.models import OperationLog

    client.force_login(User.objects.get(username="admin"))
    response = client.get("/completeness/", {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    assert any(r and r[1] == planted["b1"].name for r in rows)
    response = client.get(f"/completeness/branch/{planted['b1'].code}/", {"rule": "meeting_minutes", "export": "xlsx"})
    assert response.status_code == 200
    assert OperationLog.objects.filter(event=OperationLog.Event.EXPORT, detail__contains="信息完整度").exists()


def test_a_secretary_sees_their_own_branch_only(client, planted):
    shuji = User.objects.get(username="shuji")
    own = shuji.role_assignments.get().organization
    client.force_login(shuji)
    response = client.get("/completeness/")
    assert response.status_code == 302 and response["Location"].endswith(f"/completeness/branch/{own.code}/")
    assert client.get(f"/completeness/branch/{own.code}/").status_code == 200
    other = Organization.objects.filter(kind=OrgKind.BRANCH).exclude(pk=own.pk).exclude(
        path__startswith=own.path).first()
    assert client.get(f"/completeness/branch/{other.code}/").status_code == 404
    assert client.get("/completeness/", {"org": other.code}).status_code == 404
    assert client.get("/completeness/", {"rule": "nonsense", "sort": "x"}).status_code in (200, 302)


def test_rules_are_data():
    rule = RULE_BY_KEY["retiree_id_number"]
    assert rule.model == "members.Retiree" and rule.label == "缺身份证号"
    assert {r.key for r in available_rules()} >= {"retiree_id_number", "meeting_minutes", "term_election",
                                                   "member_joined_on", "retiree_birth_date", "alone_emergency_contact"}
