"""伙伴账单 and 客户消费 (partner_views.py), included by bills/urls.py under the namespace `bills`."""

from django.urls import path

from . import partner_views

urlpatterns = [
    path("partner-bill/", partner_views.partner_bill, name="partner_bill"),
    path("partner-bill/export.xlsx", partner_views.partner_bill_export, name="partner_bill_export"),
    path("consumption/", partner_views.consumption, name="consumption"),
    path("consumption/export.xlsx", partner_views.consumption_export, name="consumption_export"),
    path("consumption/export.csv", partner_views.consumption_export_csv, name="consumption_export_csv"),
    path("consumption/<str:domain_id>/", partner_views.consumption_records, name="consumption_records"),
]
