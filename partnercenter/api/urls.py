from django.urls import path

from . import views

urlpatterns = [
    path("v1/whoami", views.WhoAmIApi.as_view(), name="cbc-whoami"),
    path("v2/partners/indirect-partners/query", views.IndirectPartnerQueryApi.as_view(), name="cbc-list-indirect-partners"),
]
