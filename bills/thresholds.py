"""Low balance (余额预警) and the zero-balance policy a partner sets for its resale customers.

A partner sets a default (LowBalanceSetting without a customer) and overrides per resale customer: the
threshold, and what happens when consumption meets a zero balance (ZeroBalancePolicy: keep running into
arrears up to `arrears_limit`, or stop new purchases only). A customer's setting is its override, else the
partner's default; only resale customers have one (referral customers pay the cloud directly and hold no
allocated balance). The balance compared is the cash balance (billing.CustomerAccount.balance; 0 while
the customer is in arrears), the balance consumption lowers.

`check_low_balances` (a task every 10 minutes, and after a rating batch for the customers it charged) moves
LowBalanceState with conditional statements — one INSERT … SELECT for customers seen below for the first
time and one UPDATE … WHERE below = false for the others, both RETURNING the customers that crossed, over
ONE query of every customer below its threshold — and records one `balance.low` per crossing (to the
customer and its account manager). A customer whose balance rose back (or that no longer has a setting)
is reset (below = false, no event), so the next fall is told again. Two runs at once tell once: the second
waits for the first's row locks and then finds the rows already below.

Who may change settings: a partner's member with `funds.allocate` (the right of the allocation pages, which
show the same balances), for the customers it sees (customers.selectors: an account manager its team's);
the default, which applies to every resale customer, only a member who sees all customers. Another
tenant's customer, or one the member does not see, is "not found". These writes move no money (the
deduction reads them later), and saving the same values twice has the effect of once, so they take no
two-step confirmation or verification code (ARCHITECTURE rules 5 and 13); each is in the operation log.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import CustomerAccount
from customers.choices import AssociationType
from customers.models import Association, Customer
from customers.selectors import customers_for, resale_customers_for
from events import outbox
from partnercenter.actors import SCHEDULER
from partnercenter.errors import Codes, DomainError
from partnercenter.money import ZERO, parse_amount, quantize
from partnercenter.oplog import operation, register_actions

from . import event_types
from .choices import ZeroBalancePolicy
from .errors import BillCodes
from .models import LowBalanceSetting, LowBalanceState

__all__ = ["PERMISSION", "Policy", "policies_of", "policy_of", "default_setting_for", "customer_setting_for",
           "threshold_rows_for", "balance_of", "set_default", "set_customer_setting", "delete_customer_setting",
           "below_threshold", "check_low_balances"]

PERMISSION = "funds.allocate"  # as the allocation pages (billing.views.allocate / reclaim)
MONEY = DecimalField(max_digits=18, decimal_places=2)

register_actions({
    "bills.low_balance_default": _("Set the default low-balance threshold"),
    "bills.low_balance_set": _("Set a customer's low-balance threshold"),
    "bills.low_balance_delete": _("Remove a customer's low-balance threshold"),
})


# ---------------------------------------------------------------------------------------------
# Reading a customer's policy (for the deduction: what happens at zero balance)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Policy:
    threshold: Decimal
    zero_balance_policy: str      # ZeroBalancePolicy
    arrears_limit: Decimal        # how far into arrears consumption may go (ARREARS policy)


def policies_of(customer_pks) -> dict[int, Policy]:
    """{customer pk: its Policy} for the resale customers among `customer_pks` that have a setting (their
    own or their partner's default), in one statement. Customers without one are left out."""
    rows = _with_settings(Association.objects.filter(
        customer_id__in=list(customer_pks), ended_on__isnull=True, association_type=AssociationType.RESALE))
    rows = rows.filter(threshold__isnull=False).order_by().values_list("customer_id", "threshold", "policy", "arrears_limit")
    return {pk: Policy(quantize(threshold), policy, quantize(limit)) for pk, threshold, policy, limit in rows}


def policy_of(customer) -> Policy | None:
    return policies_of([customer.pk]).get(customer.pk)


def _setting(partner_ref, customer_ref, field):
    """The value of `field` of the customer's own setting, else of the partner's default (a subquery)."""
    settings = LowBalanceSetting.objects.filter(partner_id=partner_ref)
    own = settings.filter(customer_id=customer_ref).values(field)[:1]
    default = settings.filter(customer__isnull=True).values(field)[:1]
    return Coalesce(Subquery(own), Subquery(default))


def _with_settings(associations):
    """Active resale associations annotated with the customer's effective setting and its balance."""
    partner, customer = OuterRef("partner_id"), OuterRef("customer_id")
    balance = CustomerAccount.objects.filter(customer_id=customer).values("balance")[:1]
    return associations.annotate(
        threshold=_setting(partner, customer, "threshold"),
        policy=_setting(partner, customer, "zero_balance_policy"),
        arrears_limit=_setting(partner, customer, "arrears_limit"),
        balance=Coalesce(Subquery(balance), Value(ZERO), output_field=MONEY))


def below_threshold(customer_pks=None):
    """The customer pks whose balance is below their threshold now (a values() queryset, for subqueries)."""
    associations = Association.objects.filter(ended_on__isnull=True, association_type=AssociationType.RESALE)
    if customer_pks is not None:
        associations = associations.filter(customer_id__in=list(customer_pks))
    return _with_settings(associations).filter(threshold__isnull=False, balance__lt=F("threshold")).order_by().values(
        "customer_id")


# ---------------------------------------------------------------------------------------------
# Pages: reads scoped to the actor
# ---------------------------------------------------------------------------------------------

def _may_set(actor) -> bool:
    return actor.is_partner and actor.has_perm(PERMISSION)


def default_setting_for(actor) -> LowBalanceSetting | None:
    if not _may_set(actor):
        return None
    return LowBalanceSetting.objects.filter(partner=actor.partner, customer__isnull=True).first()


def threshold_rows_for(actor):
    """The actor's resale customers with their balance, own setting (`own_*`, empty without one), effective
    `threshold` and `below_since` (when the last notice went out, while still below)."""
    if not _may_set(actor):
        return Customer.objects.none()
    own = LowBalanceSetting.objects.filter(partner=actor.partner, customer_id=OuterRef("pk"))
    state = LowBalanceState.objects.filter(customer_id=OuterRef("pk"), below=True)
    return resale_customers_for(actor).annotate(
        balance=Coalesce(F("account__balance"), Value(ZERO), output_field=MONEY),
        own_threshold=Subquery(own.values("threshold")[:1]),
        own_policy=Subquery(own.values("zero_balance_policy")[:1]),
        own_arrears_limit=Subquery(own.values("arrears_limit")[:1]),
        threshold=_setting(actor.partner.pk, OuterRef("pk"), "threshold"),
        below_since=Subquery(state.values("crossed_at")[:1]),
    )


def _resale_customer(actor, customer_id) -> Customer:
    """The actor's resale customer by its public id: not found when it is not the actor's to see."""
    if not _may_set(actor):
        raise DomainError(Codes.FORBIDDEN)
    customer = resale_customers_for(actor).filter(domain_id=customer_id).first() if customer_id else None
    if customer is None:
        if customer_id and customers_for(actor).filter(domain_id=customer_id).exists():
            raise DomainError(BillCodes.THRESHOLD_NOT_RESALE)
        raise DomainError(Codes.NOT_FOUND)
    return customer


def balance_of(customer) -> Decimal:
    return CustomerAccount.objects.filter(customer=customer).values_list("balance", flat=True).first() or ZERO


def customer_setting_for(actor, customer_id) -> tuple[Customer, LowBalanceSetting | None]:
    """(the customer, its own setting or None); DomainError NOT_FOUND when the customer is not the actor's."""
    customer = _resale_customer(actor, customer_id)
    return customer, LowBalanceSetting.objects.filter(partner=actor.partner, customer=customer).first()


# ---------------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------------

def _clean(threshold, zero_balance_policy, arrears_limit) -> tuple[Decimal, str, Decimal]:
    threshold = parse_amount(threshold, allow_zero=True)
    if zero_balance_policy not in ZeroBalancePolicy.values:
        raise DomainError(Codes.PARAMETER, _("Choose what happens at a zero balance."))
    limit = parse_amount(arrears_limit if arrears_limit not in (None, "") else ZERO, allow_zero=True)
    if zero_balance_policy != ZeroBalancePolicy.ARREARS:
        limit = ZERO  # purchases stop at zero: no arrears to limit
    return threshold, zero_balance_policy, limit


def _save(actor, customer, threshold, zero_balance_policy, arrears_limit) -> LowBalanceSetting:
    setting, _created = LowBalanceSetting.objects.update_or_create(
        partner=actor.partner, customer=customer,
        defaults={"threshold": threshold, "zero_balance_policy": zero_balance_policy,
                  "arrears_limit": arrears_limit, "updated_by": actor.label[:150], "updated_at": timezone.now()})
    return setting


def set_default(actor, *, threshold, zero_balance_policy, arrears_limit=None) -> LowBalanceSetting:
    """The partner's default for every resale customer without its own setting."""
    if not _may_set(actor) or not actor.sees_all_customers:
        raise DomainError(Codes.FORBIDDEN)
    values = _clean(threshold, zero_balance_policy, arrears_limit)
    detail = {"threshold": str(values[0]), "zero_balance_policy": values[1], "arrears_limit": str(values[2])}
    with operation(actor, "bills.low_balance_default", target=actor.partner, detail=detail):
        return _save(actor, None, *values)


def set_customer_setting(actor, *, customer_id, threshold, zero_balance_policy, arrears_limit=None):
    """A resale customer's own threshold and policy (instead of the partner's default)."""
    with operation(actor, "bills.low_balance_set", detail={"customer_id": str(customer_id)[:64]}) as entry:
        customer = _resale_customer(actor, customer_id)
        values = _clean(threshold, zero_balance_policy, arrears_limit)
        entry.target = customer
        entry.detail.update(threshold=str(values[0]), zero_balance_policy=values[1], arrears_limit=str(values[2]))
        return _save(actor, customer, *values)


def delete_customer_setting(actor, *, customer_id) -> bool:
    """Back to the partner's default. True when there was an own setting to remove."""
    with operation(actor, "bills.low_balance_delete", detail={"customer_id": str(customer_id)[:64]}) as entry:
        customer = _resale_customer(actor, customer_id)
        entry.target = customer
        deleted, _rows = LowBalanceSetting.objects.filter(partner=actor.partner, customer=customer).delete()
        return bool(deleted)


# ---------------------------------------------------------------------------------------------
# The check (task)
# ---------------------------------------------------------------------------------------------

def _crossings_sql(below, now) -> tuple[list[str], list]:
    """The two statements that mark crossings and return their customer pks (see the module docstring)."""
    table = connection.ops.quote_name(LowBalanceState._meta.db_table)
    column = {name: connection.ops.quote_name(LowBalanceState._meta.get_field(name).column)
              for name in ("customer", "below", "crossed_at", "notified_at")}
    below_sql, below_params = below.query.sql_with_params()
    moment = connection.ops.adapt_datetimefield_value(now)
    first = (f"INSERT INTO {table} ({column['customer']}, {column['below']}, {column['crossed_at']}, "
             f"{column['notified_at']}) SELECT b.customer_id, %s, %s, %s FROM ({below_sql}) b "
             f"WHERE NOT EXISTS (SELECT 1 FROM {table} s WHERE s.{column['customer']} = b.customer_id) "
             f"ON CONFLICT DO NOTHING RETURNING {column['customer']}")
    again = (f"UPDATE {table} SET {column['below']} = %s, {column['crossed_at']} = %s, {column['notified_at']} = %s "
             f"WHERE {column['below']} = %s AND {column['customer']} IN ({below_sql}) RETURNING {column['customer']}")
    return [first, again], [[True, moment, moment, *below_params], [True, moment, moment, False, *below_params]]


def _notify(actor, customer_pks, now) -> int:
    """One balance.low per crossed customer (one statement reads them with their association)."""
    rows = _with_settings(Association.objects.filter(
        customer_id__in=customer_pks, ended_on__isnull=True, association_type=AssociationType.RESALE)).values_list(
        "customer_id", "partner_id", "account_manager_id", "customer__domain_id", "customer__domain_name",
        "balance", "threshold")
    events = []
    for customer_pk, partner_id, manager_id, domain_id, name, balance, threshold in rows:
        events.append({
            "type_code": event_types.BALANCE_LOW, "partner": _partner(partner_id), "customer": customer_pk,
            "account_manager": _member(manager_id), "actor": actor,
            "key": f"balance.low:{customer_pk}:{now.isoformat()}",
            "data": {"customer_id": domain_id, "account_name": name, "amount": str(quantize(balance)),
                     "threshold": str(quantize(threshold))}})
    for start in range(0, len(events), 1000):
        outbox.record_many(events[start:start + 1000])
    return len(events)


def _partner(pk):
    from partnercenter.models import Partner
    return Partner(pk=pk)


def _member(pk):
    from partnercenter.models import Member
    return Member(pk=pk) if pk is not None else None


def check_low_balances(actor=SCHEDULER, *, customers=None, now=None) -> dict:
    """Move every resale customer's LowBalanceState (or only `customers`, pks: those a rating batch charged)
    and tell each crossing once. Returns {"crossed": n, "recovered": n}."""
    now = now or timezone.now()
    below = below_threshold(customers)
    with transaction.atomic():
        crossed = []
        statements, params = _crossings_sql(below, now)
        with connection.cursor() as cursor:
            for sql, values in zip(statements, params):
                cursor.execute(sql, values)
                crossed += [row[0] for row in cursor.fetchall()]
        recovered = LowBalanceState.objects.filter(below=True)
        if customers is not None:
            recovered = recovered.filter(customer_id__in=list(customers))
        recovered = recovered.exclude(customer_id__in=below).update(below=False)
        if crossed:
            _notify(actor, crossed, now)
    return {"crossed": len(crossed), "recovered": recovered}
