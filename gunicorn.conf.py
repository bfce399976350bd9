"""gunicorn's configuration for the web process (`gunicorn -c gunicorn.conf.py partnercenter.wsgi`; the
Dockerfile's command). Every value can be changed from the environment.

Persistent database connections are on under gunicorn whatever the database: each worker keeps its
connection for CONN_MAX_AGE seconds (default 60) and checks it before reusing it (CONN_HEALTH_CHECKS),
instead of opening one per request (partnercenter/settings.py reads both). Set CONN_MAX_AGE=0 to close
after every request. PostgreSQL must accept one connection per worker (per thread with `--threads`),
plus the Celery worker's and beat's.

The application is not preloaded in the master, so no worker inherits a connection opened before the fork.
"""

import os

os.environ.setdefault("CONN_MAX_AGE", "60")
os.environ.setdefault("CONN_HEALTH_CHECKS", "1")

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
preload_app = False
accesslog = "-"
