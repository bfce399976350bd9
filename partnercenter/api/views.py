"""CBC endpoints of the core (a distributor's cloud resellers, and `whoami` for checking credentials), and
what every domain's endpoints share: `named_owner`, the one way an API view turns a request's
`indirect_partner_id` into a partner."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..errors import Codes, DomainError
from ..filters import ResellerFilter
from .pagination import page
from .permissions import IsDistributor, IsPartnerOrCustomer
from .serializers import (
    IndirectPartnerInfo, ListIndirectPartnersResponse, QueryIndirectPartnersReq, WhoAmIResponse, cbc_responses,
)

__all__ = ["named_owner", "IndirectPartnerQueryApi", "WhoAmIApi"]


def named_owner(actor, indirect_partner_id, owner_for=selectors.book_owner):
    """The partner whose book a CBC request reads or changes: the caller's own, or the cloud reseller it
    names in `indirect_partner_id`, resolved by the domain's owner selector (`owner_for`, which ends in
    `partnercenter.selectors.reseller_for`). An id that is not one of the caller's resellers — another
    distributor's, a made-up one, any id sent by a non-distributor — is CBC not-found, never forbidden.
    Every API view that accepts `indirect_partner_id` as the book it acts on calls this first."""
    owner = owner_for(actor, indirect_partner_id or None)
    if owner is None:
        raise DomainError(Codes.NOT_FOUND, _("The cloud reseller does not exist.") if indirect_partner_id else None)
    return owner


class IndirectPartnerQueryApi(APIView):
    """POST /v2/partners/indirect-partners/query — 查询云经销商列表 (distributors only)."""

    permission_classes = [IsDistributor]
    required_permission = "resellers.view"

    @extend_schema(request=QueryIndirectPartnersReq, responses=cbc_responses(ListIndirectPartnersResponse),
                   operation_id="list_indirect_partners")
    def post(self, request):
        params = QueryIndirectPartnersReq(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        # `indirect_partner_id` is here a filter of the caller's own list, not a book to read.
        queryset = ResellerFilter.from_wire(data, selectors.resellers_for(request.auth))
        count, rows = page(queryset, data)
        return Response({"count": count, "indirect_partners": IndirectPartnerInfo(rows, many=True).data})


class WhoAmIApi(APIView):
    """GET /v1/whoami — who a key acts as: its partner (or customer), its AK, its owner and the owner's rights.

    Our extension, for integrators checking their credentials and the rights their key carries. Signed like
    every CBC call; any valid key may call it, whatever rights its owner holds (a key whose owner has none
    learns exactly that). It answers from the actor the gateway built and runs no query of its own, so it
    is also the trivial signed endpoint the benchmarks compare against."""

    permission_classes = [IsPartnerOrCustomer]
    required_permission = None  # any valid key: it shows the caller only itself

    @extend_schema(responses=cbc_responses(WhoAmIResponse), operation_id="show_whoami")
    def get(self, request):
        return Response(WhoAmIResponse(request.auth).data)
