"""Settings, read from the environment with safe development defaults.

CHANGQING_ENV=production switches on the deployment hardening; see
docs/deploy.md for the full production set-up.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHANGQING_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("CHANGQING_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
_DEV_SECRET = "dev-only-insecure-key-changqing-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("生产环境必须设置 SECRET_KEY 环境变量")

# Keys of the encryption at rest of ID numbers and phones (core.fieldcrypt), base64url 32 bytes each,
# newest first; an older key still decrypts until `manage.py rotate_field_keys` has re-encrypted
# everything under the newest. Losing every key loses those fields (docs/deploy.md).
_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWNoYW5ncWluZy0wMDE"  # b"dev-only-field-key-changqing-001"
CHANGQING_FIELD_KEYS = env_list("CHANGQING_FIELD_KEYS", "" if PRODUCTION else _DEV_FIELD_KEY)
if PRODUCTION and (not CHANGQING_FIELD_KEYS or _DEV_FIELD_KEY in CHANGQING_FIELD_KEYS):
    raise RuntimeError("生产环境必须设置 CHANGQING_FIELD_KEYS 环境变量（不可使用开发密钥），见 docs/deploy.md")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "axes",
    "csp",
    "changqing.core",
    "changqing.accounts",
    "changqing.policies",
    "changqing.orgs",
    "changqing.members",
    "changqing.roster",
    "changqing.appraisal",
    "changqing.life",
    "changqing.dues",
    "changqing.care",
    "changqing.guidance",
    "changqing.audit",
    "changqing.evaluation",
    "changqing.honours",
    "changqing.lifeevents",
    "changqing.stats",
    "changqing.dashboards",
    "changqing.reports",
    "changqing.completeness",
    "changqing.upward",
    "changqing.demo",
]

MIDDLEWARE = [
    # First: a database outage or an unwritable media folder becomes a friendly 503 page (core/faults.py).
    "changqing.core.faults.FaultMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte in the path or query string: 400 before any view (core/params.py).
    "changqing.core.params.BadQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "changqing.accounts.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "changqing.core.middleware.RequestContextMiddleware",
    # Idle timeout, absolute lifetime, and the forced password change (accounts/sessions.py).
    "changqing.accounts.sessions.SessionPolicyMiddleware",
    # Last: turns a login refused by django-axes into the Chinese lockout page (accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "changqing.urls"
WSGI_APPLICATION = "changqing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "changqing" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "changqing.core.context_processors.shell",
                "changqing.accounts.context_processors.session_policy",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'changqing.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
    )
}
# A kept connection is checked before reuse: after the database restarts, the next request reconnects
# by itself instead of failing on a dead socket (docs/deploy.md, 数据库或 Redis 中断).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Password rules (等保 2.0 identity controls), each with its reason in Chinese: changqing/accounts/passwords.py.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "changqing.accounts.passwords.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "changqing.accounts.passwords.CharacterKindsValidator", "OPTIONS": {"min_kinds": 3}},
    {"NAME": "changqing.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "changqing.accounts.passwords.UsernameValidator"},
    {"NAME": "changqing.accounts.passwords.HistoryValidator", "OPTIONS": {"keep": 5}},
]
# Days after which a password must be changed; 0 = never (the default).
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "0"))

# Login lockout with django-axes on every door (web login, API token, django-admin): AxesStandaloneBackend
# refuses a locked account before any password is checked. See accounts/lockout.py.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))  # failures of one user name…
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))  # …within, and locked for
# Failures from one address (any user names) before that address is refused for the same time.
LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("LOGIN_IP_FAILURE_LIMIT", "30"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "changqing.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "changqing.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "changqing.accounts.lockout.client_ip"
# Attempts while locked are refused without being counted, so the lock ends when the page says it does.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # logins are in the operation log already
# The addresses of reverse proxies whose X-Forwarded-For the lockout trusts (nginx on the same host).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    # WhiteNoise warns on every request when the directory is missing; in development
    # files come from the finders, so an empty directory is all it needs.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Vendored front-end libraries are copied to var/vendor from node_modules at set-up (make setup).
STATICFILES_DIRS = [BASE_DIR / "changqing" / "static", ("vendor", BASE_DIR / "var" / "vendor")]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded and generated files are private: nothing serves MEDIA_URL publicly (nginx denies /media/).
# The checked view (core.files) serves them; in production it hands the sending to nginx with
# X-Accel-Redirect to this `internal` location (deploy/nginx.conf). Empty: Django streams the bytes.
PRIVATE_MEDIA_ACCEL_PREFIX = os.environ.get("PRIVATE_MEDIA_ACCEL_PREFIX", "/internal-media/" if PRODUCTION else "")
STORAGES = {
    # Writes each file under a temporary name and moves it in whole; a full or read-only disk is a
    # Chinese page, not a half-written file (core/storage.py).
    "default": {"BACKEND": "changqing.core.storage.SafeFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Fails soft: with Redis down a read is a miss and a write is dropped (core/cache.py), so pages work.
    CACHES = {"default": {
        "BACKEND": "changqing.core.cache.FailSoftRedisCache", "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}
    # Sessions live in the database, the cache only speeds them up: a Redis restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or None)
# No broker: run every task in-process, so a laptop needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A worker killed mid-job: its message goes back to the queue (run() refuses to run a job twice) and
# the sweeper below marks the job 失败 once its heartbeat stops (core/jobs.py sweep_stale_jobs).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# An unreachable broker must not hang a request: enqueueing gives up fast, the job waits (等待中).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Run by `celery -A changqing beat` (one instance only); see docs/deploy.md.
CELERY_BEAT_SCHEDULE = {
    "daily-digest": {
        "task": "changqing.core.send_digest",
        "schedule": crontab(hour=int(os.environ.get("DIGEST_HOUR", "7")), minute=30),
    },
    # Running jobs whose heartbeat stopped (worker killed) become 失败; jobs left waiting for the broker are sent again.
    "sweep-jobs": {"task": "changqing.core.sweep_jobs", "schedule": 120.0},
}

# E-mail for notifications: SMTP in production, printed to the console in development
# (pytest switches to the in-memory backend by itself).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "常青平台 <changqing@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so a missing or refused token is a 401 with a Chinese reason (accounts/apitoken.py).
        "changqing.accounts.apitoken.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "changqing.api.renderers.StrictBrowsableAPIRenderer",  # no inline <style> (CSP)
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "常青 API",
    "DESCRIPTION": "离退休干部党建工作平台接口。所有接口按当前用户的数据范围过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],  # the schema needs a login
    # Served from the drf-spectacular-sidecar package: no CDN on a government intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Organization.term_years and CommitteeTerm.years share one choice set: one enum name in the schema
    # (else check --deploy warns, see changqing/core/tests/test_deploy.py).
    "ENUM_NAME_OVERRIDES": {"TermYearsEnum": [(3, "3年"), (5, "5年")]},
    # Every operation also declares its error answers (400/401/403/404/409/503): changqing/api/schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "changqing.api.schema.declare_error_responses",
    ],
}

# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request (a warning shows a minute before) and
# SESSION_ABSOLUTE_LIFETIME seconds after login whatever happens (accounts/sessions.py).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_LIFETIME = int(os.environ.get("SESSION_ABSOLUTE_LIFETIME", str(8 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME

# API tokens (accounts/apitoken.py): days until a new token expires.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
# Two-factor (accounts/twofactor.py): on by default in production only, so the demo logins keep working.
# Required for these roles, for any role that manages users, and for django-admin accounts.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", PRODUCTION)
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", "bureau_admin")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "常青")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The directive alone submits nothing; it only allows a public domain onto browsers' list.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4, dict format): scripts only from our own origin, no inline
# script, no eval. Every script is a static file; pages pass data in data-* attributes or json_script.
# Styles: <style> elements only from our files; style="" attributes are allowed (templates set widths
# and colours of bars, ECharts writes its tooltips as HTML with style attributes). See architecture §CSP.
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Our own error pages (400/403/404/500 and CSRF failure), in Chinese, in the site's layout.
CSRF_FAILURE_VIEW = "changqing.core.errors.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Domain settings a bureau may change; defaults from shared/docs/DOMAIN.md.
CHANGQING = {
    "PAGE_SIZE": 50,
    "EXPORT_MAX_ROWS": 200_000,
    # Channels notify() uses by default; "sms" and "wechat" are extension points, not enabled.
    "NOTIFY_CHANNELS": env_list("NOTIFY_CHANNELS", "inapp,email"),
    # Base of links in e-mails, e.g. https://changqing.example.gov.cn
    "SITE_URL": os.environ.get("SITE_URL", ""),
    # Spreadsheet uploads (core.uploads.spreadsheet_guard), checked before any parser opens them:
    # the sum of an .xlsx's unzipped parts (a zip bomb declares gigabytes) and the rows of any sheet.
    "UPLOAD_MAX_UNZIPPED_BYTES": int(os.environ.get("UPLOAD_MAX_UNZIPPED_BYTES", 300_000_000)),
    "UPLOAD_MAX_ROWS": int(os.environ.get("UPLOAD_MAX_ROWS", 100_000)),
    # A visit's optional photo and short voice note (care.Visit): at most this many bytes each.
    "VISIT_PHOTO_MAX_BYTES": int(os.environ.get("VISIT_PHOTO_MAX_BYTES", 10 * 1024 * 1024)),
    "VISIT_VOICE_MAX_BYTES": int(os.environ.get("VISIT_VOICE_MAX_BYTES", 10 * 1024 * 1024)),
    # A running job whose heartbeat is older than this is taken for dead (its worker was killed): 失败.
    "JOB_STALE_AFTER_SECONDS": int(os.environ.get("JOB_STALE_AFTER_SECONDS", "600")),
    # A job still waiting for the broker after this long is sent again by the sweeper.
    "JOB_RESEND_AFTER_SECONDS": 120,
}
