"""Pages of orders: 订单管理, 代客下单, partner-payment requests, 交易调价."""

urlpatterns = []
