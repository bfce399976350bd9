"""Pages of the directory area (names `expansion:<name>`): 企业百科 and 报备客户."""

from django.urls import path

from . import views_directory

urlpatterns = [
    path("directory/", views_directory.directory, name="directory"),
    path("directory/<int:pk>/", views_directory.enterprise, name="enterprise"),
    path("reports/", views_directory.reports, name="reports"),
    path("reports/<int:pk>/withdraw/", views_directory.report_withdraw, name="report_withdraw"),
]
