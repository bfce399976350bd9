"""Pages of the benefits area (see programs/urls.py), under benefits/."""

from django.urls import path

from . import views_benefits as views

urlpatterns = [
    path("test-coupons/", views.test_coupons, name="test_coupons"),
    path("test-coupons/<int:pk>/apply/", views.test_coupon_apply, name="test_coupon_apply"),
    path("exam-coupons/", views.exam_coupons, name="exam_coupons"),
    path("exam-coupons/<int:pk>/", views.exam_coupon_detail, name="exam_coupon"),
    path("badges/", views.badge_list, name="badges"),
    path("badges/<int:pk>/download/", views.badge_download, name="badge_download"),
    path("specialists/", views.specialist_list, name="specialists"),
    path("specialists/apply/", views.specialist_apply, name="specialist_apply"),
    path("specialists/<int:pk>/cancel/", views.specialist_cancel, name="specialist_cancel"),
    path("profile/", views.profile, name="profile"),
]
