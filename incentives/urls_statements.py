"""statements pages."""

urlpatterns = []
