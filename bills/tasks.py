"""Scheduled work of consumption and bills (Celery beat, partnercenter/settings.py). Each task is
idempotent: a second, late or overlapping run has the effect of one. The tasks live beside the code they
run; this module is what Celery's autodiscovery imports."""

from .tasks_usage import *  # noqa: F401,F403  (the usage generator)
from .tasks_rating import *  # noqa: F401,F403  (rating and deduction, paid orders as fee records)
from .tasks_closing import *  # noqa: F401,F403  (month close, low-balance notices)
