"""GET /v2/products/incentive-discount-policies — 查询产品的折扣和激励策略: for each catalogue service type, its
incentive policy code (0 非特定产品, 1 特定产品, 2 无业绩无返点, 13 有业绩无返点) under the caller's policy for
the month `time` (YYYY-MM, required), and `allow_discount` (YES/NO). Partner keys only, with incentives.view (the
right of the 激励政策 page). Which policy decides: incentives/selectors_policies.py. Names follow X-Language."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.views import LANGUAGE, wants_english
from partnercenter.api.pagination import page
from partnercenter.api.permissions import IsPartner
from partnercenter.api.serializers import cbc_responses

from .. import selectors_policies
from ..policies import parse_month
from .serializers_policies import ListIncentiveDiscountPoliciesQuery, ListIncentiveDiscountPoliciesResponse

__all__ = ["IncentiveDiscountPoliciesApi"]


class IncentiveDiscountPoliciesApi(APIView):
    permission_classes = [IsPartner]
    required_permission = "incentives.view"

    @extend_schema(parameters=[ListIncentiveDiscountPoliciesQuery, LANGUAGE],
                   responses=cbc_responses(ListIncentiveDiscountPoliciesResponse),
                   operation_id="list_incentive_discount_policies")
    def get(self, request):
        params = ListIncentiveDiscountPoliciesQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        month = parse_month(data["time"])
        count, rows = page(selectors_policies.api_service_types(data.get("service_type_code")), data)
        codes = selectors_policies.api_codes(request.auth.partner, month) if rows else ({}, 0)
        return Response(ListIncentiveDiscountPoliciesResponse(
            {"policies": rows, "total_count": count},
            context={"codes": codes, "english": wants_english(request)}).data)
