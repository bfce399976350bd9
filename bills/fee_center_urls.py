"""费用中心 ▸ 账单, 资源包 and 余额 (the customer's own bills), mounted at /fee-center/bills/ by the root URLconf.
No namespace: the names are `fee_center_bills_*` like the fee center's other pages."""

from django.urls import path

from . import fee_center_views as views

urlpatterns = [
    path("", views.bills, name="fee_center_bills"),
    path("export/", views.summary_export, name="fee_center_bills_export"),
    path("fee-records/", views.fee_records, name="fee_center_bills_fee_records"),
    path("fee-records/export/", views.fee_records_export, name="fee_center_bills_fee_records_export"),
    path("fee-records/<str:record_id>/", views.fee_record, name="fee_center_bills_fee_record"),
    path("resources/", views.resources, name="fee_center_bills_resources"),
    path("resources/export/", views.resources_export, name="fee_center_bills_resources_export"),
    path("usage/", views.usage, name="fee_center_bills_usage"),
    path("usage/export/", views.usage_export, name="fee_center_bills_usage_export"),
    path("packages/", views.packages, name="fee_center_bills_packages"),
    path("packages/<str:order_instance_id>/", views.package, name="fee_center_bills_package"),
    path("balance/", views.balance, name="fee_center_bills_balance"),
]
