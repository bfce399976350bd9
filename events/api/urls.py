"""Our own signed paths for webhooks (not Huawei's: an extension, like /v1/whoami)."""

from django.urls import path

from . import views

urlpatterns = [
    path("v1/webhooks", views.WebhooksApi.as_view(), name="cbc-webhooks"),
    path("v1/webhooks/<str:webhook_id>", views.WebhookApi.as_view(), name="cbc-webhook"),
    path("v1/webhooks/<str:webhook_id>/test", views.WebhookTestApi.as_view(), name="cbc-webhook-test"),
]
