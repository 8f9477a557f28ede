"""Change history: who, when, before and after of every domain write; history page; restore."""
import datetime as dt
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changqing.core.roles import Role
from changqing.core.changelog import ChangeLoggedModel, history_for, restore_deleted
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


def _inserts(ctx, table):
    return [q for q in ctx.captured_queries if q["sql"].lstrip().startswith(f'INSERT INTO "{table}"')]


@pytest.mark.parametrize("n", [10, 250])
def test_bulk_create_writes_history_in_one_insert_per_batch(tree, n):
    from changqing.core.idcard import check_char

    people = []
    for i in range(n):
        body = f"11010519500101{i:03d}"
        people.append(Retiree(name=f"批量{i}", gender="male", id_number=body + check_char(body),
                              birth_date=dt.date(1950, 1, 1), organization=tree.a))
    with CaptureQueriesContext(connection) as ctx:
        Retiree.objects.bulk_create(people)
    fields = [f for f in ObjectChange._meta.concrete_fields if not f.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, [None] * n)
    history_inserts = _inserts(ctx, ObjectChange._meta.db_table)
    # One INSERT per batch, or as few as the database's bound-parameter limit allows (SQLite: 999).
    assert len(history_inserts) == -(-n // per_insert)
    rows = len(_inserts(ctx, Retiree._meta.db_table))
    # The rows, their history, and at most the organisations (loaded once per slice) and the content type.
    assert len(ctx.captured_queries) <= rows + len(history_inserts) + 2
    logged = ObjectChange.objects.filter(action="create", object_id__in=[str(p.pk) for p in people],
                                         content_type=ContentType.objects.get_for_model(Retiree))
    assert logged.count() == n
    assert {c.org_path for c in logged} == {tree.a.path}


@pytest.mark.parametrize("n", [10, 250])
def test_bulk_update_and_update_log_before_and_after_in_queries_that_do_not_grow(tree, secretary_a, n):
    people = _retirees(tree.a, n)
    for p in people:
        p.address = "新地址"
    with acting_as(secretary_a), CaptureQueriesContext(connection) as bulk:
        Retiree.objects.bulk_update(people, ["address"], batch_size=n)
    with acting_as(secretary_a), CaptureQueriesContext(connection) as update:
        Retiree.objects.filter(pk__in=[p.pk for p in people]).update(address="再改的地址")
    ct = ContentType.objects.get_for_model(Retiree)
    changes = ObjectChange.objects.filter(content_type=ct, action="update", object_id=str(people[-1].pk)).order_by("id")
    assert [c.changed_fields() for c in changes] == [[("address", "", "新地址")], [("address", "新地址", "再改的地址")]]
    assert all(c.user == secretary_a and c.org_path == tree.a.path for c in changes)
    assert ObjectChange.objects.filter(content_type=ct, action="update").count() == 2 * n
    # Before-states read per slice of 900 keys and history written per batch: the count does not follow n
    # (history INSERTs apart, which SQLite splits by its bound-parameter limit).
    fields = [f for f in ObjectChange._meta.concrete_fields if not f.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, [None] * n)
    for ctx, most in ((bulk, 5), (update, 6)):
        history = len(_inserts(ctx, ObjectChange._meta.db_table))
        assert history == -(-n // per_insert) and len(ctx.captured_queries) - history <= most


def test_an_update_that_changes_nothing_writes_nothing(tree):
    before = ObjectChange.objects.count()
    Retiree.objects.filter(pk=tree.ra.pk).update(name=tree.ra.name)
    Retiree.objects.bulk_update([tree.ra], ["name"])
    assert ObjectChange.objects.count() == before


def test_queryset_delete_logs_every_row_and_its_cascades_in_one_insert(tree, secretary_a):
    from changqing.members.models import Membership

    people = _retirees(tree.a, 5)
    Membership.objects.bulk_create([Membership(retiree=p, organization=tree.a, status="full",
                                               joined_on=dt.date(1975, 7, 1)) for p in people])
    absences = Absence.objects.bulk_create([Absence(retiree=p, start_on=dt.date(2026, 11, 1), place="海南省三亚市")
                                            for p in people])
    with acting_as(secretary_a), CaptureQueriesContext(connection) as ctx:
        Retiree.objects.filter(pk__in=[p.pk for p in people]).exclude(membership__isnull=True).delete()
    assert len(_inserts(ctx, ObjectChange._meta.db_table)) == 1
    deleted = ObjectChange.objects.filter(action="delete", user=secretary_a)
    by_type = {(c.content_type.model, c.object_id) for c in deleted}
    assert {("retiree", str(p.pk)) for p in people} <= by_type
    assert {("absence", str(a.pk)) for a in absences} <= by_type  # cascaded (on_delete=CASCADE)
    assert all(c.org_path == tree.a.path for c in deleted)


def test_set_null_of_a_deleted_parent_is_logged_as_an_update(tree):
    from changqing.orgs.models import Zone

    zone = Zone.objects.create(code="T-ZC", name="丙片组", organization=tree.root)
    Organization.objects.filter(pk=tree.a.pk).update(zone=zone)
    zone_pk = zone.pk
    zone.delete()
    change = history_for(tree.a).filter(action="update").first()
    assert change.before["zone"] == zone_pk and change.after["zone"] is None


def test_ignore_conflicts_is_refused_on_a_logged_model(tree):
    with pytest.raises(TypeError, match="变更记录"):
        Absence.objects.bulk_create([Absence(retiree=tree.ra, start_on=dt.date(2026, 11, 1))], ignore_conflicts=True)


def _clear_values_in_history(*values):
    found = []
    for change in ObjectChange.objects.all():
        text = json.dumps([change.before, change.after, change.object_repr], ensure_ascii=False)
        found += [v for v in values if v in text]
    return found


def test_history_never_holds_an_id_number_or_phone_in_clear(tree, secretary_a):
    clear_id, clear_phone, family = "110105194912310046", "13912345678", "13698765432"
    with acting_as(secretary_a):
        person = Retiree.objects.create(name="身份证测试", gender="female", id_number=clear_id, phone=clear_phone,
                                        family_phone=family, birth_date=dt.date(1949, 12, 31), organization=tree.a)
        person.phone = "13900001111"
        person.save()
        Retiree.objects.filter(pk=person.pk).update(family_phone="13611112222")
        Retiree.objects.bulk_update([person], ["id_number"])
        more = _retirees(tree.a, 3, start=500)
        Retiree.objects.filter(pk__in=[p.pk for p in more]).delete()
        pk = person.pk
        person.delete()
    assert _clear_values_in_history(clear_id, clear_phone, family, "13900001111", "13611112222",
                                    *(p.id_number for p in more)) == []
    create = ObjectChange.objects.get(action="create", object_id=str(pk),
                                      content_type=ContentType.objects.get_for_model(Retiree))
    assert create.after["id_number"] == "110105********0046" and create.after["phone"] == "139****5678"


def test_a_masked_field_still_shows_that_it_changed(tree):
    # Two numbers with the same mask (only the hidden birth year differs): the keyed hash tells them apart.
    tree.ra.id_number = "11010519481231002X"
    tree.ra.save()
    change = history_for(tree.ra).first()
    assert change.before["id_number"] == change.after["id_number"] == "110105********002X"
    assert change.changed_fields() == [("id_number", "110105********002X", "110105********002X")]


def test_restore_of_a_row_with_masked_personal_data_is_refused_with_the_reason(tree):
    person = _retirees(tree.a, 1, start=700)[0]
    pk = person.pk
    person.delete()
    deletion = ObjectChange.objects.get(object_id=str(pk), action="delete",
                                        content_type=ContentType.objects.get_for_model(Retiree))
    before = ObjectChange.objects.count()
    with pytest.raises(ValueError, match="身份证号.*遮盖后的值"):
        restore_deleted(deletion)
    assert not Retiree.objects.filter(pk=pk).exists() and ObjectChange.objects.count() == before


def test_migration_masks_history_written_in_clear(tree):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("changqing.core.migrations.0003_mask_history")
    ct = ContentType.objects.get_for_model(Retiree)
    old = ObjectChange.objects.create(action="update", content_type=ct, object_id="1", object_repr="旧记录",
                                      before={"id_number": "11010519491231002X", "phone": "13800001234", "name": "甲"},
                                      after={"id_number": "11010519491231002X", "phone": "13911112222", "name": "甲"})
    migration.mask_history(apps, None)
    old.refresh_from_db()
    assert old.after["id_number"] == "110105********002X" and old.after["phone"] == "139****2222"
    assert old.before["phone"] == "138****1234" and old.after["name"] == "甲"
    assert [name for name, _, _ in old.changed_fields()] == ["phone"]
    assert _clear_values_in_history("11010519491231002X", "13800001234", "13911112222") == []
    migration.mask_history(apps, None)  # a second run changes nothing
    again = ObjectChange.objects.get(pk=old.pk)
    assert again.before == old.before and again.after == old.after


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
