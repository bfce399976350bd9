"""Pages of the invitations area (names `expansion:<name>`)."""

from django.urls import path

from . import views_invitations

urlpatterns = [
    path("", views_invitations.invitations, name="invitations"),
]
