"""The customers domain's tiles on the home page (partnercenter/dashboard.py), registered in ready().

Each counts through the viewer's selectors (an account manager: its team's customers only) and links to
the list page with the filter that shows exactly those rows (tests/core/test_home.py compares them).

Statements: customers by type are one GROUP BY over the partner's active associations, read once for
both tiles — an index-only range of the partial index (partner, association_type, …) of
customers/migrations/0007 (an account manager's share also reads the rows for its manager column); it
grows with the partner's book. Requests to decide use the partial unique index of pending events, open
delegated-operations requests the partial unique index of open authorizations: they grow with what is
pending only.
"""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from partnercenter import dashboard
from partnercenter.dashboard import BOOK, TODO, list_tile

from . import selectors
from .choices import AssociationType, EventInitiator, EventStatus, OpsStatus
from .filters import CustomerFilter, EventFilter

__all__ = ["TILES"]


def _by_type(actor) -> dict:
    """{association type: customers} of the viewer's book; one customer has one active association."""
    return dashboard.shared(actor, "customers.by_type", lambda: dict(
        selectors.associations_for(actor).order_by().values_list("association_type").annotate(n=Count("pk"))))


def _type_tile(key, label, association_type, order):
    return list_tile(key, label, filterset=CustomerFilter, queryset=selectors.customers_for,
                     params={"association_type": association_type}, url_name="customers:list",
                     counter=lambda actor: _by_type(actor).get(association_type, 0),
                     permission="customers.view", section=BOOK, order=order)


TILES = (
    _type_tile("customers.referral", _("Referral customers"), AssociationType.REFERRAL, 10),
    _type_tile("customers.resale", _("Resale customers"), AssociationType.RESALE, 11),
    list_tile("customers.requests_to_decide", _("Association requests to decide"), filterset=EventFilter,
              queryset=selectors.events_for,
              params={"status": EventStatus.PENDING, "initiator": EventInitiator.CUSTOMER},
              url_name="customers:events", permission="customers.view", section=TODO, order=10, todo=True),
    # The customers whose delegated-operations request waits for them, counted from the requests.
    list_tile("customers.ops_waiting", _("Delegated-operations requests waiting for the customer"),
              filterset=CustomerFilter, queryset=selectors.customers_for, params={"ops": OpsStatus.PENDING},
              url_name="customers:list", permission="customers.view", section=TODO, order=20,
              counter=lambda actor: selectors.ops_authorizations_for(actor).filter(status=OpsStatus.PENDING).count()),
)

dashboard.register(*TILES)
