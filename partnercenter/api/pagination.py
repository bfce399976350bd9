"""CBC offset/limit pagination: `offset` from 0, `limit` per endpoint (default 10), and `count` of all rows.

The count of a list nobody filtered comes from a counter (rule 7: counts that would grow with the table
are kept as counters), never from a COUNT over the table:

- a `CountedList` declares what one counter counts (next to the selector of the list, e.g.
  `customers.selectors.CUSTOMERS`); the database keeps it with triggers that the app's migration
  created (partnercenter/migrations/_counting.py), and `manage.py verify_counts` recomputes it;
- a selector marks the queryset it returns with `counted(queryset, LIST.total_for(partner, scopes))`:
  "as it stands, this queryset has exactly that many rows";
- `page()` here and `partnercenter.pages.paginate` read the counter instead of counting when the
  queryset they get is still that one — a FilterSet or a view that filters it adds a condition, and
  then the rows are counted as before (filtered counts are served by indexes).
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import connections
from django.db.models import Count
from django.utils.translation import gettext as _
from rest_framework import serializers

__all__ = [
    "OffsetLimitSerializer", "page", "page_rows", "count", "CountedList", "Total", "counted", "total_of",
    "COUNTED_LISTS",
]


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
    """(count, rows) of one page; `data` is validated OffsetLimitSerializer output. The count is the
    list's counter when the queryset is a counted one nobody filtered (`counted`), else a COUNT."""
    return count(queryset), page_rows(queryset, data)


def page_rows(queryset, data: dict) -> list:
    """The rows of one page alone, for an answer that has no count."""
    offset = data.get("offset") or 0
    limit = data.get("limit") or 10
    return list(queryset[offset : offset + limit])


def count(queryset) -> int:
    """The number of rows: a counted queryset's counter while nobody filtered it, else a COUNT."""
    total = total_of(queryset)
    return queryset.count() if total is None else total


# ---------------------------------------------------------------------------------------------
# Counted lists
# ---------------------------------------------------------------------------------------------

COUNTED_LISTS: dict[str, "CountedList"] = {}  # name → list, filled as the selectors modules are imported


class CountedList:
    """A list whose size per partner (and scope) the database keeps in `partnercenter.models.ListCount`.

    `model` ("app_label.Model") and `condition` (filter() keywords) say which rows the triggers count;
    `scope` names the column that splits the list (an account manager's share), or None. The triggers in
    the app's migration must count exactly these rows — `manage.py verify_counts` compares the two."""

    def __init__(self, name: str, model: str, condition: dict | None = None, *, partner: str = "partner_id",
                 scope: str | None = None):
        self.name, self.model_label, self.condition = name, model, dict(condition or {})
        self.partner, self.scope = partner, scope
        COUNTED_LISTS[name] = self

    def __repr__(self):
        return f"<CountedList {self.name}>"

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def total_for(self, partner, scopes=(0,)) -> "Total":
        """The total of `partner`'s list over `scopes` (0: all of it), read when needed."""
        return Total(self.name, getattr(partner, "pk", partner), tuple(sorted(set(scopes))))

    def recount(self, using="default") -> dict[tuple[int, int], int]:
        """{(partner id, scope): rows} recounted from the table (verify_counts)."""
        queryset = self.model._default_manager.using(using).filter(**self.condition).exclude(
            **{f"{self.partner}__isnull": True})
        keys = [self.partner] + ([self.scope] if self.scope else [])
        counts = {}
        for row in queryset.order_by().values(*keys).annotate(n=Count("pk")):
            counts[(row[self.partner], row[self.scope] if self.scope else 0)] = row["n"]
        return counts


@dataclass(frozen=True)
class Total:
    """A partner's counter of one counted list over some scopes; `value()` reads it (one statement)."""

    list_name: str
    partner_id: int
    scopes: tuple[int, ...]

    def value(self, using="default") -> int:
        if not self.scopes:
            return 0
        connection = connections[using]
        marks = ", ".join(["%s"] * len(self.scopes))
        where = f"partner_id = %s AND list_name = %s AND scope IN ({marks})"
        params = [self.partner_id, self.list_name, *self.scopes]
        sql = f'SELECT COALESCE(SUM("count"), 0) FROM partnercenter_listcount WHERE {where}'
        if connection.vendor == "postgresql":
            # This transaction's own changes not yet folded in at COMMIT (_counting.py); other
            # transactions' are invisible to it, as their rows are.
            sql = (f"SELECT ({sql}) + (SELECT COALESCE(SUM(delta), 0) FROM partnercenter_listcount_pending "
                   f"WHERE {where})")
            params = params * 2
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return int(cursor.fetchone()[0])


_MARK = "counted_total"  # the attribute on Query; Query.clone() copies its __dict__, so clones keep it


def _shape(query):
    """What filtering changes in a query: its WHERE conditions (filter() and exclude() only ever add
    some), DISTINCT, GROUP BY, a combinator, a slice."""
    return (len(query.where.children), query.where.connector, query.where.negated, query.distinct,
            tuple(query.distinct_fields), query.group_by is None, query.combinator, query.is_sliced)


def counted(queryset, total: Total):
    """`queryset` marked as having exactly `total` rows as it stands: page() and paginate() read the
    counter instead of counting while nothing was added that can change the number of rows — a
    condition (filter, exclude, none), DISTINCT, an aggregate's GROUP BY, a set operation or a slice.
    Ordering, select_related and prefetching keep the mark. (Do not annotate a counted queryset across a
    to-many relation without a condition: that multiplies rows unseen.)"""
    queryset = queryset.all()
    setattr(queryset.query, _MARK, (total, _shape(queryset.query)))
    return queryset


def total_of(queryset) -> int | None:
    """The counter of a `counted` queryset that is still as it was marked, else None (count the rows)."""
    query = getattr(queryset, "query", None)
    mark = getattr(query, _MARK, None)
    if mark is None:
        return None
    total, shape = mark
    if _shape(query) != shape:
        return None
    return total.value(queryset.db)
