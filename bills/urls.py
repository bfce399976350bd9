"""Partner pages of consumption and bills (namespace `bills`): 伙伴账单 and 客户消费 (partner_urls), the
low-balance settings (threshold_urls)."""

from django.urls import include, path

app_name = "bills"

urlpatterns = [
    path("", include("bills.partner_urls")),
    path("", include("bills.threshold_urls")),
]
