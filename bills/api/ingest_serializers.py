"""Wire shapes of POST /v1/metering/usage-records (our own path, in the CBC style: snake_case, UTC times as
`YYYY-MM-DDTHH:MM:SSZ`). Only the envelope is checked here; each record is checked by bills.ingest, so
that one bad record fails alone. The record's serializer documents its fields in the OpenAPI schema."""

from rest_framework import serializers

from partnercenter.api.fields import CbcDateTimeField

from ..ingest import CREATED, DUPLICATE, FAILED, MAX_RECORDS

__all__ = ["UsageRecordsEnvelope", "UsageRecordIn", "CreateUsageRecordsReq", "UsageRecordResult",
           "CreateUsageRecordsResponse"]


class UsageRecordsEnvelope(serializers.Serializer):
    """The body as a whole: a `records` list of 1 to MAX_RECORDS items (anything else is CBC.0100)."""

    records = serializers.ListField(child=serializers.JSONField(), min_length=1, max_length=MAX_RECORDS)


class UsageRecordIn(serializers.Serializer):
    record_id = serializers.CharField(max_length=64, help_text="The metering source's unique ID of the record: "
                                      "sending it again is harmless (idempotent).")
    customer_id = serializers.CharField(max_length=64, help_text="The customer's account ID (domain ID).")
    resource_id = serializers.CharField(max_length=64)
    cloud_service_type = serializers.CharField(max_length=64, help_text="e.g. hws.service.type.ec2")
    resource_type = serializers.CharField(max_length=64, help_text="e.g. hws.resource.type.vm")
    resource_spec_code = serializers.CharField(
        max_length=64, required=False, allow_blank=True, allow_null=True,
        help_text="e.g. s6.small.1.linux; when absent, the spec of the customer's pay-per-use resource is used.")
    usage_type = serializers.CharField(max_length=64, help_text="e.g. Duration, upflow")
    region = serializers.CharField(max_length=32, help_text="e.g. cn-north-4")
    usage = serializers.DecimalField(max_digits=24, decimal_places=6, min_value=0,
                                     help_text="Plain decimal notation, at least 0, at most 6 decimals.")
    usage_measure_id = serializers.IntegerField(min_value=1, help_text="The usage's unit (4 hour, 10 GB …).")
    resource_size = serializers.DecimalField(max_digits=20, decimal_places=4, required=False, allow_null=True,
                                             help_text="A linear product's size, in its size unit (a 40 GB disk).")
    begin_time = CbcDateTimeField(help_text="UTC; before end_time.")
    end_time = CbcDateTimeField(help_text="UTC; at most 24 hours after begin_time, not in the future.")


class CreateUsageRecordsReq(serializers.Serializer):
    records = UsageRecordIn(many=True, min_length=1, max_length=MAX_RECORDS)


class UsageRecordResult(serializers.Serializer):
    record_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=[CREATED, DUPLICATE, FAILED])
    error_code = serializers.CharField(allow_null=True)
    error_msg = serializers.CharField(allow_null=True)


class CreateUsageRecordsResponse(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Records stored by this call.")
    duplicates = serializers.IntegerField(help_text="Records stored before with the same content.")
    failed = serializers.IntegerField()
    results = UsageRecordResult(many=True, help_text="One per record, in the order sent.")
