"""Pages of the reviews area (see programs/urls.py)."""

from django.urls import path

from .placeholder import placeholder

urlpatterns = [
    path("reviews/", placeholder, name="reviews"),
]
