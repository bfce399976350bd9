"""Tasks: fh."""

__all__ = []
