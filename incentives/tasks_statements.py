"""Tasks: statements."""

__all__ = []
