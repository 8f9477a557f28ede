"""No write escapes the change history (issue 14 §3).

Walks every concrete change-logged model and every write path — save (create and
update), bulk_create, bulk_update, QuerySet.update, Model.delete, QuerySet.delete —
on a real row of the county demo, and fails when a write leaves no history row, or
when a delete cascades to (or sets to NULL) a logged row without its own record.
"""
from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone

from changqing.accounts.models import User
from changqing.core.changelog import ChangeLoggedModel, ChangeLoggedQuerySet, masked_fields
from changqing.core.fieldcrypt import BlindIndexField
from changqing.core.context import acting_as
from changqing.core.models import ObjectChange

TRACKED = sorted((m for m in apps.get_models() if issubclass(m, ChangeLoggedModel)), key=lambda m: m._meta.label)
PATHS = ("save_create", "bulk_create", "save_update", "bulk_update", "update", "delete", "queryset_delete")

# Models the county demo has no row of (so nothing to write generically), and why.
NOT_IN_DEMO: dict[str, str] = {
    "care.OralHistoryMedia": "演示的口述历史只有文字，没有上传的音视频和照片",
    "evaluation.ScoreEvidence": "演示的考核评分以文字说明佐证，没有上传的附件",
    "guidance.StandardEvidence": "演示的指导站规范化建设项目没有上传的照片",
    "honours.Ballot": "演示让正在投票的评选保持无人投票，每个演示账号都还能投（honours 的演示测试断言如此）",
    "life.Bulletin": "月通报在用户请求时生成（docx/PDF），演示不预先生成",
    "orgs.Restructuring": "演示的组织没有发生过撤并调整",
    "orgs.ElectionPlan": "换届选举助手的方案由支部在换届前制作，演示不预先生成（orgs/tests/test_election_helper.py 覆盖）",
}

# Models none of whose fields can be changed in place, and why (their create and delete paths are still walked).
NOT_UPDATABLE: dict[str, str] = {
    "policies.Policy": "规则设置只有类别和组织两项，合起来唯一；改规则是新增版本（PolicyVersion），规则设置本身不修改",
}

_seq = itertools.count(1)


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--scale", "county", "--seed", "1", stdout=io.StringIO())
            if connection.vendor == "postgresql":
                # Check the demo's deferred foreign keys once now, not again at the end of every test.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            yield User.objects.get(username="admin")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _unique_sets(model) -> list[tuple[str, ...]]:
    opts = model._meta
    sets = [(f.name,) for f in opts.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(u) for u in opts.unique_together]
    sets += [tuple(c.fields) for c in opts.total_unique_constraints]
    sets += [tuple(c.fields) for c in opts.constraints if isinstance(c, models.UniqueConstraint) and c.fields
             and c.condition is not None]
    return sets


def _is_text(f) -> bool:
    return isinstance(f, (models.CharField, models.TextField)) and not f.primary_key


def _new_value(f, value):
    """Another value of the same field, or None when there is no harmless one."""
    if f.choices:
        others = [c for c, _label in f.flatchoices if c not in (value, "")]
        return others[0] if others else None
    if _is_text(f):
        new = "改" + (value or "")
        return new[:f.max_length] if f.max_length else new
    if isinstance(f, models.BooleanField):
        return None if value is None else not value
    if isinstance(f, (models.IntegerField, models.DecimalField)):
        return (value or 0) + 1
    if isinstance(f, models.DateTimeField):
        return value + dt.timedelta(days=1) if value else timezone.now()
    if isinstance(f, models.DateField) and value is not None:
        return value + dt.timedelta(days=1)
    return None


def _harmless_change(model, obj):
    """(field, new value) to write: a field outside every unique key, not personal data, editable and not
    kept by the change log's own timestamps; text first."""
    keyed = {name for names in _unique_sets(model) for name in names}
    masked = masked_fields(model)
    fields = [f for f in model._meta.concrete_fields
              if f.editable and not f.primary_key and not f.is_relation and not f.unique and f.name not in keyed
              and f.name not in masked and f.name not in ("created_at", "updated_at")]
    fields.sort(key=lambda f: not (_is_text(f) and not f.choices))
    for f in fields:
        new = _new_value(f, getattr(obj, f.attname))
        if new is not None:
            return f, new
    return None, None


def _copy(model, obj, *, unique_text=False):
    """A new, unsaved copy of obj; with unique_text, its unique keys made unique through one of their text
    fields (None when a unique key has no text field)."""
    clone = model._base_manager.get(pk=obj.pk)
    clone.pk = None
    clone._state.adding = True
    if unique_text:
        for names in _unique_sets(model):
            fields = list(map(model._meta.get_field, names))
            text = [f for f in fields if _is_text(f) and not f.choices]
            if text:
                f, suffix = text[0], f"{next(_seq):03d}"
                if isinstance(f, BlindIndexField):  # the keyed hash is computed on save: change what it hashes
                    f = model._meta.get_field(f.of)
                value = getattr(clone, f.attname) or ""
                setattr(clone, f.attname, value[:(f.max_length or 1000) - len(suffix)] + suffix)
                continue
            # Else point a key's foreign key at a row no row of this model points at (a person without a membership).
            keys = [f for f in fields if f.is_relation and f.many_to_one or f.one_to_one]
            free = next((f.related_model._base_manager.exclude(pk__in=model._base_manager.filter(
                **{f"{f.name}__isnull": False}).values(f.attname)).first() for f in keys), None)
            if free is None:
                return None
            setattr(clone, keys[0].name, free)
    return clone


def _row_to_delete(model):
    """A row whose delete is not refused, or else a fresh copy of one (saved here), with the writes it makes."""
    obj, writes = _deletable_row(model)
    if obj is not None:
        return obj, writes
    first = model._default_manager.order_by("pk").first()
    clone = _copy(model, first, unique_text=True)
    if clone is None:
        return None, []
    clone.save()
    return _deletable_row(model, model._default_manager.filter(pk=clone.pk))


def _deletable_row(model, rows=None):
    """A row whose delete is not refused by a PROTECT or RESTRICT key, and the logged writes its delete makes:
    [(model, pk, action)] for the row, what it cascades to and what it sets to NULL (read before deleting)."""
    for obj in (rows if rows is not None else model._default_manager.order_by("pk")[:30]):
        collector = Collector(using=router.db_for_write(model))
        try:
            collector.collect([obj])
        except (ProtectedError, RestrictedError):
            continue
        assert not [qs.model for qs in collector.fast_deletes if issubclass(qs.model, ChangeLoggedModel)]
        writes = [(other, i.pk, "delete") for other, instances in collector.data.items()
                  if issubclass(other, ChangeLoggedModel) for i in instances]
        writes += [(field.model, o.pk, "update") for (field, _value), batches in collector.field_updates.items()
                   if issubclass(field.model, ChangeLoggedModel) for batch in batches for o in batch]
        return obj, writes
    return None, []


def _logged(ct, pk, action, mark) -> bool:
    return ObjectChange.objects.filter(content_type=ct, object_id=str(pk), action=action, pk__gt=mark).exists()


def test_every_tracked_model_writes_through_a_change_logged_queryset():
    """Default, base and every other manager (and so every related manager) log bulk writes."""
    assert TRACKED
    bad = [f"{m._meta.label}.{mgr.name}" for m in TRACKED for mgr in (*m._meta.managers, m._base_manager)
           if not isinstance(mgr.get_queryset(), ChangeLoggedQuerySet)]
    assert bad == []


def test_models_without_demo_rows_are_the_listed_ones(county, db):
    empty = {m._meta.label for m in TRACKED if not m._default_manager.exists()}
    assert empty == set(NOT_IN_DEMO)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("model", TRACKED, ids=lambda m: m._meta.label)
def test_every_write_leaves_history(county, db, model, path):
    label = model._meta.label
    if label in NOT_IN_DEMO:
        pytest.skip(NOT_IN_DEMO[label])
    ct = ContentType.objects.get_for_model(model)
    mark = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    obj = model._default_manager.order_by("pk").first()
    with acting_as(county):
        if path in ("save_create", "bulk_create"):
            # A copy of a row written after the row itself is gone (so its unique keys are free), or else a copy
            # with its unique text made unique.
            free, _writes = _deletable_row(model)
            if free is not None:
                clone = _copy(model, free)
                free.delete()
                mark = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            else:
                clone = _copy(model, obj, unique_text=True)
            if clone is None:
                pytest.skip(f"{label}: 前 30 行都被其他记录以 PROTECT/RESTRICT 引用，唯一键又没有文本字段，无法新建")
            if path == "save_create":
                clone.save()
            else:
                (clone,) = model._default_manager.bulk_create([clone])
            assert _logged(ct, clone.pk, "create", mark), f"{label}: {path} 没有留下变更记录"
        elif path in ("save_update", "bulk_update", "update"):
            f, new = _harmless_change(model, obj)
            if label in NOT_UPDATABLE:
                assert f is None, f"{label}: 有可修改的字段 {f.name}，不应列在 NOT_UPDATABLE"
                pytest.skip(NOT_UPDATABLE[label])
            assert f is not None, f"{label}: 没有可以无害修改的字段"
            if path == "save_update":
                setattr(obj, f.attname, new)
                obj.save()
            elif path == "bulk_update":
                setattr(obj, f.attname, new)
                model._default_manager.bulk_update([obj], [f.name])
            else:
                model._default_manager.filter(pk=obj.pk).update(**{f.name: new})
            change = ObjectChange.objects.filter(content_type=ct, object_id=str(obj.pk), action="update",
                                                 pk__gt=mark).first()
            assert change is not None, f"{label}: {path} 没有留下变更记录"
            assert f.name in [name for name, _, _ in change.changed_fields()] and change.user == county
        else:
            obj, writes = _row_to_delete(model)
            if obj is None:
                pytest.skip(f"{label}: 前 30 行都被其他记录以 PROTECT/RESTRICT 引用，唯一键又没有文本字段，无法删除")
            mark = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            pk = obj.pk
            if path == "delete":
                obj.delete()
            else:
                model._default_manager.filter(pk=pk).delete()
            assert _logged(ct, pk, "delete", mark), f"{label}: {path} 没有留下变更记录"
            missing = [(m._meta.label, pk, action) for m, pk, action in writes
                       if not _logged(ContentType.objects.get_for_model(m), pk, action, mark)]
            assert missing == [], f"{label}: 删除时级联删除或置空的记录没有变更记录"


M2M = [(m, f) for m in TRACKED for f in m._meta.local_many_to_many]


@pytest.mark.parametrize(("model", "field"), M2M, ids=lambda x: getattr(x, "name", None) or x._meta.label)
def test_many_to_many_writes_are_updates_of_their_owner(county, db, model, field):
    ct = ContentType.objects.get_for_model(model)
    obj = model._default_manager.order_by("pk").first()
    linked = set(getattr(obj, field.name).values_list("pk", flat=True))
    other = field.related_model._default_manager.exclude(pk__in=linked).order_by("pk").first()
    accessor = field.remote_field.get_accessor_name()
    writes = [lambda: getattr(obj, field.name).add(other), lambda: getattr(obj, field.name).remove(other),
              lambda: getattr(other, accessor).add(obj), lambda: getattr(other, accessor).clear(),
              lambda: getattr(obj, field.name).clear()]
    with acting_as(county):
        for write in writes:
            mark = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            write()
            change = ObjectChange.objects.filter(content_type=ct, object_id=str(obj.pk), action="update",
                                                 pk__gt=mark).first()
            assert change is not None and field.name in [n for n, _, _ in change.changed_fields()]
