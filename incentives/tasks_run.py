"""Tasks: run."""

__all__ = []
