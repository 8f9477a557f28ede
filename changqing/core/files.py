"""Private files: every uploaded or generated file is served by one checked view, never from /media/.

A model declares its files with `PrivateFileField` / `PrivateImageField`:

* the stored name is random (`<upload_to dir>/<uuid4 hex>.<ext>`), so a name
  cannot be guessed and holds no personal data (a photo called 张三身份证.jpg is
  stored as retirees/photos/2026/3f2a….jpg); the original name is kept in
  `StoredFile` and only used as the download name (Content-Disposition, RFC 5987);
* `fieldfile.url` is the checked view's URL, `/files/<app>.<model>/<pk>/<field>/`
  (one route per model and field, built from the registry of models at start-up),
  so every template and serializer that links `.url` goes through it.

The checked view answers 404 to an anonymous client and to anyone outside the
scope of the record the file belongs to (`core.scope.get_scoped_object_or_404`
on the owning model, with the action and any narrowing the owning app registers
with `register_file_access`, e.g. "only the uploader"). It serves the bytes in
development; in production (settings.PRIVATE_MEDIA_ACCEL_PREFIX set) it answers
with `X-Accel-Redirect` to nginx's `internal` location, and nginx denies /media/.
"""
from __future__ import annotations

import mimetypes
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header

INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}  # shown in <img>; everything else downloads
_EXT = re.compile(r"\.[a-z0-9]{1,8}")


@deconstructible
class RandomName:
    """upload_to: `directory` (strftime codes allowed) / a uuid4 hex name, the original extension kept."""

    def __init__(self, directory: str):
        self.directory = directory

    def __call__(self, instance, filename: str) -> str:
        ext = os.path.splitext(filename)[1].lower()
        if not _EXT.fullmatch(ext):
            ext = ""
        folder = timezone.localtime().strftime(self.directory).strip("/")
        return f"{folder}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.directory == self.directory

    def __hash__(self):
        return hash(self.directory)


def _stored_file_model():
    return apps.get_model("core", "StoredFile")


class PrivateFileMixin:
    """A FieldFile whose URL is the checked view and which remembers the name it was uploaded with."""

    @property
    def url(self) -> str:
        self._require_file()
        return reverse(f"core:{route_name(self.instance.__class__, self.field.name)}", args=[self.instance.pk])

    @property
    def original_name(self) -> str:
        """The name the file was uploaded or generated with (the download name)."""
        if not self.name:
            return ""
        cache = self.__dict__.setdefault("_original", {})
        if self.name not in cache:
            row = _stored_file_model().objects.filter(name=self.name).values_list("original_name", flat=True).first()
            cache[self.name] = row or os.path.basename(self.name)
        return cache[self.name]

    def save(self, name, content, save=True):
        original = os.path.basename(str(name or "")) or "文件"
        super().save(name, content, save)
        _stored_file_model().objects.update_or_create(name=self.name, defaults={"original_name": original[:255]})
        self.__dict__.setdefault("_original", {})[self.name] = original[:255]

    def delete(self, save=True):
        name = self.name
        super().delete(save)
        if name:
            _stored_file_model().objects.filter(name=name).delete()


class PrivateFieldFile(PrivateFileMixin, FieldFile):
    pass


class PrivateImageFieldFile(PrivateFileMixin, ImageFieldFile):
    pass


def _random_upload_to(kwargs):
    upload_to = kwargs.get("upload_to", "")
    if isinstance(upload_to, str):
        kwargs["upload_to"] = RandomName(upload_to)
    return kwargs


class PrivateFileField(models.FileField):
    """A FileField served only through the checked view, stored under a random name."""

    attr_class = PrivateFieldFile

    def __init__(self, verbose_name=None, name=None, **kwargs):
        super().__init__(verbose_name, name, **_random_upload_to(kwargs))


class PrivateImageField(models.ImageField):
    attr_class = PrivateImageFieldFile

    def __init__(self, verbose_name=None, name=None, **kwargs):
        super().__init__(verbose_name, name, **_random_upload_to(kwargs))


PRIVATE_FIELDS = (PrivateFileField, PrivateImageField)


def file_fields(model) -> list[models.FileField]:
    """Every file field of a model (private or not: a test checks none is public)."""
    return [f for f in model._meta.get_fields() if isinstance(f, models.FileField)]


# -- who may open a model's files ------------------------------------------------------------------

@dataclass(frozen=True)
class FileAccess:
    action: str = "view"  # the scope action on the owning record
    narrow: Callable | None = None  # (queryset, request) -> queryset: e.g. only the uploader's own rows
    serve: Callable | None = None  # (request, obj, fieldfile) -> response: e.g. through the export gate, logged


_access: dict[str, FileAccess] = {}


def register_file_access(model, *, action: str = "view", narrow: Callable | None = None,
                         serve: Callable | None = None) -> None:
    """How the checked view decides (beyond the record's scope) and serves a model's files."""
    _access[model._meta.label_lower] = FileAccess(action=action, narrow=narrow, serve=serve)


def file_access(model) -> FileAccess:
    return _access.get(model._meta.label_lower, FileAccess())


# -- serving -------------------------------------------------------------------------------------

def serve_file(fieldfile, *, filename: str = "", as_attachment: bool | None = None) -> HttpResponse:
    """The response for a stored file whose access was checked: X-Accel-Redirect in production, the bytes here.

    Images are shown inline (an <img> on a record page); everything else downloads under its original name.
    """
    filename = filename or getattr(fieldfile, "original_name", "") or os.path.basename(fieldfile.name)
    content_type = mimetypes.guess_type(filename)[0] or mimetypes.guess_type(fieldfile.name)[0] \
        or "application/octet-stream"
    if as_attachment is None:
        as_attachment = content_type not in INLINE_TYPES
    prefix = getattr(settings, "PRIVATE_MEDIA_ACCEL_PREFIX", "")
    if prefix:
        if not fieldfile.storage.exists(fieldfile.name):
            raise Http404("文件不存在")
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(fieldfile.name)
    else:
        try:
            handle = fieldfile.storage.open(fieldfile.name, "rb")
        except (FileNotFoundError, OSError):
            raise Http404("文件不存在") from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def route_name(model, field_name: str) -> str:
    return f"file_{model._meta.app_label}_{model._meta.model_name}_{field_name}"


def _checked_view(model, field_name: str):
    from .scope import get_scoped_object_or_404, object_view

    def view(request, pk: int):
        # No login page for a file: an anonymous client learns nothing, not even that the file exists.
        if not request.user.is_authenticated:
            raise Http404("文件不存在")
        access = file_access(model)
        qs = model._default_manager.all()
        if access.narrow is not None:
            qs = access.narrow(qs, request)
        obj = get_scoped_object_or_404(qs, request.user, access.action, pk=pk)
        fieldfile = getattr(obj, field_name)
        if not fieldfile:
            raise Http404("没有文件")
        if access.serve is not None:
            return access.serve(request, obj, fieldfile)
        return serve_file(fieldfile)

    view.__name__ = view.__qualname__ = route_name(model, field_name)
    return object_view(model)(view)


def urlpatterns() -> list:
    """One checked route per model and file field, for every installed model (a new field gets one)."""
    routes = []
    for model in apps.get_models():
        for f in file_fields(model):
            if isinstance(f, PRIVATE_FIELDS):
                routes.append(path(f"files/{model._meta.label_lower}/<int:pk>/{f.name}/",
                                   _checked_view(model, f.name), name=route_name(model, f.name)))
    return routes
