"""Partner pages of subscriptions, mounted at /subscriptions/."""

from django.urls import path  # noqa: F401

app_name = "subscriptions"
urlpatterns = []
