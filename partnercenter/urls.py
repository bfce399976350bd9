"""URLs: pages under their menu paths, CBC endpoints at Huawei's paths, the schema under /api/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from . import views, views_account, views_org

handler404 = "partnercenter.views.api_aware_404"
handler500 = "partnercenter.views.api_aware_500"

urlpatterns = [
    # Sign-in
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("invite/<str:token>/", views_org.accept_invitation, name="accept_invitation"),
    path("i18n/", include("django.conf.urls.i18n")),
    # 伙伴中心
    path("", views.home, name="home"),
    path("sales/", views.menu_section, {"name": "sales"}, name="sales"),
    path("organization/", views.menu_section, {"name": "organization"}, name="organization"),
    path("benefits/", views.menu_section, {"name": "benefits"}, name="benefits"),
    path("programmes/", views.menu_section, {"name": "programmes"}, name="programmes"),
    path("customers/", include("customers.urls")),
    path("billing/", include("billing.urls")),
    path("vouchers/", include("vouchers.urls")),
    path("trade/", include("trade.urls")),
    path("subscriptions/", include("subscriptions.urls")),
    path("bills/", include("bills.urls")),
    path("programs/", include("programs.urls")),
    path("expansion/", include("expansion.urls")),
    path("incentives/", include("incentives.urls")),
    path("notifications/", include("events.urls")),
    path("org/webhooks/", include("events.webhook_urls")),
    path("resellers/", views.resellers, name="resellers"),
    path("resellers/<str:domain_id>/manager/", views.reseller_manager, name="reseller_manager"),
    path("org/members/", views_org.members, name="members"),
    path("org/members/<int:pk>/", views_org.member_detail, name="member_detail"),
    path("org/invitations/<int:pk>/revoke/", views_org.revoke_invitation, name="revoke_invitation"),
    path("org/roles/", views_org.roles, name="roles"),
    path("org/roles/new/", views_org.role_edit, name="role_new"),
    path("org/roles/<int:pk>/", views_org.role_edit, name="role_edit"),
    path("org/roles/<int:pk>/delete/", views_org.role_delete, name="role_delete"),
    path("org/operation-logs/", views_org.operation_logs, name="operation_logs"),
    path("org/security/", views_org.partner_security, name="partner_security"),
    # Both sides: own security and access keys
    path("account/security/", views_account.account_security, name="account_security"),
    path("account/security/devices/<path:persistent_id>/remove/", views_account.device_remove, name="device_remove"),
    path("account/security/send-code/", views_account.send_verification_code, name="send_verification_code"),
    path("credentials/", views_account.credentials, name="credentials"),
    path("credentials/<int:pk>/<slug:action>/", views_account.credential_action, name="credential_action"),
    # 费用中心
    path("fee-center/", include("customers.fee_center_urls")),
    path("fee-center/coupons/", include("vouchers.fee_center_urls")),
    path("fee-center/orders/", include("trade.fee_center_urls")),
    path("fee-center/subscriptions/", include("subscriptions.fee_center_urls")),
    path("fee-center/bills/", include("bills.fee_center_urls")),
    path("fee-center/reseller/", include("programs.fee_center_urls")),
    path("fee-center/notifications/", include("events.fee_center_urls")),
    path("healthz", views.healthz, name="healthz"),
    # Platform operators
    path("admin/", admin.site.urls),
    # CBC API and its schema
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="schema"), name="api_docs"),
    path("", include("partnercenter.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("billing.api.urls")),
    path("", include("vouchers.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("trade.api.urls")),
    path("", include("subscriptions.api.urls")),
    path("", include("bills.api.urls")),
    path("", include("events.api.urls")),
    path("", include("expansion.api.urls")),
    path("", include("incentives.api.urls")),
]
