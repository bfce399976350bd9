"""Pages of the directory area (names `expansion:<name>`)."""

from django.urls import path

from . import views_directory

urlpatterns = [
    path("directory/", views_directory.directory, name="directory"),
    path("reports/", views_directory.reports, name="reports"),
]
