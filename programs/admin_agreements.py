"""Operator screens of the agreements area."""
