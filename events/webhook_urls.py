"""事件推送 (webhooks) pages, under /org/webhooks/. Endpoints are named by their random id (uid)."""

from django.urls import path

from . import webhook_views as views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_create, name="create"),
    path("<uuid:uid>/", views.endpoint_detail, name="detail"),
    path("<uuid:uid>/edit/", views.endpoint_edit, name="edit"),
    path("<uuid:uid>/enable/", views.endpoint_enable, {"enabled": True}, name="enable"),
    path("<uuid:uid>/disable/", views.endpoint_enable, {"enabled": False}, name="disable"),
    path("<uuid:uid>/rotate/", views.endpoint_rotate, name="rotate"),
    path("<uuid:uid>/delete/", views.endpoint_delete, name="delete"),
    path("<uuid:uid>/test/", views.endpoint_test, name="test"),
    path("<uuid:uid>/deliveries/<int:pk>/redeliver/", views.delivery_redeliver, name="redeliver"),
]
