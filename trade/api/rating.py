"""CBC rating endpoints (询价)."""

urlpatterns = []
