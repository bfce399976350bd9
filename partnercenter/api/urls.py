from django.urls import path

from . import views

urlpatterns = [
    path("v2/partners/indirect-partners/query", views.IndirectPartnerQueryApi.as_view(), name="cbc-list-indirect-partners"),
]
