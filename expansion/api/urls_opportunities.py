"""Signed REST endpoints of the opportunities area (our own /v1/ paths)."""

urlpatterns = []
