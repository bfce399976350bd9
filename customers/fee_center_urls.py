"""费用中心 (the customer's side), mounted at /fee-center/ by the root URLconf."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.fee_center, name="fee_center"),
    path("leave/", views.fee_center_leave, name="fee_center_leave"),
    path("requests/<int:pk>/<slug:decision>/", views.fee_center_decide, name="fee_center_decide"),
    path("ops/<int:pk>/<slug:decision>/", views.fee_center_ops, name="fee_center_ops"),
]
