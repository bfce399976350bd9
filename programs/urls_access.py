"""Pages of the access area (see programs/urls.py)."""

urlpatterns = []
