"""Our own signed path for usage in (bills.api.ingest_views)."""

from django.urls import path

from . import ingest_views

urlpatterns = [
    path("v1/metering/usage-records", ingest_views.UsageRecordsApi.as_view(), name="cbc-ingest-usage-records"),
]
