"""费用中心 ▸ 续费管理 / 退订管理, mounted at /fee-center/subscriptions/."""

from django.urls import path  # noqa: F401

urlpatterns = []
