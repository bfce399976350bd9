from django.urls import path

from . import views

app_name = "vouchers"

urlpatterns = [
    path("", views.quotas, name="quotas"),
    path("issue/<str:quota_id>/", views.issue, name="issue"),
    path("coupons/", views.coupons, name="coupons"),
    path("coupons/export.xlsx", views.coupon_export, name="coupon_export"),
    path("reclaim/", views.reclaim, name="reclaim"),
    path("records/", views.records, name="records"),
    path("resellers/", views.reseller_quotas, name="reseller_quotas"),
    path("resellers/issue/", views.reseller_issue, name="reseller_issue"),
    path("resellers/reclaim/", views.reseller_reclaim, name="reseller_reclaim"),
]
