"""Every read of customers, scoped to the actor.

A partner sees the customers actively associated with it; a member without `customers.view_all`
only those whose account manager is them or someone under them; a distributor may name one of its
cloud resellers to see that reseller's customers; a customer sees itself.
"""

from types import SimpleNamespace

from django.db.models import F, FilteredRelation, Prefetch, Q, QuerySet

from partnercenter.api.pagination import CountedList, count, counted
from partnercenter.selectors import book_owner

from .choices import AssociationType, EventInitiator, EventStatus
from .models import Association, AssociationEvent, Customer, NewCustomerTag, OpsAuthorization, Resource

__all__ = [
    "CUSTOMERS", "CUSTOMERS_BY_MANAGER", "associations_for", "customers_for", "customers_on_the_wire",
    "with_association", "customer_count_for",
    "resale_customers_for", "customer_for", "fee_center_overview", "events_for", "awaiting_decision",
    "ops_authorizations_for", "resources_for", "new_customer_tags_for",
]


# The list's totals, kept by triggers (migrations/0005_list_counts.py): the active associations of a
# partner, and of each account manager for the share an account manager sees.
CUSTOMERS = CountedList("customers", "customers.Association", {"ended_on__isnull": True})
CUSTOMERS_BY_MANAGER = CountedList("customers.manager", "customers.Association",
                                   {"ended_on__isnull": True, "account_manager__isnull": False},
                                   scope="account_manager_id")


def _book(actor, indirect_partner_id):
    """(owner, team) of the customers the actor may see: the partner whose book it is, and the member
    ids whose customers are seen (None: all of them); None when the actor may see none."""
    owner = book_owner(actor, indirect_partner_id)
    if owner is None or not (actor.has_perm("customers.view") or actor.sees_all_customers):
        return None
    if owner == actor.partner and not actor.sees_all_customers:
        return owner, actor.team_member_ids
    return owner, None


def _associations(book):
    if book is None:
        return Association.objects.none()
    owner, team = book
    queryset = Association.objects.filter(partner=owner, ended_on__isnull=True)
    if team is not None:
        queryset = queryset.filter(account_manager_id__in=team)
    return queryset


def associations_for(actor, *, indirect_partner_id: str | None = None):
    """Active associations the actor may see. Reading customers needs customers.view (or
    customers.view_all): without the whole book, only those of the actor's team. With
    `indirect_partner_id` a distributor reads that cloud reseller's book (resellers.view as well)."""
    return _associations(_book(actor, indirect_partner_id))


class ListedCustomers(QuerySet):
    """Customers read with their active association (`active_associations`, prefetched by a second
    statement). A customer whose association ended between the two reads is left out, as if it had been
    read a moment later — so every customer listed has its `active_associations[0]`, also while
    disassociations commit concurrently."""

    def _prefetch_related_objects(self):
        super()._prefetch_related_objects()
        if any(getattr(row, "active_associations", None) == [] for row in self._result_cache):
            self._result_cache = [row for row in self._result_cache
                                  if getattr(row, "active_associations", None) != []]


_LISTED_ASSOCIATION = (
    "partner_id", "customer_id", "association_type", "associated_on", "ended_on", "label", "account_manager_id",
    "account_manager__partner_id", "account_manager__display_name", "account_manager__user__username",
)


def customers_for(actor, *, indirect_partner_id: str | None = None):
    """Customers with their active association (as `active_associations`) and account manager, ready for
    lists. An `indirect_partner_id` that is not one of the actor's resellers gives no rows (the API
    says "not found" through `partnercenter.api.views.named_owner` first). Counted: a list's total
    comes from the counters while nothing filters it (partnercenter.api.pagination)."""
    if actor.is_customer:
        return Customer.objects.filter(pk=actor.customer.pk)
    book = _book(actor, indirect_partner_id)
    associations = _associations(book)
    queryset = (
        ListedCustomers(Customer).filter(pk__in=associations.values("customer_id"))
        .prefetch_related(
            Prefetch(
                "associations",
                # The manager's name and user name are all a list shows of it (not the user's password
                # hash and the rest): fewer columns to read and to compile.
                queryset=associations.select_related("account_manager__user").only(*_LISTED_ASSOCIATION),
                to_attr="active_associations",
            )
        )
        .order_by("-id")
    )
    if book is None:
        return queryset
    owner, team = book
    # One active association per customer (one_active_association_per_customer): customers = associations.
    total = CUSTOMERS.total_for(owner) if team is None else CUSTOMERS_BY_MANAGER.total_for(owner, team)
    return counted(queryset, total)


def customers_on_the_wire(actor, *, indirect_partner_id: str | None = None):
    """customers_for for `POST /v2/partners/sub-customers/query`: the same customers and total, each with
    what the wire shows of its active association read in the same statement — joined (a FilteredRelation
    on the active association; its manager's user name annotated) rather than prefetched: one statement
    per page instead of two, and one snapshot. `with_association` gives a row the `association` the
    serializer reads."""
    book = _book(actor, indirect_partner_id)
    if book is None:
        return Customer.objects.none()
    owner, team = book
    active = Q(associations__partner=owner, associations__ended_on__isnull=True)
    queryset = Customer.objects.annotate(active=FilteredRelation("associations", condition=active)).filter(
        active__isnull=False)
    if team is not None:
        # In WHERE, not in the join's condition: there Django (5.2) orders the joins so that SQLite refuses
        # them ("ON clause references tables to its right"). The same rows: the join is an inner one.
        queryset = queryset.filter(active__account_manager_id__in=team)
    queryset = queryset.annotate(
        active_type=F("active__association_type"), active_since=F("active__associated_on"),
        active_label=F("active__label"), active_manager=F("active__account_manager__user__username"),
    ).order_by("-id")
    total = CUSTOMERS.total_for(owner) if team is None else CUSTOMERS_BY_MANAGER.total_for(owner, team)
    return counted(queryset, total)


def with_association(customer) -> Customer:
    customer.association = SimpleNamespace(
        association_type=customer.active_type, associated_on=customer.active_since, label=customer.active_label,
        manager_name=customer.active_manager)
    return customer


def customer_count_for(actor, *, indirect_partner_id: str | None = None) -> int:
    """How many customers customers_for lists — from the counters, without a COUNT over the table."""
    return count(customers_for(actor, indirect_partner_id=indirect_partner_id))


def resale_customers_for(actor, *, indirect_partner_id: str | None = None):
    """The actor's customers whose active association is resale (代售): the only ones that hold allocated
    funds and flexi-purchase coupons (customers.services.is_resale decides it for one association)."""
    return customers_for(actor, indirect_partner_id=indirect_partner_id).filter(
        associations__ended_on__isnull=True, associations__association_type=AssociationType.RESALE)


def customer_for(actor, customer_id: str, *, indirect_partner_id: str | None = None):
    """One customer by its public id (with its `active_associations`), or None."""
    if not customer_id:
        return None
    return customers_for(actor, indirect_partner_id=indirect_partner_id).filter(domain_id=customer_id).first()


def fee_center_overview(actor) -> dict:
    """What a customer user sees first in 费用中心: their partner, and what waits for their answer."""
    customer = actor.customer
    association = (
        Association.objects.filter(customer=customer, ended_on__isnull=True).select_related("partner").first()
    )
    return {
        "customer": customer,
        "association": association,
        "pending_events": awaiting_decision(actor),
        "my_requests": events_for(actor).filter(initiator=EventInitiator.CUSTOMER, status=EventStatus.PENDING),
        "ops_authorizations": ops_authorizations_for(actor).filter(status__in=["pending", "authorized"]),
        "history": events_for(actor)[:20],
    }


# ---------------------------------------------------------------------------------------------
# Association events
# ---------------------------------------------------------------------------------------------

def events_for(actor):
    """关联关系操作记录: a partner's events (an account manager's: of their team's customers, while
    associated), or a customer's own. Ended associations keep their history readable here."""
    base = AssociationEvent.objects.select_related("customer", "partner", "requested_by", "decided_by")
    if actor.is_customer:
        return base.filter(customer=actor.customer)
    if not actor.is_partner:
        return base.none()
    queryset = base.filter(partner=actor.partner)
    if not actor.sees_all_customers:
        if not actor.has_perm("customers.view"):
            return base.none()
        queryset = queryset.filter(association__account_manager_id__in=actor.team_member_ids)
    return queryset


def awaiting_decision(actor):
    """Pending requests the actor's side must answer."""
    other_side = EventInitiator.PARTNER if actor.is_customer else EventInitiator.CUSTOMER
    return events_for(actor).filter(status=EventStatus.PENDING, initiator=other_side)


# ---------------------------------------------------------------------------------------------
# Delegated operations and resources
# ---------------------------------------------------------------------------------------------

def ops_authorizations_for(actor):
    base = OpsAuthorization.objects.select_related("customer", "partner", "requested_by")
    if actor.is_customer:
        return base.filter(customer=actor.customer)
    if not actor.is_partner:
        return base.none()
    return base.filter(partner=actor.partner, customer__in=customers_for(actor).values("pk"))


def resources_for(actor, customer, charging_mode):
    """A customer's resources of one billing mode; `customer` comes from customers_for/customer_for."""
    return Resource.objects.filter(customer=customer, charging_mode=charging_mode)


def new_customer_tags_for(actor, *, customer_ids=None, indirect_partner_id=None):
    """Tags of the actor's customers; ids of customers that are not theirs are filtered out, as documented."""
    customers = customers_for(actor, indirect_partner_id=indirect_partner_id)
    if customer_ids:
        customers = customers.filter(domain_id__in=customer_ids)
    return NewCustomerTag.objects.filter(customer__in=customers.values("pk")).select_related("customer").order_by("pk")
