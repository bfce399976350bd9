"""Pages of the invitations area (names `expansion:<name>`): 线下拓展 and the public registration page."""

from django.urls import path

from . import views_invitations as views

urlpatterns = [
    path("", views.invitations_list, name="invitations"),
    path("invitations/<int:pk>/", views.invitation, name="invitation"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:pk>/qr.png", views.invitation_qr_png, name="invitation_qr_png"),
    path("invitations/<int:pk>/qr.svg", views.invitation_qr_svg, name="invitation_qr_svg"),
    # Public: no sign-in (the token is the address a QR code holds)
    path("join/<str:token>/", views.join, name="join"),
]
