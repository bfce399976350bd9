"""The operator screens of the opportunities area."""
