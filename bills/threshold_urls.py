"""Low-balance pages (bills/threshold_views.py), included by bills/urls.py under the namespace `bills`."""

from django.urls import path

from . import threshold_views as views

urlpatterns = [
    path("thresholds/", views.threshold_list, name="thresholds"),
    path("thresholds/default/", views.threshold_default, name="threshold_default"),
    path("thresholds/customers/<str:domain_id>/", views.threshold_edit, name="threshold_edit"),
    path("thresholds/customers/<str:domain_id>/delete/", views.threshold_delete, name="threshold_delete"),
]
