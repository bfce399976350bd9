"""Test-run environment, set before Django reads its settings (loaded with `-p tests.testenv`, before pytest-django configures Django).

Tests run with DEBUG off (as production) but over plain HTTP, with plain static storage (no
collectstatic) and Celery tasks run in-process. DATABASE_URL and REDIS_URL pass through, so
`.ci/run` can point the same suite at PostgreSQL and Redis.
"""

import os

for name, value in {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "CELERY_TASK_ALWAYS_EAGER": "1",
    "PAYMENT_SANDBOX": "1",  # the sandbox payment provider is opt-in; tests opt in
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",  # webhook receivers on loopback are opt-in; tests opt in
    "EXPANSION_CALL_BACKEND": "expansion.calls.ConsoleCallBackend",  # 外呼's console double is opt-in with DEBUG off
    "EMAIL_URL": "smtp://localhost:25",  # replaced by the locmem backend in tests; never contacted
    "DJANGO_ALLOW_ASYNC_UNSAFE": "true",  # Playwright's sync API runs an event loop in the test thread
}.items():
    os.environ.setdefault(name, value)

# Under pytest-xdist (`make test` runs the suite on every core) each worker gets its own Redis database, counted
# down from the one REDIS_URL names: tests clear the cache and count throttles, which must not reach another
# worker's tests. A worker other than the first starts from an empty database, as .ci/run empties the first.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and int(_worker[2:]) and os.environ.get("REDIS_URL"):
    from urllib.parse import urlsplit, urlunsplit

    import redis

    _url = urlsplit(os.environ["REDIS_URL"])
    _db = (int(_url.path.strip("/") or 0) - int(_worker[2:])) % 16
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{_db}"))
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
