"""朗读: Mandarin speech synthesised on the server with espeak-ng (Debian package `espeak-ng`, voice `cmn`).

Government intranets have no online speech service, so the audio is made here and cached as a WAV file
keyed by sha256(voice + text) under SPEECH_CACHE_DIR (private: never served directly, only through the
scoped read-aloud view). Without the engine `synthesise` raises SpeechUnavailable and the page falls back
to the browser's own voices where it has any.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

VOICE = "cmn"
MAX_CHARS = 4000  # a page summary or one notice; longer text is cut at a sentence end
TIMEOUT_SECONDS = 60


class SpeechUnavailable(Exception):
    """The engine is not installed or failed: the message is for the user."""


def engine() -> str | None:
    return getattr(settings, "SPEECH_ENGINE", None) or shutil.which("espeak-ng")


def cache_dir() -> Path:
    return Path(getattr(settings, "SPEECH_CACHE_DIR", Path(settings.VAR_DIR) / "speech"))


def _trim(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS]
    end = max(cut.rfind(p) for p in "。！？；")
    return cut[: end + 1] if end > 0 else cut


def cache_key(text: str, voice: str = VOICE) -> str:
    return hashlib.sha256(f"{voice}\n{_trim(text)}".encode()).hexdigest()


def synthesise(text: str, voice: str = VOICE) -> tuple[Path, bool]:
    """The WAV file for this text, and whether it came from the cache."""
    text = _trim(text)
    path = cache_dir() / f"{cache_key(text, voice)}.wav"
    if path.exists() and path.stat().st_size > 44:
        return path, True
    exe = engine()
    if not exe:
        raise SpeechUnavailable("服务器未安装朗读引擎（espeak-ng），暂时不能朗读")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(suffix=".wav", dir=path.parent)
    os.close(fd)
    try:
        # The text goes on stdin, never on the command line (no option injection, no length limit).
        result = subprocess.run([exe, "-v", voice, "-s", "150", "-w", tmp, "--stdin"], input=text.encode(),
                                capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        if result.returncode != 0 or os.path.getsize(tmp) <= 44:
            raise SpeechUnavailable("朗读引擎出错，暂时不能朗读")
        os.replace(tmp, path)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SpeechUnavailable("朗读引擎出错，暂时不能朗读") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path, False
