"""Wire shapes of the webhook endpoints (/v1/webhooks): our extension, in the CBC style (snake_case, UTC
times as YYYY-MM-DDTHH:MM:SSZ, errors as {"error_code", "error_msg"})."""

from rest_framework import serializers

from partnercenter.api.fields import CbcDateTimeField
from partnercenter.api.serializers import ErrorResponse

__all__ = [
    "CreateWebhookReq", "WebhookInfo", "CreateWebhookResponse", "ListWebhooksResponse", "TestWebhookResponse",
    "responses",
]


def responses(status, ok) -> dict:
    """An operation's own answer and the gateway's errors."""
    return {status: ok, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse}


class CreateWebhookReq(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="An https URL of your system that accepts POST requests.")
    events = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=100,
                                   help_text="Event types to receive, e.g. customer.associated.")
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class WebhookInfo(serializers.Serializer):
    id = serializers.CharField(source="uid", help_text="The endpoint ID.")
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField(), source="types")
    description = serializers.CharField()
    enabled = serializers.BooleanField(source="is_enabled")
    failing_since = CbcDateTimeField(allow_null=True, help_text="Since when deliveries have been failing, if they are.")
    created = CbcDateTimeField(source="created_at")


class CreateWebhookResponse(WebhookInfo):
    secret = serializers.CharField(help_text="The signing secret. Returned only here: store it now.")


class ListWebhooksResponse(serializers.Serializer):
    count = serializers.IntegerField()
    webhooks = WebhookInfo(many=True)


class TestWebhookResponse(serializers.Serializer):
    event_id = serializers.CharField(help_text="The id of the ping event (its X-Webhook-Id).")
    attempted = serializers.BooleanField(help_text="Whether the POST was made during this call (else a worker makes it).")
    succeeded = serializers.BooleanField()
    status_code = serializers.IntegerField(allow_null=True, help_text="The receiver's HTTP status, if it answered.")
    latency_ms = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
