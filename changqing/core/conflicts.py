"""Edit conflicts: a record changed since a person read it is never overwritten blindly.

Every change-logged record has a `row_version` (core.changelog.ChangeLoggedModel) that each write
moves on by one in the same UPDATE. A form or an API call that read the record at version N says so
(`expect(instance, N)`, done by VersionedFormMixin and the API base viewset); the save then writes
`UPDATE … WHERE pk = … AND row_version = N`, and no row means someone else saved first: ConflictError,
nothing written, no history. The page comes back in its own layout with what the other person
changed (from the change history, which records the version each write reached) and with what this
person typed still in the form, now carrying the new version, so a second 保存 is a knowing one.

Two people creating the same thing at once (the same meeting, the same visit) is a different race:
a UniqueConstraint catches it, and `integrity_errors` turns the IntegrityError into the constraint's
Chinese message beside the form.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError

FIELD = "row_version"
MESSAGE = "您打开这张表之后，别人已修改并保存了这条记录。为免覆盖对方的修改，本次没有保存。"
DELETED = "您打开这张表之后，这条记录已被别人删除，本次没有保存。"
DUPLICATE = "别人刚刚录入了相同的记录，本次没有保存，请核对后再录入"


class ConflictError(Exception):
    """The record is no longer at the version the person read (or is gone)."""

    def __init__(self, instance, expected: int):
        self.instance, self.expected = instance, expected
        super().__init__(MESSAGE)


def expect(instance, version) -> None:
    """The next save of `instance` writes only if its row is still at `version` (else ConflictError)."""
    instance._expected_version = int(version)


def etag(instance) -> str:
    """The HTTP entity tag of a record's current version."""
    return f'"{instance.pk}-{instance.row_version}"'


def current(instance):
    """The record as it is in the database now, or None when it was deleted."""
    return type(instance)._base_manager.filter(pk=instance.pk).first()


class VersionedFormMixin:
    """A ModelForm that carries, in a hidden field, the version of the record it showed.

    Saving an existing record (form.save(), or a service saving form.instance) then writes only
    if nobody saved it in between. A POST without the field (an old page) is saved unchecked.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        self.read_version = None  # the version the person read, once the form is valid
        self.fields[FIELD] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1,
                                                error_messages={"invalid": "页面已过期，请刷新后重新填写"})
        if self.instance.pk is not None:
            self.fields[FIELD].initial = self.instance.row_version

    def _post_clean(self):
        super()._post_clean()
        # Out of cleaned_data, which views hand to services as keyword arguments.
        version = self.cleaned_data.pop(FIELD, None)
        if self.instance.pk is not None and version is not None:
            self.read_version = version
            expect(self.instance, version)


class RecordVersionMixin:
    """A plain form that edits one record (`versioned=record`): carries its version like VersionedFormMixin."""

    def __init__(self, *args, versioned=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        self.read_version = None
        self.versioned = versioned
        if versioned is not None:
            self.fields[FIELD] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1,
                                                    initial=versioned.row_version,
                                                    error_messages={"invalid": "页面已过期，请刷新后重新填写"})

    def _post_clean(self):
        super()._post_clean()
        version = self.cleaned_data.pop(FIELD, None)
        if self.versioned is not None and version is not None:
            self.read_version = version
            expect(self.versioned, version)


@dataclass
class FieldChange:
    label: str
    theirs: str  # the value saved by the other person (now in the database)
    yours: str  # what this person typed


@dataclass
class Conflict:
    message: str
    who: list[str] = field(default_factory=list)  # who saved in between, and when
    changes: list[FieldChange] = field(default_factory=list)
    deleted: bool = False


def _display(form_field, value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    choices = getattr(form_field, "choices", None)
    if choices is not None and not hasattr(value, "pk"):
        labels = {str(k): v for k, v in choices if not isinstance(v, (list, tuple))}
        if str(value) in labels:
            return str(labels[str(value)])
    if hasattr(value, "all") and callable(value.all):  # a many-to-many manager or a queryset
        return "、".join(str(o) for o in value.all()) or "（空）"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value) or "（空）"
    return str(value)


def describe(form, exc: ConflictError) -> Conflict:
    """What the other person changed, field by field, beside what this person typed.

    The change history says which writes came after the version the form was read at (each records
    the version it reached), who made them, and which fields they touched; the values shown are the
    record's as it is now. Without history (a write that keeps none) the form's fields are compared.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from .models import ObjectChange

    fresh = current(exc.instance)
    if fresh is None:
        return Conflict(message=DELETED, deleted=True)
    model = type(fresh)
    later = list(ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(fresh.pk),
        row_version__gt=exc.expected).order_by("time", "pk"))
    touched = {name for ch in later for name, _, _ in ch.changed_fields()}
    who = [f"{ch.user_name or '系统'}（{timezone.localtime(ch.time):%m月%d日 %H:%M}）" for ch in later]
    names = [n for n in form.fields if n != FIELD and n in touched]
    if not names:  # no history to go by: the fields where the stored record and the input differ
        names = [n for n in form.fields if n != FIELD and _model_value(fresh, n) is not _MISSING
                 and _display(form.fields[n], _model_value(fresh, n)) != _display(form.fields[n], form.cleaned_data.get(n))]
    changes = [FieldChange(str(form.fields[n].label or n), _display(form.fields[n], _model_value(fresh, n)),
                           _display(form.fields[n], form.cleaned_data.get(n))) for n in names
               if _model_value(fresh, n) is not _MISSING]
    return Conflict(message=MESSAGE, who=list(dict.fromkeys(who)), changes=changes)


_MISSING = object()


def _model_value(obj, name):
    try:
        f = obj._meta.get_field(name)
    except Exception:
        return _MISSING
    if f.many_to_many:
        return getattr(obj, name)
    if f.is_relation:
        return getattr(obj, name, None)
    return getattr(obj, f.attname, _MISSING)


def reject(form, exc: ConflictError) -> None:
    """Mark a bound form as refused for a conflict: it keeps the person's input, now carries the
    record's new version (a second 保存 goes through, knowingly), and its page shows form.conflict."""
    form.conflict = describe(form, exc)
    fresh = None if form.conflict.deleted else current(exc.instance)
    data = form.data.copy()
    if fresh is not None and FIELD in form.fields:
        data[form.add_prefix(FIELD)] = str(fresh.row_version)
    if hasattr(form, "refresh_read_versions"):  # a form that may write one of several records
        form.refresh_read_versions(data)
    form.data = data
    form.add_error(None, form.conflict.message)


def integrity_errors(form, exc: IntegrityError, instance=None) -> None:
    """Two people created the same thing at once: the constraint the second one hit, in Chinese beside the form.

    The other row is committed by now, so validating the constraints again on the record that was being
    written (`instance`, by default the form's) finds it and names it."""
    if exc is not None and not _is_unique_violation(exc):
        raise exc  # a broken foreign key or a NOT NULL is a bug, not two people at once
    instance = instance if instance is not None else getattr(form, "instance", None)
    messages = [m for m in [_constraint_message(exc)] if m]
    if not messages and instance is not None and hasattr(instance, "validate_constraints"):
        try:
            instance.validate_unique()
            instance.validate_constraints()
        except ValidationError as err:
            messages = err.messages
    form.add_error(None, messages or [DUPLICATE])


def attempt(form, save, instance=None) -> bool:
    """For a function-style view: call save() in a transaction; False when the save was refused because
    the record changed since the form was read, or the same thing was just created by someone else (the
    form then says so and keeps the input), True when it was written."""
    from django.db import transaction

    try:
        with transaction.atomic():
            save()
    except ConflictError as exc:
        reject(form, exc)
        return False
    except IntegrityError as exc:
        integrity_errors(form, exc, instance)
        return False
    return True


def _constraint_message(exc) -> str:
    """The Chinese message of the unique constraint an IntegrityError names (PostgreSQL names it;
    SQLite names only the columns, then the form's record is validated instead)."""
    from django.apps import apps
    from django.db.models import UniqueConstraint

    text = str(exc or "")
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, UniqueConstraint) and f'"{constraint.name}"' in text:
                message = constraint.violation_error_message
                if message and message != constraint.default_violation_error_message:
                    return str(message)
    return ""


def _is_unique_violation(exc) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None):  # PostgreSQL (psycopg): 23505 unique_violation
        return cause.sqlstate == "23505"
    return "UNIQUE constraint failed" in str(exc)  # SQLite
