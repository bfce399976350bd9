"""Where rows of the money domain are locked, in one order (cf. Saleor's lock_objects.py).

Every movement takes its locks in this order, the order the disassociation takes them, so two
movements never wait on each other in a cycle:

1. the customer's association (customers/locks.py) — held by a disassociation or type switch while
   it reclaims the customer's balance, so a movement checked before it either finishes first (and its
   money is reclaimed with the rest) or finds the association ended and is refused;
2. the paying partner's account — a distributor's before its cloud reseller's;
3. the receiving side: the cloud reseller's account, or the customer's account.

The conditional UPDATEs in services.py lock the same rows again, in the same order; the explicit
locks here make the order visible and let the services re-check what they checked before.
"""

from customers import locks as customer_locks

from .models import CustomerAccount, PartnerAccount

__all__ = ["lock_partner_account", "lock_customer_account", "lock_customer_movement", "lock_reseller_movement"]


def lock_partner_account(partner) -> PartnerAccount:
    PartnerAccount.objects.get_or_create(partner=partner)
    return PartnerAccount.objects.select_for_update(no_key=True).get(partner=partner)


def lock_customer_account(customer) -> CustomerAccount:
    CustomerAccount.objects.get_or_create(customer=customer)
    return CustomerAccount.objects.select_for_update(no_key=True).get(customer=customer)


def lock_customer_movement(partner, customer, association):
    """Everything a movement between a partner and its customer locks, in order. `association` is the
    one seen before the transaction; returns the one that holds now (None if it ended), for the caller
    to check again."""
    current = customer_locks.lock_current_association(association)
    lock_partner_account(partner)
    lock_customer_account(customer)
    return current


def lock_reseller_movement(distributor, reseller) -> None:
    """A distributor's account before its cloud reseller's: a reseller never pays its distributor, so the
    two are always taken in this direction."""
    lock_partner_account(distributor)
    lock_partner_account(reseller)
