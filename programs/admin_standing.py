"""Operator screens of the standing area."""
