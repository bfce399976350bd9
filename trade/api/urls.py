from .orders import urlpatterns as order_urls
from .rating import urlpatterns as rating_urls

urlpatterns = [*rating_urls, *order_urls]
