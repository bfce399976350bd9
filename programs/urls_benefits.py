"""Pages of the benefits area (see programs/urls.py)."""

from django.urls import path

from .placeholder import placeholder

urlpatterns = [
    path("test-coupons/", placeholder, name="test_coupons"),
    path("exam-coupons/", placeholder, name="exam_coupons"),
    path("badges/", placeholder, name="badges"),
    path("specialists/", placeholder, name="specialists"),
]
