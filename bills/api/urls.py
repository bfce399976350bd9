"""CBC endpoints of consumption and bills, and our own signed ingestion path."""

from django.urls import include, path

urlpatterns = [
    path("", include("bills.api.ingest_urls")),
    path("", include("bills.api.bill_urls")),
]
