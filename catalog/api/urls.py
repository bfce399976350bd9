"""CBC catalogue endpoints (any signed caller may read the catalogue)."""

from django.urls import path

from . import views

urlpatterns = [
    path("v2/products/service-types", views.ServiceTypesApi.as_view(), name="cbc-list-service-types"),
    path("v2/products/resource-types", views.ResourceTypesApi.as_view(), name="cbc-list-resource-types"),
    path("v2/products/usage-types", views.UsageTypesApi.as_view(), name="cbc-list-usage-types"),
    path("v2/bases/measurements", views.MeasureUnitsApi.as_view(), name="cbc-list-measure-units"),
    path("v2/bases/conversions", views.ConversionsApi.as_view(), name="cbc-list-conversions"),
    path("v2/products/service-resources", views.ServiceResourcesApi.as_view(), name="cbc-list-service-resources"),
    path("v2/products/resource-specs-query", views.ResourceSpecsApi.as_view(), name="cbc-list-resource-specs"),
]

# The names of the endpoints any valid key may call (tests/security/test_api_permissions.py).
PUBLIC = frozenset(pattern.name for pattern in urlpatterns)
