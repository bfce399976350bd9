"""Operator screens of the reviews area."""
