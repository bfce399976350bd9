"""CBC order endpoints: customer orders, details, usable coupons and discounts, refund orders, pay, cancel."""

urlpatterns = []
