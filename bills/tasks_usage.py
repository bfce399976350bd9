"""Tasks: see bills/tasks.py. The usage generator, hourly (beat entry `generate-usage`), only where
settings.BILLS_USAGE_GENERATOR is true (`make run`; off by default: production's usage comes from metering)."""

from celery import shared_task
from django.conf import settings

from . import generator

__all__ = ["generate_usage"]


@shared_task
def generate_usage() -> dict:
    """Usage of the completed hours since the last generated one (bills.generator.catch_up). Idempotent: the
    records' ids are made of the resource and the hour, so a second, late or overlapping run stores nothing new."""
    if not getattr(settings, "BILLS_USAGE_GENERATOR", False):
        return {"skipped": "BILLS_USAGE_GENERATOR is off"}
    return generator.catch_up().as_dict()
