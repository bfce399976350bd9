"""Operator screens: policies."""
