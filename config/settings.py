"""ParcelDesk settings, all from the environment.

With nothing set, the embedded default runs: a SQLite file, the in-memory channel layer, eager
Celery tasks and the local-memory cache. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and
Redis (Celery broker, Channels layer and cache).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", env_bool("DJANGO_DEBUG", False))
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "dev-only-insecure-key-parceldesk" if DEBUG else ""
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "channels",
    "tickets",
    "routing",
    "logistics",
    "chatbot",
    "analytics",
    "knowledge",
    "stations",
]
if env_bool("PARCELDESK_BENCH"):
    INSTALLED_APPS.append("bench.bareapp")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Embedded mode: several threads (ASGI, eager tasks) write; wait for the lock, don't fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                  "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Celery: Redis broker when configured, else every task runs eagerly in the caller's process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into django-celery-beat's tables on beat start-up; ops edit them in admin after that.
CELERY_BEAT_SCHEDULE = {
    "tickets.check_sla_breaches": {"task": "tickets.check_sla_breaches", "schedule": 60.0},
    "tickets.retry_notifications": {"task": "tickets.retry_notifications", "schedule": 60.0},
    "logistics.detect_stalls": {"task": "logistics.detect_stalls", "schedule": 600.0},
    "logistics.poll_due_shipments": {"task": "logistics.poll_due_shipments", "schedule": 300.0},
    "logistics.refresh_lane_stats": {"task": "logistics.refresh_lane_stats",
                                     "schedule": 3600.0},
    "routing.alert_waiting_tickets": {"task": "routing.alert_waiting_tickets",
                                      "schedule": 60.0},
    "routing.escalate_response_breaches": {"task": "routing.escalate_response_breaches",
                                           "schedule": 60.0},
    "routing.drain_queues": {"task": "routing.drain_queues", "schedule": 60.0},
    "routing.refresh_performance": {"task": "routing.refresh_performance",
                                    "schedule": 3600.0},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/admin/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "PAGE_SIZE": 25,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ParcelDesk API",
    "DESCRIPTION": "Staff and customer API of ParcelDesk, the express-delivery service desk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Chatbot NLU: trained models live here (versioned; `current` names the one in use). Pretrained
# HanLP model ids need the HanLP hub; empty keeps the offline pipeline (chatbot/nlu/).
NLU_MODEL_DIR = os.environ.get("NLU_MODEL_DIR", str(BASE_DIR / "var" / "nlu"))
HANLP_PRETRAINED_NER = os.environ.get("HANLP_PRETRAINED_NER", "")

# Tickets
# Seconds a process keeps categories, SLA policies and the default queue (tickets/catalog.py).
CATALOG_TTL = float(os.environ.get("CATALOG_TTL", "30"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
# Notification channels → backend class, chosen like EMAIL_BACKEND. The console backend logs
# (masked) and marks the message sent; swap in the real ones per deployment.
NOTIFICATION_BACKENDS = {
    "sms": os.environ.get("NOTIFY_SMS_BACKEND", "tickets.notifications.backends.ConsoleBackend"),
    "wecom": os.environ.get("NOTIFY_WECOM_BACKEND",
                            "tickets.notifications.backends.ConsoleBackend"),
    "dingtalk": os.environ.get("NOTIFY_DINGTALK_BACKEND",
                               "tickets.notifications.backends.ConsoleBackend"),
    "wechat": os.environ.get("NOTIFY_WECHAT_BACKEND",
                             "tickets.notifications.backends.ConsoleBackend"),
}
# Where supervisor alerts go (a WeCom/DingTalk group robot in production).
NOTIFY_SUPERVISOR_CHANNEL = os.environ.get("NOTIFY_SUPERVISOR_CHANNEL", "wecom")
WECOM_ROBOT_URL = os.environ.get("WECOM_ROBOT_URL", "")
DINGTALK_ROBOT_URL = os.environ.get("DINGTALK_ROBOT_URL", "")
DINGTALK_ROBOT_SECRET = os.environ.get("DINGTALK_ROBOT_SECRET", "")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_SECRET = os.environ.get("SMS_GATEWAY_SECRET", "")
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "ParcelDesk")
WECHAT_APPID = os.environ.get("WECHAT_APPID", "")
WECHAT_SECRET = os.environ.get("WECHAT_SECRET", "")
WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_DEFAULT_TEMPLATE = os.environ.get("WECHAT_DEFAULT_TEMPLATE", "")
NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", "5"))
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8"))

# Logistics: push signature keys per tracking source (logistics/README.md). A source whose key
# is empty has its pushes refused with 401, unless DEBUG. SF route pushes carry no signature:
# their webhook URL carries SF_WEBHOOK_TOKEN instead (/api/logistics/webhooks/sf/?token=…).
KUAIDI100_SALT = os.environ.get("KUAIDI100_SALT", "")
KDNIAO_APP_KEY = os.environ.get("KDNIAO_APP_KEY", "")
TRACK17_SECURITY_KEY = os.environ.get("TRACK17_SECURITY_KEY", "")
AFTERSHIP_WEBHOOK_SECRET = os.environ.get("AFTERSHIP_WEBHOOK_SECRET", "")
SF_CHECKWORD = os.environ.get("SF_CHECKWORD", "")
SF_WEBHOOK_TOKEN = os.environ.get("SF_WEBHOOK_TOKEN", "")
# Polling and push-subscription credentials; a source without them is neither polled nor
# subscribed (no network call is made).
KUAIDI100_CUSTOMER = os.environ.get("KUAIDI100_CUSTOMER", "")
KUAIDI100_KEY = os.environ.get("KUAIDI100_KEY", "")
KDNIAO_EBUSINESS_ID = os.environ.get("KDNIAO_EBUSINESS_ID", "")
TRACK17_TOKEN = os.environ.get("TRACK17_TOKEN", "")
AFTERSHIP_API_KEY = os.environ.get("AFTERSHIP_API_KEY", "")
SF_PARTNER_ID = os.environ.get("SF_PARTNER_ID", "")
# Public base URL of this server, for the callback URL given when subscribing pushes.
LOGISTICS_CALLBACK_BASE = os.environ.get("LOGISTICS_CALLBACK_BASE", "")
LOGISTICS_HTTP_TIMEOUT = float(os.environ.get("LOGISTICS_HTTP_TIMEOUT", "10"))

# Routing (routing/README.md)
ROUTING_DEFAULT_STRATEGY = "skills_and_load"
ROUTING_EXPERT_QUEUE = os.environ.get("ROUTING_EXPERT_QUEUE", "expert_review")
# Seconds a process keeps the compiled rules and skills (routing/rules.py).
ROUTING_RULES_TTL = float(os.environ.get("ROUTING_RULES_TTL", os.environ.get("CATALOG_TTL",
                                                                             "30")))
# skills_and_load: weights of proficiency (0–5 → 0–1), learned performance (0–1), spare
# capacity (0–1), plus a bonus when the agent serves the ticket's region.
ROUTING_WEIGHTS = {"proficiency": 0.5, "performance": 0.3, "load": 0.2, "region": 0.05}
ROUTING_LOCK_BATCH = 5  # candidate profiles locked at a time when picking the winner
ROUTING_PERFORMANCE_DAYS = 90  # closed tickets that teach AgentPerformance
ROUTING_PERFORMANCE_PRIOR = 3  # pseudo-tickets at the neutral 0.5 (few tickets, little change)
ROUTING_TARGET_HANDLE_MINUTES = 60.0  # handling this fast or faster scores full speed

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "config.masking.MaskPiiFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain",
                    "filters": ["mask_pii"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

# --- customer API (issue #7): /api/customer/ ---
# SMS login codes (kept hashed in the cache, never in the database or the outbox).
CUSTOMER_SMS_CODE_TTL = int(os.environ.get("CUSTOMER_SMS_CODE_TTL", "300"))  # seconds
CUSTOMER_SMS_RESEND_SECONDS = int(os.environ.get("CUSTOMER_SMS_RESEND_SECONDS", "60"))
CUSTOMER_SMS_PER_PHONE_HOUR = int(os.environ.get("CUSTOMER_SMS_PER_PHONE_HOUR", "5"))
CUSTOMER_SMS_PER_IP_HOUR = int(os.environ.get("CUSTOMER_SMS_PER_IP_HOUR", "20"))
CUSTOMER_LOGIN_MAX_TRIES = int(os.environ.get("CUSTOMER_LOGIN_MAX_TRIES", "5"))
CUSTOMER_LOGIN_FAILURES_PER_IP_HOUR = int(os.environ.get("CUSTOMER_LOGIN_FAILURES_PER_IP_HOUR",
                                                         "30"))
CUSTOMER_LOGIN_LOCK_SECONDS = int(os.environ.get("CUSTOMER_LOGIN_LOCK_SECONDS", "900"))
# The SMS goes out through this notification channel's backend (NOTIFICATION_BACKENDS).
CUSTOMER_SMS_CHANNEL = "sms"
# WeChat mini-program login (code2session): the HTTP client, or the fake for tests/offline.
CUSTOMER_WECHAT_CLIENT = os.environ.get(
    "CUSTOMER_WECHAT_CLIENT", "tickets.customer_api.wechat.HttpWeChatClient")
CUSTOMER_WECHAT_TIMEOUT = float(os.environ.get("CUSTOMER_WECHAT_TIMEOUT", "5"))
# 二次投诉: a customer may reopen a closed ticket for this many days after it closed.
CUSTOMER_REOPEN_WINDOW_DAYS = int(os.environ.get("CUSTOMER_REOPEN_WINDOW_DAYS", "7"))
# DRF throttles of /api/customer/ (on the cache: Redis when REDIS_URL is set). Read at request
# time (tickets/customer_api/throttles.py), so tests can change them.
CUSTOMER_THROTTLE_RATES = {
    "customer_user": os.environ.get("CUSTOMER_THROTTLE_USER", "120/min"),
    "customer_ip": os.environ.get("CUSTOMER_THROTTLE_IP", "300/min"),
    "customer_bind": os.environ.get("CUSTOMER_THROTTLE_BIND", "10/hour"),
    "customer_auth_ip": os.environ.get("CUSTOMER_THROTTLE_AUTH_IP", "30/min"),
}
# Every error status of every operation in /api/schema/, with the {"detail", "code"} body.
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "config.schema.add_error_responses",
]

# --- agent console (issue #6): /console/, WebSockets ---
LOGIN_URL = "console:login"  # the console's own login page (admin keeps its own)
LOGIN_REDIRECT_URL = "console:home"
# Live SLA warnings: when the time left is at most this share of the window and at most this
# many minutes (tickets.warn_sla_deadlines, each minute).
SLA_WARNING_FRACTION = float(os.environ.get("SLA_WARNING_FRACTION", "0.2"))
SLA_WARNING_MAX_MINUTES = int(os.environ.get("SLA_WARNING_MAX_MINUTES", "30"))
CELERY_BEAT_SCHEDULE["tickets.warn_sla_deadlines"] = {"task": "tickets.warn_sla_deadlines",
                                                      "schedule": 60.0}
# Seconds a console WebSocket keeps its queue groups before re-reading the memberships (an agent
# taken out of a queue stops hearing about it within this time).
CONSOLE_GROUPS_TTL = float(os.environ.get("CONSOLE_GROUPS_TTL", "30"))
# Static files found by whitenoise without collectstatic (DEBUG does this too).
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS")
if REDIS_URL:
    # Redis pub/sub: a group_send is one PUBLISH that each node receives once and fans out to
    # its own consoles in memory. channels_redis' list-based core layer pushes one message per
    # consumer and each node pops them one Redis round trip at a time: 500 consoles took
    # 80 ms p50 to fan out (bench/push.py). Live events are best effort (a console re-fetches
    # on reconnect), so pub/sub's "no delivery to a node that is not listening" is what we
    # want. redis-py's pool refuses (MaxConnectionsError) beyond 100 connections by default.
    CHANNEL_LAYERS = {"default": {
        "BACKEND": os.environ.get("CHANNEL_LAYER_BACKEND",
                                  "channels_redis.pubsub.RedisPubSubChannelLayer"),
        "CONFIG": {"hosts": [{
            "address": REDIS_URL, "socket_connect_timeout": 5,
            "max_connections": int(os.environ.get("CHANNEL_LAYER_MAX_CONNECTIONS", "1000"))}]}}}

# --- quality review, ticket templates, merge (issue #10 part 2; tickets/quality/README.md) ---
# Salt of the deterministic sampling draw: the same ticket and policy always draw the same.
QUALITY_SAMPLING_SALT = os.environ.get("QUALITY_SAMPLING_SALT", "parceldesk-quality")
# No active policy matches a ticket: True sends it to a reviewer (the designed default).
QUALITY_REVIEW_WHEN_NO_POLICY = env_bool("QUALITY_REVIEW_WHEN_NO_POLICY", True)
QUALITY_CSAT_DAYS = int(os.environ.get("QUALITY_CSAT_DAYS", "30"))  # agent CSAT condition
QUALITY_PASS_SCORE = 3  # a scorecard item below this is a failed item (退回重处理)
# Routing's learned performance: weight of the review-score average (0 = ignore scorecards).
ROUTING_QUALITY_WEIGHT = float(os.environ.get("ROUTING_QUALITY_WEIGHT", "0.25"))

# --- stations and business time (issue #11; stations/, tickets/calendars.py) ---
CELERY_BEAT_SCHEDULE["stations.escalate_overdue_tasks"] = {
    "task": "stations.escalate_overdue_tasks", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["stations.expire_address_checks"] = {
    "task": "stations.expire_address_checks", "schedule": 60.0}
# Customs pauses and carrier "no update for too long" escalation, from shipment states.
CELERY_BEAT_SCHEDULE["tickets.sync_clock_pauses"] = {
    "task": "tickets.sync_clock_pauses", "schedule": 120.0}
# Couriers' address-check tickets wait here (no agents) until the recipient answers or the
# deadline passes; without such a queue they go to the default queue at once.
STATIONS_ADDRESS_CHECK_QUEUE = os.environ.get("STATIONS_ADDRESS_CHECK_QUEUE", "address_checks")
# Base of the answer link in the recipient's SMS.
STATIONS_PUBLIC_URL = os.environ.get("STATIONS_PUBLIC_URL", "http://127.0.0.1:8000")

# --- knowledge base (H4, #10 part 1) ---
# The chatbot answers from a customer article only when the best match scores at least
# KB_BOT_MIN_SCORE (BM25F) and covers KB_BOT_MIN_COVERAGE of the question's weighted words, or
# scores KB_BOT_HIGH_SCORE with KB_BOT_HIGH_SCORE_COVERAGE; a statement the intent model reads
# as the customer's own case needs KB_BOT_STRICT_COVERAGE. Tuned on knowledge/data/eval_kb.tsv
# and parcel-problem messages (knowledge/README.md).
KB_BOT_MIN_SCORE = float(os.environ.get("KB_BOT_MIN_SCORE", "6.5"))
KB_BOT_MIN_COVERAGE = float(os.environ.get("KB_BOT_MIN_COVERAGE", "0.3"))
KB_BOT_HIGH_SCORE = float(os.environ.get("KB_BOT_HIGH_SCORE", "9.5"))
KB_BOT_HIGH_SCORE_COVERAGE = float(os.environ.get("KB_BOT_HIGH_SCORE_COVERAGE", "0.2"))
KB_BOT_STRICT_COVERAGE = float(os.environ.get("KB_BOT_STRICT_COVERAGE", "0.8"))
KB_SEARCH_BACKEND = os.environ.get("KB_SEARCH_BACKEND", "memory")  # or "database"
KB_BOT_MARGIN = float(os.environ.get("KB_BOT_MARGIN", "0.9"))  # runner-up this close: no answer
MIDDLEWARE.append("config.middleware.ApiJsonErrorsMiddleware")

# --- analytics (#9) ---
# Beat entries of analytics (django-celery-beat installs them; ops edit them in admin).
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE.update({
    "analytics.detect_anomalies": {"task": "analytics.detect_anomalies", "schedule": 600.0},
    "analytics.check_backlog_alerts": {"task": "analytics.check_backlog_alerts",
                                       "schedule": 60.0},
    "analytics.daily_report": {"task": "analytics.build_report", "args": ["daily"],
                               "schedule": crontab(hour=7, minute=0)},
    "analytics.weekly_report": {"task": "analytics.build_report", "args": ["weekly"],
                                "schedule": crontab(hour=7, minute=30, day_of_week=1)},
})
# Scheduled reports go to ANALYTICS_REPORT_DIR/<daily|weekly>/<date>/.
ANALYTICS_REPORT_DIR = Path(os.environ.get("ANALYTICS_REPORT_DIR", MEDIA_ROOT / "reports"))
# /metrics: empty = open (internal network); else scrapers send "Authorization: Bearer <token>".
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_CACHE_SECONDS = float(os.environ.get("METRICS_CACHE_SECONDS", "10"))
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "DeliveryChangeKindEnum": "tickets.actions.customer.DELIVERY_CHANGE_KINDS",
    "CustomerStageEnum": "tickets.customer_api.progress.STAGE_CODES",
}
# Client IP for per-IP limits: X-Forwarded-For is trusted only through this many proxies
# (0: REMOTE_ADDR; a client-set header must not reset the limits). Behind nginx: 1.
REST_FRAMEWORK["NUM_PROXIES"] = int(os.environ.get("NUM_PROXIES", "0"))

# --- chatbot NLU (H7) ---
# Intra-op threads of torch for the NLU's small HanLP recogniser in a serving process: one thread
# keeps the per-turn tail low on a busy machine (2 threads: p95 10 ms, max 290 ms; 1: 2.7/4.6 ms).
# 0 leaves torch's default.
NLU_TORCH_THREADS = int(os.environ.get("NLU_TORCH_THREADS", "1"))
