"""朗读 (core/speech.py, core.views.read_aloud): a real WAV from espeak-ng, cached, for scoped objects only."""
import datetime as dt
import shutil

import pytest
from django.urls import reverse

from changqing.core import speech
from changqing.core.roles import Role
from changqing.life.models import StudyMaterial, WorkList, WorkItem
from tests.factories import make_user

pytestmark = pytest.mark.today

needs_engine = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="未安装 espeak-ng（Debian 软件包 espeak-ng；make speech 安装）：朗读合成测试跳过")


@pytest.fixture(autouse=True)
def speech_cache(settings, tmp_path):
    settings.SPEECH_CACHE_DIR = tmp_path / "speech"
    return settings.SPEECH_CACHE_DIR


@pytest.fixture
def notices(tree):
    published = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    county = WorkList.objects.create(publisher=tree.root, kind="work_tips", month=dt.date(2026, 11, 1),
                                     title="县委11月工作提示", published_at=published)
    WorkItem.objects.create(work_list=county, order=1, title="召开主题党日", due_on=dt.date(2026, 11, 30))
    other = WorkList.objects.create(publisher=tree.b, kind="work_tips", month=dt.date(2026, 11, 1),
                                    title="乙支部清单", published_at=published)
    material = StudyMaterial.objects.create(organization=tree.a, title="学习材料一", published_on=dt.date(2026, 11, 2),
                                            summary="坚持学习。")
    foreign = StudyMaterial.objects.create(organization=tree.b, title="乙支部材料", published_on=dt.date(2026, 11, 2))
    return type("N", (), {"county": county, "other": other, "material": material, "foreign": foreign})


def url(kind, pk=None):
    if kind == "me":
        return reverse("core:read_aloud_me")
    return reverse({"worklist": "life:worklist_read_aloud", "study": "life:material_read_aloud"}[kind], args=[pk])


@needs_engine
def test_a_notice_is_read_aloud_as_a_real_wav_and_cached(client, secretary_a, notices, speech_cache):
    client.force_login(secretary_a)
    first = client.get(url("worklist", notices.county.pk))
    assert first.status_code == 200 and first["Content-Type"] == "audio/wav"
    body = b"".join(first.streaming_content)
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE" and len(body) > 20_000
    assert first["X-Speech-Cache"] == "miss"
    second = client.get(url("worklist", notices.county.pk))
    assert second["X-Speech-Cache"] == "hit" and b"".join(second.streaming_content) == body
    assert len(list(speech_cache.glob("*.wav"))) == 1


def test_another_branchs_notice_or_material_is_not_found(client, secretary_a, notices, monkeypatch):
    monkeypatch.setattr(speech, "engine", lambda: None)  # the scope answers before the engine is asked
    client.force_login(secretary_a)
    assert client.get(url("worklist", notices.other.pk)).status_code == 404
    assert client.get(url("study", notices.foreign.pk)).status_code == 404
    assert client.get(url("me")).status_code == 404  # not a member: no page of their own


def test_a_member_reads_their_own_page_and_their_branchs_notices_only(client, tree, notices, monkeypatch):
    member = make_user("member_r", Role.MEMBER)
    member.retiree = tree.ra
    member.save()
    monkeypatch.setattr(speech, "engine", lambda: None)
    client.force_login(member)
    mine = client.get(url("me"))
    assert mine.status_code == 503 and "朗读引擎" in mine.json()["error"]
    assert tree.ra.name in mine.json()["text"] and "我的党费" in mine.json()["text"]
    assert client.get(url("worklist", notices.county.pk)).status_code == 503  # sent down to the branch: readable
    assert client.get(url("study", notices.material.pk)).status_code == 503
    assert client.get(url("worklist", notices.other.pk)).status_code == 404
    assert client.get(url("study", notices.foreign.pk)).status_code == 404


def test_no_engine_is_a_503_in_chinese_with_the_text_for_the_browsers_voice(client, secretary_a, notices,
                                                                             monkeypatch):
    monkeypatch.setattr(speech, "engine", lambda: None)
    client.force_login(secretary_a)
    response = client.get(url("study", notices.material.pk))
    assert response.status_code == 503
    assert response.json()["error"] == "服务器未安装朗读引擎（espeak-ng），暂时不能朗读"
    assert "学习材料一" in response.json()["text"]


def test_the_text_goes_on_stdin_and_long_text_is_cut_at_a_sentence_end():
    text = "第一句。" * 2000
    assert len(speech._trim(text)) <= speech.MAX_CHARS and speech._trim(text).endswith("。")
    assert speech.cache_key("甲") != speech.cache_key("乙") and speech.cache_key("甲") == speech.cache_key(" 甲 ")
