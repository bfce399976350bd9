"""Wire shapes of the leads endpoints (/v1/leads): our extension, in the CBC style (snake_case, UTC times as
YYYY-MM-DDTHH:MM:SSZ, errors as {"error_code", "error_msg"}). A lead's phone and e-mail are masked for partners
in marketing plan 2.0 (expansion.masking), in every answer."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from partnercenter.api.fields import CbcDateTimeField, OptionalCharField
from partnercenter.api.pagination import OffsetLimitSerializer
from partnercenter.api.serializers import ErrorResponse

from ..choices import LeadSource, LeadStatus
from ..forms_leads import FOLLOW_UP_METHODS, phone_validator
from ..masking import shown_contacts

__all__ = ["ListLeadsQuery", "LeadInfo", "ListLeadsResponse", "CreateLeadReq", "CreateFollowUpReq", "FollowUpInfo",
           "responses"]


def responses(status, ok) -> dict:
    return {status: ok, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse}


class ListLeadsQuery(OffsetLimitSerializer):
    status = serializers.ChoiceField(choices=LeadStatus.values, required=False, allow_null=True, allow_blank=True,
                                     help_text="new, following, converted or invalid.")
    source = serializers.ChoiceField(choices=LeadSource.values, required=False, allow_null=True, allow_blank=True,
                                     help_text="partner (created by the partner) or dispatched (by Huawei Cloud).")
    owner_id = OptionalCharField(max_length=150, help_text="The owner's user name.")
    text = OptionalCharField(max_length=100, help_text="Part of the company or contact name.")
    created_begin = CbcDateTimeField(required=False, allow_null=True)
    created_end = CbcDateTimeField(required=False, allow_null=True)


class LeadInfo(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text="The lead ID.")
    company_name = serializers.CharField()
    contact_name = serializers.CharField()
    phone = serializers.SerializerMethodField(help_text="Masked for partners in marketing plan 2.0.")
    email = serializers.SerializerMethodField(help_text="Masked for partners in marketing plan 2.0.")
    region = serializers.CharField()
    industry = serializers.CharField()
    requirement = serializers.CharField()
    source = serializers.CharField()
    status = serializers.CharField()
    owner_id = serializers.SerializerMethodField(help_text="The owner's user name, if the lead has one.")
    customer_id = serializers.SerializerMethodField(help_text="The customer it was converted to, if any.")
    opportunity_id = serializers.IntegerField(allow_null=True)
    next_follow_up_at = serializers.SerializerMethodField()
    created = CbcDateTimeField(source="created_at")
    updated = CbcDateTimeField(source="updated_at")

    def _contacts(self, lead):
        return shown_contacts(lead, bool(self.context.get("masked")))

    def get_phone(self, lead) -> str:
        return self._contacts(lead)[0]

    def get_email(self, lead) -> str:
        return self._contacts(lead)[1]

    def get_owner_id(self, lead) -> str | None:
        return lead.owner.user.username if lead.owner_id else None

    def get_customer_id(self, lead) -> str | None:
        return lead.customer.domain_id if lead.customer_id else None

    def get_next_follow_up_at(self, lead) -> str | None:
        return CbcDateTimeField().to_representation(getattr(lead, "next_follow_up", None))


class ListLeadsResponse(serializers.Serializer):
    count = serializers.IntegerField()
    leads = LeadInfo(many=True)


class CreateLeadReq(serializers.Serializer):
    partner_id = OptionalCharField(max_length=64, help_text=(
        "The partner's account ID. A platform key names the partner it dispatches the lead to (required); a "
        "partner key may leave it out or name its own."))
    company_name = serializers.CharField(max_length=200)
    contact_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                  validators=[phone_validator])
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    region = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    industry = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    requirement = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    owner_id = OptionalCharField(max_length=150, help_text="The user name of the member who owns the lead.")

    def validate_company_name(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("Enter the company of the lead."))
        return value


class CreateFollowUpReq(serializers.Serializer):
    method = serializers.ChoiceField(choices=[value for value, _label in FOLLOW_UP_METHODS],
                                     help_text="phone, visit, email or other (outbound calls record themselves).")
    note = serializers.CharField(max_length=1000)
    next_follow_up_at = CbcDateTimeField(required=False, allow_null=True, help_text="When to follow up next.")


class FollowUpInfo(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    lead_id = serializers.IntegerField()
    method = serializers.CharField()
    note = serializers.CharField()
    next_follow_up_at = CbcDateTimeField(source="next_at", allow_null=True)
    created_by = serializers.CharField()
    created = CbcDateTimeField(source="created_at")
    lead_status = serializers.CharField(source="lead.status")
