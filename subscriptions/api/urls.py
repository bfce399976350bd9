"""The subscription endpoints (views.py), at Huawei's paths."""

from django.urls import path

from . import views

urlpatterns = [
    path("v2/orders/subscriptions/resources/renew", views.RenewApi.as_view(), name="cbc-renewal-resources"),
    path("v2/orders/subscriptions/resources/renew/config", views.RenewConfigApi.as_view(),
         name="cbc-set-resources-renew-config"),
    path("v2/orders/subscriptions/resources/autorenew/<str:resource_id>", views.AutoRenewApi.as_view(),
         name="cbc-auto-renewal-resources"),
    path("v2/orders/subscriptions/resources/unsubscribe", views.UnsubscribeApi.as_view(),
         name="cbc-cancel-resources-subscription"),
    path("v2/orders/subscriptions/resources/to-on-demand", views.ToOnDemandApi.as_view(),
         name="cbc-update-period-to-on-demand"),
    path("v2/orders/subscriptions/resources/to-on-demand/instantly", views.ToOnDemandInstantlyApi.as_view(),
         name="cbc-update-period-to-on-demand-instantly"),
    path("v2/orders/customer-orders/refund-orders", views.RefundOrdersApi.as_view(),
         name="cbc-show-refund-order-details"),
]
