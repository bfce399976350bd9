"""Pages of 激励明细, 业绩管理 and 激励对账 (names `incentives:<name>`)."""

from django.urls import path

from . import views_statements as views

urlpatterns = [
    path("details/", views.details, name="details"),
    path("details/export.xlsx", views.details_export, name="details_export"),
    path("details/export.csv", views.details_export_csv, name="details_export_csv"),
    path("performance/", views.performance, name="performance"),
    path("statements/", views.statements_list, name="statements"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/confirm/", views.statement_confirm, name="statement_confirm"),
    path("statements/<int:pk>/dispute/", views.statement_dispute, name="statement_dispute"),
]
