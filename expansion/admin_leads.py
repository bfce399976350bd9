"""The operator screens of the leads area."""
