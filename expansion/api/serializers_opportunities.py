"""Wire shapes of /v1/opportunities (our extension, in the CBC style: snake_case, UTC times as
YYYY-MM-DDTHH:MM:SSZ, amounts as numbers, errors as {"error_code", "error_msg"})."""

from rest_framework import serializers

from partnercenter.api.fields import AmountField, CbcDateTimeField
from partnercenter.api.pagination import OffsetLimitSerializer
from partnercenter.api.serializers import ErrorResponse

from ..choices import OpportunityStage, OpportunityStatus, Origin

__all__ = ["ListOpportunitiesQuery", "OpportunityInfo", "ListOpportunitiesResponse", "RegisterOpportunityReq",
           "RejectOpportunityReq", "responses"]


def responses(status, ok) -> dict:
    return {status: ok, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse,
            409: ErrorResponse}


class ListOpportunitiesQuery(OffsetLimitSerializer):
    origin = serializers.ChoiceField(choices=Origin.values, required=False, allow_null=True,
                                     help_text="HO: shared by Huawei Cloud; PO: registered by the partner.")
    status = serializers.ChoiceField(choices=OpportunityStatus.values, required=False, allow_null=True)


class OpportunityInfo(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text="The opportunity ID.")
    origin = serializers.ChoiceField(choices=Origin.values)
    status = serializers.ChoiceField(choices=OpportunityStatus.values)
    name = serializers.CharField()
    customer_name = serializers.CharField()
    customer_id = serializers.CharField(source="customer.domain_id", allow_null=True, default=None,
                                        help_text="The customer's account ID, when it was named.")
    stage = serializers.ChoiceField(choices=OpportunityStage.values)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False, allow_null=True)
    expected_close = serializers.DateField(allow_null=True)
    shared_at = CbcDateTimeField(help_text="When Huawei Cloud shared it (HO) or the partner registered it (PO).")
    deadline = CbcDateTimeField(allow_null=True, help_text="HO: accept or reject by then (3 working days after "
                                                             "sharing, China's calendar; shared on a day off, 00:00 "
                                                             "after the third full working day); null for a PO.")
    working_days_left = serializers.IntegerField(
        allow_null=True, help_text="A pending HO: the working days after today up to the deadline's day (a "
                                   "deadline at 00:00 — an HO shared on a day off — leaves no time on its own day, "
                                   "which does not count); 0 when it is due today or overdue; null otherwise.")
    decided_at = CbcDateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class ListOpportunitiesResponse(serializers.Serializer):
    count = serializers.IntegerField()
    opportunities = OpportunityInfo(many=True)


class RegisterOpportunityReq(serializers.Serializer):
    partner_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, allow_null=True,
        help_text="The platform key only: the account ID of the partner Huawei Cloud shares the opportunity (HO) "
                  "with. A partner key registers a PO for itself (its own account ID, or none).")
    name = serializers.CharField(max_length=200)
    customer_name = serializers.CharField(max_length=200)
    customer_id = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True,
                                        help_text="The customer's account ID (one of your customers).")
    contact_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    product = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount = AmountField(allow_zero=True, required=False, allow_null=True)
    expected_close = serializers.DateField(required=False, allow_null=True, input_formats=["%Y-%m-%d"],
                                           help_text="YYYY-MM-DD")
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    no_account_acknowledged = serializers.BooleanField(
        required=False, default=False,
        help_text="Required (true) without customer_id: an opportunity registered without a customer account "
                  "(无账号报备) may be released to the public pool by the CRM system.")


class RejectOpportunityReq(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
