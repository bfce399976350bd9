"""Settings for the partner center: one module, configured from the environment.

Every value that differs between a laptop, CI and production comes from an environment variable
(django-environ); the defaults are the embedded set-up that `make run` uses: SQLite and a Celery
broker on the file system, so nothing but Python is needed.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ---------------------------------------------------------------------------------------------
# Core
# https://docs.djangoproject.com/en/5.2/ref/settings/
# ---------------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-change-me-" + "x" * 40)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
# System checks an operator has read and accepts, e.g. "partnercenter.W002" while the working-day calendar's next
# year is entered by hand (partnercenter/workdays.py).
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_celery_beat",
    "partnercenter",
    "events",
    "catalog",
    "customers",
    # billing before vouchers: their receivers of customers.signals.association_ended run in this order, which
    # is the documented lock order (money rows, then coupons and quotas; customers/locks.py).
    "billing",
    "vouchers",
    "trade",
    "subscriptions",
    "bills",
    "programs",
    "expansion",
    "incentives",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "partnercenter.middleware.BodySizeMiddleware",  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE → 400, unread
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "partnercenter.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "partnercenter.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partnercenter.middleware.InputMiddleware",  # NUL and co. in path, query or form, oversized API bodies → 400
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partnercenter.urls"
WSGI_APPLICATION = "partnercenter.wsgi.application"
AUTH_USER_MODEL = "partnercenter.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnercenter.navigation.context_processor",
                "events.context_processors.bell",
                "partnercenter.panels.context_processor",
            ],
        },
    },
]

# ---------------------------------------------------------------------------------------------
# Database: DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/partnercenter
# Persistent connections: a process keeps its connection for CONN_MAX_AGE seconds (PostgreSQL default
# 60; 0 closes it after every request) and, with CONN_HEALTH_CHECKS (default on), checks it before
# reusing it in a new request, so a database restart costs no failed request. SQLite defaults to 0:
# the development server runs each request in a new thread, which would leave a connection behind per
# request; gunicorn.conf.py turns persistence on for gunicorn whatever the database. A
# `?conn_max_age=` in DATABASE_URL is honoured when CONN_MAX_AGE is not set.
# ---------------------------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# people's names ordered by pinyin on PostgreSQL (partnercenter/collation.py); empty: by the column's collation
NAME_COLLATION = env("NAME_COLLATION", default="zh-x-icu")
_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if "CONN_MAX_AGE" in env or "CONN_MAX_AGE" not in DATABASES["default"]:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if _sqlite else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool(
    "CONN_HEALTH_CHECKS", default=DATABASES["default"].get("CONN_HEALTH_CHECKS", True))
if _sqlite:
    # Django's SQLite backend, but sums of decimal columns rounded to their places (partnercenter/sqlite/base.py);
    # its test database in memory, as Django's own engine name would have it (pytest-django recognises only that
    # name, and would otherwise derive a file name from the path)
    DATABASES["default"]["ENGINE"] = "partnercenter.sqlite"
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------------------------
# Redis: cache, Celery broker and result backend when REDIS_URL is set
# ---------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ---------------------------------------------------------------------------------------------
# Celery: https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
# Every task is idempotent (see partnercenter/tasks.py): it may run twice or late.
# ---------------------------------------------------------------------------------------------
# (the file-system broker names a host it ignores: without one kombu warns in every process that it made one up)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    _broker_dir.mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # No ETA/countdown may be longer than this, or Redis would hand the task out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "expire-invitations": {"task": "partnercenter.tasks.expire_invitations", "schedule": timedelta(minutes=10)},
    "expire-vouchers": {"task": "vouchers.tasks.expire_vouchers", "schedule": timedelta(minutes=5)},
    "warn-expiring-coupons": {"task": "vouchers.tasks.warn_expiring_coupons", "schedule": timedelta(hours=1)},
    # 签约主体: signed agreements whose effective time (00:00 Asia/Shanghai) has come switch the partner's entity,
    # once each (programs/agreements.py)
    "apply-contracting-entities": {"task": "programs.tasks.apply_contracting_entities",
                                   "schedule": timedelta(minutes=5)},
    # The outbox: each commit that records events starts a dispatch at once; this run catches what a
    # lost message missed and sends the retries that have come due.
    "dispatch-events": {"task": "events.tasks.dispatch", "schedule": timedelta(minutes=1)},
    # Orders not paid within TRADE_PAYMENT_WINDOW are cancelled (trade.services.cancel_overdue).
    "cancel-overdue-orders": {"task": "trade.tasks.cancel_overdue_orders", "schedule": timedelta(minutes=5)},
    # Yearly/monthly resources: auto-renewals due, expiry notices (7 and 1 days before), and the walk through
    # grace → retention → release (subscriptions.tasks; each run is idempotent).
    "auto-renew-resources": {"task": "subscriptions.tasks.auto_renew", "schedule": timedelta(minutes=30)},
    "warn-expiring-resources": {"task": "subscriptions.tasks.warn_expiring", "schedule": timedelta(hours=1)},
    "advance-expired-resources": {"task": "subscriptions.tasks.advance", "schedule": timedelta(minutes=10)},
    # Consumption: usage waiting to be rated is priced and deducted (bills.rating); every month before the
    # current one (Asia/Shanghai) is closed at 00:30 into monthly sums and partner bills (bills.closing);
    # balances that fell below their low-balance threshold are told once per crossing (bills.thresholds).
    "rate-usage": {"task": "bills.tasks_rating.rate_usage", "schedule": timedelta(minutes=5)},
    "close-months": {"task": "bills.tasks_closing.close_months", "schedule": crontab(minute=30, hour=0)},
    "check-low-balances": {"task": "bills.tasks_closing.check_low_balances", "schedule": timedelta(minutes=10)},
    # The demo's usage generator (make run): the last hours of plausible usage of the pay-per-use resources.
    "generate-usage": {"task": "bills.tasks_usage.generate_usage", "schedule": timedelta(minutes=15)},
    # 拓新: reports past their protection period expire (expansion.directory_reports); HO opportunities not accepted
    # within 3 working days are rejected by default and recalled, with a reminder one working day before
    # (expansion.opportunities_sla). Each run is idempotent.
    "expire-reports": {"task": "expansion.tasks_directory.expire_reports", "schedule": timedelta(minutes=30)},
    "recall-overdue-opportunities": {"task": "expansion.tasks_opportunities.recall_overdue",
                                     "schedule": timedelta(minutes=5)},
    "remind-opportunities": {"task": "expansion.tasks_opportunities.remind_due", "schedule": timedelta(minutes=30)},
    # 激励: from INCENTIVE_RUN_DAY of each month the previous closed month's incentives are computed once
    # (incentives.run); statements past their objection window become final (incentives.statements); the FH
    # lists of the previous month are generated at the start of the month and lapse 14 working days later
    # (incentives.fh_months). Each run is idempotent.
    "run-incentives": {"task": "incentives.tasks_run.run_incentives", "schedule": crontab(minute=0, hour="*/3")},
    "finalise-statements": {"task": "incentives.tasks_statements.finalise_due", "schedule": timedelta(hours=1)},
    "generate-fh-lists": {"task": "incentives.tasks_fh.generate_lists", "schedule": crontab(minute=15, hour="*/3")},
    "lapse-fh-lists": {"task": "incentives.tasks_fh.lapse_overdue", "schedule": timedelta(minutes=30)},
}
# Generate demo usage (bills.generator) on a schedule: for `make run` and demos, never in production.
BILLS_USAGE_GENERATOR = env.bool("BILLS_USAGE_GENERATOR", default=False)

# ---------------------------------------------------------------------------------------------
# Incentives: the day of the month (Asia/Shanghai) from which the previous month's incentive run may start
# (the month must be closed too); how many working days a partner has to object to a statement; the FH
# staff incentive: working days to check a monthly list, the monthly amount per specialist, the agreement.
# ---------------------------------------------------------------------------------------------
INCENTIVE_RUN_DAY = env.int("INCENTIVE_RUN_DAY", default=3)
INCENTIVE_OBJECTION_WORKING_DAYS = env.int("INCENTIVE_OBJECTION_WORKING_DAYS", default=10)
FH_CHECK_WORKING_DAYS = env.int("FH_CHECK_WORKING_DAYS", default=14)
FH_AMOUNT_PER_SPECIALIST = env.str("FH_AMOUNT_PER_SPECIALIST", default="8000.00")
FH_AGREEMENT_VERSION = env.str("FH_AGREEMENT_VERSION", default="2026.1")

# ---------------------------------------------------------------------------------------------
# Trade: how long an order waits for payment before the scheduler cancels it (hours; default 7 days),
# and how far a 云商店交易调价 may lower an order: to no less than this share of its official price.
# ---------------------------------------------------------------------------------------------
TRADE_PAYMENT_WINDOW = timedelta(hours=env.float("TRADE_PAYMENT_WINDOW_HOURS", default=7 * 24))
TRADE_MIN_ADJUSTED_SHARE = env.str("TRADE_MIN_ADJUSTED_SHARE", default="0.5")

# ---------------------------------------------------------------------------------------------
# Subscriptions: how long an expired yearly/monthly resource stays usable (宽限期, grace period) and then
# frozen (保留期, retention period) before it is released, in days, counted from its expiry.
# ---------------------------------------------------------------------------------------------
SUBSCRIPTION_GRACE_PERIOD = timedelta(days=env.float("SUBSCRIPTION_GRACE_DAYS", default=15))
SUBSCRIPTION_RETENTION_PERIOD = timedelta(days=env.float("SUBSCRIPTION_RETENTION_DAYS", default=15))

# ---------------------------------------------------------------------------------------------
# Authentication: lockout (django-axes) and second factors (django-otp)
# ---------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock a username + IP pair after 5 failures for 15 minutes (never permanently: axes' default
# with no cool-off is a permanent lock). That caps failures at 20 per account and IP per hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# A locked pair is refused without checking the password and without recording the attempt: it
# neither prolongs the lock (the cool-off runs from the last checked failure) nor counts below.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Log every checked failure. Once an account has SIGNIN_MAX_FAILURES_PER_ACCOUNT_HOUR of them in the
# last hour, the addresses they came from are refused for that account; other addresses still sign in
# (password, then the second factor if enrolled). The rule is in our handler (partnercenter/signin.py).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_HANDLER = "partnercenter.signin.SignInHandler"
SIGNIN_MAX_FAILURES_PER_ACCOUNT_HOUR = 100
# TOTP and e-mailed codes: django-otp throttles with exponential back-off after a failure.
OTP_TOTP_ISSUER = "Partner Center"
OTP_TOTP_THROTTLE_FACTOR = 1
EMAIL_CODE_VALIDITY = timedelta(minutes=5)
EMAIL_CODE_THROTTLE_FACTOR = 1

# ---------------------------------------------------------------------------------------------
# Secrets at rest: access-key SKs are encrypted with this key (Fernet). Rotate by prepending.
# ---------------------------------------------------------------------------------------------
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# ---------------------------------------------------------------------------------------------
# Mail and SMS
# ---------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="partner-center@localhost")
SMS_BACKEND = env("SMS_BACKEND", default="partnercenter.sms.ConsoleSmsBackend")
# 外呼 (expansion leads): the class that places a call to a lead's contact (a subclass of
# expansion.calls.CallBackend). The console backend logs the call and answers "connected": it is the default
# with DEBUG on (`make run`) and opt-in otherwise (a system check warns about it with DEBUG off); without a
# backend 外呼 is refused with a clear message.
EXPANSION_CALL_BACKEND = env("EXPANSION_CALL_BACKEND",
                             default="expansion.calls.ConsoleCallBackend" if DEBUG else "")
# 报备: how long a report protects its prospect for the partner (days).
EXPANSION_REPORT_PROTECTION_DAYS = env.int("EXPANSION_REPORT_PROTECTION_DAYS", default=90)
# Where people open the site, for links in e-mails and texts (notifications): e.g. https://partner.example.com
SITE_URL = env("SITE_URL", default="http://localhost:8000")

# ---------------------------------------------------------------------------------------------
# Payments for online recharge. PAYMENT_PROVIDER names a real gateway's class (a subclass of
# billing.payments.PaymentProvider). The sandbox, which credits a payment when the payer clicks
# "succeeded", exists only where PAYMENT_SANDBOX=1 (`make run`, the tests): production without a
# provider offers offline remittance only, and a system check warns about the sandbox with DEBUG off.
# ---------------------------------------------------------------------------------------------
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="")
PAYMENT_SANDBOX = env.bool("PAYMENT_SANDBOX", default=False)

# ---------------------------------------------------------------------------------------------
# Signed webhooks (events/webhook_http.py). Only https to public addresses, unless
# WEBHOOK_ALLOW_PRIVATE_TARGETS=1 (`make run`, the tests) also lets plain http and loopback or private
# addresses through. Each POST may take WEBHOOK_CONNECT_TIMEOUT to connect and WEBHOOK_READ_TIMEOUT to answer.
# ---------------------------------------------------------------------------------------------
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=5.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=10.0)

# ---------------------------------------------------------------------------------------------
# Internationalisation: zh-hans first, English second
# ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "partnercenter" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------------------------
# Static files, served by the app (whitenoise): nothing from a CDN
# ---------------------------------------------------------------------------------------------
STATIC_URL = "static/"
# Uploaded materials (annual reviews, certification documents): outside the web root and static, served only
# through views that check who asks (programs/storage.py)
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
PROGRAM_UPLOAD_MAX_BYTES = env.int("PROGRAM_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Pages that take file uploads may receive bodies larger than DATA_UPLOAD_MAX_MEMORY_SIZE (up to 5 files at the
# per-file limit, plus the form); every other body keeps the small limit (partnercenter.middleware)
UPLOAD_PATHS = (r"^/programs/reviews/\d+/upload/$", r"^/programs/certification/",
                r"^/admin/expansion/enterprise/import/$")
UPLOAD_BODY_MAX_BYTES = env.int("UPLOAD_BODY_MAX_BYTES", default=5 * PROGRAM_UPLOAD_MAX_BYTES + 1024 * 1024)
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE", default="whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# ---------------------------------------------------------------------------------------------
# REST framework and the CBC gateway
# ---------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["partnercenter.api.authentication.SignatureAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["partnercenter.api.permissions.IsPartner"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["partnercenter.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "partnercenter.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # Fixed windows in the cache (partnercenter/api/throttling.py): per access key, per address for calls
    # without valid credentials, and per partner for the two endpoints that reveal or cost something.
    "DEFAULT_THROTTLE_CLASSES": [
        "partnercenter.api.throttling.AccessKeyThrottle", "partnercenter.api.throttling.EndpointThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "cbc.key": env("THROTTLE_RATE_KEY", default="6000/min"),
        "cbc.anon": env("THROTTLE_RATE_ANON", default="600/min"),
        "cbc.identity": env("THROTTLE_RATE_IDENTITY", default="120/hour"),  # name, mobile, e-mail: 40 sign-ups
        "cbc.code": env("THROTTLE_RATE_CODE", default="60/hour"),
        "expansion.call": env("THROTTLE_RATE_CALL", default="60/hour"),  # 外呼 per member: calls cost money
    },
}
# The tighter throttle scope of an endpoint, by view class name (a view may also set `throttle_scope`).
CBC_THROTTLE_SCOPES = {"CheckIdentityApi": "cbc.identity", "SendVerificationCodeApi": "cbc.code"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner Center CBC API",
    "DESCRIPTION": "Huawei Cloud BSS v2 compatible partner API, signed with AK/SK (SDK-HMAC-SHA256).",
    "VERSION": "2.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "REDOC_DIST": "SIDECAR",  # served by us: the docs page works air-gapped
    # use_coupon and use_discount of the order payment share one YES/NO choice set
    # choice sets several fields share (only_main_resource and the bills flags; unsubscribe and statistic types)
    "ENUM_NAME_OVERRIDES": {"YesNoEnum": ["YES", "NO"], "ZeroOrOneEnum": [(0, 0), (1, 1)], "OneOrTwoEnum": [(1, 1), (2, 2)]},
}
# Accepted clock difference between the client's X-Sdk-Date and our clock.
SIGNATURE_MAX_SKEW = timedelta(minutes=15)
# Largest request body read into memory (Django's default, 2.5 MB; CBC bodies are a few kB): a larger
# API body is refused with CBC.0100 before the signature check reads it, a larger form with the 400 page.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# ---------------------------------------------------------------------------------------------
# Security: `manage.py check --deploy` is clean with DEBUG off
# ---------------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # health checks come over plain HTTP from inside
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}
