"""Celery tasks of expansion, one module per area; imported here so the worker's autodiscovery finds them."""

from .tasks_directory import *  # noqa: F401,F403
from .tasks_opportunities import *  # noqa: F401,F403
