"""Signed REST endpoints of the leads area (our own /v1/ paths)."""

urlpatterns = []
