"""Pages of customer discounts (伙伴设置折扣)."""

urlpatterns = []
