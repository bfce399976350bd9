"""CBC endpoints of vouchers: thin — parse the wire, call a selector or service, render."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.pagination import page
from partnercenter.api.permissions import IsCustomer, IsDistributor
from partnercenter.api.serializers import cbc_responses
from partnercenter.api.views import named_owner
from partnercenter.errors import DomainError

from .. import selectors, services
from ..filters import (
    CouponFilter, CouponRecordFilter, CustomerCouponFilter, IssuedQuotaFilter, QuotaFilter, QuotaRecordFilter,
)
from .serializers import (
    AdjustCouponQuotasReq, CouponQuotaV2, CouponRecordsQuery, CouponRecordV2, CreatePartnerCouponsReq,
    CreatePartnerCouponsResponse, CustomerCouponsQuery, IQueryUserCouponsResultV2, IQueryUserPartnerCouponsResultV2,
    IssuedCouponQuota, IssuedCouponsQuery, IssuedQuotasQuery, ListCouponQuotasRecordsResponse,
    ListIssuedCouponQuotasResponse, ListIssuedPartnerCouponsResponse, ListPartnerCouponsRecordResponse,
    ListQuotaCouponsResponse, ListSubCustomerCouponsResponse, QueryCouponQuotasReqExt, QuotaRecord, QuotaRecordsQuery,
    ReclaimCouponQuotasReq, ReclaimCouponQuotasResponse, ReclaimPartnerCouponsReq, UpdateCouponQuotasResponse,
)

__all__ = [
    "QuotasQueryApi", "IssueCouponsApi", "ReclaimCouponApi", "IssuedCouponsApi", "CouponRecordsApi",
    "CustomerCouponsApi", "ResellerQuotaIssueApi", "ResellerQuotaReclaimApi", "IssuedQuotasApi", "QuotaRecordsApi",
    "PartnerCouponsApi",
]


def _valid(serializer_class, data) -> dict:
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _check_reseller(actor, indirect_partner_id):
    named_owner(actor, indirect_partner_id, selectors.owner_for)


class QuotasQueryApi(APIView):
    """POST /v2/partners/coupon-quotas/query — 查询优惠券额度."""

    required_permission = "vouchers.view"

    @extend_schema(request=QueryCouponQuotasReqExt, responses=cbc_responses(ListQuotaCouponsResponse),
                   operation_id="list_quota_coupons")
    def post(self, request):
        data = _valid(QueryCouponQuotasReqExt, request.data)
        _check_reseller(request.auth, data.get("indirect_partner_id"))
        queryset = QuotaFilter.from_wire(
            data, selectors.quotas_for(request.auth, indirect_partner_id=data.get("indirect_partner_id")))
        count, rows = page(queryset, data)
        return Response({"total_count": count, "quotas": CouponQuotaV2(rows, many=True).data})


class IssueCouponsApi(APIView):
    """POST /v2/promotions/benefits/partner-coupons — 发放优惠券 (a result per customer)."""

    required_permission = "vouchers.issue"

    @extend_schema(request=CreatePartnerCouponsReq, responses=cbc_responses(CreatePartnerCouponsResponse),
                   operation_id="create_partner_coupons")
    def post(self, request):
        data = _valid(CreatePartnerCouponsReq, request.data)
        _check_reseller(request.auth, data.get("indirect_partner_id"))
        infos, errors = services.issue_coupons(
            request.auth, quota_id=data["quota_id"], customer_ids=data["customer_ids"], face_value=data["face_value"],
            valid_time=data.get("valid_time"), expire_time=data.get("expire_time"),
            cloud_service_types=data.get("cloud_service_types"), product_ids=data.get("product_ids"),
            remark=data.get("memo") or "", indirect_partner_id=data.get("indirect_partner_id"),
        )
        return Response({"error_details": errors, "coupon_infos": infos})


class ReclaimCouponApi(APIView):
    """POST /v2/promotions/benefits/partner-coupons/reclaim — 回收优惠券 (the whole remaining balance)."""

    required_permission = "vouchers.issue"

    @extend_schema(request=ReclaimPartnerCouponsReq, responses=cbc_responses(None),
                   operation_id="reclaim_partner_coupons")
    def post(self, request):
        data = _valid(ReclaimPartnerCouponsReq, request.data)
        _check_reseller(request.auth, data.get("indirect_partner_id"))
        [result] = services.reclaim_coupons(request.auth, coupon_ids=[data["coupon_id"]],
                                            indirect_partner_id=data.get("indirect_partner_id"))
        if not result["ok"]:
            raise DomainError(result["error_code"], result["error_msg"])
        return Response(status=204)


class IssuedCouponsApi(APIView):
    """GET /v2/promotions/benefits/partner-coupons — 查询已发放的优惠券."""

    required_permission = "vouchers.view"

    @extend_schema(parameters=[IssuedCouponsQuery], responses=cbc_responses(ListIssuedPartnerCouponsResponse),
                   operation_id="list_issued_partner_coupons")
    def get(self, request):
        data = _valid(IssuedCouponsQuery, request.query_params)
        _check_reseller(request.auth, data.get("indirect_partner_id"))
        queryset = CouponFilter.from_wire(
            data, selectors.coupons_for(request.auth, indirect_partner_id=data.get("indirect_partner_id")))
        count, rows = page(queryset, data)
        return Response({"total_count": count, "user_coupons": IQueryUserPartnerCouponsResultV2(rows, many=True).data})


class CouponRecordsApi(APIView):
    """GET /v2/promotions/benefits/partner-coupons/records/query — 发放回收记录."""

    required_permission = "vouchers.view"

    @extend_schema(parameters=[CouponRecordsQuery], responses=cbc_responses(ListPartnerCouponsRecordResponse),
                   operation_id="list_partner_coupons_record")
    def get(self, request):
        params = request.query_params.copy()
        data = _valid(CouponRecordsQuery, {**params.dict(), "operation_types": params.getlist("operation_types"),
                                           "coupon_ids": params.getlist("coupon_ids")})
        _check_reseller(request.auth, data.get("indirect_partner_id"))
        queryset = CouponRecordFilter.from_wire(
            data, selectors.coupon_records_for(request.auth, indirect_partner_id=data.get("indirect_partner_id")))
        count, rows = page(queryset, data)
        return Response({"total_count": count, "records": CouponRecordV2(rows, many=True).data})


class CustomerCouponsApi(APIView):
    """GET /v2/promotions/benefits/coupons — a customer's own coupons (customer keys), without remarks."""

    permission_classes = [IsCustomer]
    required_permission = None  # a customer's own coupons

    @extend_schema(parameters=[CustomerCouponsQuery], responses=cbc_responses(ListSubCustomerCouponsResponse),
                   operation_id="list_sub_customer_coupons")
    def get(self, request):
        data = _valid(CustomerCouponsQuery, request.query_params)
        queryset = CustomerCouponFilter.from_wire(data, selectors.customer_coupons_for(request.auth))
        count, rows = page(queryset, data)
        return Response({"count": count, "user_coupons": IQueryUserCouponsResultV2(rows, many=True).data})


class ResellerQuotaIssueApi(APIView):
    """POST /v2/partners/coupon-quotas/indirect-partner-adjust — quota to cloud resellers."""

    permission_classes = [IsDistributor]
    required_permission = "vouchers.issue"

    @extend_schema(request=AdjustCouponQuotasReq, responses=cbc_responses(UpdateCouponQuotasResponse),
                   operation_id="update_coupon_quotas")
    def post(self, request):
        data = _valid(AdjustCouponQuotasReq, request.data)
        infos, errors = services.issue_quota_to_resellers(request.auth, quota_id=data["quota_id"],
                                                          indirect_partner_ids=data["indirect_partner_ids"],
                                                          quota_amount=data["quota_amount"])
        return Response({"error_details": errors, "simple_quota_infos": infos})


class ResellerQuotaReclaimApi(APIView):
    """POST /v2/partners/coupon-quotas/indirect-partner-reclaim — take quota back from cloud resellers."""

    permission_classes = [IsDistributor]
    required_permission = "vouchers.issue"

    @extend_schema(request=ReclaimCouponQuotasReq, responses=cbc_responses(ReclaimCouponQuotasResponse),
                   operation_id="reclaim_coupon_quotas")
    def post(self, request):
        data = _valid(ReclaimCouponQuotasReq, request.data)
        infos, errors = services.reclaim_reseller_quotas(request.auth, quota_ids=data["quota_ids"],
                                                         remark=data.get("remark") or "")
        return Response({"error_details": errors, "simple_quota_infos": infos})


class IssuedQuotasApi(APIView):
    """GET /v2/partners/issued-coupon-quotas — quotas a distributor passed to its resellers."""

    permission_classes = [IsDistributor]
    required_permission = "vouchers.view"

    @extend_schema(parameters=[IssuedQuotasQuery], responses=cbc_responses(ListIssuedCouponQuotasResponse),
                   operation_id="list_issued_coupon_quotas")
    def get(self, request):
        data = _valid(IssuedQuotasQuery, request.query_params)
        queryset = IssuedQuotaFilter.from_wire(data, selectors.issued_quotas_for(request.auth))
        count, rows = page(queryset, data)
        return Response({"total_count": count, "quotas": IssuedCouponQuota(rows, many=True).data})


class QuotaRecordsApi(APIView):
    """GET /v2/partners/coupon-quotas/records — issue (10) and reclaim (11) records of reseller quotas."""

    permission_classes = [IsDistributor]
    required_permission = "vouchers.view"

    @extend_schema(parameters=[QuotaRecordsQuery], responses=cbc_responses(ListCouponQuotasRecordsResponse),
                   operation_id="list_coupon_quotas_records")
    def get(self, request):
        data = _valid(QuotaRecordsQuery, request.query_params)
        queryset = QuotaRecordFilter.from_wire(data, selectors.quota_records_for(request.auth))
        count, rows = page(queryset, data)
        return Response({"total_count": count, "records": QuotaRecord(rows, many=True).data})


class PartnerCouponsApi(IssueCouponsApi, IssuedCouponsApi):
    """/v2/promotions/benefits/partner-coupons: POST issues, GET lists (one path, two operations)."""

    required_permission = {"POST": IssueCouponsApi.required_permission, "GET": IssuedCouponsApi.required_permission}
