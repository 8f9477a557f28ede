"""The roll of a past month (DOMAIN.md §5): everyone who owed it, wherever they are now.

A member who has since died, transferred out, left or moved to another branch still owed the months they were a
member of the branch; the `dues` command, the API, the collection sheet and the yearly ledger of a past month
list them with what they owed and paid then.
"""
import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from changqing.core.roles import Role
from changqing.dues.models import DuesBase, DuesMonth, DuesPayment
from changqing.dues.selectors import branches_in_month, month_roll
from changqing.members import services
from tests.factories import make_retiree, make_user


def _member(org, name, **kw):
    m = make_retiree(org, name, history=True, **kw).membership
    DuesBase.objects.create(membership=m, effective_from=dt.date(2024, 1, 1), category="retiree",
                            pension_whole=D("4000.00"), pension_basic=D("3000.00"))
    return m


@pytest.fixture
def people(tree):
    stays = _member(tree.a, "留在甲")
    died = _member(tree.a, "四月去世")
    gone = _member(tree.a, "五月转出")
    moved = _member(tree.a, "六月调乙")
    left = _member(tree.a, "二月出党")
    p = DuesPayment.objects.create(membership=died, organization=tree.a, first_month=dt.date(2025, 3, 1),
                                   amount=D("15.00"), paid_on=dt.date(2025, 3, 5))
    DuesMonth.objects.create(membership=died, month=dt.date(2025, 3, 1), amount_due=D("15.00"), payment=p)
    services.retiree_record_death(retiree=died.retiree, on=dt.date(2025, 4, 12))
    services.membership_transfer_out(membership=gone, on=dt.date(2025, 5, 20), to_name="外省某支部")
    services.membership_move(membership=moved, to_org=tree.b, on=dt.date(2025, 6, 10), reason="搬家")
    services.membership_leave(membership=left, on=dt.date(2025, 2, 10), note="支部党员大会决定")
    return type("P", (), {"ra": tree.ra.membership.pk, "rb": tree.rb.membership.pk, "stays": stays, "died": died, "gone": gone, "moved": moved, "left": left})


def _ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_roll_of_a_past_month_keeps_those_who_have_gone(tree, people):
    p = people
    march = [dt.date(2025, 3, 1)]
    assert _ids(month_roll(march, org=tree.a)) == {p.ra, p.stays.pk, p.died.pk, p.gone.pk, p.moved.pk}
    assert _ids(month_roll(march, org=tree.b)) == {p.rb}
    # The month of death, of transferring out and of moving are owed; the next ones are not.
    assert p.died.pk in _ids(month_roll([dt.date(2025, 4, 1)], org=tree.a))
    assert p.died.pk not in _ids(month_roll([dt.date(2025, 5, 1)]))
    assert p.gone.pk in _ids(month_roll([dt.date(2025, 5, 1)], org=tree.a))
    assert p.gone.pk not in _ids(month_roll([dt.date(2025, 6, 1)]))
    # Moving mid-June: June is on both branches' rolls (a member of each on some day of it), July only on B's.
    assert p.moved.pk in _ids(month_roll([dt.date(2025, 6, 1)], org=tree.a)) & _ids(
        month_roll([dt.date(2025, 6, 1)], org=tree.b))
    assert p.moved.pk not in _ids(month_roll([dt.date(2025, 7, 1)], org=tree.a))
    assert p.moved.pk in _ids(month_roll([dt.date(2025, 7, 1)], org=tree.b))
    # Left in February: owed February, not March.
    assert p.left.pk in _ids(month_roll([dt.date(2025, 2, 1)], org=tree.a))
    assert p.left.pk not in _ids(month_roll(march, org=tree.a))
    # Today the branch's roll is only who is there.
    assert _ids(month_roll([dt.date(2026, 11, 1)], org=tree.a)) == {p.ra, p.stays.pk}


def test_branch_of_the_month(tree, people):
    p = people
    then = branches_in_month([p.moved.pk, p.died.pk], dt.date(2025, 3, 1))
    assert then[p.moved.pk]["code"] == "T-A" and then[p.died.pk]["code"] == "T-A"
    assert branches_in_month([p.moved.pk], dt.date(2025, 8, 1))[p.moved.pk]["code"] == "T-B"


def test_command_lists_a_past_month_with_what_was_owed_and_paid(tree, people):
    p = people
    out = io.StringIO()
    call_command("dues", "--month", "2025-03", "--org", "T-A", stdout=out)
    rows = {r["member_id"]: r for r in json.loads(out.getvalue())}
    assert set(rows) == {p.ra, p.stays.pk, p.died.pk, p.gone.pk, p.moved.pk}
    assert rows[p.died.pk]["paid"] == "15.00" and rows[p.died.pk]["amount_due"] == "15.00"
    assert rows[p.gone.pk]["amount_due"] == "15.00" and rows[p.gone.pk]["paid"] == "0.00"
    # Listed under the branch that held them that month, not where they are now.
    assert rows[p.moved.pk]["branch_code"] == "T-A"
    out = io.StringIO()
    call_command("dues", "--month", "2025-08", stdout=out)
    august = {r["member_id"]: r for r in json.loads(out.getvalue())}
    assert p.died.pk not in august and p.gone.pk not in august
    assert august[p.moved.pk]["branch_code"] == "T-B"


def test_sheet_and_ledger_of_a_past_month(client, tree, people):
    p = people
    client.force_login(make_user("sec", Role.BRANCH_SECRETARY, organization=tree.a))
    page = client.get(reverse("dues:sheet", args=["T-A", "2025-03"])).content.decode()
    for m in (p.stays, p.died, p.gone, p.moved):
        assert m.retiree.name in page
    assert p.left.retiree.name not in page
    ledger = client.get(reverse("dues:ledger", args=["T-A", 2025])).content.decode()
    for m in (p.stays, p.died, p.gone, p.moved, p.left):
        assert m.retiree.name in ledger


def test_api_month_roll(client, tree, people):
    p = people
    client.force_login(make_user("bureau", Role.BUREAU_ADMIN, organization=tree.root))
    rows = client.get("/api/v1/dues-months/", {"month": "2025-03", "org": "T-A"}).json()["results"]
    by_id = {r["member_id"]: r for r in rows}
    assert set(by_id) == {p.ra, p.stays.pk, p.died.pk, p.gone.pk, p.moved.pk}
    assert by_id[p.died.pk]["paid"] == "15.00" and by_id[p.died.pk]["state"] == "deceased"
    bad = client.get("/api/v1/dues-months/", {"month": "2025-13"})
    assert bad.status_code == 400 and "年-月" in bad.json()["month"][0]


def test_api_month_roll_is_scoped(client, tree, people):
    p = people
    client.force_login(make_user("sec_b", Role.BRANCH_SECRETARY, organization=tree.b))
    assert client.get("/api/v1/dues-months/", {"month": "2025-03", "org": "T-A"}).status_code == 404
    rows = client.get("/api/v1/dues-months/", {"month": "2025-03"}).json()["results"]
    # B's own roll in March 2025: its one member (the moved member came in June)
    assert [r["member_id"] for r in rows] == [p.rb]


def test_month_of_death_is_a_policy(tree, people):
    """DOMAIN.md §5: the month of death is owed by default; a bureau may decide it is not. compute() (the pages and
    the command) and the SQL roll (dashboards, lists) give the same answer either way."""
    from changqing.dues.selectors import compute, owes_q, with_first_base
    from changqing.dues.tests.helpers import set_policy
    from changqing.members.models import Membership

    p = people
    april = dt.date(2025, 4, 1)

    def both():
        in_python = compute(Membership.objects.filter(pk=p.died.pk), [april], as_of=april)[0].owes(april)
        in_sql = with_first_base(Membership.objects.filter(pk=p.died.pk)).filter(owes_q(april, in_python)).exists()
        return in_python, in_sql, p.died.pk in _ids(month_roll([april], org=tree.a))

    assert both() == (True, True, True)
    set_policy(tree.root, death_month_owed=False)
    in_python, _, on_roll = both()
    assert (in_python, on_roll) == (False, False)
    assert not with_first_base(Membership.objects.filter(pk=p.died.pk)).filter(owes_q(april, False)).exists()
    # March is still owed; transferring out in May still owes May (the policy is about death only).
    assert p.died.pk in _ids(month_roll([dt.date(2025, 3, 1)], org=tree.a))
    assert p.gone.pk in _ids(month_roll([dt.date(2025, 5, 1)], org=tree.a))


def test_policy_page_names_the_defaults(client, tree):
    client.force_login(make_user("bureau", Role.BUREAU_ADMIN, organization=tree.root))
    page = client.get(reverse("dues:policy", args=["T"])).content.decode()
    assert "基本养老金" in page and "（默认）" in page and "去世当月" in page
