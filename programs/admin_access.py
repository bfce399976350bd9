"""Operator screens of the access area."""
