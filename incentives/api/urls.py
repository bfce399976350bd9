"""The signed CBC endpoint of incentives: GET /v2/products/incentive-discount-policies."""

from django.urls import path

from .views_policies import IncentiveDiscountPoliciesApi

urlpatterns = [
    path("v2/products/incentive-discount-policies", IncentiveDiscountPoliciesApi.as_view(),
         name="cbc-list-incentive-discount-policies"),
]
