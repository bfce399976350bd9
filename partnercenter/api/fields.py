"""Serializer fields with CBC wire semantics."""

from datetime import timezone

from rest_framework import serializers

__all__ = ["CbcDateTimeField", "OptionalCharField", "WIRE_TIME_FORMAT"]

WIRE_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class CbcDateTimeField(serializers.DateTimeField):
    """UTC time as `YYYY-MM-DDTHH:MM:SSZ`, in and out."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", WIRE_TIME_FORMAT)
        kwargs.setdefault("input_formats", [WIRE_TIME_FORMAT])
        kwargs.setdefault("default_timezone", timezone.utc)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        return value.astimezone(timezone.utc).strftime(WIRE_TIME_FORMAT)


class OptionalCharField(serializers.CharField):
    """A filter that is ignored when absent, null or empty (Huawei: 不携带或携带值为空串或携带值为null时，不作为筛选条件)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)
