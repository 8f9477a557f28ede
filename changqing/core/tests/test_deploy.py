"""Production settings pass Django's deployment checks, in a fresh process with production env."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(args, **env):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in this process; production never has it.
    dropped = {"DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)


PRODUCTION_ENV = {
    "CHANGQING_ENV": "production",
    "SECRET_KEY": "k8#Vq2-zP9!wLr4@Tn7$Yb3^Hc6&Jd1*Fg5(Ms0)Qa8+Xe2=Ut9_Ro4~Wi7pLk3",
    "ALLOWED_HOSTS": "changqing.example.gov.cn",
    "DATABASE_URL": "postgres://changqing:pw@127.0.0.1:5432/changqing",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
    "CHANGQING_FIELD_KEYS": "q3XbM1mKk0vJYg8c5n2Zr9TQWf7hLsA4uE6pDyRi0oU",
}


def test_check_deploy_passes_with_no_warnings():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _run(["check"], **env)
    assert result.returncode != 0
    assert "生产环境必须设置 SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_field_key_or_with_the_dev_key():
    from django.conf import settings

    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CHANGQING_FIELD_KEYS"}
    result = _run(["check"], **env)
    assert result.returncode != 0 and "生产环境必须设置 CHANGQING_FIELD_KEYS" in result.stderr
    result = _run(["check"], **{**PRODUCTION_ENV, "CHANGQING_FIELD_KEYS": settings.CHANGQING_FIELD_KEYS[0]})
    assert result.returncode != 0 and "不可使用开发密钥" in result.stderr


def test_a_malformed_field_key_fails_the_checks():
    result = _run(["check"], **{**PRODUCTION_ENV, "CHANGQING_FIELD_KEYS": "too-short"})
    assert result.returncode != 0 and "32 字节" in result.stderr


def test_production_settings_shape():
    probe = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_ENGINE, s.CACHES['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.STORAGES['staticfiles']['BACKEND'], s.EMAIL_BACKEND)"
    )
    result = _run(["shell", "-v", "0", "-c", probe], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        # Sessions in the database behind the cache, and a cache that fails soft: Redis down logs nobody out.
        "False", "django.contrib.sessions.backends.cached_db", "changqing.core.cache.FailSoftRedisCache", "False",
        "whitenoise.storage.CompressedManifestStaticFilesStorage", "django.core.mail.backends.smtp.EmailBackend",
    ]
