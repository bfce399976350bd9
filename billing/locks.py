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

A batch (批量拨款) takes the same locks for all its rows at once, one statement per step: its
customers' associations in pk order, the partner's account, then its customers' accounts in pk order.
"""

from customers import locks as customer_locks

from .models import CustomerAccount, PartnerAccount

__all__ = ["lock_partner_account", "lock_customer_account", "lock_customer_accounts", "lock_customer_movement",
           "lock_reseller_movement"]


def lock_partner_account(partner) -> PartnerAccount:
    """The partner's account, locked (created first if the partner has none yet)."""
    locked = PartnerAccount.objects.select_for_update(no_key=True)
    account = locked.filter(partner=partner).first()
    if account is None:
        PartnerAccount.objects.get_or_create(partner=partner)
        account = locked.get(partner=partner)
    return account


def lock_customer_account(customer) -> CustomerAccount:
    """The customer's account, locked (created first if the customer has none yet)."""
    locked = CustomerAccount.objects.select_for_update(no_key=True)
    account = locked.filter(customer=customer).first()
    if account is None:
        CustomerAccount.objects.get_or_create(customer=customer)
        account = locked.get(customer=customer)
    return account


def lock_customer_accounts(customer_ids) -> dict[int, CustomerAccount]:
    """The accounts of these customers (by customer pk), locked in pk order; the missing ones are
    created first, all in one INSERT. One statement when every customer has an account, three otherwise."""
    customer_ids = set(customer_ids)
    locked = CustomerAccount.objects.select_for_update(no_key=True).order_by("pk")
    accounts = {account.customer_id: account for account in locked.filter(customer_id__in=customer_ids)}
    missing = sorted(customer_ids - accounts.keys())
    if missing:
        CustomerAccount.objects.bulk_create([CustomerAccount(customer_id=pk) for pk in missing], ignore_conflicts=True)
        accounts.update((account.customer_id, account) for account in locked.filter(customer_id__in=missing))
    return accounts


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
