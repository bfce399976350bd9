"""Pages of the standing area (see programs/urls.py)."""

from django.urls import path

from .placeholder import placeholder

urlpatterns = [
    path("", placeholder, name="programs"),
    path("paths/", placeholder, name="paths"),
]
