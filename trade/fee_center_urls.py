"""费用中心 ▸ 订单管理 (the customer's orders: pay, cancel, ask the partner to pay), mounted at /fee-center/orders/."""

urlpatterns = []
