"""Database aggregates shared by the apps."""

from django.db.models import Aggregate, JSONField

__all__ = ["JSONList"]


class JSONList(Aggregate):
    """The rows of a group as one JSON array: JSON_GROUP_ARRAY on SQLite, JSONB_AGG on PostgreSQL. Give it
    text for decimals (JSON numbers come back as floats)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)
