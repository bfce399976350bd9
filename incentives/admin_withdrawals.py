"""Operator screens: withdrawals."""
