"""Every read of customers, scoped to the actor.

A partner sees the customers actively associated with it; a member without `customers.view_all`
only those whose account manager is them or someone under them; a distributor may name one of its
cloud resellers to see that reseller's customers; a customer sees itself.
"""

from django.db.models import Prefetch, Q

from partnercenter.selectors import book_owner

from .choices import EventInitiator, EventStatus
from .models import Association, AssociationEvent, Customer, NewCustomerTag, OpsAuthorization, Resource

__all__ = [
    "associations_for", "customers_for", "customer_for", "filter_customers", "fee_center_overview", "events_for",
    "filter_events", "awaiting_decision", "ops_authorizations_for", "resources_for", "filter_resources",
    "new_customer_tags_for",
]


def associations_for(actor, *, indirect_partner_id: str | None = None):
    """Active associations the actor may see. Reading customers needs customers.view (or
    customers.view_all): without the whole book, only those of the actor's team. With
    `indirect_partner_id` a distributor reads that cloud reseller's book (resellers.view as well)."""
    owner = book_owner(actor, indirect_partner_id)
    if owner is None or not (actor.has_perm("customers.view") or actor.sees_all_customers):
        return Association.objects.none()
    queryset = Association.objects.filter(partner=owner, ended_on__isnull=True)
    if owner == actor.partner and not actor.sees_all_customers:
        queryset = queryset.filter(account_manager_id__in=actor.team_member_ids)
    return queryset


def customers_for(actor, *, indirect_partner_id: str | None = None):
    """Customers with their active association (as `active_associations`) and account manager, ready for
    lists. An `indirect_partner_id` that is not one of the actor's resellers gives no rows (the API
    says "not found" through `partnercenter.api.views.named_reseller` first)."""
    if actor.is_customer:
        return Customer.objects.filter(pk=actor.customer.pk)
    associations = associations_for(actor, indirect_partner_id=indirect_partner_id)
    return (
        Customer.objects.filter(pk__in=associations.values("customer_id"))
        .prefetch_related(
            Prefetch(
                "associations",
                queryset=associations.select_related("account_manager__user"),
                to_attr="active_associations",
            )
        )
        .order_by("-id")
    )


def customer_for(actor, customer_id: str, *, indirect_partner_id: str | None = None):
    """One customer by its public id (with its `active_associations`), or None."""
    if not customer_id:
        return None
    return customers_for(actor, indirect_partner_id=indirect_partner_id).filter(domain_id=customer_id).first()


def filter_customers(queryset, *, account_name=None, real_name=None, customer_id=None, label=None,
                     association_type=None, associated_from=None, associated_to=None, account_manager_id=None):
    """The documented list filters, shared by the page, its export and the CBC query. Empty values
    are no filter. Association conditions go in one filter() so they match the same (active) row."""
    if account_name:
        queryset = queryset.filter(domain_name__icontains=account_name)
    if real_name:
        queryset = queryset.filter(real_name__icontains=real_name)
    if customer_id:
        queryset = queryset.filter(domain_id=customer_id)
    conditions = {
        "associations__label__contains": label,
        "associations__association_type": association_type,
        "associations__associated_on__gte": associated_from,
        "associations__associated_on__lte": associated_to,
        "associations__account_manager_id": account_manager_id,
    }
    conditions = {lookup: value for lookup, value in conditions.items() if value not in (None, "")}
    if conditions:
        queryset = queryset.filter(associations__ended_on__isnull=True, **conditions)
    return queryset


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


def filter_events(queryset, *, kind=None, status=None, initiator=None, customer=None, created_from=None,
                  created_to=None):
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if initiator:
        queryset = queryset.filter(initiator=initiator)
    if customer:
        queryset = queryset.filter(Q(customer__domain_name__icontains=customer) | Q(customer__real_name__icontains=customer)
                                   | Q(customer__domain_id=customer))
    if created_from:
        queryset = queryset.filter(created_at__gte=created_from)
    if created_to:
        queryset = queryset.filter(created_at__lte=created_to)
    return queryset


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


def filter_resources(queryset, *, region_code=None, service_type_code=None, resource_ids=None, status=None,
                     status_list=None, effective_from=None, effective_to=None, expire_from=None, expire_to=None,
                     order_id=None, only_main_resource=False):
    """The documented resource filters, shared by the page and both CBC endpoints; empty means no filter."""
    conditions = {
        "region_code": region_code, "service_type_code": service_type_code, "resource_id__in": resource_ids or None,
        "status": status, "status__in": status_list or None, "effective_time__gte": effective_from,
        "effective_time__lte": effective_to, "expire_time__gte": expire_from, "expire_time__lte": expire_to,
        "order_id": order_id,
    }
    queryset = queryset.filter(**{k: v for k, v in conditions.items() if v not in (None, "")})
    if only_main_resource:
        queryset = queryset.filter(is_main_resource=True)
    return queryset


def new_customer_tags_for(actor, *, customer_ids=None, indirect_partner_id=None):
    """Tags of the actor's customers; ids of customers that are not theirs are filtered out, as documented."""
    customers = customers_for(actor, indirect_partner_id=indirect_partner_id)
    if customer_ids:
        customers = customers.filter(domain_id__in=customer_ids)
    return NewCustomerTag.objects.filter(customer__in=customers.values("pk")).select_related("customer").order_by("pk")
