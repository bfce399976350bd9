"""Celery tasks of the directory area."""

__all__ = []
