"""The operator screens of the tasks area."""
