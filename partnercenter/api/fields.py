"""Serializer fields with CBC wire semantics."""

from datetime import timezone

from rest_framework import serializers

from ..errors import DomainError
from ..money import parse_amount

__all__ = ["AmountField", "CbcDateTimeField", "OptionalCharField", "WIRE_TIME_FORMAT", "wire_time"]

WIRE_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def wire_time(moment) -> str:
    """A time as the CBC wire writes it (UTC, `YYYY-MM-DDTHH:MM:SSZ`), e.g. in an event's data."""
    return moment.astimezone(timezone.utc).strftime(WIRE_TIME_FORMAT)


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


class AmountField(serializers.DecimalField):
    """An amount in yuan, through the one parser (partnercenter.money.parse_amount): plain decimal notation,
    positive, at most two decimals. A JSON number is read by the text the client sent (12.5 and 100 work,
    1e2 does not); a string such as "12.50" works too. Documented as a number, as Huawei's models do."""

    def __init__(self, *, allow_zero=False, **kwargs):
        self.allow_zero = allow_zero
        super().__init__(max_digits=18, decimal_places=2, coerce_to_string=False, **kwargs)

    def to_internal_value(self, data):
        try:
            return parse_amount(data, allow_zero=self.allow_zero)
        except DomainError as exc:
            raise serializers.ValidationError(str(exc.message), code="invalid") from None
