"""Celery tasks of incentives, one module per area; imported here so the worker's autodiscovery finds them."""

from .tasks_fh import *  # noqa: F401,F403
from .tasks_run import *  # noqa: F401,F403
from .tasks_statements import *  # noqa: F401,F403
