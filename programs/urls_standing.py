"""Pages of the standing area (see programs/urls.py)."""

from django.urls import path

from . import views_standing as views

urlpatterns = [
    path("", views.programs, name="programs"),
    path("join/<slug:code>/", views.join, name="join"),
    path("memberships/<int:pk>/upgrade/", views.upgrade, name="upgrade"),
    path("memberships/<int:pk>/reasons/", views.level_reasons, name="level_reasons"),
    path("paths/", views.paths, name="paths"),
]
