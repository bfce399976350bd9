"""CBC endpoints of the money domain: thin — parse the wire, call a selector or service, render."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.pagination import page
from partnercenter.api.permissions import IsCustomer
from partnercenter.api.serializers import cbc_responses
from partnercenter.api.views import named_owner

from .. import selectors, services
from ..filters import AdjustmentFilter, LedgerFilter
from .idempotency import idempotent
from .serializers import (
    AccountChangeRecord, AccountChangeRecordsQuery, AdjustAccountReq, AdjustRecordsQuery, AdjustRecordV3,
    AdjustToIndirectPartnerReq, ListCustomersBalancesDetailResponse, ListPartnerAccountChangeRecordsResponse,
    ListPartnerAdjustRecordsResponse, ListPartnerBalancesQuery, ListPartnerBalancesResponse,
    QueryCustomersBalancesReq, ReclaimIndirectPartnerAccountReq, ReclaimToPartnerAccountBalancesReq,
    ShowCustomerAccountBalancesResponse, TransferResponse, TransIdResponse,
)

__all__ = [
    "PartnerBalancesApi", "AllocateApi", "ReclaimApi", "AdjustRecordsApi", "AccountChangeRecordsApi",
    "CustomerBalancesBatchApi", "CustomerBalancesApi", "ResellerAllocateApi", "ResellerReclaimApi",
]


def _valid(serializer_class, data) -> dict:
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _owner(actor, indirect_partner_id):
    return named_owner(actor, indirect_partner_id, selectors.account_owner)


class PartnerBalancesApi(APIView):
    """GET /v2/accounts/partner-accounts/balances — cash (1), credit (2) and allocatable (8) accounts. As on the
    pages: 账户总览 (billing.view) shows all three, the allocation pages (funds.allocate) only the allocatable."""

    required_permission = selectors.MONEY_RIGHTS

    @extend_schema(parameters=[ListPartnerBalancesQuery], responses=cbc_responses(ListPartnerBalancesResponse),
                   operation_id="list_partner_balances")
    def get(self, request):
        data = _valid(ListPartnerBalancesQuery, request.query_params)
        account = selectors.partner_account_of(_owner(request.auth, data.get("indirect_partner_id")))
        zero = Decimal("0.00")
        balances = [
            {"account_id": f"{account.account_id}-1", "account_type": 1, "amount": account.cash_balance,
             "designated_amount": zero, "credit_amount": None, "memo": ""},
            {"account_id": f"{account.account_id}-2", "account_type": 2, "amount": account.credit_limit,
             "designated_amount": zero, "credit_amount": account.credit_limit, "memo": ""},
            {"account_id": f"{account.account_id}-8", "account_type": 8, "amount": account.available,
             "designated_amount": zero, "credit_amount": None, "memo": ""},
        ]
        if not request.auth.has_perm("billing.view"):
            balances = [balance for balance in balances if balance["account_type"] == 8]
        return Response(ListPartnerBalancesResponse({"account_balances": balances}).data)


class AllocateApi(APIView):
    """POST /v2/accounts/partner-accounts/adjust-amount — 向客户账户拨款."""

    required_permission = "funds.allocate"

    @extend_schema(request=AdjustAccountReq, responses=cbc_responses(TransferResponse),
                   operation_id="update_customer_account_amount")
    @idempotent
    def post(self, request):
        data = _valid(AdjustAccountReq, request.data)
        _owner(request.auth, data.get("indirect_partner_id"))
        adjustment = services.allocate_to_customer(request.auth, customer_id=data["customer_id"], amount=data["amount"],
                                                   indirect_partner_id=data.get("indirect_partner_id"))
        return Response({"transfer_id": adjustment.trans_id})


class ReclaimApi(APIView):
    """POST /v2/accounts/partner-accounts/reclaim — 回收客户账户余额."""

    required_permission = "funds.allocate"

    @extend_schema(request=ReclaimToPartnerAccountBalancesReq, responses=cbc_responses(TransIdResponse),
                   operation_id="reclaim_to_partner_account")
    @idempotent
    def post(self, request):
        data = _valid(ReclaimToPartnerAccountBalancesReq, request.data)
        _owner(request.auth, data.get("indirect_partner_id"))
        adjustment = services.reclaim_from_customer(request.auth, customer_id=data["customer_id"], amount=data["amount"],
                                                    indirect_partner_id=data.get("indirect_partner_id"))
        return Response({"trans_id": adjustment.trans_id})


class AdjustRecordsApi(APIView):
    """GET /v3/accounts/partner-accounts/adjust-records — 查询调账记录."""

    required_permission = "billing.view"

    @extend_schema(parameters=[AdjustRecordsQuery], responses=cbc_responses(ListPartnerAdjustRecordsResponse),
                   operation_id="list_partner_adjust_records")
    def get(self, request):
        data = _valid(AdjustRecordsQuery, request.query_params)
        indirect_partner_id = data.get("indirect_partner_id")
        _owner(request.auth, indirect_partner_id)
        queryset = AdjustmentFilter.from_wire(
            data, selectors.adjustments_for(request.auth, indirect_partner_id=indirect_partner_id))
        count, rows = page(queryset, data)
        return Response({"records": AdjustRecordV3(rows, many=True).data, "total_count": count})


class AccountChangeRecordsApi(APIView):
    """GET /v2/accounts/partner-accounts/account-change-records — 查询收支明细."""

    required_permission = "billing.view"

    @extend_schema(parameters=[AccountChangeRecordsQuery],
                   responses=cbc_responses(ListPartnerAccountChangeRecordsResponse),
                   operation_id="list_partner_account_change_records")
    def get(self, request):
        data = _valid(AccountChangeRecordsQuery, request.query_params)
        indirect_partner_id = data.get("indirect_partner_id")
        _owner(request.auth, indirect_partner_id)
        queryset = LedgerFilter.from_wire(
            data, selectors.partner_ledger_for(request.auth, indirect_partner_id=indirect_partner_id))
        count, rows = page(queryset, data)
        return Response({"total_count": count, "currency": "CNY", "records": AccountChangeRecord(rows, many=True).data})


class CustomerBalancesBatchApi(APIView):
    """POST /v2/accounts/customer-accounts/balances/batch-query — resale customers' balances (others left out)."""

    required_permission = selectors.MONEY_RIGHTS

    @extend_schema(request=QueryCustomersBalancesReq, responses=cbc_responses(ListCustomersBalancesDetailResponse),
                   operation_id="list_customers_balances_detail")
    def post(self, request):
        data = _valid(QueryCustomersBalancesReq, request.data)
        indirect_partner_id = data.get("indirect_partner_id")
        _owner(request.auth, indirect_partner_id)
        ids = [info["customer_id"] for info in data["customer_infos"]]
        rows = selectors.customer_balances_for(request.auth, ids, indirect_partner_id=indirect_partner_id)
        balances = [{"customer_id": customer.domain_id, "debt_amount": Decimal("0.00"),
                     "amount": account.balance if account else Decimal("0.00")} for customer, account in rows]
        return Response(ListCustomersBalancesDetailResponse({"customer_balances": balances}).data)


class CustomerBalancesApi(APIView):
    """GET /v2/accounts/customer-accounts/balances — a customer's own balance (customer keys)."""

    permission_classes = [IsCustomer]
    required_permission = None  # a customer's own balance

    @extend_schema(responses=cbc_responses(ShowCustomerAccountBalancesResponse),
                   operation_id="show_customer_account_balances")
    def get(self, request):
        account = selectors.customer_account_of(request.auth.customer)
        zero = Decimal("0.00")
        return Response(ShowCustomerAccountBalancesResponse({
            "account_balances": [{"account_id": account.account_id, "account_type": 1, "amount": account.balance,
                                  "designated_amount": zero, "credit_amount": None, "memo": ""}],
            "debt_amount": zero, "measure_id": 1, "currency": "CNY",
        }).data)


class ResellerAllocateApi(APIView):
    """POST /v2/accounts/partner-accounts/indirect-partner-adjust — a distributor funds its cloud reseller."""

    required_permission = "funds.allocate"

    @extend_schema(request=AdjustToIndirectPartnerReq, responses=cbc_responses(TransferResponse),
                   operation_id="update_indirect_partner_account")
    @idempotent
    def post(self, request):
        data = _valid(AdjustToIndirectPartnerReq, request.data)
        named_owner(request.auth, data["indirect_partner_id"])
        adjustment = services.allocate_to_reseller(request.auth, indirect_partner_id=data["indirect_partner_id"],
                                                   amount=data["amount"])
        return Response({"transfer_id": adjustment.trans_id})


class ResellerReclaimApi(APIView):
    """POST /v2/accounts/partner-accounts/indirect-partner-reclaim — a distributor takes funds back."""

    required_permission = "funds.allocate"

    @extend_schema(request=ReclaimIndirectPartnerAccountReq, responses=cbc_responses(TransIdResponse),
                   operation_id="reclaim_indirect_partner_account")
    @idempotent
    def post(self, request):
        data = _valid(ReclaimIndirectPartnerAccountReq, request.data)
        named_owner(request.auth, data["indirect_partner_id"])
        adjustment = services.reclaim_from_reseller(request.auth, indirect_partner_id=data["indirect_partner_id"],
                                                    amount=data["amount"])
        return Response({"trans_id": adjustment.trans_id})
