"""Aspirasi settings: one module, driven by the environment, embedded defaults when nothing is set.

Nothing set       -> SQLite file under var/, in-memory channel layer, DEBUG on, a development secret.
DATABASE_URL      -> postgres://user:pass@host:5432/name (psycopg 3 with Django's connection pool)
REDIS_URL         -> redis://host:6379/0 (Channels layer, shared cache for throttling and live tallies)
MEDIA_STORAGE=s3  -> photos in an S3-compatible bucket (AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, ...)
DEBUG=0           -> production: SECRET_KEY and ALLOWED_HOSTS must be set, `check --deploy` is clean.

A malformed value stops start-up with ImproperlyConfigured naming the variable. This is the only module
that reads os.environ.
"""

import ipaddress
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()


def _env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="")
    if raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def _env_float(name: str, default: float, *, minimum: float = 0) -> float:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if not value >= minimum:  # NaN fails too
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


# SQLite, the embedded default or a sqlite:// DATABASE_URL, under concurrent writers:
# - a transaction takes the write lock when it begins (IMMEDIATE). A plain BEGIN reads first and asks for
#   the lock at its first write; two such transactions then deadlock and SQLite fails one at once, whatever
#   the timeout ("database is locked": 91 of a bench storm's votes answered 500 that way);
# - a writer waiting for the lock waits up to `timeout` seconds instead of failing at once;
# - write-ahead logging: readers keep reading while a vote commits. Under the rollback journal a commit waits
#   for every reader and new readers queue behind it.
SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL"}


def _database_from_env() -> dict:
    raw = env.str("DATABASE_URL", default="")
    if not raw:
        (BASE_DIR / "var").mkdir(exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "aspirasi.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    parts = urlsplit(raw)
    if parts.scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// or sqlite:// URL, got scheme {parts.scheme!r}")
    if parts.scheme != "sqlite" and not (parts.hostname and parts.path.strip("/")):
        raise ImproperlyConfigured("DATABASE_URL must name a host and a database: postgres://user@host:5432/name")
    try:
        config = env.db_url_config(raw)
    except Exception as exc:  # django-environ raises several types for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Django's built-in psycopg pool. CONN_MAX_AGE must stay 0 with a pool (and under ASGI every
        # worker thread would otherwise keep its own connection and exhaust PostgreSQL's slots).
        config["CONN_MAX_AGE"] = 0
        # With a pool, each connection is checked as it leaves the pool: one that died with a database
        # restart is replaced instead of failing a request.
        config["CONN_HEALTH_CHECKS"] = True
        config["OPTIONS"] = {
            "pool": {
                "min_size": _env_int("DATABASE_POOL_MIN", 2, minimum=1),
                "max_size": _env_int("DATABASE_POOL_MAX", 10, minimum=1),
                "timeout": 10,
            },
        }
        if _env_bool("DATABASE_PREPARED_STATEMENTS", True):
            # Parameters bound by the server and statements prepared after 5 runs on a connection: the
            # hot statements (a token's user, the list's versions, a vote's checks) skip PostgreSQL's parse
            # and plan. Turn off behind a pooler that cannot keep prepared statements (PgBouncer in
            # transaction mode before 1.21): docs/deploy.md.
            config["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
    return config


def _redis_url_from_env() -> str | None:
    raw = env.str("REDIS_URL", default="")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(f"REDIS_URL must look like redis://host:6379/0, got {raw!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        raise ImproperlyConfigured(f"REDIS_URL has an invalid port: {raw!r}") from None
    return raw


# --- Core -------------------------------------------------------------------------------------------

DEBUG = _env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-for-local-aspirasi-0123456789abcdef"  # noqa: S105 - DEBUG only
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 32 characters when DEBUG is off")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "aspirasi.api.errors.csrf_failure"

INSTALLED_APPS = [
    "daphne",  # its runserver serves HTTP and WebSockets in development
    "aspirasi.apps.AspirasiAdminConfig",  # Django's admin with our site (aspirasi/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_prometheus",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "push_notifications",
    # Revoked refresh tokens (logout, password change, rotation): its tables come with its migrations.
    "rest_framework_simplejwt.token_blacklist",
    "realtime",
    "messaging",
    "aspirasi",
    "notifications",
    "open311",  # Open311 GeoReport v2 for photo reports (docs/open311.md)
]

MIDDLEWARE = [
    # Outermost: every answer, a redirect or an error page included, carries its X-Request-ID, and every log
    # line written while serving it its request_id (aspirasi/observability.py).
    "aspirasi.observability.RequestIdMiddleware",
    # Request counts and latencies per view (django-prometheus): the first and the last middleware.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what the middlewares and views inside produce (after WhiteNoise: static files come
    # precompressed and never pass here); outside ConditionalGetMiddleware, whose ETag is of the plain body.
    "aspirasi.api.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Adds an ETag to every GET response and answers If-None-Match with 304.
    "django.middleware.http.ConditionalGetMiddleware",
    # Cache-Control private / no-store; inside ConditionalGetMiddleware, so a 304 carries them too.
    "aspirasi.api.middleware.CacheControlMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether a staff session passed its second factor (ADMIN_OTP_REQUIRED).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns the admin's locked-out login into its page (the API answers its own 429).
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"
AUTH_USER_MODEL = "aspirasi.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data stores ------------------------------------------------------------------------------------

DATABASES = {"default": _database_from_env()}
REDIS_URL = _redis_url_from_env()
# How each process reaches Redis for the channel layer (docs/deploy.md):
CHANNEL_LAYERS_REDIS_HOST_OPTIONS = {
    # Connections per process, opened on demand. redis-py 8 caps a pool at 100 and raises past it (no
    # waiting): a burst of sockets joining their groups at once (clients reconnecting after a deploy, the
    # benchmark's 200 moderators) took every one of them and crashed the next consumer.
    "max_connections": _env_int("CHANNELS_REDIS_MAX_CONNECTIONS", 1000, minimum=10),
    # Seconds a read waits. A consumer waits for its next message in a pop that Redis answers empty after
    # 5 s (channels_redis' brpop_timeout), and redis-py 8's default of 5 s gave up first: every idle socket's
    # consumer raised and its socket closed. Publishers have their own, shorter bound (realtime/events.py).
    "socket_timeout": 10,
}

# A socket is closed after this many seconds (or when its token expires, if sooner) and its client reconnects:
# who may see which events is decided again, so a deactivated user or a moderator who lost an area stops
# receiving them, and the groups are joined afresh long before the layer drops a member (after a day).
WEBSOCKET_MAX_AGE_SECONDS = _env_int("WEBSOCKET_MAX_AGE_SECONDS", 15 * 60, minimum=1)

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **CHANNEL_LAYERS_REDIS_HOST_OPTIONS}],
                "prefix": env.str("CHANNELS_PREFIX", default="aspirasi"),
            },
        }
    }
    # Shared by every process: throttles must hold across the load balancer (login failures: the database).
    # django-redis with IGNORE_EXCEPTIONS: when Redis is down the API keeps serving (throttles fail
    # open) instead of answering 500; /healthz reports the outage.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_PREFIX", default="aspirasi"),
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Rendered items of the public proposals list, per process: keyed by a version every process reads from
# the database (aspirasi/public_list.py), so a process-local copy is never stale and costs no network trip.
CACHES["list_items"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "aspirasi-list-items",
    "TIMEOUT": _env_int("LIST_CACHE_SECONDS", 300, minimum=0),
    "OPTIONS": {"MAX_ENTRIES": 2000},
}
# Whole pages of that list, per process, under the content and tallies versions (aspirasi/api/list_cache.py).
# A page of 20 is about 30 KB: 500 pages bound a process to about 15 MB.
CACHES["list_pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "aspirasi-list-pages",
    "TIMEOUT": _env_int("LIST_CACHE_SECONDS", 300, minimum=0),
    "OPTIONS": {"MAX_ENTRIES": 500},
}
# Public proposals' details, the same way (a viral proposal's link): one item each, a few KB.
CACHES["proposal_details"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "aspirasi-proposal-details",
    "TIMEOUT": _env_int("LIST_CACHE_SECONDS", 300, minimum=0),
    "OPTIONS": {"MAX_ENTRIES": 2000},
}
# Pages of public items' comment threads, the same way under each thread's version: a page of 20 is ~8 KB.
CACHES["comment_pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "aspirasi-comment-pages",
    "TIMEOUT": _env_int("LIST_CACHE_SECONDS", 300, minimum=0),
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# Which proposals of a cached page a caller supports, per caller and page: small sets.
CACHES["list_voted"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "aspirasi-list-voted",
    "TIMEOUT": _env_int("LIST_CACHE_SECONDS", 300, minimum=0),
    "OPTIONS": {"MAX_ENTRIES": 10000},
}
# The current Musrenbang cycle, per process, under the cycles' version (moved by a trigger) and the day
# (aspirasi/services/cycles.py): the vote reads it on every cast. One entry in use; the timeout bounds memory.
CACHES["cycles"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "aspirasi-cycles",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 10},
}

# --- Auth -------------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Who may sign in, in this order: django-axes refuses a locked-out client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Staff second factor: with ADMIN_OTP_REQUIRED the admin lets in only staff verified by a confirmed TOTP device
# (django-otp; enrolment in docs/deploy.md). Off by default so a fresh install's first admin can enrol one.
ADMIN_OTP_REQUIRED = _env_bool("ADMIN_OTP_REQUIRED", False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Aspirasi Balikpapan")

# --- Client addresses -------------------------------------------------------------------------------

# The address every throttle and lockout counts (aspirasi/client_address.py): the connection's, unless it
# comes from our proxies, which overwrite X-Forwarded-For (docs/deploy.md). Either their number (NUM_PROXIES:
# the Nth X-Forwarded-For entry from the right, DRF's rule) or their addresses and networks (TRUSTED_PROXIES:
# the right-most entry not written by one of them). Never a header a client chose.
NUM_PROXIES = _env_int("NUM_PROXIES", 0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES must list addresses or networks, got {_proxy!r}") from None
if NUM_PROXIES and TRUSTED_PROXIES:
    raise ImproperlyConfigured("Set NUM_PROXIES or TRUSTED_PROXIES, not both: they describe the same proxies")

# --- Login lockouts (django-axes) ---------------------------------------------------------------------

# Failed logins, API and admin alike, count per (phone, client address) and per client address; a lockout
# doubles with every failure made during it (aspirasi/login_limits.py). A guesser elsewhere cannot lock the
# owner out: only the guesser's address is refused.
AXES_FAILURE_LIMIT = _env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)  # per (phone, address)
LOGIN_ADDRESS_FAILURE_LIMIT = _env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)  # per address, any phones
# How long a failure is remembered after the latest, and the first lockout's length; then 2x, 4x, ... the max.
LOGIN_FAILURE_WINDOW_SECONDS = _env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60, minimum=1)
LOGIN_LOCKOUT_MAX_SECONDS = _env_int("LOGIN_LOCKOUT_MAX_SECONDS", 24 * 60 * 60, minimum=1)
if LOGIN_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("LOGIN_ADDRESS_FAILURE_LIMIT must be at least LOGIN_FAILURE_LIMIT")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # the two counts the handler reads
AXES_HANDLER = "aspirasi.login_limits.LoginFailuresHandler"  # the database's: shared by every machine
AXES_CLIENT_IP_CALLABLE = "aspirasi.client_address.client_address"
# The name failures count under: the admin form's field, and user_login's authenticate(username=E.164 phone).
AXES_USERNAME_FORM_FIELD = "username"
# Each attempt row expires on its own (the window, or the end of the lockout it counts toward), so growing
# lockouts survive other clients' clean-ups.
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True  # a failure while locked out counts, and extends it
AXES_RESET_ON_SUCCESS = False  # axes would clear the address's count too; login_limits clears the pair only
AXES_LOCKOUT_CALLABLE = "aspirasi.login_limits.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure, for the admin (Axes > Access failures)
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp_token"]  # masked in logged form data

# One-time codes sent by text (services/verification.py): sign-up, a login before the phone is verified and
# password reset. A code lives PHONE_CODE_LIFETIME_SECONDS and takes PHONE_CODE_MAX_ATTEMPTS wrong tries.
# Texts to one number (codes and notices alike, whether or not it has an account): at most one per
# PHONE_CODE_RESEND_SECONDS (0 turns the cool-down off), PHONE_CODES_PER_HOUR and PHONE_CODES_PER_DAY.
PHONE_CODE_LIFETIME_SECONDS = _env_int("PHONE_CODE_LIFETIME_SECONDS", 5 * 60, minimum=30)
PHONE_CODE_MAX_ATTEMPTS = _env_int("PHONE_CODE_MAX_ATTEMPTS", 5, minimum=1)
PHONE_CODE_RESEND_SECONDS = _env_int("PHONE_CODE_RESEND_SECONDS", 60, minimum=0)
PHONE_CODES_PER_HOUR = _env_int("PHONE_CODES_PER_HOUR", 5, minimum=1)
PHONE_CODES_PER_DAY = _env_int("PHONE_CODES_PER_DAY", 10, minimum=1)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=_env_int("JWT_ACCESS_MINUTES", 30, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=_env_int("JWT_REFRESH_DAYS", 30, minimum=1)),
    "SIGNING_KEY": SECRET_KEY,
    "UPDATE_LAST_LOGIN": False,
    # A refresh token is good for one refresh: the answer carries its successor and the used one is revoked,
    # so a stolen copy works only until either party refreshes (docs/api.md, "Your account").
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}
# Seconds a token's user is kept once read (docs/architecture.md, "Authentication"); 0 reads it every time.
AUTH_USER_CACHE_SECONDS = _env_int("AUTH_USER_CACHE_SECONDS", 5, minimum=0)

# --- API --------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aspirasi.api.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the views that take a file upload (photos, reports, a report's proof of fix) add multipart.
    "DEFAULT_PARSER_CLASSES": ["aspirasi.api.parsers.SafeJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "aspirasi.api.negotiation.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "aspirasi.api.schema.AspirasiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["aspirasi.api.filtering.FilterBackend"],
    "EXCEPTION_HANDLER": "aspirasi.api.errors.exception_handler",
    # Throttles count an anonymous client by aspirasi.client_address (NUM_PROXIES, TRUSTED_PROXIES above);
    # DRF's own NUM_PROXIES stays unset, so no throttle can read X-Forwarded-For its own way.
    "DEFAULT_THROTTLE_RATES": {
        "create": env.str("THROTTLE_CREATE", default="30/hour"),
        "vote": env.str("THROTTLE_VOTE", default="120/hour"),
        "register": env.str("THROTTLE_REGISTER", default="20/hour"),
        # Per client address, generous: many residents share a carrier's address (CGNAT).
        "login": env.str("THROTTLE_LOGIN", default="300/hour"),
        # Per resident: flags send items to moderators' review, so one account cannot flood the queue.
        "flag": env.str("THROTTLE_FLAG", default="20/day"),
        # Per client address: asking for a text (resend, password reset) and trying a code (verify, confirm).
        "code_send": env.str("THROTTLE_CODE_SEND", default="20/hour"),
        "code_check": env.str("THROTTLE_CODE_CHECK", default="60/hour"),
        # Per account: the whole export is heavy; a password check (change, erasure) is a guess to limit.
        "export": env.str("THROTTLE_EXPORT", default="5/hour"),
        # The OPD loop (api/opd.py): an officer's follow-ups, a reporter's confirmations and their photos.
        "follow_up": env.str("THROTTLE_FOLLOW_UP", default="120/hour"),
        "confirmation": env.str("THROTTLE_CONFIRMATION", default="20/hour"),
        "password": env.str("THROTTLE_PASSWORD", default="10/hour"),
        # Per Open311 API key (open311/views.py): the requests one integration files.
        "open311": env.str("THROTTLE_OPEN311", default="60/hour"),
        # Per client address: reading requests (up to 1000 a page) through Open311.
        "open311_read": env.str("THROTTLE_OPEN311_READ", default="600/hour"),
        # Per account: new comments (discussion, issue 25); edits and deletes are not counted.
        "comment": env.str("THROTTLE_COMMENT", default="60/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# The schema covers /api/ only: Open311 (/open311/v2/, docs/open311.md) is plain Django views, which
# drf-spectacular never lists, so no SCHEMA_PATH_PREFIX is needed to keep it out.
SPECTACULAR_SETTINGS = {
    "PATH_CONVERTER_OVERRIDES": {"id": int},  # <id:...> (aspirasi/api/converters.py) stays an integer
    "TITLE": "Aspirasi Balikpapan API",
    "DESCRIPTION": (
        "Residents' proposals (usulan), votes and photo reports for Balikpapan's poverty-reduction "
        "planning. Every error has the shape {code, message, fields?}; messages follow Accept-Language "
        "(id by default, en)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        # Two choice sets share the field name "reason": name each one.
        "FlagReasonEnum": "aspirasi.models.moderation.FlagReason",
        "RejectionReasonEnum": "aspirasi.services.moderation.RejectionReason",
        "ProposalStatusEnum": "aspirasi.models.proposals.ProposalStatus",
        # The name it had before the export reused the choice set (a generated client keeps its type).
        "ReportOutputStatusEnum": "aspirasi.models.reports.ReportStatus",
        # Planning levels (kelurahan, kecamatan, city) and shortlist decisions (issue 24).
        # Names the schema had before issue 24 added choice sets under the same field names.
        "LevelEnum": ["kecamatan", "city"],
        "KindEnum": "notifications.models.NotificationKind",
        "PlanningLevelEnum": "aspirasi.models.planning.Level",
        "PaguSourceEnum": "aspirasi.models.planning.PaguSource",
        "ShortlistReasonCodeEnum": "aspirasi.selectors.shortlist.REASON_CODES",
        "ShortlistDecisionKindEnum": "aspirasi.models.planning.ShortlistDecisionKind",
        # The OPD loop (issue 23): several "state"/"stage" fields, each its own choice set.
        "DispositionStateEnum": "aspirasi.models.opd.DispositionState",
        "FollowUpStateEnum": "aspirasi.models.opd.FollowUpState",
        "FollowUpStepEnum": "aspirasi.models.opd.FollowUpStep",
        "SlaStageEnum": "aspirasi.sla.STAGES",
        "SlaStateEnum": "aspirasi.sla.STATES",
        # Discussion (issue 25): a comment is visible, deleted by its author or hidden by a moderator.
        "CommentStateEnum": "aspirasi.models.comments.CommentState",
        # The moderation queue's kinds (a comment too, since issue 25): the bulk items' name before it; what a
        # comment belongs to.
        "TypeEnum": "aspirasi.selectors.moderation.KINDS",
        "CommentThreadTypeEnum": "aspirasi.selectors.moderation.THREAD_KINDS",
    },
}

# --- Domain -----------------------------------------------------------------------------------------

VOTE_BUDGET = _env_int("VOTE_BUDGET", 10, minimum=1)
# --- Flags (issue 21) ---
# Distinct residents with open flags on a public item before it goes to moderators' review (it stays
# public until a moderator decides). FLAG_HIDE_THRESHOLD is its former name, still read when the new one
# is not set.
FLAG_REVIEW_THRESHOLD = _env_int(
    "FLAG_REVIEW_THRESHOLD" if env.str("FLAG_REVIEW_THRESHOLD", default="") else "FLAG_HIDE_THRESHOLD", 3, minimum=1
)
# Accounts younger than this (since they registered) cannot flag: fresh accounts cannot gang up on an item.
FLAG_MIN_ACCOUNT_AGE_HOURS = _env_int("FLAG_MIN_ACCOUNT_AGE_HOURS", 24)

# --- Discussion (services/comments.py) ---
# Seconds after writing during which the author may edit or delete a comment.
COMMENT_EDIT_WINDOW_SECONDS = _env_int("COMMENT_EDIT_WINDOW_SECONDS", 900, minimum=0)
# A thread notifies each recipient at most once per window of this many seconds (per kind), however many
# comments it gets: no notification storm on a busy proposal.
COMMENT_NOTIFY_WINDOW_SECONDS = _env_int("COMMENT_NOTIFY_WINDOW_SECONDS", 3600, minimum=1)
# Photos (services/images.py): the largest upload accepted, and the largest picture in pixels, checked
# from the file's header before decoding (decompression bombs).
IMAGE_MAX_BYTES = _env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
IMAGE_MAX_PIXELS = _env_int("IMAGE_MAX_PIXELS", 40_000_000, minimum=1)
# A photo travels as a multipart file: Django spools it to a temporary file past FILE_UPLOAD_MAX_MEMORY_SIZE
# and DATA_UPLOAD_MAX_MEMORY_SIZE counts only the form fields, so an oversized photo reaches the image
# pipeline and gets `image_too_large` rather than a generic 400. The proxy caps the whole body
# (docs/deploy.md: client_max_body_size 12m, i.e. IMAGE_MAX_BYTES plus the form fields).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # form fields only (Django's default, stated here on purpose)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger photos go to FILE_UPLOAD_TEMP_DIR, not memory
# Mounts the benchmark's floor endpoints (bench/floor.py); only `make bench` sets it.
BENCH_FLOOR = _env_bool("BENCH_FLOOR", False)

# --- i18n -------------------------------------------------------------------------------------------

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Makassar"  # WITA, Balikpapan's time zone
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))


# Uploaded files (photos, thumbnails, proofs of fix: whatever goes through default_storage). `local`, the
# embedded default, writes under MEDIA_ROOT: one machine only. `s3` writes to any S3-compatible store
# through django-storages (boto3), shared by every machine. Its URLs are either public (the bucket or its CDN,
# AWS_S3_CUSTOM_DOMAIN, serves them as they are) or signed for MEDIA_URL_EXPIRE_SECONDS. A signed URL can sit
# in the proposals list's cache for LIST_CACHE_SECONDS before a client gets it, so it must outlive that.
def _media_storage_from_env() -> dict:
    """default_storage's STORAGES entry for MEDIA_STORAGE (tests build theirs with it too)."""
    choice = env.str("MEDIA_STORAGE", default="local")
    if choice not in {"local", "s3"}:
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, got {choice!r}")
    if choice == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (the bucket photos go to)")
    endpoint = env.str("AWS_S3_ENDPOINT_URL", default="") or None  # None: AWS itself
    if endpoint and urlsplit(endpoint).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(f"AWS_S3_ENDPOINT_URL must be an http(s):// URL, got {endpoint!r}")
    media_urls = env.str("MEDIA_URLS", default="signed")
    if media_urls not in {"public", "signed"}:
        raise ImproperlyConfigured(f"MEDIA_URLS must be public or signed, got {media_urls!r}")
    cache_seconds = _env_int("LIST_CACHE_SECONDS", 300, minimum=0)
    expire = _env_int("MEDIA_URL_EXPIRE_SECONDS", 3600, minimum=1)
    if media_urls == "signed" and expire < cache_seconds + 600:
        raise ImproperlyConfigured(
            "MEDIA_URL_EXPIRE_SECONDS must be at least LIST_CACHE_SECONDS + 600: a cached page's signed photo "
            f"URLs must still work when a client opens them (got {expire} < {cache_seconds} + 600)"
        )
    addressing = env.str("AWS_S3_ADDRESSING_STYLE", default="") or None  # "path" for MinIO and most others
    if addressing not in {None, "path", "virtual", "auto"}:
        raise ImproperlyConfigured(f"AWS_S3_ADDRESSING_STYLE must be path, virtual or auto, got {addressing!r}")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Empty: boto3 finds credentials itself (an instance role, AWS_* in the environment, ~/.aws).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": addressing,
            # A CDN or proxy in front of the bucket (host and optional path), serving public URLs.
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "url_protocol": env.str("AWS_S3_URL_PROTOCOL", default="https:"),
            "location": env.str("AWS_LOCATION", default=""),
            "querystring_auth": media_urls == "signed",
            "querystring_expire": expire,
            "default_acl": None,  # the bucket's policy decides who reads, not a per-object ACL
            # Every stored name carries a fresh uuid4 (services/images.py): no name can collide, so skip
            # the existence check (one HEAD request per file) that picking a free name would cost.
            "file_overwrite": True,
        },
    }


MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
STORAGES = {
    "default": _media_storage_from_env(),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Admin map ---------------------------------------------------------------------------------------

# The admin's map (vendored Leaflet, aspirasi/static/aspirasi/admin/map.js) draws tiles from MAP_TILE_URL, a
# Leaflet URL template such as https://tile.openstreetmap.org/{z}/{x}/{y}.png (docs/deploy.md, "Admin map").
# Empty (the default): no tiles and no request to any tile host; the point shows on a plain background
# inside the city's outline, with its coordinates as text. Tests and offline machines need nothing.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
if MAP_TILE_URL and not MAP_TILE_URL.startswith("https://") and not DEBUG:
    raise ImproperlyConfigured("MAP_TILE_URL must be an https:// URL template (or empty for no tiles)")

# --- Security (production) --------------------------------------------------------------------------

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- Logs, errors, metrics -------------------------------------------------------------------------

# One line per record on stderr: JSON objects in production (LOG_FORMAT=json, the default with DEBUG off,
# through python-json-logger) for the log pipeline to index, plain text in development. Both carry the
# request id of the HTTP request being served ("-" outside one: tasks, commands).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "aspirasi.observability.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,  # "timestamp": ISO 8601 in UTC
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every step of every login at INFO; its warnings (failures, lockouts) are what matters.
    "loggers": {"axes": {"level": env.str("AXES_LOG_LEVEL", default="WARNING")}},
}

# Error tracking: with SENTRY_DSN set, sentry-sdk reports unhandled errors (and ERROR log lines) of every
# process, tagged with the request id; nothing is sent without it. No personal data: phone numbers, names
# and addresses stay out of the events (send_default_pii off); SENTRY_TRACES_SAMPLE_RATE samples traces.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_TRACES_SAMPLE_RATE = _env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0)
if SENTRY_TRACES_SAMPLE_RATE > 1:
    raise ImproperlyConfigured(f"SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1, got {SENTRY_TRACES_SAMPLE_RATE}")
if SENTRY_DSN:
    import sentry_sdk

    try:
        sentry_sdk.init(
            dsn=SENTRY_DSN,
            environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
            release=env.str("SENTRY_RELEASE", default="") or None,
            send_default_pii=False,
            traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        )
    except Exception as exc:  # sentry-sdk raises BadDsn (and others) on a malformed DSN
        raise ImproperlyConfigured(f"SENTRY_DSN is malformed: {exc}") from None

# Prometheus metrics at /metrics (aspirasi/api/metrics.py), for a scraper sending `Authorization: Bearer
# METRICS_TOKEN`; without METRICS_TOKEN the endpoint answers 404. Under gunicorn's or uvicorn's several
# workers set PROMETHEUS_MULTIPROC_DIR (an empty directory per container, emptied at each start): every
# worker writes its counts there and a scrape sums them (docs/deploy.md, "Metrics").
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters")

# --- Text messages -------------------------------------------------------------------------------------

# django-sms' backend for one-time codes and account notices: the console (the default: `make run` prints
# each message, code included, in its log) or a real gateway in production (docs/deploy.md, "Text
# messages"). Only the task worker sends; a send waits at most about
# (SMS_RETRIES + 1) x (SMS_CONNECT_TIMEOUT + SMS_RETRY_MAX_WAIT) + SMS_READ_TIMEOUT seconds.
_SMS_BACKENDS = {
    "console": "sms.backends.console.SmsBackend",
    "whatsapp": "messaging.backends.whatsapp.SmsBackend",
    "http": "messaging.backends.http.SmsBackend",
}
_sms_choice = env.str("SMS_BACKEND", default="console")
if _sms_choice not in _SMS_BACKENDS:
    raise ImproperlyConfigured(f"SMS_BACKEND must be one of {sorted(_SMS_BACKENDS)}, got {_sms_choice!r}")
SMS_BACKEND = _SMS_BACKENDS[_sms_choice]
DEFAULT_FROM_SMS = env.str("SMS_FROM", default="Aspirasi")
SMS_CONNECT_TIMEOUT = _env_float("SMS_CONNECT_TIMEOUT", 5.0, minimum=0.1)
SMS_READ_TIMEOUT = _env_float("SMS_READ_TIMEOUT", 10.0, minimum=0.1)
SMS_RETRIES = _env_int("SMS_RETRIES", 3, minimum=0)  # after a connection failure, 429 or 5xx
SMS_RETRY_BACKOFF = _env_float("SMS_RETRY_BACKOFF", 0.5, minimum=0)  # seconds, doubled at each retry
SMS_RETRY_MAX_WAIT = _env_int("SMS_RETRY_MAX_WAIT", 10, minimum=0)  # caps the backoff and Retry-After
# WhatsApp Business Cloud API: a system user's access token, the business phone number's id, and the
# approved authentication template that carries the codes.
WHATSAPP_API_URL = env.str("WHATSAPP_API_URL", default="https://graph.facebook.com")
WHATSAPP_API_VERSION = env.str("WHATSAPP_API_VERSION", default="v23.0")
if not re.fullmatch(r"v\d+\.\d+", WHATSAPP_API_VERSION):
    raise ImproperlyConfigured(f"WHATSAPP_API_VERSION must look like v23.0, got {WHATSAPP_API_VERSION!r}")
WHATSAPP_TOKEN = env.str("WHATSAPP_TOKEN", default="")
WHATSAPP_PHONE_NUMBER_ID = env.str("WHATSAPP_PHONE_NUMBER_ID", default="")
WHATSAPP_CODE_TEMPLATE = env.str("WHATSAPP_CODE_TEMPLATE", default="")
WHATSAPP_TEMPLATE_LANGUAGE = env.str("WHATSAPP_TEMPLATE_LANGUAGE", default="id")
# A JSON SMS gateway; the defaults are 8x8's Send SMS API (messaging/backends/http.py).
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_HTTP_AUTH_HEADER = env.str("SMS_HTTP_AUTH_HEADER", default="Authorization")
SMS_HTTP_AUTH_SCHEME = env.str("SMS_HTTP_AUTH_SCHEME", default="Bearer")
SMS_HTTP_TO_FIELD = env.str("SMS_HTTP_TO_FIELD", default="destination")
SMS_HTTP_TEXT_FIELD = env.str("SMS_HTTP_TEXT_FIELD", default="text")
SMS_HTTP_FROM_FIELD = env.str("SMS_HTTP_FROM_FIELD", default="source")
_SMS_REQUIRED = {
    "whatsapp": ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_CODE_TEMPLATE"),
    "http": ("SMS_HTTP_URL", "SMS_HTTP_TOKEN"),
}
_sms_missing = [name for name in _SMS_REQUIRED.get(_sms_choice, ()) if not globals()[name]]
if _sms_missing:
    raise ImproperlyConfigured(f"SMS_BACKEND={_sms_choice} needs {', '.join(_sms_missing)}")
# The token travels in a header: never over plain HTTP outside development.
for _name in ("WHATSAPP_API_URL", "SMS_HTTP_URL"):
    _url = globals()[_name]
    if _url and not (_url.startswith("https://") or (DEBUG and _url.startswith("http://"))):
        raise ImproperlyConfigured(f"{_name} must be an https:// URL, got {_url!r}")

# --- Notifications and tasks ---------------------------------------------------------------------------

# Background work (push delivery, large fan-outs, digests) goes through django-tasks with its database
# backend: tasks are rows in the main database, so they survive a restart and commit with nothing extra to
# run but `manage.py db_worker` (see docs/notifications.md for why not Celery).
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
NOTIFICATION_BATCH_SIZE = _env_int("NOTIFICATION_BATCH_SIZE", 1000, minimum=1)
# Fan-outs up to this many recipients are published live by the request; larger ones by the worker.
NOTIFICATION_LIVE_INLINE_LIMIT = _env_int("NOTIFICATION_LIVE_INLINE_LIMIT", 100, minimum=0)
MODERATION_DIGEST_WAITING_HOURS = _env_int("MODERATION_DIGEST_WAITING_HOURS", 48, minimum=1)
# `manage.py scheduler` (aspirasi/schedule.py): how often it looks for a due job, how often the push retry
# sweep runs, and how long pruning (daily) keeps finished task results and its own claims.
SCHEDULER_TICK_SECONDS = _env_int("SCHEDULER_TICK_SECONDS", 30, minimum=1)
PUSH_RETRY_SWEEP_SECONDS = _env_int("PUSH_RETRY_SWEEP_SECONDS", 300, minimum=10)
TASK_RESULTS_KEEP_DAYS = _env_int("TASK_RESULTS_KEEP_DAYS", 14, minimum=1)
SCHEDULED_RUNS_KEEP_DAYS = _env_int("SCHEDULED_RUNS_KEEP_DAYS", 30, minimum=2)
# Working-day SLAs (aspirasi/sla.py, docs/sla.md), LAPOR!'s deadlines: verification 3, the OPD's follow-up 5,
# the resident's confirmation window 10 working days (WITA, Indonesia's holidays + the admin's calendar).
SLA_VERIFICATION_DAYS = _env_int("SLA_VERIFICATION_DAYS", 3, minimum=1)
SLA_DISPOSITION_DAYS = _env_int("SLA_DISPOSITION_DAYS", 3, minimum=1)
SLA_FOLLOW_UP_DAYS = _env_int("SLA_FOLLOW_UP_DAYS", 5, minimum=1)
SLA_CONFIRMATION_DAYS = _env_int("SLA_CONFIRMATION_DAYS", 10, minimum=1)
SLA_DUE_SOON_HOURS = _env_int("SLA_DUE_SOON_HOURS", 24, minimum=1)
SLA_TICK_MINUTES = _env_int("SLA_TICK_MINUTES", 5, minimum=1)  # how often `manage.py scheduler` runs sla_tick

_PUSH_BACKENDS = {
    "log": "notifications.push.LoggingPushBackend",
    "push_notifications": "notifications.push.DjangoPushNotificationsBackend",
}
_push_choice = env.str("PUSH_BACKEND", default="log")
if _push_choice not in _PUSH_BACKENDS:
    raise ImproperlyConfigured(f"PUSH_BACKEND must be one of {sorted(_PUSH_BACKENDS)}, got {_push_choice!r}")
PUSH_BACKEND = _PUSH_BACKENDS[_push_choice]
PUSH_MAX_ATTEMPTS = _env_int("PUSH_MAX_ATTEMPTS", 10, minimum=1)
PUSH_RETRY_BASE_SECONDS = _env_int("PUSH_RETRY_BASE_SECONDS", 30, minimum=1)
PUSH_RETRY_MAX_DELAY_SECONDS = _env_int("PUSH_RETRY_MAX_DELAY_SECONDS", 3600, minimum=1)
PUSH_LEASE_SECONDS = _env_int("PUSH_LEASE_SECONDS", 300, minimum=1)  # a crashed worker's claim expires
PUSH_CLAIM_BATCH = _env_int("PUSH_CLAIM_BATCH", 500, minimum=1)
# django-push-notifications: FCM through firebase-admin's default app (initialised from
# FCM_CREDENTIALS_FILE, a service-account JSON, on first use), APNs with a token key (.p8) through aioapns.
# Its module reads this dict once, at import: tests patch push_notifications.settings.PUSH_NOTIFICATIONS_SETTINGS.
FCM_CREDENTIALS_FILE = env.str("FCM_CREDENTIALS_FILE", default="")
_APNS_KEYS = ("APNS_AUTH_KEY_PATH", "APNS_AUTH_KEY_ID", "APNS_TEAM_ID", "APNS_TOPIC")
PUSH_NOTIFICATIONS_SETTINGS = {
    "UNIQUE_REG_ID": True,
    "APNS_USE_SANDBOX": _env_bool("APNS_USE_SANDBOX", False),
    **{key: value for key in _APNS_KEYS if (value := env.str(key, default=""))},
}
if _push_choice == "push_notifications":
    if not (FCM_CREDENTIALS_FILE or "APNS_AUTH_KEY_PATH" in PUSH_NOTIFICATIONS_SETTINGS):
        raise ImproperlyConfigured(
            "PUSH_BACKEND=push_notifications needs FCM_CREDENTIALS_FILE and/or APNS_AUTH_KEY_PATH"
        )
    # Half an APNs setup fails on every send (aioapns needs key, key id, team id and topic): refuse to start.
    _apns_missing = [key for key in _APNS_KEYS if key not in PUSH_NOTIFICATIONS_SETTINGS]
    if "APNS_AUTH_KEY_PATH" in PUSH_NOTIFICATIONS_SETTINGS and _apns_missing:
        raise ImproperlyConfigured(f"APNS_AUTH_KEY_PATH is set but {', '.join(_apns_missing)} missing")
