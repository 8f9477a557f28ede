"""A visit's optional photo and voice note: never required, checked by content, served by the checked view."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from changqing.care.models import Visit
from changqing.core.roles import Role
from changqing.core.uploads import audio_kind
from conftest import TEST_TODAY
from tests.factories import make_user

pytestmark = pytest.mark.today

M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 64
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64


def _png():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def sec(client, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user("sec_v", Role.BRANCH_SECRETARY, organization=tree.a))
    return client


def _data(tree, **extra):
    return {"retiree": tree.ra.pk, "visited_on": TEST_TODAY.isoformat(), "kind": "routine", "visitors": "王书记",
            **extra}


def test_visit_without_attachments_is_fine(sec, tree):
    page = sec.get(reverse("care:visit_create")).content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page and 'accept="audio/*"' in page
    r = sec.post(reverse("care:visit_create"), _data(tree))
    assert r.status_code == 302
    v = Visit.objects.get()
    assert not v.photo and not v.voice


def test_photo_and_voice_are_stored_and_shown(sec, tree):
    r = sec.post(reverse("care:visit_create"), _data(tree, photo=SimpleUploadedFile("现场.png", _png(), "image/png"),
                                                    voice=SimpleUploadedFile("语音.m4a", M4A, "audio/mp4")))
    assert r.status_code == 302
    v = Visit.objects.get()
    assert v.photo.name.startswith("care/visits/") and "现场" not in v.photo.name  # a random stored name
    page = sec.get(v.get_absolute_url()).content.decode()
    assert f'src="{v.photo.url}"' in page and "<audio" in page and f'src="{v.voice.url}"' in page
    assert sec.get(v.voice.url).status_code == 200
    other = make_user("sec_other", Role.BRANCH_SECRETARY, organization=tree.b)
    sec.force_login(other)
    assert sec.get(v.voice.url).status_code == 404  # another branch cannot open it


@pytest.mark.parametrize("field,upload,message", [
    ("photo", SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg"), "照片文件已损坏或不是图片"),
    ("photo", SimpleUploadedFile("a.exe", b"MZ", "application/octet-stream"), "照片只能是"),
    ("voice", SimpleUploadedFile("a.m4a", b"hello, not audio", "audio/mp4"), "不是可以播放的录音文件"),
    ("voice", SimpleUploadedFile("a.txt", b"plain text", "text/plain"), "不是可以播放的录音文件"),
])
def test_bad_files_refused_in_chinese_and_nothing_saved(sec, tree, field, upload, message):
    r = sec.post(reverse("care:visit_create"), _data(tree, **{field: upload}))
    assert r.status_code == 200 and message in r.content.decode()
    assert not Visit.objects.exists()


def test_voice_size_limit_is_a_setting(sec, tree, settings):
    settings.CHANGQING = {**settings.CHANGQING, "VISIT_VOICE_MAX_BYTES": 50}
    r = sec.post(reverse("care:visit_create"), _data(tree, voice=SimpleUploadedFile("a.wav", WAV, "audio/wav")))
    assert "录音文件太大" in r.content.decode() and not Visit.objects.exists()


@pytest.mark.parametrize("head,kind", [
    (WAV, "wav"), (b"ID3\x03\x00", "mp3"), (b"\xff\xfb\x90\x00", "mp3"), (M4A, "m4a"), (b"OggS\x00\x02", "ogg"),
    (b"\x1a\x45\xdf\xa3\x01", "webm"), (b"#!AMR\n", "amr"), (b"%PDF-1.4", None), (b"", None),
])
def test_audio_magic_bytes(head, kind):
    assert audio_kind(head) == kind
