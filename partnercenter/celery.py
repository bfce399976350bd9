"""The Celery app: configured from Django settings (CELERY_*), tasks found in every app's tasks.py.

Rule for every task: it is idempotent. It selects what is due by state and moves state with a
conditional UPDATE (or relies on a UNIQUE row), so running it twice, concurrently or late has the
effect of running it once.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")

app = Celery("partnercenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
