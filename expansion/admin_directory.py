"""The operator screens of the directory area."""
