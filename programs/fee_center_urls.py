"""费用中心 ▸ 成为云经销商: a customer account asks a distributor to make it a cloud reseller (mounted at
/fee-center/reseller/ without a namespace)."""

from django.urls import path

from . import views_access as views

urlpatterns = [
    path("", views.fee_center_reseller, name="fee_center_reseller"),
    path("requests/<int:pk>/withdraw/", views.fee_center_reseller_withdraw, name="fee_center_reseller_withdraw"),
]
