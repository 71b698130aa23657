"""One settings module, configured by environment variables (see README: Settings)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from accord.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("ACCORD_DATA_DIR", str(BASE_DIR / "var"))).resolve()
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in DATA_DIR."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written privately, then linked into place: never readable by others, and of two
        # processes starting at once exactly one key wins.
        tmp = DATA_DIR / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "accord.core",
    "accord.org",
    "accord.activity",
    "accord.alignment",
    "accord.coordination",
    "accord.rhythm",
    "accord.decisions",
    "accord.intelligence",
    "accord.briefings",
    "accord.interchange",
    "accord.conversation",
    "accord.api",
    "accord.web",
    "accord.search",
    "accord.sources",
    "accord.mcp",
    "accord.hooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers gzip-compressed (static files are compressed when collected).
    # BREACH, which reads a secret from the sizes of compressed answers that also echo what
    # an attacker sends, finds none to read: the CSRF token is masked anew in each answer,
    # the session is a cookie, and what is shown once (a new API token, webhook secret,
    # calendar address, sign-in link) is shown by one answer that cannot be asked for again;
    # webhook addresses are not secrets (they are shown in lists and events; the signature
    # is what proves a delivery Accord's). This middleware also adds random bytes to each.
    "django.middleware.gzip.GZipMiddleware",
    "accord.core.middleware.DatabaseBusyMiddleware",  # busy SQLite: 503 + Retry-After
    "accord.api.middleware.MethodNotAllowedMiddleware",  # the API's 405 in its JSON shape
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accord.web.middleware.NeverCacheSignedInPagesMiddleware",  # Back shows pages as they are
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accord.org.middleware.OrganizationMiddleware",
    "accord.activity.middleware.ChannelMiddleware",  # events name the API token written with
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accord.web.context.shell",
            ],
            # Dates and numbers are written one way everywhere, and links are reversed once
            # (`{% url %}` remembers): accord/web/templatetags/.
            "builtins": [
                "accord.web.templatetags.dates",
                "accord.web.templatetags.numbers",
                "accord.web.templatetags.links",
                "accord.web.templatetags.people",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'accord.sqlite3'}",
        # A request reuses its worker's connection: opening one per request (PostgreSQL
        # starts a server process for it; SQLite reads the schema again) cost the health
        # check most of its time. Checked before reuse, so a restarted database is no error.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE avoids lock upgrades.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        # Seconds a write waits for SQLite's write lock before the request answers 503 +
        # Retry-After (long applies commit in short chunks, so waits stay short).
        "timeout": 5,
    }
    # Tests that start real processes (the worker) need a database file they can share.
    # The file is per test run, so parallel runs on one machine do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
# Accord speaks English only: no catalogue to translate from, so none is looked up (a
# tenth of a page's rendering went to finding the active language for each value).
USE_I18N = False
USE_TZ = True

# --- Static files: our own in accord/*/static, npm packages from node_modules -------------
# `accord serve` collects them into STATIC_ROOT when they changed: hashed names and a gzip
# copy of each, served compressed and cached for a year (accord/core/staticfiles.py). With
# DEBUG, or before anything was collected, they are served from their sources as they are.
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "accord.core.staticfiles.NpmFinder",
]
# The npm packages' files pages load, as vendor/<path in node_modules> (and the source maps
# they name, which collecting needs).
STATIC_NPM_FILES = [
    "htmx.org/dist/htmx.min.js",
    "chart.js/dist/chart.umd.min.js",
    "chart.js/dist/chart.umd.min.js.map",
    "cytoscape/dist/cytoscape.min.js",
    "sortablejs/Sortable.min.js",
    "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-dist/swagger-ui.css.map",
    "swagger-ui-dist/favicon-32x32.png",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "accord.core.staticfiles.ManifestStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or not (STATIC_ROOT / "staticfiles.json").exists()

# --- Security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Accord <accord@localhost>")
# Days a sent e-mail or chat post keeps its text (body and link) before the worker clears
# it (`accord.activity.delivery.forget_old_text`); the row of what was sent stays.
NOTIFICATION_TEXT_DAYS = env_int("ACCORD_NOTIFICATION_TEXT_DAYS", 90)

# --- Organization files (`accord plan/apply`, the import page, the API, import jobs) ---
# The largest file accepted, in bytes; the default fits an export of a 10,000-team organization.
ACCORD_ORGFILE_MAX_BYTES = env_int("ACCORD_ORGFILE_MAX_BYTES", 256 * 1024 * 1024)

# --- Outbound requests (chat webhooks, webhooks, sources, trackers): public addresses only ---
# Set to true to let them reach loopback and private networks (tests, a closed intranet).
OUTBOUND_ALLOW_PRIVATE = env_bool("ACCORD_OUTBOUND_ALLOW_PRIVATE", False)

# --- Key-result sources and work trackers (docs/sources.md) ---
# Fernet key for secrets at rest (tracker tokens, source headers, webhook secrets);
# empty: derived from SECRET_KEY.
ACCORD_ENCRYPTION_KEY = env_str("ACCORD_ENCRYPTION_KEY")
SOURCES_PULL_MINUTES = env_int("ACCORD_SOURCES_PULL_MINUTES", 60)  # how often each is pulled
SOURCES_TIMEOUT = env_int("ACCORD_SOURCES_TIMEOUT", 10)  # seconds per request

# --- Outbound webhooks (accord/hooks, docs/webhooks.md) ---
# A subscription is paused after this many failed attempts in a row (its admins are told).
WEBHOOK_PAUSE_AFTER = env_int("ACCORD_WEBHOOK_PAUSE_AFTER", 20)
# A delivery is retried with exponential back-off for this long, then given up.
WEBHOOK_RETRY_HOURS = env_int("ACCORD_WEBHOOK_RETRY_HOURS", 24)
# After a secret is rotated, the old one still signs for this long.
WEBHOOK_SECRET_OVERLAP_HOURS = env_int("ACCORD_WEBHOOK_SECRET_OVERLAP_HOURS", 24)
# Seconds to wait for a receiver's answer.
WEBHOOK_TIMEOUT = env_int("ACCORD_WEBHOOK_TIMEOUT", 10)

# --- Background work --------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# How often `accord worker` runs the scheduler tick that enqueues periodic work.
SCHEDULER_TICK_SECONDS = env_int("SCHEDULER_TICK_SECONDS", 30)

# An issue open longer than this at one level of the team tree is flagged as stuck.
ACCORD_ISSUE_STALE_DAYS = env_int("ACCORD_ISSUE_STALE_DAYS", 14)

# API lists: `?limit=&offset=`, answered as {"items": [...], "count": N}.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200
NINJA_PAGINATION_CLASS = "accord.api.common.Pagination"  # offsets bounded like ids

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Protection: sign-in throttling, API token throttling, security headers -----------------
# (README: Settings → Protection.) Kept in one block so the rest of this file stays as it is.
import datetime  # noqa: E402

INSTALLED_APPS += ["axes", "csp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django_permissions_policy.PermissionsPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes requires

# Reverse proxies in front of Accord that append the client's address to X-Forwarded-For.
# 0 (the default) trusts no header and uses the connection's address; set it to the number
# of proxies you run, never more, or clients could choose their own address.
ACCORD_PROXY_COUNT = env_int("ACCORD_PROXY_COUNT", 0)

# A shared cache: API token throttling counts failures here, so every app process must see
# the same counts. The default is a database table (`accord migrate` creates it), shared by
# all processes that share the database; Django's in-memory cache would count per process.
# Set CACHE_BACKEND/CACHE_LOCATION for e.g. django.core.cache.backends.redis.RedisCache.
CACHES = {
    "default": {
        "BACKEND": env_str("CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
        "LOCATION": env_str("CACHE_LOCATION", "accord_cache"),
    }
}

# Sign-in throttling (django-axes). Failures are counted per account and per address,
# separately: per account stops many machines guessing one person's password, per address
# stops one machine trying passwords across many accounts. A lockout lasts the cool-off
# period, or until an admin of the person's organization unlocks them from their page
# (or `accord manage axes_reset_username EMAIL`). The attempts live in the database, so
# every app process sees them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ACCORD_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("ACCORD_SIGNIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A successful sign-in does not wipe the failures: django-axes would wipe every failure
# from that address too, so someone with an account could reset the count between guesses
# at another's password. Failures simply expire after the cool-off.
AXES_RESET_ON_SUCCESS = False
# Failing again while locked out does not restart the cool-off: the message's time holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accord.web.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accord.core.security.client_ip"
AXES_USERNAME_CALLABLE = "accord.core.security.login_username"
AXES_VERBOSE = False
# Successful sign-ins are not logged a second time (with addresses, kept forever): the
# failures that lockouts need are kept only as long as they count.
AXES_DISABLE_ACCESS_LOG = True

# API token throttling: this many bad bearer tokens from one address within the window,
# and every token request from it answers 429 with Retry-After until the window ends.
ACCORD_API_TOKEN_FAILURE_LIMIT = env_int("ACCORD_API_TOKEN_FAILURE_LIMIT", 20)
ACCORD_API_TOKEN_FAILURE_WINDOW = env_int("ACCORD_API_TOKEN_FAILURE_WINDOW", 300)
# API calls per person in a window of ACCORD_API_RATE_WINDOW seconds (0 = no limit); agents
# have a stricter limit of their own.
ACCORD_API_AGENT_RATE_LIMIT = env_int("ACCORD_API_AGENT_RATE_LIMIT", 120)
ACCORD_API_PERSON_RATE_LIMIT = env_int("ACCORD_API_PERSON_RATE_LIMIT", 0)
ACCORD_API_RATE_WINDOW = env_int("ACCORD_API_RATE_WINDOW", 60)

# Content Security Policy (django-csp 4): only Accord's own scripts, styles, images and
# connections; every script is a static file (no inline <script> or on…= handler), and no
# inline style attributes or <style> elements either. Images may be data: URIs (the API
# docs' icons). The pages are never framed.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Browser features Accord never uses are switched off for its pages.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS: off by default so a local `accord serve` over plain HTTP works. Behind TLS, set
# SECURE_HSTS_SECONDS (e.g. 31536000) and, when a proxy terminates TLS, the header it sets.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER").strip()
if _proxy_ssl_header:
    # e.g. "X-Forwarded-Proto": requests whose header says https are treated as secure.
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )
# django-axes logs every attempt at INFO; failures and lockouts (WARNING) are what matter.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}

# --- Operations: Prometheus metrics, JSON logs (README: Settings → Operations) -------------
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

# /metrics (django-prometheus) answers only when ACCORD_METRICS is on, and only to a bearer
# of ACCORD_METRICS_TOKEN; when off, its middleware stays out of the stack.
ACCORD_METRICS = env_bool("ACCORD_METRICS", False)
ACCORD_METRICS_TOKEN = env_str("ACCORD_METRICS_TOKEN").strip()
if ACCORD_METRICS:
    if len(ACCORD_METRICS_TOKEN) < 16:
        raise ImproperlyConfigured(
            "ACCORD_METRICS_TOKEN must be set, at least 16 characters, when ACCORD_METRICS is on"
        )
    INSTALLED_APPS += ["django_prometheus"]
    MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    # Last but django-axes' middleware, which must stay last.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    )

# Logs: "plain" lines (the default) or "json", one object per line for log collectors.
# Every request has an id (X-Request-ID, echoed back) that JSON records carry.
ACCORD_LOG_FORMAT = env_str("ACCORD_LOG_FORMAT", "plain").strip().lower() or "plain"
if ACCORD_LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(
        f"ACCORD_LOG_FORMAT must be plain or json, not {ACCORD_LOG_FORMAT!r}"
    )
if ACCORD_LOG_FORMAT == "json":
    LOGGING["formatters"]["json"] = {"()": "accord.core.logs.JsonFormatter"}
    LOGGING["handlers"]["console"]["formatter"] = "json"
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware"),
    "accord.core.logs.RequestIdMiddleware",
)

# --- Single sign-on (README: Settings → Single sign-on) ------------------------------------
# OpenID Connect via mozilla-django-oidc, off unless ACCORD_OIDC_CLIENT_ID is set; password
# sign-in can be turned off (ACCORD_PASSWORD_SIGNIN=false). accord/core/sso.py reads them.
from accord.core.sso import sso_settings  # noqa: E402

globals().update(sso_settings(AUTHENTICATION_BACKENDS))

# --- Many machines: Redis for background work and the cache (README: Running on many
# machines). The defaults keep one machine's zero setup: the database queue and cache.
ACCORD_REDIS_URL = env_str("ACCORD_REDIS_URL").strip()
ACCORD_TASKS_BACKEND = env_str("ACCORD_TASKS_BACKEND", "database").strip().lower()
RQ_SHOW_ADMIN_LINK = False  # its dashboard's pages are not mounted; `rq info` shows the queue
if ACCORD_TASKS_BACKEND == "redis":
    # django-tasks-rq needs it (switching to Redis adds its migrations: run accord migrate).
    INSTALLED_APPS += ["django_rq"]
    if not ACCORD_REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "ACCORD_TASKS_BACKEND=redis needs ACCORD_REDIS_URL (redis://host:port/db)"
        )
    TASKS["default"]["BACKEND"] = "accord.core.redis_queue.RQBackend"
    # Jobs longer than this are stopped (rq's own default is 3 minutes; an evaluation of a
    # 10,000-team organization or a large import takes longer).
    RQ_QUEUES = {
        "default": {
            "URL": ACCORD_REDIS_URL,
            "DEFAULT_TIMEOUT": env_int("ACCORD_TASK_TIMEOUT_SECONDS", 3600),
        }
    }
elif ACCORD_TASKS_BACKEND != "database":
    raise ImproperlyConfigured(
        f"ACCORD_TASKS_BACKEND must be database or redis, not {ACCORD_TASKS_BACKEND!r}"
    )
# A running task reports that its worker lives every this many seconds; one silent for
# three times as long is taken as dead and its task is tried again by another worker.
ACCORD_WORKER_HEARTBEAT_SECONDS = env_int("ACCORD_WORKER_HEARTBEAT_SECONDS", 30)
# How many more times a task that failed, or whose worker died, is tried (Redis queue).
ACCORD_TASK_RETRIES = env_int("ACCORD_TASK_RETRIES", 2)

ACCORD_CACHE_URL = env_str("ACCORD_CACHE_URL").strip()
if ACCORD_CACHE_URL:
    if not ACCORD_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("ACCORD_CACHE_URL must be a redis:// address")
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": ACCORD_CACHE_URL,
        "KEY_PREFIX": "accord",
    }
