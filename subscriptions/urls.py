"""Partner pages of subscriptions, mounted at /subscriptions/ (subscriptions/views.py)."""

from .views import urlpatterns  # noqa: F401

app_name = "subscriptions"
