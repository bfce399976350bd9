"""/v1/leads: a partner's sales platform lists its leads, creates them and records follow-ups; the
platform's key dispatches leads to a partner (POST /v1/leads naming the partner's account ID).

Signed like every CBC call (partnercenter.api.authentication). Partner keys: GET needs expansion.view, POST
expansion.manage, with the owner's data scope (expansion.selectors_leads). The platform key may POST
/v1/leads only (everything else refuses it, 403). Another partner's lead, partner or member is CBC
not-found, as a made-up id. Phone and e-mail are masked for partners in marketing plan 2.0.
Thin: parse the wire, call a selector or a service, render."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.pagination import page
from partnercenter.api.permissions import IsPartner
from partnercenter.api.throttling import AccessKeyThrottle
from partnercenter.errors import Codes, DomainError

from .. import leads as services
from .. import selectors_leads as selectors
from ..filters_leads import LeadFilter
from ..masking import contacts_masked
from .serializers_leads import (
    CreateFollowUpReq, CreateLeadReq, FollowUpInfo, LeadInfo, ListLeadsQuery, ListLeadsResponse, responses,
)

__all__ = ["LeadsApi", "LeadFollowUpsApi", "IsPartnerOrDispatchingPlatform"]

LEAD_ID = OpenApiParameter("lead_id", str, OpenApiParameter.PATH, description="The lead ID.")


class IsPartnerOrDispatchingPlatform(IsPartner):
    """A partner key holding the right the method needs; or the platform key, to POST (dispatch) only."""

    def has_permission(self, request, view):
        actor = request.auth
        if actor is not None and actor.is_platform:
            return request.method == "POST" and getattr(view, "platform_may_post", False)
        return super().has_permission(request, view)


def _valid(serializer_class, data) -> dict:
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


class LeadsApi(APIView):
    """GET /v1/leads lists the partner's leads; POST /v1/leads creates one (a platform key: dispatches it)."""

    permission_classes = [IsPartnerOrDispatchingPlatform]
    required_permission = {"GET": selectors.VIEW, "POST": selectors.MANAGE}
    platform_may_post = True
    # per key only: EndpointThrottle's scopes are per partner or customer, which the platform key is not
    throttle_classes = [AccessKeyThrottle]

    @extend_schema(parameters=[ListLeadsQuery], responses=responses(200, ListLeadsResponse),
                   operation_id="list_leads",
                   description="The partner's leads, newest first, filtered by status, source, owner (user name), "
                               "text (company or contact) and creation time; offset/limit (at most 100). Phone and "
                               "e-mail are masked for partners in marketing plan 2.0.")
    def get(self, request):
        actor = request.auth
        data = _valid(ListLeadsQuery, request.query_params)
        queryset = LeadFilter.from_wire(data, selectors.leads_for(actor))
        count, rows = page(queryset, data)
        masked = contacts_masked(actor.partner)
        return Response({"count": count, "leads": LeadInfo(rows, many=True, context={"masked": masked}).data})

    @extend_schema(request=CreateLeadReq, responses=responses(200, LeadInfo), operation_id="create_lead",
                   description="A partner key creates a lead of its own (source `partner`). The platform key "
                               "dispatches a lead to the partner named by `partner_id` (source `dispatched`; the "
                               "partner must be active, and is told). An unknown partner or owner is CBC.0156 / "
                               "CBC.99013203.")
    def post(self, request):
        actor = request.auth
        data = _valid(CreateLeadReq, request.data)
        fields = {name: data.get(name, "") for name in services.EDITABLE_FIELDS}
        wire = {"partner_id": data.get("partner_id") or "", "owner_username": data.get("owner_id") or ""}
        if actor.is_platform:  # the service refuses (and logs) a missing or unknown partner, an unknown owner
            lead = services.dispatch_lead(actor, **wire, **fields)
        else:
            lead = services.create_lead(actor, **wire, **fields)
        partner = lead.partner
        if actor.is_partner:  # read back as the list shows it (owner, customer, next follow-up)
            lead = selectors.leads_for(actor).filter(pk=lead.pk).first() or lead
        return Response(LeadInfo(lead, context={"masked": contacts_masked(partner)}).data)


class LeadFollowUpsApi(APIView):
    """POST /v1/leads/{lead_id}/follow-ups: record a follow-up of one of the partner's leads."""

    required_permission = selectors.MANAGE

    @extend_schema(parameters=[LEAD_ID], request=CreateFollowUpReq, responses=responses(200, FollowUpInfo),
                   operation_id="create_lead_follow_up",
                   description="Record how the lead was followed up (phone, visit, email, other) and when next; a "
                               "new lead becomes `following`. A converted or invalid lead is CBC.99013200.")
    def post(self, request, lead_id):
        actor = request.auth
        lead = selectors.lead_for(actor, lead_id)
        if lead is None:
            raise DomainError(Codes.NOT_FOUND)
        data = _valid(CreateFollowUpReq, request.data)
        follow_up = services.add_follow_up(actor, lead=lead, method=data["method"], note=data["note"],
                                           next_at=data.get("next_follow_up_at"))
        return Response(FollowUpInfo(follow_up).data)
