"""Signed REST endpoints of the leads area (our own /v1/ paths)."""

from django.urls import path

from . import views_leads

urlpatterns = [
    path("v1/leads", views_leads.LeadsApi.as_view(), name="cbc-leads"),
    path("v1/leads/<str:lead_id>/follow-ups", views_leads.LeadFollowUpsApi.as_view(), name="cbc-lead-follow-ups"),
]
