"""激励 pages, one URL module per area (each without its own namespace, so every name is `incentives:<name>`):
policies (激励政策), details and statements (激励管理 › 激励明细, 业绩管理 › 激励对账), rebate (返点账户 and
激励返点提现), fh (权益 › 专职人员激励)."""

from django.urls import include, path

app_name = "incentives"

urlpatterns = [
    path("", include("incentives.urls_policies")),
    path("", include("incentives.urls_statements")),
    path("", include("incentives.urls_rebate")),
    path("", include("incentives.urls_fh")),
]
