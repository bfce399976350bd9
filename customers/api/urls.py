from django.urls import path

from . import views

urlpatterns = [
    path("v2/partners/sub-customers/query", views.SubCustomerQueryApi.as_view(), name="cbc-list-sub-customers"),
    path("v2/partners/sub-customers/users/check-identity", views.CheckIdentityApi.as_view(),
         name="cbc-check-user-identity"),
    path("v2/bases/verificationcode/send", views.SendVerificationCodeApi.as_view(), name="cbc-send-verification-code"),
    path("v2/partners/sub-customers", views.CreateSubCustomerApi.as_view(), name="cbc-create-sub-customer"),
    path("v2/partners/sub-customers/on-demand-resources/query", views.OnDemandResourcesApi.as_view(),
         name="cbc-list-customer-on-demand-resources"),
    path("v2/orders/suscriptions/resources/query", views.PeriodResourcesApi.as_view(),
         name="cbc-list-period-resources"),
    path("v2/partners/sub-customers/new-customers-tags/batch-query", views.NewCustomerTagsApi.as_view(),
         name="cbc-list-sub-customer-new-tag"),
]
