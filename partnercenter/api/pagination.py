"""CBC offset/limit pagination: `offset` from 0, `limit` per endpoint (default 10), and `count` of all rows."""

from django.utils.translation import gettext as _
from rest_framework import serializers

__all__ = ["OffsetLimitSerializer", "page"]


class OffsetLimitSerializer(serializers.Serializer):
    """Base for request bodies (or query strings) of list endpoints."""

    MAX_LIMIT = 100

    offset = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**31 - 1, default=0)
    limit = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=10)

    def validate_limit(self, value):
        if value is not None and value > self.MAX_LIMIT:
            raise serializers.ValidationError(_("limit must be at most %(max)d.") % {"max": self.MAX_LIMIT})
        return value


def page(queryset, data: dict):
    """(count, rows) of one page; `data` is validated OffsetLimitSerializer output."""
    offset = data.get("offset") or 0
    limit = data.get("limit") or 10
    return queryset.count(), list(queryset[offset : offset + limit])
