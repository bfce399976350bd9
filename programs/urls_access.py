"""Pages of the access area (see programs/urls.py): 注册新账号 and the distributor's 成为云经销商 requests."""

from django.urls import path

from . import views_access as views

urlpatterns = [
    path("paths/<slug:code>/new-account/", views.new_account, name="new_account"),
    path("register/<str:token>/", views.register, name="register"),
    path("reseller-requests/", views.reseller_requests, name="reseller_requests"),
    path("reseller-requests/<int:pk>/", views.reseller_request, name="reseller_request"),
    path("reseller-requests/<int:pk>/reject/", views.reseller_request_reject, name="reseller_request_reject"),
]
