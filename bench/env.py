"""What every bench module does before Django reads its settings: the environment of a production-like
process (DEBUG off, no HTTPS redirect on loopback, quiet logs), and the guard that only a PostgreSQL
database whose name contains `bench` is ever written to."""

import os
import sys
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"           # logs of the servers the runner starts (var/ is not committed)
SMALL_SUFFIX = "_small"               # the 10× smaller data set lives in <name>_small next to <name>

PG_SCHEMES = ("postgres://", "postgresql://", "pgsql://")


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def small_url(url: str) -> str:
    return os.environ.get("BENCH_SMALL_DATABASE_URL") or with_database(url, database_name(url) + SMALL_SUFFIX)


def require_bench_url(url: str, what: str) -> str:
    """Exit unless `url` names a PostgreSQL database whose name contains "bench"."""
    if not url or not url.startswith(PG_SCHEMES):
        sys.exit(
            f"{what} needs DATABASE_URL naming a PostgreSQL database whose name contains 'bench', e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench make bench"
        )
    if "bench" not in database_name(url):
        sys.exit(f"Refusing to touch database {database_name(url)!r}: its name must contain 'bench'.")
    return url


SERVER_ENV = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",       # plain HTTP on loopback
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "LOG_LEVEL": "WARNING",
    # The per-key API throttle (6000/min by default) would cap the benchmark itself.
    "THROTTLE_RATE_KEY": "100000000/min",
    "THROTTLE_RATE_ANON": "100000000/min",
    # Pages name their static files; without `collectstatic` (which would write into the checkout's
    # staticfiles/) the manifest storage has no manifest. Only the HTML is measured, never the assets.
    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
}


def setup_django(url: str):
    """Point Django at `url` with the production-like environment and set it up."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    for name, value in SERVER_ENV.items():
        os.environ[name] = value
    os.environ["DJANGO_SETTINGS_MODULE"] = "partnercenter.settings"
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
    import django

    django.setup()
