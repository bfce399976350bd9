"""费用中心 ▸ 订单管理 (the customer's orders: pay, cancel, ask the partner to pay), mounted at /fee-center/orders/."""

from django.urls import path

from . import fee_center_views as views

urlpatterns = [
    path("", views.orders, name="fee_center_orders"),
    path("requests/<int:pk>/withdraw/", views.withdraw_request, name="fee_center_withdraw_request"),
    path("<str:order_id>/", views.order, name="fee_center_order"),
    path("<str:order_id>/pay/", views.pay, name="fee_center_pay"),
    path("<str:order_id>/cancel/", views.cancel, name="fee_center_cancel"),
    path("<str:order_id>/ask-partner/", views.ask_partner, name="fee_center_ask_partner"),
]
