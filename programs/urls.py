"""The partner center's 计划 and 权益 pages, one URL module per area (each without its own namespace, so
every name is `programs:<name>`): standing (programmes, levels, paths), access (new-account links, cloud reseller
requests), agreements (agreements, business certification), reviews (annual reviews, uploads), benefits (specialists, profiles, test
and exam coupons, badges)."""

from django.urls import include, path

app_name = "programs"

urlpatterns = [
    path("", include("programs.urls_standing")),
    path("", include("programs.urls_access")),
    path("", include("programs.urls_agreements")),
    path("", include("programs.urls_reviews")),
    path("benefits/", include("programs.urls_benefits")),
]
