from django.urls import path

from . import views

urlpatterns = [
    path("v2/partners/coupon-quotas/query", views.QuotasQueryApi.as_view(), name="cbc-list-quota-coupons"),
    path("v2/partners/coupon-quotas/records", views.QuotaRecordsApi.as_view(), name="cbc-list-coupon-quotas-records"),
    path("v2/partners/issued-coupon-quotas", views.IssuedQuotasApi.as_view(), name="cbc-list-issued-coupon-quotas"),
    path("v2/partners/coupon-quotas/indirect-partner-adjust", views.ResellerQuotaIssueApi.as_view(),
         name="cbc-update-coupon-quotas"),
    path("v2/partners/coupon-quotas/indirect-partner-reclaim", views.ResellerQuotaReclaimApi.as_view(),
         name="cbc-reclaim-coupon-quotas"),
    path("v2/promotions/benefits/partner-coupons", views.PartnerCouponsApi.as_view(), name="cbc-partner-coupons"),
    path("v2/promotions/benefits/partner-coupons/reclaim", views.ReclaimCouponApi.as_view(),
         name="cbc-reclaim-partner-coupons"),
    path("v2/promotions/benefits/partner-coupons/records/query", views.CouponRecordsApi.as_view(),
         name="cbc-list-partner-coupons-record"),
    path("v2/promotions/benefits/coupons", views.CustomerCouponsApi.as_view(), name="cbc-list-sub-customer-coupons"),
]
