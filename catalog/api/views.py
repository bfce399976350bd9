"""CBC endpoints of the product catalogue: thin — parse the wire, call a selector, render.

The catalogue is public reference data: any signed caller, a partner's key (whatever its owner's rights)
or a customer's, may read it. Names come in the language of `X-Language` (zh_CN, the default, or en_US).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.pagination import page, page_rows
from partnercenter.api.permissions import IsPartnerOrCustomer
from partnercenter.api.serializers import cbc_responses

from .. import selectors
from ..filters import ConversionFilter, ResourceSpecFilter, ResourceTypeFilter, ServiceTypeFilter, UsageTypeFilter
from .serializers import (
    ListConversionsQuery, ListConversionsResponse, ListMeasureUnitsResponse, ListResourceSpecsResponse,
    ListResourceTypesQuery, ListResourceTypesResponse, ListServiceResourcesQuery, ListServiceResourcesResponse,
    ListServiceTypesQuery, ListServiceTypesResponse, ListUsageTypesQuery, ListUsageTypesResponse,
    ResourceSpecsQueryReq, encode_marker,
)

__all__ = [
    "ServiceTypesApi", "ResourceTypesApi", "UsageTypesApi", "MeasureUnitsApi", "ConversionsApi",
    "ServiceResourcesApi", "ResourceSpecsApi", "wants_english",
]

LANGUAGE = OpenApiParameter(
    "X-Language", str, OpenApiParameter.HEADER, required=False, enum=["zh_CN", "en_US"],
    description="zh_CN (the default): names in Chinese; en_US: in English. Case is ignored.")


def wants_english(request) -> bool:
    """Huawei's X-Language: en_US asks for English names; anything else (or nothing) for Chinese."""
    return request.headers.get("X-Language", "").strip().lower().replace("-", "_").startswith("en")


def _valid(serializer_class, data) -> dict:
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


class _CatalogueApi(APIView):
    permission_classes = [IsPartnerOrCustomer]
    required_permission = None  # public reference data: any valid key

    def context(self, request) -> dict:
        return {"english": wants_english(request)}


class ServiceTypesApi(_CatalogueApi):
    """GET /v2/products/service-types — 查询云服务类型列表."""

    @extend_schema(parameters=[ListServiceTypesQuery, LANGUAGE], responses=cbc_responses(ListServiceTypesResponse),
                   operation_id="list_service_types")
    def get(self, request):
        data = _valid(ListServiceTypesQuery, request.query_params)
        count, rows = page(ServiceTypeFilter.from_wire(data, selectors.service_types()), data)
        return Response(ListServiceTypesResponse({"total_count": count, "service_types": rows},
                                                 context=self.context(request)).data)


class ResourceTypesApi(_CatalogueApi):
    """GET /v2/products/resource-types — 查询资源类型列表."""

    @extend_schema(parameters=[ListResourceTypesQuery, LANGUAGE], responses=cbc_responses(ListResourceTypesResponse),
                   operation_id="list_resource_types")
    def get(self, request):
        data = _valid(ListResourceTypesQuery, request.query_params)
        count, rows = page(ResourceTypeFilter.from_wire(data, selectors.resource_types()), data)
        return Response(ListResourceTypesResponse({"total_count": count, "resource_types": rows},
                                                  context=self.context(request)).data)


class UsageTypesApi(_CatalogueApi):
    """GET /v2/products/usage-types — 查询使用量类型列表."""

    @extend_schema(parameters=[ListUsageTypesQuery, LANGUAGE], responses=cbc_responses(ListUsageTypesResponse),
                   operation_id="list_usage_types")
    def get(self, request):
        data = _valid(ListUsageTypesQuery, request.query_params)
        queryset = selectors.usage_types()
        if data.get("resource_type_code") == "":  # Huawei: an empty string is a filter, and matches nothing
            queryset = queryset.none()
        count, rows = page(UsageTypeFilter.from_wire(data, queryset), data)
        return Response(ListUsageTypesResponse({"total_count": count, "usage_types": rows},
                                               context=self.context(request)).data)


class MeasureUnitsApi(_CatalogueApi):
    """GET /v2/bases/measurements — 查询度量单位列表 (all of them: the list is short and not paged)."""

    @extend_schema(parameters=[LANGUAGE], responses=cbc_responses(ListMeasureUnitsResponse),
                   operation_id="list_measure_units")
    def get(self, request):
        rows = list(selectors.measure_units())
        return Response(ListMeasureUnitsResponse({"measure_units": rows}, context=self.context(request)).data)


class ConversionsApi(_CatalogueApi):
    """GET /v2/bases/conversions — 查询度量单位进制."""

    @extend_schema(parameters=[ListConversionsQuery, LANGUAGE], responses=cbc_responses(ListConversionsResponse),
                   operation_id="list_conversions")
    def get(self, request):
        data = _valid(ListConversionsQuery, request.query_params)
        rows = list(ConversionFilter.from_wire(data, selectors.conversions()))
        return Response(ListConversionsResponse({"conversions": rows}).data)


class ServiceResourcesApi(_CatalogueApi):
    """GET /v2/products/service-resources — 根据云服务类型查询资源类型列表."""

    @extend_schema(parameters=[ListServiceResourcesQuery, LANGUAGE],
                   responses=cbc_responses(ListServiceResourcesResponse), operation_id="list_service_resources")
    def get(self, request):
        data = _valid(ListServiceResourcesQuery, request.query_params)
        count, rows = page(ResourceTypeFilter.from_wire(data, selectors.resource_types()), data)
        return Response(ListServiceResourcesResponse({"total_count": count, "infos": rows},
                                                     context=self.context(request)).data)


class ResourceSpecsApi(_CatalogueApi):
    """POST /v2/products/resource-specs-query — 查询云服务类型资源规格 (marker paging: `next_marker` is set
    while there is a next page)."""

    @extend_schema(request=ResourceSpecsQueryReq, parameters=[LANGUAGE],
                   responses=cbc_responses(ListResourceSpecsResponse), operation_id="list_resource_specs")
    def post(self, request):
        data = _valid(ResourceSpecsQueryReq, request.data)
        filters = data.get("filters") or []
        limit = data.get("limit") or 100
        wire = {**data, "resource_spec": filters[0]["value"] if filters else None}
        queryset = ResourceSpecFilter.from_wire(wire, selectors.products_on_sale())
        rows = page_rows(queryset, {"offset": 0, "limit": limit + 1})
        next_marker = encode_marker(rows[limit - 1].resource_spec) if len(rows) > limit else None
        return Response(ListResourceSpecsResponse({"page_info": {"next_marker": next_marker},
                                                   "cloud_service_basics": rows[:limit]},
                                                  context=self.context(request)).data)
