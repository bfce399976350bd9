"""The 激励政策 page (name `incentives:policies`; see incentives/views_policies.py)."""

from django.urls import path

from . import views_policies

urlpatterns = [
    path("policies/", views_policies.policies, name="policies"),
]
