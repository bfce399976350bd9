"""Pages of the opportunities area (names `expansion:<name>`)."""

from django.urls import path

from . import views_opportunities as views

urlpatterns = [
    path("opportunities/", views.opportunities_list, name="opportunities"),
    path("opportunities/export.xlsx", views.opportunity_export, name="opportunity_export"),
    path("opportunities/register/", views.opportunity_register, name="opportunity_register"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity"),
    path("opportunities/<int:pk>/accept/", views.opportunity_accept, name="opportunity_accept"),
    path("opportunities/<int:pk>/reject/", views.opportunity_reject, name="opportunity_reject"),
    path("opportunities/<int:pk>/update/", views.opportunity_update, name="opportunity_update"),
    path("opportunities/<int:pk>/collaborators/", views.collaborator_add, name="opportunity_collaborator_add"),
    path("opportunities/<int:pk>/collaborators/<int:collaborator_pk>/remove/", views.collaborator_remove,
         name="opportunity_collaborator_remove"),
]
