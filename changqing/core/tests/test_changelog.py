"""Change history: who, when, before and after of every domain write; history page; restore."""
import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changqing.accounts.roles import Role
from changqing.core.changelog import ChangeLoggedModel, bulk_log_changes, history_for, restore_deleted
from changqing.core.context import acting_as
from changqing.core.models import ObjectChange
from changqing.members.models import Absence, Retiree
from changqing.orgs.models import Organization, OrgKind
from tests.factories import make_user


def _history_url(obj):
    return f"/history/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"


def test_create_update_delete_are_recorded_with_who_and_what(tree, secretary_a):
    with acting_as(secretary_a):
        absence = Absence.objects.create(retiree=tree.ra, start_on=dt.date(2026, 11, 1), place="海南省三亚市",
                                         reason="冬季异地居住")
        absence.place = "广西北海市"
        absence.save()
        absence.save()  # no change: no record
        pk = absence.pk
        absence.delete()
    changes = list(ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Absence),
                                               object_id=str(pk)).order_by("id"))
    assert [c.action for c in changes] == ["create", "update", "delete"]
    create, update, delete = changes
    assert all(c.user == secretary_a and c.user_name == "sec_a" for c in changes)
    assert create.before is None and create.after["place"] == "海南省三亚市"
    assert update.before["place"] == "海南省三亚市" and update.after["place"] == "广西北海市"
    assert update.changed_fields() == [("place", "海南省三亚市", "广西北海市")]
    assert delete.before["place"] == "广西北海市" and delete.after is None
    assert all(c.org_path == tree.a.path for c in changes)
    assert all(c.time is not None for c in changes)


def test_request_writes_carry_the_user_and_request_id(client, tree, bureau_admin):
    client.force_login(bureau_admin)
    response = client.post(f"/orgs/{tree.b.code}/edit/", {
        "code": tree.b.code, "name": "乙支部新名称", "kind": tree.b.kind, "parent": tree.root.pk,
        "setup_kind": tree.b.setup_kind, "nature": tree.b.nature, "zone": tree.zone_b.pk, "term_years": 3})
    assert response.status_code == 302, response.content.decode()[:2000]
    change = history_for(tree.b).first()
    assert change.action == "update" and change.user == bureau_admin and change.request_id is not None
    assert ("name", "乙支部专有名称", "乙支部新名称") in change.changed_fields()


def test_history_page_shows_changes_in_chinese(client, tree, secretary_a):
    with acting_as(secretary_a):
        tree.ra.phone = "13911112222"
        tree.ra.save()
    client.force_login(secretary_a)
    page = client.get(_history_url(tree.ra)).content.decode()
    assert "变更历史：张宏伟" in page and "修改" in page and "新增" in page
    assert "联系电话" in page  # the field's Chinese label, not its name
    # Personal data stays masked in the history as everywhere else.
    assert "139****2222" in page and "13911112222" not in page and "11010519491231002X" not in page


def test_history_of_another_branch_is_404(client, tree, secretary_a):
    client.force_login(secretary_a)
    assert client.get(_history_url(tree.rb)).status_code == 404
    ct = ContentType.objects.get_for_model(Retiree).pk
    assert client.get(f"/history/{ct}/not-a-number/").status_code == 404
    assert client.get(f"/history/{ct}/999999/").status_code == 404


def _delete_absence(retiree, user=None):
    with acting_as(user):
        absence = Absence.objects.create(retiree=retiree, start_on=dt.date(2026, 11, 1), place="海南省三亚市")
        pk = absence.pk
        absence.delete()
    return pk, ObjectChange.objects.get(object_id=str(pk), action="delete",
                                        content_type=ContentType.objects.get_for_model(Absence))


def test_admin_restores_a_deleted_record(client, tree, bureau_admin):
    pk, deletion = _delete_absence(tree.rb)
    client.force_login(bureau_admin)
    history = client.get(f"/history/{deletion.content_type_id}/{pk}/").content.decode()
    assert "恢复这条记录" in history
    response = client.post(f"/changes/{deletion.pk}/restore/", follow=True)
    restored = Absence.objects.get(pk=pk)
    assert restored.place == "海南省三亚市" and restored.retiree == tree.rb
    assert "已恢复" in response.content.decode()
    last = history_for(restored).first()
    assert last.action == "restore" and last.user == bureau_admin
    from changqing.core.models import OperationLog

    assert OperationLog.objects.filter(event=OperationLog.Event.RESTORE, username="bureau").exists()
    # Restoring again changes nothing and says why.
    again = client.post(f"/changes/{deletion.pk}/restore/", follow=True).content.decode()
    assert Absence.objects.filter(pk=pk).count() == 1 and "该记录已经存在" in again


def test_restore_out_of_scope_or_without_manage_is_404(client, tree, secretary_a):
    pk, deletion = _delete_absence(tree.rb)
    admin_a = make_user("admin_a", Role.BUREAU_ADMIN, organization=tree.a)
    for user in (admin_a, secretary_a):
        client.force_login(user)
        assert client.post(f"/changes/{deletion.pk}/restore/").status_code == 404
    assert not Absence.objects.filter(pk=pk).exists()
    # A secretary sees the deleted record's history in their own branch, without a restore button.
    own_pk, own_deletion = _delete_absence(tree.ra)
    client.force_login(secretary_a)
    page = client.get(f"/history/{own_deletion.content_type_id}/{own_pk}/").content.decode()
    assert "记录已删除" in page and "恢复这条记录" not in page
    assert client.get(f"/changes/{own_deletion.pk}/restore/").status_code == 405


def test_restore_when_a_related_record_is_gone_explains_and_writes_nothing(tree, bureau_admin):
    org = Organization.objects.create(code="T-C", name="丙支部", kind=OrgKind.BRANCH, parent=tree.root)
    person = Retiree.objects.create(name="丙某", gender="male", id_number="11010519500101999X",
                                    birth_date=dt.date(1949, 12, 31), organization=org)
    person_pk = person.pk
    person.delete()
    org.delete()
    deletion = ObjectChange.objects.get(object_id=str(person_pk), action="delete",
                                        content_type=ContentType.objects.get_for_model(Retiree))
    before = ObjectChange.objects.count()
    with pytest.raises(ValueError, match="所在组织|组织"):
        restore_deleted(deletion)
    assert not Retiree.objects.filter(pk=person_pk).exists() and ObjectChange.objects.count() == before


def test_restore_refuses_duplicates_and_older_deletions(tree):
    org = Organization.objects.create(code="T-C", name="丙支部", kind=OrgKind.BRANCH, parent=tree.root)
    old_pk = org.pk
    org.delete()
    first_deletion = ObjectChange.objects.filter(object_id=str(old_pk), action="delete").latest("id")
    Organization.objects.create(code="T-C", name="新丙支部", kind=OrgKind.BRANCH, parent=tree.root)
    with pytest.raises(ValueError, match="已存在"):
        restore_deleted(first_deletion)
    with pytest.raises(ValueError, match="只有删除记录"):
        restore_deleted(ObjectChange.objects.filter(object_id=str(old_pk), action="create").get())
    # Restore, delete again: only the latest deletion may be restored.
    Organization.objects.filter(code="T-C").delete()
    restore_deleted(first_deletion)
    Organization.objects.get(pk=old_pk).delete()
    with pytest.raises(ValueError, match="最近一次"):
        restore_deleted(first_deletion)
    latest = ObjectChange.objects.filter(object_id=str(old_pk), action="delete").latest("id")
    assert restore_deleted(latest).name == "丙支部"


def _retirees(org, n, start=0):
    from changqing.core.idcard import check_char

    people = []
    for i in range(start, start + n):
        body = f"11010519500101{i:03d}"
        people.append(Retiree(name=f"批量{i}", gender="male", id_number=body + check_char(body),
                              birth_date=dt.date(1950, 1, 1), organization=org))
    return Retiree.objects.bulk_create(people)


@pytest.mark.parametrize("n", [10, 250])
def test_bulk_log_changes_writes_one_insert_per_batch(tree, n):
    people = _retirees(tree.a, n)
    with CaptureQueriesContext(connection) as ctx:
        bulk_log_changes(people, batch_size=100)
    inserts = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    # One INSERT per batch of 100 — or as few as the database's bound-parameter limit allows (SQLite: 999).
    fields = [f for f in ObjectChange._meta.concrete_fields if not f.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, [None] * 100)
    batches = [min(100, n - i) for i in range(0, n, 100)]
    assert len(inserts) == sum(-(-b // per_insert) for b in batches)
    assert len(ctx.captured_queries) <= len(inserts) + 1  # plus at most the content type lookup
    logged = ObjectChange.objects.filter(action="create", object_id__in=[str(p.pk) for p in people],
                                         content_type=ContentType.objects.get_for_model(Retiree))
    assert logged.count() == n
    assert {c.org_path for c in logged} == {tree.a.path}


def test_change_list_is_scoped_and_filters_every_logged_type(client, tree):
    _delete_absence(tree.rb)
    _delete_absence(tree.ra)
    admin_a = make_user("admin_a", Role.BUREAU_ADMIN, organization=tree.a)
    client.force_login(admin_a)
    page = client.get("/changes/").content.decode()
    assert "张宏伟" in page and "乙支部专有人" not in page
    ct = ContentType.objects.get_for_model(Absence)
    page = client.get("/changes/", {"content_type": ct.pk}).content.decode()
    assert "选择一个有效的选项" not in page and "张宏伟" in page
    # Every app's logged records can be chosen, not only the platform's first apps.
    from changqing.accounts.models import RoleAssignment

    ra_ct = ContentType.objects.get_for_model(RoleAssignment)
    assert f'value="{ra_ct.pk}"' in page
    from django.apps import apps

    other = [m for m in apps.get_models() if m._meta.app_label not in ("orgs", "members", "accounts")
             and issubclass(m, ChangeLoggedModel)]
    if other:
        assert f'value="{ContentType.objects.get_for_model(other[0]).pk}"' in page
