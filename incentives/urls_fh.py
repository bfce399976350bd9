"""fh pages."""

urlpatterns = []
