from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.xlsx", views.customer_export, name="export"),
    path("register/", views.customer_register, name="register"),
    path("events/", views.events, name="events"),
    path("events/<int:pk>/<slug:decision>/", views.event_decide, name="event_decide"),
    path("ops/<int:pk>/revoke/", views.ops_revoke, name="ops_revoke"),
    path("<str:domain_id>/", views.customer_detail, name="detail"),
    path("<str:domain_id>/manager/", views.customer_manager, name="manager"),
    path("<str:domain_id>/resources/", views.customer_resources, name="resources"),
    path("<str:domain_id>/request/<slug:action>/", views.customer_request, name="request"),
]
