"""CBC endpoints of the partner's bills: the customers that consumed in a month, their monthly sums, and
their fee records. Partner keys only (a customer's or the platform's key is refused, CBC.0151), holding
billing.view — as 伙伴账单 and 客户消费 do; a key without customers.view_all reads its team's customers only
(bills.selectors). A distributor naming one of its cloud resellers in `indirect_partner_id` reads that
reseller's customers during their association with it; an id that is not one of its resellers is CBC
not-found (partnercenter.api.views.named_owner).

Thin: parse the wire (partner_serializers.py, the official SDK's models), read through bills.selectors and
bills.filters (the FilterSets the pages use), page with offset/limit and an exact count, render.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.pagination import page
from partnercenter.api.permissions import IsPartner
from partnercenter.api.serializers import cbc_responses
from partnercenter.api.views import named_owner

from .. import selectors
from ..filters import ConsumptionFilter, FeeRecordFilter
from .partner_serializers import (
    CURRENCY, ListConsumeSubCustomersReq, ListConsumeSubCustomersResponse, ListSubCustomerBillDetailResponse,
    ListSubcustomerMonthlyBillsResponse, SubCustomerBillDetailQuery, SubcustomerMonthlyBillsQuery,
    SubCustomerMonthlyBillDetail, sum_row,
)

__all__ = ["ConsumeSubCustomersApi", "SubcustomerMonthlyBillsApi", "SubCustomerFeeRecordsApi"]

X_LANGUAGE = OpenApiParameter("X-Language", str, OpenApiParameter.HEADER, required=False,
                              description="zh_CN (names in Chinese) or en_US.")
# The group of one monthly sum on the wire (BillSumInfoV2).
SUM_KEYS = ("customer__domain_id", "service_type__code", "resource_type__code", "charging_mode", "kind")


def _valid(serializer_class, data) -> dict:
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


class _BillApi(APIView):
    permission_classes = [IsPartner]
    required_permission = selectors.BILL_RIGHTS


class ConsumeSubCustomersApi(_BillApi):
    """POST /v2/bills/subcustomer-bills/res-fee-records/sub-customers/query — 查询伙伴消费子客户列表: the
    customers that consumed in the month while associated with the caller, also those that have left it
    since (若当前子客户与伙伴无关联关系，仍可查询账期内处于关联状态且有消费的子客户列表), in id order."""

    @extend_schema(parameters=[X_LANGUAGE], request=ListConsumeSubCustomersReq,
                   responses=cbc_responses(ListConsumeSubCustomersResponse), operation_id="list_consume_sub_customers")
    def post(self, request):
        data = _valid(ListConsumeSubCustomersReq, request.data)
        count, rows = page(selectors.consuming_customers(request.auth, data["bill_cycle"]), data)
        return Response({"sub_customers": [{"customer_id": row["customer__domain_id"]} for row in rows],
                         "total_count": count})


class SubcustomerMonthlyBillsApi(_BillApi):
    """GET /v2/bills/partner-bills/subcustomer-bills/monthly-sum — 查询客户月度消费账单: per customer,
    service type, resource type, charging mode and kind (0 consumption, 1 unsubscription refund, 2 write-off
    and adjustment), the month's sums — a closed month's from the month close, the running month's
    from the running sums the database keeps (bills.selectors)."""

    @extend_schema(parameters=[SubcustomerMonthlyBillsQuery],
                   responses=cbc_responses(ListSubcustomerMonthlyBillsResponse),
                   operation_id="list_subcustomer_monthly_bills")
    def get(self, request):
        actor = request.auth
        data = _valid(SubcustomerMonthlyBillsQuery, request.query_params)
        indirect_partner_id = data.get("indirect_partner_id") or None
        named_owner(actor, indirect_partner_id)
        rows, _closed = selectors.cycle_rows(actor, data["cycle"], indirect_partner_id=indirect_partner_id)
        # the month chose the rows; the rest filters them
        rows = ConsumptionFilter.from_wire({k: v for k, v in data.items() if k != "cycle"}, rows)
        count, sums = page(selectors.summed(rows, *SUM_KEYS), data)
        return Response({"bill_sums": [sum_row(row) for row in sums], "count": count, "currency": CURRENCY})


class SubCustomerFeeRecordsApi(_BillApi):
    """GET /v2/bills/subcustomer-bills/res-fee-records — 查询伙伴子客户消费记录: one customer's fee records
    of one month during its association with the caller (or with the named reseller), newest first."""

    @extend_schema(parameters=[X_LANGUAGE, SubCustomerBillDetailQuery],
                   responses=cbc_responses(ListSubCustomerBillDetailResponse),
                   operation_id="list_sub_customer_bill_detail")
    def get(self, request):
        actor = request.auth
        data = _valid(SubCustomerBillDetailQuery, request.query_params)
        indirect_partner_id = data.get("indirect_partner_id") or None
        named_owner(actor, indirect_partner_id)
        queryset = selectors.customer_month_records(actor, data["bill_cycle"], data["customer_id"],
                                                    indirect_partner_id=indirect_partner_id)
        # An empty string is a condition (携带值为空串…作为筛选条件): every record has a service type; a
        # record without a region is one of a global service.
        if data.get("service_type_code") == "":
            queryset = queryset.none()
        if data.get("region_code") == "":
            queryset = queryset.filter(region__isnull=True)
        queryset = FeeRecordFilter.from_wire({k: v for k, v in data.items() if k != "customer_id"}, queryset)
        count, rows = page(selectors.with_display(queryset), data)
        return Response({"total_count": count, "currency": CURRENCY,
                         "fee_records": SubCustomerMonthlyBillDetail(rows, many=True).data})
