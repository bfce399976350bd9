"""The CBC bill endpoints at Huawei's paths: the partner's (partner_views.py) and the customer's own
(customer_urls.py)."""

from django.urls import include, path

from . import partner_views

urlpatterns = [
    path("v2/bills/subcustomer-bills/res-fee-records/sub-customers/query",
         partner_views.ConsumeSubCustomersApi.as_view(), name="cbc-list-consume-sub-customers"),
    path("v2/bills/partner-bills/subcustomer-bills/monthly-sum", partner_views.SubcustomerMonthlyBillsApi.as_view(),
         name="cbc-list-subcustomer-monthly-bills"),
    path("v2/bills/subcustomer-bills/res-fee-records", partner_views.SubCustomerFeeRecordsApi.as_view(),
         name="cbc-list-sub-customer-bill-detail"),
    path("", include("bills.api.customer_urls")),
]
