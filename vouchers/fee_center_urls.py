"""费用中心 ▸ 优惠券 (the customer's coupons), mounted at /fee-center/coupons/ by the root URLconf."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.fee_center_coupons, name="fee_center_coupons"),
]
