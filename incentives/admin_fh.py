"""Operator screens: fh."""
