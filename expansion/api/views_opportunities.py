"""/v1/opportunities: a partner's sales platform lists its opportunities (HO and PO) with the working days left
to accept the pending HO, registers a PO, and accepts or rejects an HO. Signed like every CBC call, by a
partner key whose owner holds `expansion.view` (reading) or `opportunities.manage` (writing). Another
partner's opportunity is CBC not-found. The platform key (an operator's) may POST /v1/opportunities only, to
share an HO with a partner (everything else refuses it, 403). An account manager's key (no customers.view_all)
lists and decides on the opportunities of its team's customers (and those naming none) only. Thin: parse the
wire, call expansion.opportunities — which decides every refusal, so each is in the operation log — and
render."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.pagination import page
from partnercenter.api.permissions import IsPartner
from partnercenter.api.throttling import AccessKeyThrottle
from .. import opportunities, selectors_opportunities as selectors
from ..filters_opportunities import OpportunityFilter
from .serializers_opportunities import (
    ListOpportunitiesQuery, ListOpportunitiesResponse, OpportunityInfo, RegisterOpportunityReq,
    RejectOpportunityReq, responses,
)

__all__ = ["OpportunitiesApi", "AcceptOpportunityApi", "RejectOpportunityApi", "IsPartnerOrSharingPlatform"]

OPPORTUNITY_ID = OpenApiParameter("opportunity_id", int, OpenApiParameter.PATH, description="The opportunity ID.")


def _valid(serializer_class, data) -> dict:
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _info(rows) -> list:
    for row in selectors.with_countdown(rows):
        row.working_days_left = None if row.countdown is None else row.countdown.working_days_left
    return OpportunityInfo(rows, many=True).data


def _one(actor, pk) -> dict:
    row = selectors.opportunity_for(actor, pk)
    return _info([row])[0]


class IsPartnerOrSharingPlatform(IsPartner):
    """A partner key holding the right the method needs; or the platform key, to POST (share an HO) only."""

    def has_permission(self, request, view):
        actor = request.auth
        if actor is not None and actor.is_platform:
            return request.method == "POST" and getattr(view, "platform_may_post", False)
        return super().has_permission(request, view)


class OpportunitiesApi(APIView):
    """GET /v1/opportunities lists the partner's opportunities, newest first; POST registers a PO (a partner
    key) or shares an HO with the partner named by `partner_id` (the platform key)."""

    permission_classes = [IsPartnerOrSharingPlatform]
    required_permission = {"GET": "expansion.view", "POST": opportunities.MANAGE}
    platform_may_post = True
    # per key only: EndpointThrottle's scopes are per partner or customer, which the platform key is not
    throttle_classes = [AccessKeyThrottle]

    @extend_schema(parameters=[ListOpportunitiesQuery], responses=responses(200, ListOpportunitiesResponse),
                   operation_id="list_opportunities",
                   description="The partner's opportunities, newest first: HO shared by Huawei Cloud and PO it "
                               "registered. A pending HO carries its deadline and the working days left (China's "
                               "official calendar, Asia/Shanghai).")
    def get(self, request):
        data = _valid(ListOpportunitiesQuery, request.query_params)
        queryset = OpportunityFilter.from_wire(
            {"origin": data.get("origin"), "status": data.get("status")}, selectors.opportunities_for(request.auth))
        count, rows = page(queryset, data)
        return Response({"count": count, "opportunities": _info(rows)})

    @extend_schema(request=RegisterOpportunityReq, responses=responses(200, OpportunityInfo),
                   operation_id="register_opportunity",
                   description="A partner key registers an opportunity (PO) for Huawei Cloud to approve. Without "
                               "customer_id, no_account_acknowledged must be true (CBC.99013311): an opportunity "
                               "registered without a customer account may be released to the public pool. The "
                               "platform key shares an opportunity (HO) with the partner named by partner_id (its "
                               "account ID; unknown: CBC.0156), to accept within 3 working days; the partner is "
                               "told. A customer_id associated with another partner is refused (CBC.99013331).")
    def post(self, request):
        actor = request.auth
        data = _valid(RegisterOpportunityReq, request.data)
        fields = {"name": data["name"], "customer_name": data["customer_name"],
                  "customer_id": data.get("customer_id") or None, "partner_id": data.get("partner_id") or None,
                  "contact_name": data["contact_name"], "contact_phone": data["contact_phone"],
                  "product": data["product"], "amount": data.get("amount"),
                  "expected_close": data.get("expected_close"), "notes": data["notes"]}
        if actor.is_platform:
            opportunity = opportunities.share_opportunity(actor, **fields)
            return Response(_info([opportunity])[0])
        opportunity = opportunities.register_opportunity(
            actor, no_account_acknowledged=data["no_account_acknowledged"], **fields)
        return Response(_one(actor, opportunity.pk))


class AcceptOpportunityApi(APIView):
    """POST /v1/opportunities/{opportunity_id}/accept: accept a pending HO by its deadline."""

    permission_classes = [IsPartner]
    required_permission = opportunities.MANAGE

    @extend_schema(parameters=[OPPORTUNITY_ID], request=None, responses=responses(200, OpportunityInfo),
                   operation_id="accept_opportunity",
                   description="Accept an HO shared with the partner, at the latest at its deadline; past it the "
                               "opportunity is rejected by default and recalled (CBC.99013301).")
    def post(self, request, opportunity_id):
        opportunity = opportunities.accept(request.auth, opportunity=opportunity_id)
        return Response(_one(request.auth, opportunity.pk))


class RejectOpportunityApi(APIView):
    """POST /v1/opportunities/{opportunity_id}/reject: reject a pending HO, with a reason."""

    permission_classes = [IsPartner]
    required_permission = opportunities.MANAGE

    @extend_schema(parameters=[OPPORTUNITY_ID], request=RejectOpportunityReq, responses=responses(200, OpportunityInfo),
                   operation_id="reject_opportunity",
                   description="Reject an HO shared with the partner, with a reason; Huawei Cloud takes it back.")
    def post(self, request, opportunity_id):
        data = _valid(RejectOpportunityReq, request.data)
        opportunity = opportunities.reject(request.auth, opportunity=opportunity_id, reason=data["reason"])
        return Response(_one(request.auth, opportunity.pk))

