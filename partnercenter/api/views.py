"""CBC endpoints of the core: a distributor's cloud resellers."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from .pagination import page
from .permissions import IsDistributor
from .serializers import IndirectPartnerInfo, ListIndirectPartnersResponse, QueryIndirectPartnersReq, cbc_responses

__all__ = ["IndirectPartnerQueryApi"]


class IndirectPartnerQueryApi(APIView):
    """POST /v2/partners/indirect-partners/query — 查询云经销商列表 (distributors only)."""

    permission_classes = [IsDistributor]

    @extend_schema(request=QueryIndirectPartnersReq, responses=cbc_responses(ListIndirectPartnersResponse),
                   operation_id="list_indirect_partners")
    def post(self, request):
        params = QueryIndirectPartnersReq(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        queryset = selectors.filter_resellers(
            selectors.resellers_for(request.auth),
            account_name=data.get("account_name"),
            associated_from=data.get("associated_on_begin"),
            associated_to=data.get("associated_on_end"),
            indirect_partner_id=data.get("indirect_partner_id"),
        )
        count, rows = page(queryset, data)
        return Response({"count": count, "indirect_partners": IndirectPartnerInfo(rows, many=True).data})
