"""Pages of 权益 ▸ 专职人员激励(FH) (views_fh): 资格申请, 月度激励, 付款申请, the guarded material download and the
printable 开票清单."""

from django.urls import path

from . import views_fh as views

urlpatterns = [
    path("fh/", views.qualification, name="fh"),
    path("fh/apply/", views.apply, name="fh_apply"),
    path("fh/months/", views.months, name="fh_months"),
    path("fh/months/<int:pk>/", views.month_detail, name="fh_month"),
    path("fh/months/<int:pk>/lines/", views.month_lines, name="fh_month_lines"),
    path("fh/months/<int:pk>/upload/", views.month_upload, name="fh_month_upload"),
    path("fh/months/<int:pk>/materials/<int:material_pk>/remove/", views.material_remove,
         name="fh_material_remove"),
    path("fh/months/<int:pk>/submit/", views.month_submit, name="fh_month_submit"),
    path("fh/materials/<int:pk>/", views.material, name="fh_material"),
    path("fh/payments/", views.payments, name="fh_payments"),
    path("fh/payments/apply/", views.payment_apply, name="fh_payment_apply"),
    path("fh/payments/<int:pk>/", views.payment_detail, name="fh_payment"),
    path("fh/payments/<int:pk>/invoice-list/", views.invoice_list, name="fh_invoice_list"),
    path("fh/payments/<int:pk>/invoice/", views.payment_invoice, name="fh_payment_invoice"),
]
