"""The one mechanism for rules as data: nearest wins, versions by date, bulk resolution, history, pages."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changqing.core.models import ObjectChange
from changqing.orgs.models import Organization, OrgKind
from changqing.policies.kinds import FAR_PAST
from changqing.policies.models import Policy, PolicyVersion
from changqing.policies.selectors import Resolver, policies_for, policy_for, version_for
from changqing.policies.services import policy_version_create
from tests.factories import make_user

WARN = "warning_months"
D2026 = dt.date(2026, 6, 30)
D2027 = dt.date(2027, 1, 1)


def set_months(org, months, start=FAR_PAST, **kw):
    return policy_version_create(kind=WARN, organization=org, valid_from=start, values={"months": months}, **kw)


def test_default_when_nothing_is_set(tree):
    assert policy_for(WARN, tree.a, D2026) == (3, 5, 6)
    assert version_for(WARN, tree.a, D2026) is None


def test_nearest_ancestor_wins(tree):
    set_months(tree.root, [2, 4])
    set_months(tree.a, [1])
    assert policy_for(WARN, tree.a, D2026) == (1,)
    assert policy_for(WARN, tree.b, D2026) == (2, 4)  # inherits from the root
    assert policy_for(WARN, tree.root, D2026) == (2, 4)
    assert version_for(WARN, tree.b, D2026).policy.organization == tree.root


def test_a_version_valid_from_a_later_date_does_not_apply_before_it(tree):
    set_months(tree.root, [3, 5, 6])
    set_months(tree.a, [4], start=D2027)  # the branch's own rules start in 2027
    assert policy_for(WARN, tree.a, dt.date(2026, 12, 31)) == (3, 5, 6)  # the root's until then
    assert policy_for(WARN, tree.a, D2027) == (4,)


def test_new_version_closes_the_previous_one_and_keeps_it(tree):
    first = set_months(tree.root, [3, 5, 6])
    second = set_months(tree.root, [2, 6], start=D2027, note="新规定")
    first.refresh_from_db()
    assert first.valid_to == dt.date(2026, 12, 31) and second.valid_to is None
    assert policy_for(WARN, tree.a, D2026) == (3, 5, 6) and policy_for(WARN, tree.a, D2027) == (2, 6)
    assert Policy.objects.get().versions.count() == 2
    # both rows and the change of the first one's end are in the change log
    ct_versions = ObjectChange.objects.filter(content_type__model="policyversion")
    assert ct_versions.filter(object_id=str(first.pk), action="update").exists()
    assert ct_versions.filter(object_id=str(second.pk), action="create").exists()


def test_a_version_cannot_start_on_or_before_one_in_force(tree):
    set_months(tree.root, [3, 5, 6], start=dt.date(2025, 1, 1))
    for start in (dt.date(2025, 1, 1), dt.date(2024, 6, 1)):
        with pytest.raises(ValidationError) as exc:
            set_months(tree.root, [2], start=start)
        assert "生效日期须晚于现行版本的生效日期" in " ".join(exc.value.message_dict["valid_from"])
    assert PolicyVersion.objects.count() == 1


def test_an_end_date_hands_back_to_the_parent(tree):
    set_months(tree.root, [2, 4])
    set_months(tree.a, [1], start=dt.date(2026, 1, 1), valid_to=dt.date(2026, 3, 31))
    assert policy_for(WARN, tree.a, dt.date(2026, 3, 31)) == (1,)
    assert policy_for(WARN, tree.a, dt.date(2026, 4, 1)) == (2, 4)


def test_branch_only_kind_refused_above_a_branch(tree):
    with pytest.raises(ValidationError, match="只能由党支部设置"):
        policy_version_create(kind="dues.quarterly", organization=tree.root, valid_from=FAR_PAST,
                              values={"allowed": True})


def _branches(root, n):
    return [Organization.objects.create(code=f"{root.code}-N{n}-{i:02d}", name=f"第{i}支部", kind=OrgKind.BRANCH,
                                        parent=root) for i in range(n)]


def test_bulk_resolution_query_count_does_not_grow_with_orgs_or_dates(tree):
    set_months(tree.root, [3, 5, 6])
    set_months(tree.a, [4], start=dt.date(2026, 7, 1))
    months = [dt.date(2026, m, 28) for m in range(1, 13)]
    counts = []
    for n in (2, 15):
        orgs = [tree.a, tree.b, *_branches(tree.root, n)]
        for o in orgs[3:]:
            set_months(o, [n], start=dt.date(2026, 3, 1))
        with CaptureQueriesContext(connection) as ctx:
            got = policies_for(WARN, orgs, months)
        counts.append(len(ctx.captured_queries))
        assert got[(tree.a.pk, dt.date(2026, 6, 28))] == (3, 5, 6) and got[(tree.a.pk, dt.date(2026, 7, 28))] == (4,)
        assert got[(orgs[-1].pk, dt.date(2026, 2, 28))] == (3, 5, 6) and got[(orgs[-1].pk, months[-1])] == (n,)
    assert counts == [1, 1]


def test_resolver_of_several_kinds_is_one_query(tree):
    set_months(tree.root, [3, 5, 6])
    with CaptureQueriesContext(connection) as ctx:
        r = Resolver(WARN, "dues", "dues.quarterly", root=tree.root)
        for o in (tree.a, tree.b):
            r.value(WARN, o, D2026), r.value("dues", o, D2026), r.value("dues.quarterly", o, D2026)
    assert len(ctx.captured_queries) == 1


# -- pages ------------------------------------------------------------------

@pytest.fixture
def admin(client, tree):
    from changqing.core.roles import Role

    client.force_login(make_user("bureau", Role.BUREAU_ADMIN, organization=tree.root))
    return client


def test_admin_sets_a_new_version_with_errors_beside_fields(admin, tree):
    url = reverse("policies:set", args=[WARN, tree.root.code])
    page = admin.get(url)
    assert page.status_code == 200 and "3,5,6" in page.content.decode()  # prefilled with the rules in force
    for bad, msg in [({"months": "三"}, "请填写整数月数"), ({"months": "30"}, "月数应在1到24之间"),
                     ({"v-valid_from": ""}, "请填写生效日期")]:
        r = admin.post(url, {"v-valid_from": "2027-01-01", "months": "2,4", **bad})
        assert r.status_code == 200 and msg in r.content.decode(), msg
    assert not PolicyVersion.objects.exists()
    r = admin.post(url, {"v-valid_from": "2027-01-01", "v-note": "试行", "months": "2，4"})
    assert r.status_code == 302
    policy = Policy.objects.get(kind=WARN, organization=tree.root)
    assert policy_for(WARN, tree.a, D2027) == (2, 4) and policy_for(WARN, tree.a, D2026) == (3, 5, 6)
    detail = admin.get(policy.get_absolute_url()).content.decode()
    assert "2027-01-01起有效" in detail and "试行" in detail and "新增" in detail  # versions and their history
    listed = admin.get(reverse("policies:list")).content.decode()
    assert "六个月规则预警月数" in listed and "共 1 条" in listed
    r = admin.post(url, {"v-valid_from": "2026-06-01", "months": "1"})
    assert "生效日期须晚于现行版本的生效日期" in r.content.decode()
    r = admin.post(url, {"v-valid_from": "2028-01-01", "v-valid_to": "2027-06-30", "months": "1"})
    assert "失效日期不能早于生效日期" in r.content.decode() and policy.versions.count() == 1


def test_a_branch_needs_a_reason_and_a_secretary_cannot_set_bureau_rules(admin, client, tree):
    from changqing.core.roles import Role

    r = admin.post(reverse("policies:set", args=[WARN, tree.a.code]), {"v-valid_from": "2027-01-01", "months": "2"})
    assert "请写明理由" in r.content.decode() and not PolicyVersion.objects.exists()
    client.force_login(make_user("sec", Role.BRANCH_SECRETARY, organization=tree.a))
    assert client.get(reverse("policies:set", args=[WARN, tree.a.code])).status_code == 404
    assert client.post(reverse("policies:set", args=[WARN, tree.a.code]),
                       {"v-valid_from": "2027-01-01", "months": "2", "v-note": "x"}).status_code == 404
    assert not PolicyVersion.objects.exists()
    # the branch's own decision (a kind a secretary may set) goes through
    r = client.post(reverse("policies:set", args=["dues.quarterly", tree.a.code]),
                    {"v-valid_from": "2027-01-01", "v-note": "支部党员大会决定", "allowed": "on"})
    assert r.status_code == 302


def test_out_of_scope_policy_is_404_and_ancestor_policy_is_readable(client, tree):
    from changqing.core.roles import Role

    own_b = set_months(tree.b, [1], note="乙支部")
    root = set_months(tree.root, [2, 4])
    client.force_login(make_user("sec", Role.BRANCH_SECRETARY, organization=tree.a))
    assert client.get(own_b.policy.get_absolute_url()).status_code == 404
    assert client.get(root.policy.get_absolute_url()).status_code == 200  # the rules that apply to them
    listed = client.get(reverse("policies:list")).content.decode()
    assert "乙支部专有名称" not in listed and "共 1 条" in listed
