"""Where rows of consumption and bills are locked, in one order (cf. Saleor's lock_objects.py), continuing
customers/locks.py (association first), billing/locks.py (partner account, then customer accounts) and
trade/locks.py / vouchers/locks.py (coupons after money):

0. the usage records of a rating batch, claimed `FOR UPDATE SKIP LOCKED` (PostgreSQL) in (customer, record)
   order: two rating runs never take the same records and never wait on each other for them; nothing else
   locks them;
1. the batch's customers' accounts (billing.CustomerAccount), in pk order — the money rows. Every write of a
   customer's consumption or arrears starts here, and so does every credit of a balance (the allocation or
   refund's conditional UPDATE locks the row; the arrears write-off then runs under it);
2. the customers' resource packages (资源包), in pk order — used (and reset) only by the rating run and the
   package reset run (which takes them alone, step 2 only), always after the account;
3. the customers' coupons, in pk order (vouchers/locks.py) — as a payment takes them after the account;
4. the customers' unsettled fee records (the arrears write-off, bills/arrears.py), in id order;
5. the customers' pay-per-use resources (customers.Resource), frozen when arrears reach the limit and back to
   normal when they are paid — after the account, as the subscriptions' and trade's writers of resources take
   them after the account.

A rating batch takes 0 → 1 → 2 → 3 (inserting its fee records) → 5; a write-off takes 1 (held by the credit)
→ 4 → 5; an allocation, payment or disassociation takes its association and the partner's account before 1
and coupons after it. So no two of them wait on each other in a cycle. The associations themselves are
read, never locked, by the rating: what a record consumed at a past moment is attributed to the association
of that moment, which nothing changes any more.

`no_key=True` (FOR NO KEY UPDATE) conflicts with every other writer of the row, not with inserts of rows that
only reference it (a fee record naming a customer, a package use naming a package).
"""

from django.db import connection
from django.db.models import Q

from billing import locks as billing_locks
from customers.choices import ChargingMode
from customers.models import Resource
from vouchers import locks as voucher_locks

from .choices import FeeStatus
from .models import FeeRecord, ResourcePackage, UsageRecord, UsageWaiting

__all__ = ["claim_usage", "lock_customer_accounts", "lock_packages", "lock_coupons", "lock_unsettled_fees",
           "on_demand_resources"]


def claim_usage(limit: int, *, ids=None, after=None) -> list[UsageRecord]:
    """Step 0: up to `limit` waiting usage records in (customer, record) order after `after` (a (customer pk,
    record pk) pair, exclusive; None: from the first), taken off the rating queue (their UsageWaiting rows
    locked, then deleted: the transaction that rates them owns them; one that rolls back puts them back); those
    another run holds are skipped (PostgreSQL). `ids` restricts the claim to these records (a caller rating
    named ones). bills/rating_steps.py's `claim` does the same in one statement."""
    waiting = UsageWaiting.objects.all()
    if ids is not None:  # by the queue's key: the records' customers, then the records
        ids = list(ids)
        waiting = waiting.filter(customer_id__in=UsageRecord.objects.filter(pk__in=ids).values("customer_id"),
                                 usage_record_id__in=ids)
    if after is not None:
        waiting = waiting.filter(Q(customer_id__gt=after[0]) | Q(customer_id=after[0], usage_record_id__gt=after[1]))
    if connection.features.has_select_for_update_skip_locked:
        waiting = waiting.select_for_update(skip_locked=True)
    claimed = list(waiting.order_by("customer_id", "usage_record_id").values_list("pk", flat=True)[:limit])
    if not claimed:
        return []
    records = [record for _customer, record in claimed]
    # exactly the claimed rows (a record has one customer), without an OR per pair
    UsageWaiting.objects.filter(customer_id__in={customer for customer, _record in claimed},
                                usage_record_id__in=records).delete()
    return list(UsageRecord.objects.filter(pk__in=records).order_by("id"))


def lock_customer_accounts(customer_ids):
    """Step 1: the customers' accounts (created first where missing), locked in pk order, by customer pk."""
    return billing_locks.lock_customer_accounts(customer_ids)


def lock_packages(queryset) -> list[ResourcePackage]:
    """Step 2: the packages of `queryset`, locked in pk order."""
    return list(queryset.select_for_update(no_key=True, of=("self",)).order_by("pk"))


def lock_coupons(queryset):
    """Step 3: the coupons of `queryset`, locked in pk order (vouchers/locks.py)."""
    return voucher_locks.lock_coupons(queryset)


def lock_unsettled_fees(customer_ids) -> list[FeeRecord]:
    """Step 4: the customers' fee records that still carry arrears, locked, oldest first (by customer)."""
    return list(FeeRecord.objects.select_for_update(no_key=True)
                .filter(customer_id__in=list(customer_ids), status=FeeStatus.UNSETTLED)
                .only("id", "customer_id", "debt_amount", "writeoff_amount", "status")
                .order_by("customer_id", "id"))


def on_demand_resources(customer_ids):
    """Step 5: the customers' pay-per-use resources (a queryset the caller UPDATEs: the UPDATE locks them)."""
    return Resource.objects.filter(customer_id__in=list(customer_ids), charging_mode=ChargingMode.ON_DEMAND)
