"""Row-level change log for domain records.

A model opts in by inheriting ChangeLoggedModel. Every write through the ORM
leaves an ObjectChange, whoever makes it:

* `save()` and `delete()` of one row (and the rows a delete cascades to, or sets
  to NULL): signals, written together at the end of the delete;
* `bulk_create`, `bulk_update`, `QuerySet.update` and `QuerySet.delete`: the
  default (and base) manager's ChangeLoggedQuerySet, which reads the before-state
  in one query per batch and writes the history in one INSERT per batch.

Personal data (ID numbers, phone numbers) is stored in the history masked, with a
keyed hash beside it so "did it change" stays answerable without the clear value.
The keyed hash is an HMAC-SHA256 under a key derived from the newest field
encryption key (core.fieldcrypt.history_digest), not the SECRET_KEY: an ID number
has few enough possible values that a digest under a leaked key could be reversed
by trying them all, so the history is protected by the same key as the tables, and
retiring that key retires the digests too. The blind-index columns of encrypted
fields (BlindIndexField) are not kept in the history at all.
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q, prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.encoding import is_protected_type

from . import fieldcrypt
from .context import current, current_user
from .models import ObjectChange

# SQLite refuses more than 999 bound parameters in one statement: reads by primary key go in slices.
_SLICE = 900

# Change records of the current delete (or `batched()` block), written in one INSERT at its end.
_buffer: ContextVar[list | None] = ContextVar("changqing_changelog_buffer", default=None)
_suspended: ContextVar[bool] = ContextVar("changqing_changelog_suspended", default=False)


class ChangeLoggedQuerySet(models.QuerySet):
    """The bulk writes of a change-logged model, each leaving its history.

    Before-states are read in one query per slice of primary keys and the history is
    written in one INSERT per batch, so bulk work stays bulk-fast.
    """

    def bulk_create(self, objs, *args, **kwargs):
        if kwargs.get("ignore_conflicts"):
            # The database does not say which rows it skipped, so their history could not be told.
            raise TypeError(f"{self.model.__name__}: bulk_create(ignore_conflicts=True) 会跳过变更记录，请先去掉重复的行")
        with transaction.atomic(using=self.db, savepoint=False):
            objs = super().bulk_create(objs, *args, **kwargs)
            if logging_on():
                bulk_log_changes(objs)
        return objs

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        fields = fieldcrypt.hash_fields_for(self.model, objs, fields)  # an encrypted field's hash goes with it
        if not objs or not logging_on():
            with _versions_bumped(objs, fields) as fields:
                return super().bulk_update(objs, fields, batch_size=batch_size)
        names = {self.model._meta.get_field(f).name for f in fields}
        with transaction.atomic(using=self.db, savepoint=False):
            before = _read_snapshots(self.model, self.db, [o.pk for o in objs])
            # Django's bulk_update writes through update(), logged below instead
            with unlogged(), _versions_bumped(objs, fields) as bumped:
                count = super().bulk_update(objs, bumped, batch_size=batch_size)
            snap = snapshotter(self.model)
            changes = []
            for obj in objs:
                old = before.get(obj.pk)
                if old is None:
                    continue
                # Only the listed fields were written; the rest of the row is as it was read.
                new = {**old, **{k: v for k, v in snap(obj).items() if k in names}}
                if new != old:
                    changes.append((obj, old, new))
            _log_updates(changes)
        return count

    def update(self, **kwargs):
        kwargs = fieldcrypt.with_hashes(self.model, kwargs)  # an encrypted field's hash goes with it
        # Every write moves the row on a version, in the same UPDATE (core.conflicts).
        kwargs.setdefault("row_version", F("row_version") + 1)
        if not logging_on():
            return super().update(**kwargs)
        if self.query.is_sliced:
            raise TypeError("Cannot update a query once a slice has been taken.")
        base = self.model._base_manager.db_manager(self.db)
        snap = snapshotter(self.model)
        with transaction.atomic(using=self.db, savepoint=False):
            # Lock and read the rows first, then update exactly those: the history says what each row was.
            pks = list(self.values_list("pk", flat=True))
            before = {}
            for i in range(0, len(pks), _SLICE):
                before.update((o.pk, snap(o)) for o in base.select_for_update().filter(pk__in=pks[i:i + _SLICE]))
            count = 0
            for i in range(0, len(pks), _SLICE):
                count += models.QuerySet.update(base.filter(pk__in=pks[i:i + _SLICE]), **kwargs)
            changes = []
            for i in range(0, len(pks), _SLICE):
                for obj in base.filter(pk__in=pks[i:i + _SLICE]):
                    new = snap(obj)
                    if new != before.get(obj.pk):
                        changes.append((obj, before.get(obj.pk), new))
            _log_updates(changes)
        return count

    update.alters_data = True

    def delete(self):
        # The collector sends pre/post_delete for every row, cascades included (a model with
        # listeners is never fast-deleted); their records go out in one INSERT at the end.
        with transaction.atomic(using=self.db, savepoint=False), batched():
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


ChangeLoggedManager = models.Manager.from_queryset(ChangeLoggedQuerySet)


@contextlib.contextmanager
def _versions_bumped(objs, fields):
    """bulk_update's fields with row_version added, written as row_version + 1 in the same UPDATE;
    the objects hold their new version afterwards."""
    if "row_version" in fields or not objs:
        yield fields
        return
    seen = [o.row_version for o in objs]
    for o in objs:
        o.row_version = F("row_version") + 1
    try:
        yield [*fields, "row_version"]
    finally:
        for o, v in zip(objs, seen):
            o.row_version = v + 1


class ChangeLoggedModel(models.Model):
    """Abstract base: every create, update and delete is kept in ObjectChange."""

    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Moved on by every write, in the same UPDATE; a form or API call that read the record at version N
    # writes only `WHERE row_version = N` (core.conflicts). Not editable: no form or serializer sets it.
    row_version = models.PositiveIntegerField("记录版本", default=1, db_default=1, editable=False)

    objects = ChangeLoggedManager()

    class Meta:
        abstract = True
        # Django's deletion collector sets foreign keys to NULL through the base manager: log those too.
        base_manager_name = "objects"

    def changelog_org_path(self) -> str:
        """The organisation path the record belongs to, so its history is scoped with it."""
        from changqing.core.scope import org_path_of

        return org_path_of(self) or ""

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using") or self._state.db, savepoint=False), batched():
            return super().delete(*args, **kwargs)

    delete.alters_data = True

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        """The UPDATE of save(): row_version + 1 always; `WHERE row_version = N` when a form or API
        call said which version it read (core.conflicts.expect). No row then is a conflict, raised
        before Django would fall back to an INSERT; the transaction rolls back and no history is written."""
        from .conflicts import ConflictError

        field = self._meta.get_field("row_version")
        if field not in base_qs.model._meta.local_concrete_fields:  # a child table of a multi-table model
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        expected = self.__dict__.pop("_expected_version", None)
        values = [(f, m, v) for f, m, v in values if f is not field] + [(field, None, F("row_version") + 1)]
        if expected is not None:
            base_qs = base_qs.filter(row_version=expected)
        updated = super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if not updated and expected is not None:
            raise ConflictError(self, expected)
        if updated:
            self.row_version = (expected if expected is not None else self.row_version) + 1
        return updated


class AttachedFile(ChangeLoggedModel):
    """Abstract base of an uploaded photo or PDF kept as evidence (checked by core.uploads.upload_kind).

    A concrete model adds its `file` field (with its own upload_to) and the foreign key it belongs to.
    """

    kind = models.CharField("类型", max_length=10, choices=[("image", "照片"), ("pdf", "PDF")])
    caption = models.CharField("说明", max_length=100, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return self.caption or self.file.original_name


_SKIP_FIELDS = {"created_at", "updated_at", "row_version"}

# Personal data is stored in the history masked (see `protect`); a model may add names in
# `changelog_masked_fields` ({"name": "id" | "phone"}). Any field whose name ends in "phone" is a phone.
MASKED_FIELDS = {"id_number": "id", "phone": "phone", "mobile": "phone"}
DIGESTS = "_digests"


def masked_fields(model) -> dict[str, str]:
    """{field name: "id" | "phone"} of the personal data a model's history keeps masked."""
    names = {f.name for f in model._meta.concrete_fields}
    kinds = {n: k for n, k in MASKED_FIELDS.items() if n in names}
    kinds.update({n: "phone" for n in names if n.endswith("phone")})
    kinds.update({f.name: "id" if f.kind == "id" else "phone" for f in fieldcrypt.encrypted_fields(model)})
    kinds.update(getattr(model, "changelog_masked_fields", {}))
    return kinds


def digest(value) -> str:
    """A keyed hash (HMAC-SHA256 under the field key's history key) of a masked value: equal values,
    equal digests; not reversible without the key."""
    return fieldcrypt.history_digest(value)


def protect(kinds: dict[str, str], data: dict | None) -> dict | None:
    """The snapshot as stored: personal data masked, its digest kept under "_digests"."""
    if not data or not kinds:
        return data
    from .idcard import mask, mask_phone

    out, digests = dict(data), {}
    for name, kind in kinds.items():
        value = out.get(name)
        if value:
            out[name] = mask(str(value)) if kind == "id" else mask_phone(str(value))
            digests[name] = digest(value)
    if digests:
        out[DIGESTS] = digests
    return out


def _skipped(model) -> set[str]:
    """Fields the history does not keep: the row's own timestamps, the blind indexes of encrypted fields
    (the masked value and its digest say enough), and what a model lists in `changelog_skip_fields`
    (a secret ballot's tally, whose every change would tie a voter to a choice)."""
    return (_SKIP_FIELDS | {f.name for f in fieldcrypt.hash_fields(model)}
            | set(getattr(model, "changelog_skip_fields", ())))


def snapshot(instance) -> dict:
    """The row's fields as the history keeps them (before masking), many-to-many included."""
    data = serializers.serialize("python", [instance])[0]["fields"]
    skip = _skipped(type(instance))
    return {k: v for k, v in data.items() if k not in skip}


def snapshotter(model):
    """`snapshot` for many rows of one model: the same dict, built field by field without a serializer
    object per row (protected types as they are, others value_to_string). Models with many-to-many
    fields keep the serializer (it reads them from the database)."""
    concrete = model._meta.concrete_model
    if concrete._meta.local_many_to_many or concrete._meta.pk.remote_field is not None:
        return snapshot
    skip = _skipped(model)
    fields = [f for f in concrete._meta.local_fields if f.serialize and f.name not in skip]

    def snap(obj):
        out = {}
        for f in fields:
            value = f.value_from_object(obj)
            out[f.name] = value if is_protected_type(value) else f.value_to_string(obj)
        return out
    return snap


def _user_fields():
    user = current_user()
    if user is None:
        return None, "系统"
    return user, (getattr(user, "display_name", "") or user.get_username())


def make_change(instance, action, before, after) -> ObjectChange:
    """The (unsaved) record of one write; `before`/`after` are snapshots, masked here."""
    user, user_name = _user_fields()
    ctx = current()
    model = instance.__class__
    kinds = masked_fields(model)
    return ObjectChange(
        user=user,
        user_name=user_name,
        request_id=ctx.request_id if ctx else None,
        action=action,
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        org_path=instance.changelog_org_path()[:255],
        before=protect(kinds, before),
        after=protect(kinds, after),
        row_version=version if isinstance(version := getattr(instance, "row_version", None), int) else None,
    )


def logging_on() -> bool:
    return not _suspended.get()


@contextlib.contextmanager
def unlogged():
    """Writes inside keep no history. Only for the demo loader told to load without history
    (`seed_demo --no-history`, the city and province scales); it writes the history it keeps itself."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


@contextlib.contextmanager
def batched():
    """Change records made inside are written together at the end, one INSERT per batch."""
    if _buffer.get() is not None:
        yield
        return
    token = _buffer.set([])
    try:
        yield
        changes = _buffer.get()
    finally:
        _buffer.reset(token)
    _write(changes)


def _write(changes: list[ObjectChange], batch_size: int = 2000):
    pending = _buffer.get()
    if pending is not None:
        pending.extend(changes)
        return
    for i in range(0, len(changes), batch_size):
        ObjectChange.objects.bulk_create(changes[i:i + batch_size])


def _prefetch_paths(objs: list):
    """Load what the records' organisation path and names (__str__) follow once per slice, not once per row:
    the scope_spec's relations and the row's own foreign keys (a relation already loaded is not loaded again)."""
    model = type(objs[0])
    spec = getattr(model, "scope_spec", None)
    lookups = [f.name for f in model._meta.concrete_fields if f.is_relation]
    if spec is not None:
        lookups += [lk for lk in (spec.org, spec.retiree, *spec.more_orgs) if lk]
        if spec.org_path and "__" in spec.org_path:
            lookups.append(spec.org_path.rsplit("__", 1)[0])
    if lookups:
        for i in range(0, len(objs), _SLICE):
            prefetch_related_objects(objs[i:i + _SLICE], *lookups)


def _read_snapshots(model, using, pks) -> dict:
    snap, base = snapshotter(model), model._base_manager.db_manager(using)
    out = {}
    for i in range(0, len(pks), _SLICE):
        out.update((o.pk, snap(o)) for o in base.filter(pk__in=pks[i:i + _SLICE]))
    return out


def _log_updates(changes: list[tuple]):
    if not changes:
        return
    _prefetch_paths([obj for obj, _, _ in changes])
    _write([make_change(obj, ObjectChange.Action.UPDATE, old, new) for obj, old, new in changes])


def bulk_log_changes(instances, action=ObjectChange.Action.CREATE, batch_size=2000):
    """Write change records for rows written by other means than the ORM (the demo loader's COPY)."""
    instances = [o for o in instances if o.pk is not None]
    if not instances:
        return
    _prefetch_paths(instances)
    model = type(instances[0])
    snap = snapshotter(model) if all(type(o) is model for o in instances) else snapshot
    changes = []
    for obj in instances:
        data = snap(obj)
        before = data if action == ObjectChange.Action.DELETE else None
        after = None if action == ObjectChange.Action.DELETE else data
        changes.append(make_change(obj, action, before, after))
    _write(changes, batch_size)


def _emit(change: ObjectChange):
    pending = _buffer.get()
    if pending is not None:
        pending.append(change)
    else:
        change.save()


def _logged(sender) -> bool:
    return isinstance(sender, type) and issubclass(sender, ChangeLoggedModel) and logging_on()


@receiver(pre_save, dispatch_uid="changelog_pre_save")
def _capture_before(sender, instance, raw=False, **kwargs):
    if raw or not _logged(sender) or instance._state.adding or instance.pk is None:
        instance._changelog_before = None
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._changelog_before = snapshot(old) if old is not None else None


@receiver(post_save, dispatch_uid="changelog_post_save")
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _logged(sender):
        return
    before = None if created else getattr(instance, "_changelog_before", None)
    after = snapshot(instance)
    if not created and before == after:
        return
    action = ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE
    if getattr(instance, "_changelog_restoring", False):
        action = ObjectChange.Action.RESTORE
    _emit(make_change(instance, action, before, after))


@receiver(pre_delete, dispatch_uid="changelog_pre_delete")
def _capture_delete(sender, instance, **kwargs):
    # Made before anything is deleted: the name and organisation path may follow rows the same delete removes.
    if _logged(sender):
        instance._changelog_deletion = make_change(instance, ObjectChange.Action.DELETE, snapshot(instance), None)


@receiver(post_delete, dispatch_uid="changelog_post_delete")
def _record_delete(sender, instance, **kwargs):
    change = instance.__dict__.pop("_changelog_deletion", None)
    if change is not None and _logged(sender):
        _emit(change)


@receiver(m2m_changed, dispatch_uid="changelog_m2m_changed")
def _record_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Adding to, removing from or clearing a many-to-many field is an update of the rows that own it."""
    if action.startswith("pre_"):
        if reverse:
            owners = list(model._base_manager.filter(pk__in=pk_set)) if pk_set is not None else [
                o for o in _m2m_owners(sender, instance, model)]
        else:
            owners = [instance]
        owners = [o for o in owners if _logged(type(o))]
        instance._changelog_m2m = [(o, snapshot(o)) for o in owners]
        return
    captured = instance.__dict__.pop("_changelog_m2m", [])
    changes = []
    for owner, before in captured:
        getattr(owner, "_prefetched_objects_cache", {}).clear()
        after = snapshot(owner)
        if after != before:
            changes.append((owner, before, after))
    _log_updates(changes)


def _m2m_owners(through, instance, owner_model):
    """The rows of owner_model linked to instance through `through` (before a reverse clear)."""
    for f in owner_model._meta.local_many_to_many:
        if f.remote_field.through is through:
            return owner_model._base_manager.filter(**{f.name: instance})
    return owner_model._base_manager.none()


def history_for(instance):
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(instance.__class__), object_id=str(instance.pk)
    ).select_related("user")


def restore_deleted(change: ObjectChange):
    """Re-create a deleted record from its last snapshot; returns the restored object.

    Raises ValueError with a message for the user when it cannot be done; nothing
    is written then.
    """
    if change.action != ObjectChange.Action.DELETE or not change.before:
        raise ValueError("只有删除记录可以恢复")
    model = change.content_type.model_class()
    if model is None:
        raise ValueError("该类记录已不再使用，无法恢复")
    if model._base_manager.filter(pk=change.object_id).exists():
        raise ValueError("该记录已经存在，无需恢复")
    later = ObjectChange.objects.filter(content_type_id=change.content_type_id, object_id=change.object_id).filter(
        Q(time__gt=change.time) | Q(time=change.time, pk__gt=change.pk))
    if later.exists():
        raise ValueError("这不是该记录最近一次的删除，请从最近一次的删除记录恢复")
    pk_name = model._meta.pk.name
    fields = dict(change.before)
    digests = fields.pop(DIGESTS, {})
    payload = {"model": f"{model._meta.app_label}.{model._meta.model_name}", "pk": change.object_id,
               "fields": fields}
    payload["fields"].pop(pk_name, None)
    try:
        restored = next(serializers.deserialize("python", [payload], ignorenonexistent=True))
    except serializers.base.DeserializationError as exc:
        raise ValueError("无法恢复：保存的内容与当前的记录格式不一致") from exc
    obj = restored.object
    # Foreign keys are checked at commit on both databases; check them now to say which one is missing.
    for f in model._meta.concrete_fields:
        value = getattr(obj, f.attname)
        if f.is_relation and value is not None and not f.related_model._base_manager.filter(
                **{f.target_field.attname: value}).exists():
            raise ValueError(f"无法恢复：它的「{f.verbose_name}」对应的记录已被删除，请先恢复那条记录")
    if digests:
        # The history keeps personal data masked only: restoring would write the masks into the record.
        labels = "、".join(f"「{model._meta.get_field(n).verbose_name}」" for n in digests)
        raise ValueError(f"无法恢复：变更记录只保存了这条记录{labels}遮盖后的值，请重新录入这条记录")
    try:
        obj.validate_unique()
        obj.validate_constraints()
    except ValidationError as exc:
        raise ValueError("无法恢复：" + "；".join(exc.messages)) from exc
    with transaction.atomic():
        obj._changelog_restoring = True
        obj._state.adding = True
        obj.save(force_insert=True)
        for name, values in (restored.m2m_data or {}).items():
            getattr(obj, name).set(values)
    return obj


def rows_sync(model, stored: dict, wanted: dict, build) -> None:
    """Bring a record's rows (a meeting's roll, an activity's hours) to `wanted`: change the rows that differ,
    add the new, remove the dropped, so the history reads as what was corrected (whose row, from what to
    what) rather than a wiped and rebuilt list.

    stored: key -> existing row; wanted: key -> {field: value}; build(key, values) -> a new, unsaved row.
    """
    now = timezone.now()
    fields = sorted({name for values in wanted.values() for name in values})
    new, changed = [], []
    for key, values in wanted.items():
        row = stored.get(key)
        if row is None:
            new.append(build(key, values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = now
            changed.append(row)
    model.objects.filter(pk__in=[row.pk for key, row in stored.items() if key not in wanted]).delete()
    model.objects.bulk_update(changed, [*fields, "updated_at"])
    model.objects.bulk_create(new)

