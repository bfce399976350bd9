from django.urls import path

from . import views

urlpatterns = [
    path("v2/partners/sub-customers/query", views.SubCustomerQueryApi.as_view(), name="cbc-list-sub-customers"),
]
