"""Pages of the leads area (names `expansion:<name>`)."""

from django.urls import path

from . import views_leads

urlpatterns = [
    path("leads/", views_leads.leads, name="leads"),
    path("leads/export.xlsx", views_leads.lead_export, name="lead_export"),
    path("leads/export.csv", views_leads.lead_export_csv, name="lead_export_csv"),
    path("leads/new/", views_leads.lead_new, name="lead_new"),
    path("leads/<int:pk>/", views_leads.lead_detail, name="lead"),
    path("leads/<int:pk>/edit/", views_leads.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/follow-up/", views_leads.lead_follow_up, name="lead_follow_up"),
    path("leads/<int:pk>/status/", views_leads.lead_status, name="lead_status"),
    path("leads/<int:pk>/owner/", views_leads.lead_owner, name="lead_owner"),
    path("leads/<int:pk>/call/", views_leads.lead_call, name="lead_call"),
    path("leads/<int:pk>/convert/", views_leads.lead_convert, name="lead_convert"),
]
