"""CBC catalogue endpoints."""

urlpatterns = []
