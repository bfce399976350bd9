"""Pages of the leads area (names `expansion:<name>`)."""

from django.urls import path

from . import views_leads

urlpatterns = [
    path("leads/", views_leads.leads, name="leads"),
]
