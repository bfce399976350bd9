"""The signed CBC endpoint of incentives: GET /v2/products/incentive-discount-policies."""

urlpatterns = []
