"""The file sweep: every file field of every model is served only by the checked view, only within scope.

Generic on purpose: the models come from apps.get_models(), so a file field added later is swept too.
For each field a file is stored on a record of the county demo (a record is made when the demo has none):
an anonymous client and the secretary of a branch outside the record's subtree get 404; a user whose
scope covers the record (and who owns it, where the model keeps an owner) gets 200 with the bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client

from changqing.core.files import PRIVATE_FIELDS, file_fields
from changqing.core.roles import Role
from changqing.core.scope import org_path_of
from changqing.orgs.models import Organization, OrgKind
from tests.factories import make_user

FILE_FIELDS = [(m, f.name) for m in apps.get_models() for f in file_fields(m)]


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_there_are_file_fields_to_sweep():
    labels = {f"{m._meta.label_lower}.{name}" for m, name in FILE_FIELDS}
    assert {"members.retiree.photo", "core.job.result_file", "care.oralhistorymedia.file",
            "life.bulletin.docx", "roster.rosterupload.file"} <= labels


@pytest.mark.parametrize("model,field", FILE_FIELDS, ids=[f"{m._meta.label_lower}.{n}" for m, n in FILE_FIELDS])
def test_every_file_field_is_private(model, field):
    f = model._meta.get_field(field)
    assert isinstance(f, PRIVATE_FIELDS), (
        f"{model._meta.label}.{field} 是普通 FileField/ImageField：请改用 core.files.PrivateFileField/PrivateImageField，"
        "文件才会经受检视图下载、以随机名存储")


# -- a record to hang a file on ------------------------------------------------------------------

def _filler(f):
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, (models.DateTimeField,)):
        return dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC)
    if isinstance(f, models.DateField):
        return dt.date(2026, 11, 1)
    if isinstance(f, (models.IntegerField, models.DecimalField, models.FloatField)):
        return 2026
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, models.CharField):
        return f"测{uuid.uuid4().hex[:6]}"[: f.max_length]
    if isinstance(f, models.TextField):
        return "测试"
    raise AssertionError(f"不会为 {f} 造值：请在测试中补充")


def _record(model):
    """A demo row of the model, or a new one whose required relations point at demo rows."""
    for row in model._default_manager.order_by("pk")[:50]:
        if org_path_of(row):
            return row
    values = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.has_default() or f.null or (f.blank and not isinstance(f, models.ForeignKey)):
            continue
        if isinstance(f, models.FileField):
            continue
        if isinstance(f, models.ForeignKey):
            values[f.name] = _record(f.related_model)
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        else:
            values[f.name] = _filler(f)
    spec = model.scope_spec
    if spec.org_path and "__" not in spec.org_path and not values.get(spec.org_path):
        # A record filed by a stored path (a job): filed under a branch, as one started there would be.
        values[spec.org_path] = Organization.objects.filter(kind=OrgKind.BRANCH).order_by("path").first().path
    return model._default_manager.create(**values)


def _owner_org(path: str) -> Organization:
    orgs = [o for o in Organization.objects.all() if path.startswith(o.path)]
    assert orgs, f"找不到记录路径 {path} 所在的组织"
    return max(orgs, key=lambda o: len(o.path))


def _outsider_branch(path: str) -> Organization:
    for o in Organization.objects.filter(kind=OrgKind.BRANCH).order_by("path"):
        if not path.startswith(o.path) and not o.path.startswith(path):
            return o
    raise AssertionError("演示数据中找不到范围之外的支部")


@pytest.mark.parametrize("model,field", FILE_FIELDS, ids=[f"{m._meta.label_lower}.{n}" for m, n in FILE_FIELDS])
def test_a_stored_file_is_served_only_within_the_records_scope(county_demo, settings, tmp_path, model, field):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = ""
    obj = _record(model)
    path = org_path_of(obj)
    assert path, f"{model._meta.label}：文件所属记录没有组织路径，无法按范围检查"
    owner = make_user(f"owner-{uuid.uuid4().hex[:8]}", Role.BUREAU_ADMIN, organization=_owner_org(path))
    outsider = make_user(f"out-{uuid.uuid4().hex[:8]}", Role.BRANCH_SECRETARY, organization=_outsider_branch(path))
    if any(f.name == "owner" for f in model._meta.concrete_fields):
        model._default_manager.filter(pk=obj.pk).update(owner=owner)
    f = model._meta.get_field(field)
    content = _png() if isinstance(f, models.ImageField) else b"%PDF-1.4 secret " + uuid.uuid4().hex.encode()
    name = "张三的材料.png" if isinstance(f, models.ImageField) else "张三的材料.pdf"
    getattr(obj, field).save(name, ContentFile(content), save=False)
    model._default_manager.filter(pk=obj.pk).update(**{field: getattr(obj, field).name})
    stored = getattr(model._default_manager.get(pk=obj.pk), field)

    assert "张三" not in stored.name and len(stored.name.rsplit("/", 1)[-1].split(".")[0]) == 32  # uuid4 hex
    url = stored.url
    assert url.startswith("/files/") and "/media/" not in url

    assert Client().get(url).status_code == 404
    assert Client().get(f"/media/{stored.name}").status_code == 404

    c = Client()
    c.force_login(outsider)
    assert c.get(url).status_code == 404

    c = Client()
    c.force_login(owner)
    response = c.get(url)
    assert response.status_code == 200, f"{model._meta.label}.{field}: {response.status_code}"
    assert b"".join(response.streaming_content) == content
    # The download name is the original (or one the owning app composes, a report's title), in RFC 5987.
    assert "filename*=utf-8''%E" in response["Content-Disposition"]
    assert stored.name.rsplit("/", 1)[-1].split(".")[0] not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_production_hands_the_sending_to_nginx(tree, secretary_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/internal-media/"
    tree.ra.photo.save("证件照.png", ContentFile(_png()))
    c = Client()
    c.force_login(secretary_a)
    response = c.get(tree.ra.photo.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/internal-media/{tree.ra.photo.name}"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("inline")  # a photo is shown in the record's <img>
    assert "filename*=utf-8''%E8%AF%81%E4%BB%B6%E7%85%A7.png" in response["Content-Disposition"]
    c.force_login(make_user("sec_b", Role.BRANCH_SECRETARY, organization=tree.b))
    assert c.get(tree.ra.photo.url).status_code == 404


def test_stored_names_are_random_and_the_original_is_the_download_name(tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    tree.ra.photo.save("张宏伟.png", ContentFile(_png()))
    tree.rb.photo.save("张宏伟.png", ContentFile(_png()))
    assert tree.ra.photo.name != tree.rb.photo.name
    assert tree.ra.photo.name.startswith("retirees/photos/") and "张" not in tree.ra.photo.name
    from changqing.members.models import Retiree

    assert Retiree.objects.get(pk=tree.ra.pk).photo.original_name == "张宏伟.png"


def test_a_file_stored_before_random_names_is_still_served(tree, secretary_a, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = ""
    (tmp_path / "retirees/photos/2025").mkdir(parents=True)
    (tmp_path / "retirees/photos/2025/old.png").write_bytes(_png())
    type(tree.ra).objects.filter(pk=tree.ra.pk).update(photo="retirees/photos/2025/old.png")
    tree.ra.refresh_from_db()
    c = Client()
    c.force_login(secretary_a)
    response = c.get(tree.ra.photo.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == _png()
    assert "old.png" in response["Content-Disposition"]


def test_media_is_not_served_by_the_application(settings):
    from django.urls import get_resolver

    patterns = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not any("media" in p for p in patterns)
    assert not getattr(settings, "WHITENOISE_ROOT", None) or settings.WHITENOISE_ROOT != settings.MEDIA_ROOT


def test_the_nginx_example_denies_media_and_serves_files_only_internally(settings):
    from pathlib import Path

    conf = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    media = conf[conf.index("location /media/"):]
    assert "deny all;" in media[: media.index("}")]
    internal = conf[conf.index("location /internal-media/"):]
    assert "internal;" in internal[: internal.index("}")]
