"""Pages of the agreements area (see programs/urls.py and programs/views_agreements.py)."""

from django.urls import path

from . import views_agreements as views

urlpatterns = [
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("certification/", views.certification_page, name="certification"),
]
