"""费用中心 ▸ 续费管理 / 退订管理, mounted at /fee-center/subscriptions/.

The action URLs take POSTs only and carry the resource ids in the body, never in the path; the one path
parameter is the order id of a refund (scoped by trade.selectors.order_for)."""

from django.urls import path

from . import fee_center_refund_views as refund_views
from . import fee_center_views as views

urlpatterns = [
    path("renewals/", views.renewals, name="fee_center_renewals"),
    path("renewals/renew/", views.renew, name="fee_center_renew"),
    path("renewals/auto-renew/", views.auto_renew, name="fee_center_auto_renew"),
    path("renewals/auto-renew/cancel/", views.auto_renew_cancel, name="fee_center_auto_renew_cancel"),
    path("renewals/at-expiry/", views.expiry, name="fee_center_expiry"),
    path("renewals/to-on-demand/", views.to_on_demand, name="fee_center_to_on_demand"),
    path("renewals/switch-now/", views.switch_now, name="fee_center_switch_now"),
    path("renewals/settings/", views.renew_config, name="fee_center_renew_config"),
    path("unsubscribe/", refund_views.unsubscribe, name="fee_center_unsubscribe"),
    path("unsubscribe/preview/", refund_views.unsubscribe_preview, name="fee_center_unsubscribe_preview"),
    path("refunds/<str:order_id>/", refund_views.refund, name="fee_center_refund"),
]
