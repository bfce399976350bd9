"""policies pages."""

urlpatterns = []
