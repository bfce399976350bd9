"""The SQLite backend (the embedded default: `make run`, the tests' first pass), as Django's but for one thing:
an aggregate or expression of decimal columns — SUM(cash_amount), coupon + flexi coupon — comes back rounded to
the decimal places of its output field, as a plain column does. SQLite sums decimals as binary floating point and
Django rounds only plain columns, so a month's sum read 147.730000000001 in an Excel export. An expression whose
output field has no decimal places keeps Django's 15 significant digits. PostgreSQL sums exactly: nothing to do."""

from decimal import Decimal

from django.db.backends.sqlite3 import base, operations
from django.db.models.expressions import Col

__all__ = ["DatabaseWrapper"]


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression):
        convert = super().get_decimalfield_converter(expression)
        places = getattr(expression.output_field, "decimal_places", None)
        if isinstance(expression, Col) or places is None:
            return convert
        quantum = Decimal(1).scaleb(-places)

        def converter(value, expression, connection):
            value = convert(value, expression, connection)
            return None if value is None else value.quantize(quantum, context=expression.output_field.context)

        return converter


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
