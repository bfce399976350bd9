"""Operator screens: statements."""
