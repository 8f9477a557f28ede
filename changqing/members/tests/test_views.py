import datetime as dt

import pytest

from changqing.core.models import OperationLog
from changqing.members import services
from changqing.members.models import Absence, Membership, Transfer
from changqing.members.rules import add_months
from changqing.members.selectors import register_record_section, _record_sections

from .helpers import person

D = dt.date


def fill(org, n, start_seq):
    for i in range(n):
        r = person(org, f"测试{start_seq + i}号", D(1950, 1, 1) + dt.timedelta(days=i), start_seq + i,
                   member=i % 3 != 0)
        Absence.objects.create(retiree=r, start_on=D(2025, 11, 1), end_on=D(2026, 3, 1), place="海南省三亚市")


@pytest.mark.parametrize("url", ["/retirees/?q=ce", "/retirees/?sort=-birth_date&party=member&away=0",
                                 "/retirees/absences/?due=alert", "/retirees/transfers/"])
def test_list_queries_do_not_grow(tree, client, secretary_a, django_assert_max_num_queries, url):
    client.force_login(secretary_a)
    fill(tree.a, 3, 100)
    with django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    fill(tree.a, 25, 200)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def history(membership, tree, n):
    for i in range(n):
        services.membership_move(membership=membership, to_org=tree.b if i % 2 == 0 else tree.a,
                                 on=D(2000 + i, 1, 1), reason="测试", letter_no=f"L{i}")
        Absence.objects.create(retiree=membership.retiree, start_on=D(2000 + i, 2, 1), end_on=D(2000 + i, 3, 1),
                               place="三亚")


def test_record_page_queries_do_not_grow(tree, client, bureau_admin, django_assert_max_num_queries):
    client.force_login(bureau_admin)
    m = tree.ra.membership
    history(m, tree, 2)
    url = f"/retirees/{tree.ra.pk}/"
    # 30 for the page and the first sections; +5 for lifeevents' 生活事件 (a fixed number, issue 20).
    with django_assert_max_num_queries(35) as small:
        assert client.get(url).status_code == 200
    history(m, tree, 0)
    for i in range(2, 12):
        services.membership_move(membership=m, to_org=tree.b if i % 2 == 0 else tree.a, on=D(2000 + i, 1, 1),
                                 reason="测试")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("辖区内调整") >= 12


def test_record_page_shows_history_and_masks(tree, client, secretary_a):
    m = tree.ra.membership
    services.membership_transfer_out(membership=m, on=D(2020, 5, 1), to_name="海南省三亚市某社区党委", letter_no="琼组转88号")
    services.membership_transfer_in(retiree=tree.ra, to_org=tree.a, on=D(2022, 5, 1), from_name="三亚某社区党委")
    client.force_login(secretary_a)
    page = client.get(f"/retirees/{tree.ra.pk}/").content.decode()
    for text in ("党员管理台账", "组织关系转出", "组织关系转入", "琼组转88号", "海南省三亚市某社区党委", "110105********002X",
                 "138****1234", "外出流动"):
        assert text in page, text
    assert "11010519491231002X" not in page and "13800001234" not in page
    assert not OperationLog.objects.filter(event="unmask").exists()
    # A GET cannot reveal (revealing is an explicit POST: test_masking.py has the rest).
    assert "11010519491231002X" not in client.get(f"/retirees/{tree.ra.pk}/?reveal=1").content.decode()
    page = client.post(f"/retirees/{tree.ra.pk}/reveal/").content.decode()
    assert "11010519491231002X" in page
    assert OperationLog.objects.filter(event="unmask", detail__contains="张宏伟").count() == 1


def test_other_branch_is_out_of_reach(tree, client, secretary_a):
    client.force_login(secretary_a)
    for url in (f"/retirees/{tree.rb.pk}/", f"/retirees/{tree.rb.pk}/edit/", f"/retirees/{tree.rb.pk}/membership/move/",
                f"/retirees/{tree.rb.pk}/absences/new/", f"/retirees/{tree.rb.pk}/death/"):
        assert client.get(url).status_code == 404, url
    # A secretary may not move a member into a branch they do not manage.
    r = client.post(f"/retirees/{tree.ra.pk}/membership/move/", {"to_org": tree.b.pk, "on": "2026-01-01",
                                                                  "reason": "x"})
    assert "只能选择您有权管理的党组织" in r.context["form"].errors["to_org"][0]


def test_record_sections_registry(tree, client, bureau_admin):
    def section(request, retiree):
        if retiree.pk != tree.ra.pk:
            return None
        return {"title": "测试栏目", "order": 50, "items": [{"label": "值", "value": 42, "url": "/x/"}]}

    register_record_section(section)
    try:
        client.force_login(bureau_admin)
        page = client.get(f"/retirees/{tree.ra.pk}/").content.decode()
        assert "测试栏目" in page and '<a href="/x/">42</a>' in page
        assert "测试栏目" not in client.get(f"/retirees/{tree.rb.pk}/").content.decode()
    finally:
        _record_sections.remove(section)


def test_move_transfer_and_absence_through_pages(tree, client, bureau_admin):
    client.force_login(bureau_admin)
    r = client.post(f"/retirees/{tree.ra.pk}/membership/move/",
                    {"to_org": tree.b.pk, "on": "2025-03-01", "reason": "居住地变化", "letter_no": "永组转1号"})
    assert r.status_code == 302
    m = Membership.objects.get(retiree=tree.ra)
    assert m.organization == tree.b
    t = Transfer.objects.get()
    assert (t.from_org, t.to_org, t.letter_no) == (tree.a, tree.b, "永组转1号")
    r = client.post(f"/retirees/{tree.ra.pk}/membership/transfer-out/",
                    {"to_name": "长沙市某党委", "on": "2026-01-01", "letter_no": "永组转2号"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.state == "transferred_out"
    page = client.get("/retirees/transfers/?direction=out").content.decode()
    assert "长沙市某党委" in page and "永组转1号" not in page
    r = client.post(f"/retirees/{tree.ra.pk}/absences/new/",
                    {"start_on": "2026-10-01", "expected_end_on": "2027-06-01", "place": "海南省三亚市"})
    assert r.status_code == 302
    a = Absence.objects.get(retiree=tree.ra)
    r = client.post(f"/retirees/absences/{a.pk}/edit/",
                    {"start_on": "2026-10-01", "expected_end_on": "2027-06-01", "place": "海南省三亚市",
                     "host_org_name": "三亚市候鸟党支部", "host_since": "2026-10-20"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.host_org_name == "三亚市候鸟党支部"


def test_absence_alerts_on_home_and_list(tree, client, secretary_a, today):
    long_ago = add_months(today, -7)
    Absence.objects.create(retiree=tree.ra, start_on=long_ago, place="海南省三亚市")
    Absence.objects.create(retiree=tree.rb, start_on=long_ago, place="海南省三亚市")  # other branch
    client.force_login(secretary_a)
    home = client.get("/").content.decode()
    assert "党员管理提醒" in home and "外出满6个月、未转临时组织关系" in home
    page = client.get("/retirees/absences/?due=long_overdue").content.decode()
    assert "共 1 条" in page and "应转临时组织关系" in page
    # Returned members, hosted ones and non-members raise nothing.
    Absence.objects.update(host_org_name="三亚市候鸟党支部")
    assert "外出满6个月" not in client.get("/").content.decode()


def test_export_is_masked_and_logged(tree, client, secretary_a):
    client.force_login(secretary_a)
    r = client.get("/retirees/?export=xlsx")
    assert r.status_code == 200
    from openpyxl import load_workbook
    import io

    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "110105********002X" in values and "11010519491231002X" not in values
    assert OperationLog.objects.filter(event="export").exists()


def test_api_lists_are_scoped(tree, client, secretary_a):
    client.force_login(secretary_a)
    services.membership_move(membership=tree.rb.membership, to_org=tree.root, on=D(2020, 1, 1), reason="x")
    data = client.get("/api/v1/transfers/").json()
    assert data["count"] == 0 if isinstance(data, dict) else data == []
    members = client.get("/api/v1/memberships/").json()
    names = [m["retiree_name"] for m in (members["results"] if isinstance(members, dict) else members)]
    assert names == ["张宏伟"]


def test_carer_updates_profile_but_not_the_party_relationship(tree, client):
    from changqing.core import scope
    from changqing.core.roles import Role, ScopeKind

    from tests.factories import make_user

    carer = make_user("carer", Role.CARER)
    previous = scope._resolvers.get(ScopeKind.PAIRS)
    scope.register_scope_resolver(ScopeKind.PAIRS, lambda a: (set(), {tree.ra.pk}))
    try:
        client.force_login(carer)
        page = client.get(f"/retirees/{tree.ra.pk}/").content.decode()
        assert "修改信息" in page and "转出辖区" not in page and "登记去世" not in page
        assert client.get(f"/retirees/{tree.ra.pk}/edit/").status_code == 200
        r = client.post(f"/retirees/{tree.ra.pk}/membership/transfer-out/", {"to_name": "外县", "on": "2026-01-01"})
        assert r.status_code == 403
        assert client.post(f"/retirees/{tree.ra.pk}/death/", {"on": "2026-01-01"}).status_code == 403
        assert Membership.objects.get(retiree=tree.ra).state == "active"
    finally:
        if previous is not None:
            scope.register_scope_resolver(ScopeKind.PAIRS, previous)


def test_a_member_sees_their_branch_named_on_their_own_record_but_not_as_a_dead_link(client, tree):
    """Found by make soak: a member's own record linked to the branch page, which a member may not open (404)."""
    from changqing.core.roles import Role
    from tests.factories import make_user

    retiree = tree.ra
    member = make_user("self_member", Role.MEMBER)
    member.retiree = retiree
    member.save()
    client.force_login(member)
    page = client.get(f"/retirees/{retiree.pk}/").content.decode()
    assert tree.a.name in page
    assert f'href="{tree.a.get_absolute_url()}"' not in page
    assert client.get(tree.a.get_absolute_url()).status_code == 404
