from .discount_views import urlpatterns as discount_urls
from .views import urlpatterns as order_urls

app_name = "trade"
urlpatterns = [*order_urls, *discount_urls]
