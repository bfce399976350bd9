"""POST /v1/metering/usage-records: the cloud's metering sends usage records (资源详单), signed like every CBC
call, with a platform key (an operator's key: partnercenter.models.AccessKey.is_platform). Partner and
customer keys are refused (403 CBC.0151), as the platform key is on every other endpoint.

Thin: check the envelope (1 to 1,000 records, else CBC.0100 for the whole request), hand the records to
bills.ingest, render one result per record in the order sent."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.serializers import cbc_responses
from partnercenter.api.throttling import AccessKeyThrottle

from .. import ingest
from .ingest_serializers import CreateUsageRecordsReq, CreateUsageRecordsResponse, UsageRecordsEnvelope

__all__ = ["IsPlatform", "UsageRecordsApi"]


class IsPlatform(BasePermission):
    """A platform key (the cloud's metering); nobody else."""

    def has_permission(self, request, view):
        actor = request.auth
        return actor is not None and actor.is_platform


class UsageRecordsApi(APIView):
    """POST /v1/metering/usage-records — send usage records (our extension)."""

    permission_classes = [IsPlatform]
    required_permission = None  # no partner right: partner and customer keys are refused by IsPlatform
    # per key only: the endpoint scopes of EndpointThrottle are per partner or customer, which a platform key is not
    throttle_classes = [AccessKeyThrottle]

    @extend_schema(
        request=CreateUsageRecordsReq, responses=cbc_responses(CreateUsageRecordsResponse),
        operation_id="create_usage_records",
        description="Send 1 to 1,000 usage records (a platform key only). Idempotent by record_id: a record "
                    "already received with the same content is a `duplicate`, with other content a failure "
                    "(CBC.99009010). Each record gets its own result, in the order sent; one bad record never "
                    "fails the others. A body that is not an object with a `records` list of 1 to 1,000 "
                    "items is CBC.0100 as a whole.")
    def post(self, request):
        envelope = UsageRecordsEnvelope(data=request.data)
        envelope.is_valid(raise_exception=True)
        outcome = ingest.receive(request.auth, records=envelope.validated_data["records"])
        return Response({"accepted": outcome.accepted, "duplicates": outcome.duplicates, "failed": outcome.failed,
                         "results": [ingest.wire_result(result) for result in outcome.results]})
