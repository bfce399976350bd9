"""Celery tasks of the opportunities area."""

__all__ = []
