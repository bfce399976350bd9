"""拓新 pages, one URL module per area (each without its own namespace, so every name is `expansion:<name>`):
invitations (线下拓展 and the public registration page), directory (企业百科, 报备), leads (线索管理),
opportunities (机会点 HO/PO), tasks (营销任务 › 销售拓展任务, 委托)."""

from django.urls import include, path

app_name = "expansion"

urlpatterns = [
    path("", include("expansion.urls_invitations")),
    path("", include("expansion.urls_directory")),
    path("", include("expansion.urls_leads")),
    path("", include("expansion.urls_opportunities")),
    path("", include("expansion.urls_tasks")),
]
