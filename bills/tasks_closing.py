"""Tasks: see bills/tasks.py."""

__all__ = []
