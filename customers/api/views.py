"""CBC endpoints of the customers domain (the customers issue adds registration and the rest)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.pagination import page
from partnercenter.api.serializers import cbc_responses
from partnercenter.errors import Codes, DomainError
from partnercenter.selectors import reseller_for

from .. import selectors
from .serializers import CustomerInformation, ListSubCustomersResponse, QuerySubCustomerListReq

__all__ = ["SubCustomerQueryApi"]


class SubCustomerQueryApi(APIView):
    """POST /v2/partners/sub-customers/query — 查询客户列表."""

    @extend_schema(request=QuerySubCustomerListReq, responses=cbc_responses(ListSubCustomersResponse),
                   operation_id="list_sub_customers")
    def post(self, request):
        actor = request.auth
        params = QuerySubCustomerListReq(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        indirect_partner_id = data.get("indirect_partner_id")
        if indirect_partner_id and reseller_for(actor, indirect_partner_id) is None:
            raise DomainError(Codes.NOT_FOUND, _("The cloud reseller does not exist."))
        queryset = selectors.filter_customers(
            selectors.customers_for(actor, indirect_partner_id=indirect_partner_id),
            account_name=data.get("account_name"),
            real_name=data.get("customer"),
            customer_id=data.get("customer_id"),
            label=data.get("label"),
            association_type=data.get("association_type"),
            associated_from=data.get("associated_on_begin"),
            associated_to=data.get("associated_on_end"),
        )
        count, rows = page(queryset, data)
        for customer in rows:
            customer.association = customer.active_associations[0]
        return Response({"customer_infos": CustomerInformation(rows, many=True).data, "count": count})
