"""费用中心 ▸ 成为云经销商: a customer account asks a distributor to make it a cloud reseller."""

urlpatterns = []
