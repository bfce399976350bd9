"""People's names in the order Chinese readers look for them (by pinyin: 陈七, 李四, 王五, 张三), where the database
can: on PostgreSQL through the ICU collation `settings.NAME_COLLATION` ("zh-x-icu", CLDR's Chinese order, which
Debian's and the official images' PostgreSQL have; empty: the column's own order). SQLite orders by code point."""

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

__all__ = ["by_name"]


def by_name(field: str):
    """An order_by() term for the text column `field`, in name order (see the module docstring)."""
    collation = getattr(settings, "NAME_COLLATION", "")
    if connection.vendor == "postgresql" and collation:
        return Collate(F(field), collation).asc()
    return F(field).asc()
