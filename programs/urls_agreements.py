"""Pages of the agreements area (see programs/urls.py)."""

from django.urls import path

from .placeholder import placeholder

urlpatterns = [
    path("agreements/", placeholder, name="agreements"),
    path("certification/", placeholder, name="certification"),
]
