"""/v1/opportunities: a partner's sales platform lists its opportunities (HO and PO) with the working days left
to accept the pending HO, registers a PO, and accepts or rejects an HO. Signed like every CBC call, by a
partner key whose owner holds `expansion.view` (reading) or `opportunities.manage` (writing). Another
partner's opportunity is CBC not-found. The platform key (an operator's) may POST /v1/opportunities only, to
share an HO with a partner (everything else refuses it, 403). Thin: parse the wire, call expansion.opportunities, render."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.selectors import customer_for
from partnercenter.api.pagination import page
from partnercenter.api.permissions import IsPartner
from partnercenter.api.throttling import AccessKeyThrottle
from partnercenter.errors import Codes, DomainError

from .. import opportunities, selectors_opportunities as selectors
from ..errors_opportunities import OpportunityCodes
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
                               "told.")
    def post(self, request):
        actor = request.auth
        data = _valid(RegisterOpportunityReq, request.data)
        if actor.is_platform:
            return Response(_share(actor, data))
        if data.get("partner_id") and data["partner_id"] != actor.partner.domain_id:
            raise DomainError(Codes.NOT_FOUND)
        customer = None
        if data.get("customer_id"):
            customer = customer_for(actor, data["customer_id"])
            if customer is None:
                raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
        elif not data["no_account_acknowledged"]:
            opportunities.require_manager(actor)  # a key without the right hears that first
            raise DomainError(OpportunityCodes.NO_ACCOUNT_NOT_ACKNOWLEDGED)
        opportunity = opportunities.register_opportunity(
            actor, name=data["name"], customer_name=data["customer_name"], customer=customer,
            contact_name=data["contact_name"], contact_phone=data["contact_phone"], product=data["product"],
            amount=data.get("amount"), expected_close=data.get("expected_close"), notes=data["notes"])
        return Response(_one(actor, opportunity.pk))


def _share(actor, data) -> dict:
    """The platform key shares an HO with the partner its `partner_id` names."""
    if not data.get("partner_id"):
        raise DomainError(Codes.PARAMETER, _("partner_id: the platform key names the partner it shares with."))
    partner = selectors.partner_to_share_with(data["partner_id"])
    if partner is None:
        raise DomainError(Codes.NOT_FOUND)
    customer = None
    if data.get("customer_id"):
        customer = selectors.customer_to_share(data["customer_id"])
        if customer is None:
            raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
    opportunity = opportunities.share_opportunity(
        actor, partner=partner, name=data["name"], customer_name=data["customer_name"], customer=customer,
        contact_name=data["contact_name"], contact_phone=data["contact_phone"], product=data["product"],
        amount=data.get("amount"), expected_close=data.get("expected_close"), notes=data["notes"])
    return _info([opportunity])[0]


class AcceptOpportunityApi(APIView):
    """POST /v1/opportunities/{opportunity_id}/accept: accept a pending HO by its deadline."""

    permission_classes = [IsPartner]
    required_permission = opportunities.MANAGE

    @extend_schema(parameters=[OPPORTUNITY_ID], request=None, responses=responses(200, OpportunityInfo),
                   operation_id="accept_opportunity",
                   description="Accept an HO shared with the partner, at the latest at its deadline; past it the "
                               "opportunity is rejected by default and recalled (CBC.99013301).")
    def post(self, request, opportunity_id):
        opportunity = opportunities.accept(request.auth, opportunity=_id(opportunity_id))
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
        opportunity = opportunities.reject(request.auth, opportunity=_id(opportunity_id), reason=data["reason"])
        return Response(_one(request.auth, opportunity.pk))


def _id(value):
    """The path's id: a made-up one (not a number, out of range) is not found, as another partner's is."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise DomainError(Codes.NOT_FOUND) from None
    if not 0 < pk < 2 ** 63:
        raise DomainError(Codes.NOT_FOUND)
    return pk
