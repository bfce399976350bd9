from django.urls import path

from . import views

urlpatterns = [
    path("v2/accounts/partner-accounts/balances", views.PartnerBalancesApi.as_view(), name="cbc-list-partner-balances"),
    path("v2/accounts/partner-accounts/adjust-amount", views.AllocateApi.as_view(), name="cbc-allocate"),
    path("v2/accounts/partner-accounts/reclaim", views.ReclaimApi.as_view(), name="cbc-reclaim"),
    path("v3/accounts/partner-accounts/adjust-records", views.AdjustRecordsApi.as_view(), name="cbc-adjust-records"),
    path("v2/accounts/partner-accounts/account-change-records", views.AccountChangeRecordsApi.as_view(),
         name="cbc-account-change-records"),
    path("v2/accounts/customer-accounts/balances/batch-query", views.CustomerBalancesBatchApi.as_view(),
         name="cbc-customer-balances-batch"),
    path("v2/accounts/customer-accounts/balances", views.CustomerBalancesApi.as_view(), name="cbc-customer-balances"),
    path("v2/accounts/partner-accounts/indirect-partner-adjust", views.ResellerAllocateApi.as_view(),
         name="cbc-reseller-allocate"),
    path("v2/accounts/partner-accounts/indirect-partner-reclaim", views.ResellerReclaimApi.as_view(),
         name="cbc-reseller-reclaim"),
]
