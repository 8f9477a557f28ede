"""Row-level change log for domain records.

A model opts in by inheriting ChangeLoggedModel. Saves and deletes through the
ORM write an ObjectChange from signals; bulk work (imports, the demo loader)
uses `bulk_log_changes` so history costs one INSERT per batch, not one per row.
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .context import current, current_user
from .models import ObjectChange


class ChangeLoggedModel(models.Model):
    """Abstract base: every create, update and delete is kept in ObjectChange."""

    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True

    def changelog_org_path(self) -> str:
        """The organisation path the record belongs to, so its history is scoped with it."""
        from changqing.core.scope import org_path_of

        return org_path_of(self) or ""


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
        return self.caption or self.file.name


_SKIP_FIELDS = {"created_at", "updated_at"}


def snapshot(instance) -> dict:
    data = serializers.serialize("python", [instance])[0]["fields"]
    return {k: v for k, v in data.items() if k not in _SKIP_FIELDS}


def _user_fields():
    user = current_user()
    if user is None:
        return None, "系统"
    return user, (getattr(user, "display_name", "") or user.get_username())


def make_change(instance, action, before, after) -> ObjectChange:
    user, user_name = _user_fields()
    ctx = current()
    return ObjectChange(
        user=user,
        user_name=user_name,
        request_id=ctx.request_id if ctx else None,
        action=action,
        content_type=ContentType.objects.get_for_model(instance.__class__),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        org_path=instance.changelog_org_path()[:255],
        before=before,
        after=after,
    )


def _emit(change: ObjectChange):
    ctx = current()
    if ctx is not None and ctx.buffer is not None:
        ctx.buffer.append(change)
    else:
        change.save()


def bulk_log_changes(instances, action=ObjectChange.Action.CREATE, batch_size=2000):
    """Write change records for instances saved with bulk_create / bulk_update."""
    changes = []
    for obj in instances:
        data = snapshot(obj)
        before = data if action == ObjectChange.Action.DELETE else None
        after = None if action == ObjectChange.Action.DELETE else data
        changes.append(make_change(obj, action, before, after))
        if len(changes) >= batch_size:
            ObjectChange.objects.bulk_create(changes)
            changes = []
    if changes:
        ObjectChange.objects.bulk_create(changes)


def _logged(sender) -> bool:
    return isinstance(sender, type) and issubclass(sender, ChangeLoggedModel)


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


@receiver(post_delete, dispatch_uid="changelog_post_delete")
def _record_delete(sender, instance, **kwargs):
    if not _logged(sender):
        return
    _emit(make_change(instance, ObjectChange.Action.DELETE, snapshot(instance), None))


# Personal data stays masked in the history too; the full value is shown (and logged) on the record page.
MASKED_FIELDS = {"id_number": "id", "phone": "phone", "family_phone": "phone", "contact_phone": "phone",
                 "mobile": "phone"}


def masked_changes(change: ObjectChange, model) -> list[tuple[str, object, object]]:
    """change.changed_fields() with personal data masked (a model may add names in changelog_masked_fields)."""
    from .idcard import mask, mask_phone

    extra = getattr(model, "changelog_masked_fields", {}) if model is not None else {}
    kinds = {**MASKED_FIELDS, **extra}
    out = []
    for name, before, after in change.changed_fields():
        kind = kinds.get(name)
        if kind is not None:
            fn = mask if kind == "id" else mask_phone
            before, after = (fn(str(v)) if v else v for v in (before, after))
        out.append((name, before, after))
    return out


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
    payload = {"model": f"{model._meta.app_label}.{model._meta.model_name}", "pk": change.object_id,
               "fields": dict(change.before)}
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
