"""Signed REST endpoints of the opportunities area (our own /v1/ paths)."""

from django.urls import path

from . import views_opportunities as views

urlpatterns = [
    path("v1/opportunities", views.OpportunitiesApi.as_view(), name="cbc-opportunities"),
    path("v1/opportunities/<str:opportunity_id>/accept", views.AcceptOpportunityApi.as_view(),
         name="cbc-opportunity-accept"),
    path("v1/opportunities/<str:opportunity_id>/reject", views.RejectOpportunityApi.as_view(),
         name="cbc-opportunity-reject"),
]
