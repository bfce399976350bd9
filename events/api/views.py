"""/v1/webhooks: a sales platform registers, lists, deletes and tests its own webhook endpoints. Signed like
every CBC call (partnercenter.api.authentication), by a partner key whose owner holds `org.webhooks`.
Thin: parse the wire, call a selector or service, render."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import webhook_selectors as selectors, webhook_services as services
from .serializers import (
    CreateWebhookReq, CreateWebhookResponse, ListWebhooksResponse, TestWebhookResponse, WebhookInfo, responses,
)

__all__ = ["WebhooksApi", "WebhookApi", "WebhookTestApi"]

WEBHOOK_ID = OpenApiParameter("webhook_id", str, OpenApiParameter.PATH, description="The endpoint ID.")


class WebhooksApi(APIView):
    """/v1/webhooks: GET lists the partner's endpoints (never their secrets), POST registers one."""

    required_permission = selectors.PERMISSION

    @extend_schema(responses=responses(200, ListWebhooksResponse), operation_id="list_webhooks",
                   description="The partner's webhook endpoints, without their signing secrets.")
    def get(self, request):
        endpoints = list(selectors.endpoints_for(request.auth))  # at most MAX_ENDPOINTS
        return Response({"count": len(endpoints), "webhooks": WebhookInfo(endpoints, many=True).data})

    @extend_schema(request=CreateWebhookReq, responses=responses(201, CreateWebhookResponse),
                   operation_id="create_webhook",
                   description="Register an HTTPS endpoint for the given event types. The answer carries the "
                               "signing secret, which is never shown again. A URL that is not https, or whose host "
                               "resolves to a loopback, private or link-local address, is refused (CBC.99011001).")
    def post(self, request):
        params = CreateWebhookReq(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        endpoint, secret = services.create_endpoint(request.auth, url=data["url"], types=data["events"],
                                                    description=data.get("description", ""))
        return Response({**WebhookInfo(endpoint).data, "secret": secret}, status=201)


class WebhookApi(APIView):
    """DELETE /v1/webhooks/{webhook_id}: delete an endpoint of the partner's (another's is not found)."""

    required_permission = selectors.PERMISSION

    @extend_schema(parameters=[WEBHOOK_ID], request=None, responses=responses(204, None),
                   operation_id="delete_webhook", description="Delete an endpoint and its delivery log.")
    def delete(self, request, webhook_id):
        services.delete_endpoint(request.auth, webhook_id=webhook_id)
        return Response(status=204)


class WebhookTestApi(APIView):
    """POST /v1/webhooks/{webhook_id}/test: send a `ping` event to this endpoint now and say how it went."""

    required_permission = selectors.PERMISSION

    @extend_schema(parameters=[WEBHOOK_ID], request=None, responses=responses(200, TestWebhookResponse),
                   operation_id="test_webhook",
                   description="Send a `ping` event to this endpoint now (signed like every delivery) and report "
                               "the receiver's answer.")
    def post(self, request, webhook_id):
        delivery, attempt = services.send_test(request.auth, webhook_id=webhook_id)
        return Response(TestWebhookResponse({
            "event_id": str(delivery.event.uid), "attempted": attempt is not None,
            "succeeded": bool(attempt and attempt.succeeded), "status_code": attempt and attempt.status_code,
            "latency_ms": attempt and attempt.latency_ms, "error": attempt.error if attempt else "",
        }).data)
