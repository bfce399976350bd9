from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("recharge/", views.recharge, name="recharge"),
    path("sandbox-pay/<str:trans_id>/", views.sandbox_pay, name="sandbox_pay"),
    path("allocate/", views.allocate, name="allocate"),
    path("reclaim/<str:domain_id>/", views.reclaim, name="reclaim"),
    path("resellers/<str:domain_id>/<slug:action>/", views.reseller_funds, name="reseller_funds"),
    path("adjustments/", views.adjustments, name="adjustments"),
    path("adjustments/export.xlsx", views.adjustment_export, name="adjustment_export"),
    path("ledger/", views.ledger, name="ledger"),
]
