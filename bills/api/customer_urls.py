"""The customer's own bill endpoints (customer_views.py), at Huawei's paths; bill_urls.py includes them."""

from django.urls import path

from . import customer_views as views

urlpatterns = [
    path("v2/bills/customer-bills/monthly-sum", views.MonthlySumApi.as_view(), name="cbc-show-customer-monthly-sum"),
    path("v2/bills/customer-bills/fee-records", views.FeeRecordsApi.as_view(),
         name="cbc-list-customer-bills-fee-records"),
    path("v2/bills/customer-bills/res-fee-records", views.ResFeeRecordsApi.as_view(),
         name="cbc-list-customerself-resource-records"),
    path("v2/bills/customer-bills/res-records/query", views.ResRecordsApi.as_view(),
         name="cbc-list-customerself-resource-record-details"),
    path("v2/bills/customer-bills/resources/usage/summary", views.UsageSummaryApi.as_view(),
         name="cbc-list-resource-usage-summary"),
    path("v2/bills/customer-bills/resources/usage/details", views.UsageDetailsApi.as_view(),
         name="cbc-list-resource-usage"),
    path("v3/payments/free-resources/query", views.FreeResourcesApi.as_view(), name="cbc-list-free-resource-infos"),
    path("v2/payments/free-resources/usages/details/query", views.FreeResourceUsagesApi.as_view(),
         name="cbc-list-free-resource-usages"),
    path("v2/bills/customer-bills/free-resources-usage-records", views.FreeResourceRecordsApi.as_view(),
         name="cbc-list-free-resources-usage-records"),
    path("v2/costs/cost-analysed-bills/monthly-breakdown", views.MonthlyBreakdownApi.as_view(),
         name="cbc-list-customer-bills-monthly-break-down"),
    path("v4/costs/cost-analysed-bills/query", views.CostsApi.as_view(), name="cbc-list-costs"),
]
