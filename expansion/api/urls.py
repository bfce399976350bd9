"""The signed REST endpoints of expansion, for partner sales platforms (our own /v1/ paths; Huawei has none)."""

from django.urls import include, path

urlpatterns = [
    path("", include("expansion.api.urls_leads")),
    path("", include("expansion.api.urls_opportunities")),
]
