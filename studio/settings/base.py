"""Settings shared by every profile; values come from the environment with safe local defaults."""

import os
from datetime import timedelta
from pathlib import Path

import bootstrap_wrapper
import dj_database_url
from csp import constants as csp

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean flag such as DEBUG=true from the environment."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list from the environment."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for: `make run` turns it on for runserver on 127.0.0.1, and nothing that
# listens beyond this machine may run with it (studio/checks.py, studio/wsgi.py).
DEBUG = env_bool("DEBUG", default=False)
# Which profile these settings are: studio/checks.py refuses DEBUG under "production".
CALMA_PROFILE = "development"
# The fallback key only ever serves local development; the production profile refuses it.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-calma-local-development-only-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
LOCAL_APPS = [
    "accounts",
    "studio",
    "bookings",
    "intake",
    "owner",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Security headers, after whitenoise so that static files stay cacheable: see the block
    # "Security headers" at the end of this file.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "studio.middleware.PrivatePagesNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The URL's language, else the browser's, else the studio's default (not LANGUAGE_CODE).
    "studio.middleware.StudioLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Right after it: the CSRF cookie is set once per visitor, not again with every page.
    "studio.middleware.CsrfCookieOnceMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "studio.middleware.StudioTimeZoneMiddleware",
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by its backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studio.context_processors.studio",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Database: an embedded SQLite file unless DATABASE_URL names another server.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes concurrent writers queue for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = env_bool("DATABASE_POOL", True)
    # Django's cursors bind on the client and never prepare; the few reads that bind on the
    # server (``bookings.selectors.planned_once_cursor``) are prepared after this many runs
    # on a connection. Behind a pooler that cannot keep prepared statements (PgBouncer in
    # transaction mode before 1.21), set DATABASE_PREPARE_THRESHOLD=none.
    _prepare = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        None if _prepare in ("", "none") else int(_prepare)
    )

# --- Database roles (README, "Two database roles") -------------------------------------------
# On PostgreSQL, migrations run as the owner of the tables (DATABASE_URL names the owner in
# the migrate step); web and workers connect as the runtime role, which owns nothing. When
# this names the runtime role, every migrate ends by giving it exactly the privileges it
# needs (studio/database_roles.py; `manage.py grant_runtime_role` does it on its own).
DATABASE_RUNTIME_ROLE = os.environ.get("DATABASE_RUNTIME_ROLE", "")
# --- end of database roles -------------------------------------------------------------------

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "studio:home"
LOGOUT_REDIRECT_URL = "studio:home"
# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in throttling (django-axes). A lockout is per username *and* address: a guesser is
# stopped after a few tries, while nobody can lock the front desk out of the studio by
# failing on purpose from elsewhere. Guessing from many addresses still meets the second
# factor that every staff account needs.
AXES_FAILURE_LIMIT = int(os.environ.get("CALMA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CALMA_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_USERNAME_CALLABLE = "accounts.policy.axes_username"
AXES_HTTP_RESPONSE_CODE = 429
# Staff accounts (owner, front desk, therapists) need a second factor: TOTP (django-otp).
OTP_TOTP_ISSUER = "Calma"
# Staff sessions end after this long without a request, and this long after signing in.
CALMA_STAFF_IDLE_MINUTES = int(os.environ.get("CALMA_STAFF_IDLE_MINUTES", "30"))
CALMA_STAFF_SESSION_MAX_HOURS = int(os.environ.get("CALMA_STAFF_SESSION_MAX_HOURS", "12"))
# Django's database sessions, each write one statement outside a transaction (see the module).
SESSION_ENGINE = "studio.session_store"
# A client's manage link (/b/<token>/) stops working this many days after the visit ends.
CALMA_MANAGE_LINK_DAYS = int(os.environ.get("CALMA_MANAGE_LINK_DAYS", "30"))

# The language of the source texts (the catalogs' msgids). A visitor's language comes from the
# URL (/ca/, /es/, /en/), then their browser, then the studio's default (Studio.default_language).
LANGUAGE_CODE = "en"
# Each language in its own name, as the switcher shows it (studio.models.Language matches).
LANGUAGES = [("ca", "Català"), ("es", "Español"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# The studio's own zone: every time a person reads is shown in it.
STUDIO_TIME_ZONE = os.environ.get("STUDIO_TIME_ZONE", "Europe/Madrid")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", str(bootstrap_wrapper.get_bootstrap_dir())),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: the console unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Calma <bookings@calma.localhost>")
STUDIO_STAFF_EMAIL = os.environ.get("STUDIO_STAFF_EMAIL", "frontdesk@calma.localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Celery: Redis as the broker when REDIS_URL is set; otherwise tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# In-process mode a failed message is logged by Celery rather than turned into an error page
# for a client whose booking has already been saved; tests set it back to True.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "expire-holds": {"task": "bookings.tasks.holds_expire", "schedule": 60.0},
    "send-reminders": {"task": "bookings.tasks.reminders_send", "schedule": 300.0},
    "send-review-alerts": {"task": "bookings.tasks.review_alerts_send", "schedule": 300.0},
    "send-aftercare": {"task": "bookings.tasks.aftercare_send", "schedule": 900.0},
    # Freed times offered to the waitlist: the first claim wins, so offers go out quickly.
    "sweep-waitlist": {"task": "bookings.tasks.waitlist_sweep", "schedule": 60.0},
}

# The cache, for the stored weeks of free times (bookings/times_cache.py). Every web process
# must see the same calendar version, so they are only stored in a shared cache: Redis when
# REDIS_URL is set. Without it (one development process) every page is rendered afresh.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "studio.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "calma",
        }
    }
# The longest a stored week is served; 0 turns storing off.
CALMA_TIMES_CACHE_SECONDS = (
    int(os.environ.get("CALMA_TIMES_CACHE_SECONDS", "300")) if REDIS_URL else 0
)

# Holds one visitor may keep at once, and hold requests per address (bookings/throttle.py).
CALMA_HOLDS_PER_SESSION = int(os.environ.get("CALMA_HOLDS_PER_SESSION", "2"))
CALMA_HOLDS_PER_IP = int(os.environ.get("CALMA_HOLDS_PER_IP", "4"))
CALMA_HOLD_RATE = os.environ.get("CALMA_HOLD_RATE", "20/10m") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every sign-in and clean-up at INFO; failures come as warnings.
        "axes": {"level": "WARNING"},
    },
}


# --- Security headers ------------------------------------------------------------------------
# Content-Security-Policy (django-csp): no 'unsafe-inline' anywhere. Scripts and styles come
# from this site's static files; an inline <script> or <style> runs only with the response's
# nonce ({{ CSP_NONCE }}), and style="…" attributes, on…= handlers and javascript: URLs never
# do. htmx's own indicator <style> is off (base.html) and lives in static/css/calma.css.
# Bootstrap's icons are data: URLs inside its stylesheet, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# Permissions-Policy (django-permissions-policy): the studio's pages use none of these
# powerful features, so no page, nor anything injected into one, may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Manage links carry their token in the path: no other site sees it in a Referer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Cache-Control: no-store on every page except the public ones that
# studio.middleware.PrivatePagesNoStoreMiddleware lists.
