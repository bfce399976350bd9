"""Operator screens of the benefits area."""
