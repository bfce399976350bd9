"""Pages of the opportunities area (names `expansion:<name>`)."""

from django.urls import path

from . import views_opportunities

urlpatterns = [
    path("opportunities/", views_opportunities.opportunities, name="opportunities"),
]
