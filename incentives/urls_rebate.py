"""rebate pages."""

urlpatterns = []
