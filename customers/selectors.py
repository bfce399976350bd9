"""Every read of customers, scoped to the actor.

A partner sees the customers actively associated with it; a member without `customers.view_all`
only those whose account manager is them or someone under them; a distributor may name one of its
cloud resellers to see that reseller's customers; a customer sees itself.
"""

from django.db.models import Prefetch

from partnercenter.selectors import reseller_for

from .models import Association, Customer

__all__ = ["associations_for", "customers_for", "customer_for", "filter_customers", "fee_center_overview"]


def associations_for(actor, *, partner=None):
    """Active associations the actor may see; `partner` (a reseller already scoped through
    `reseller_for`) switches a distributor to that reseller's book."""
    if not actor.is_partner:
        return Association.objects.none()
    owner = partner or actor.partner
    queryset = Association.objects.filter(partner=owner, ended_on__isnull=True)
    if partner is None and not actor.sees_all_customers:
        if not actor.has_perm("customers.view"):
            return Association.objects.none()
        queryset = queryset.filter(account_manager_id__in=actor.team_member_ids)
    return queryset


def customers_for(actor, *, indirect_partner_id: str | None = None):
    """Customers with their active association (as `active`) and account manager, ready for lists.

    With `indirect_partner_id` a distributor sees that reseller's customers; an id that is not one of
    its resellers gives no rows (callers that must say "not found" check `reseller_for` first).
    """
    if actor.is_customer:
        return Customer.objects.filter(pk=actor.customer.pk)
    partner = None
    if indirect_partner_id:
        partner = reseller_for(actor, indirect_partner_id)
        if partner is None:
            return Customer.objects.none()
    associations = associations_for(actor, partner=partner)
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


def customer_for(actor, customer_id: str):
    """One customer by its public id, or None."""
    return customers_for(actor).filter(domain_id=customer_id).first()


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
    """What a customer user sees first in 费用中心: their account and the partner serving it."""
    customer = actor.customer
    association = (
        Association.objects.filter(customer=customer, ended_on__isnull=True).select_related("partner").first()
    )
    return {"customer": customer, "association": association}
