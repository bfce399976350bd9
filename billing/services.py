"""Every movement of money: allocations and reclaims (single, batch, to and from cloud resellers),
reclaims on disassociation, recharges and credit limits.

How a movement stays exact:
- the balance that must not go below zero is changed with a conditional UPDATE
  (`… SET x = x - amount WHERE … AND <enough>`), which is safe under Read Committed: a concurrent
  transaction waits for the row lock and re-checks the condition; the CheckConstraints are the backstop;
- rows are locked in one order (locks.py) — the customer's association, the paying partner, then the
  receiving customer or reseller — so two movements never wait on each other in a cycle;
- eligibility checked before the transaction (is the customer still this partner's resale customer?)
  is checked again once the association is locked, so a movement overlapping a disassociation is
  refused instead of stranding money on a customer no partner can reach;
- each changed balance gets its LedgerEntry, with the balance after, in the same transaction.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import locks as customer_locks
from customers.selectors import customer_for, customers_for
from customers.services import is_resale
from events import outbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.money import ZERO, fen, parse_amount, quantize
from partnercenter.oplog import operation, require_code, write_many
from partnercenter.transactions import retry_on_deadlock
from partnercenter.selectors import book_owner, reseller_for

from . import locks, signals
from .choices import BalanceType, OperationType, RechargeMethod, RechargeStatus, TradeType
from .errors import BillingCodes
from .models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount, Recharge, new_trans_id

__all__ = [
    "BATCH_LIMIT", "RECHARGE_ENTITIES", "can_recharge", "can_receive_allocation", "partner_account", "customer_account",
    "allocate_to_customer", "reclaim_from_customer", "batch_allocate", "reclaim_on_unbind", "allocate_to_reseller",
    "reclaim_from_reseller", "start_online_recharge", "record_remittance", "complete_recharge", "set_credit_limit",
    "consume",
]

BATCH_LIMIT = 100  # customers in one 批量拨款

# Contracting entities (签约主体) whose partners may recharge here.
RECHARGE_ENTITIES = ("华为软件技术有限公司", "华为云计算技术有限公司")


def _require(actor, permission):
    if not actor.is_partner or not actor.has_perm(permission):
        raise DomainError(Codes.FORBIDDEN)


def _require_platform(actor):
    """The platform itself: an operator in the admin, or the scheduler (the system, payment callbacks)."""
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.SCHEDULER):
        raise DomainError(Codes.FORBIDDEN)


# ---------------------------------------------------------------------------------------------
# Rules pages and the API ask about (decided here only)
# ---------------------------------------------------------------------------------------------

def can_recharge(partner) -> bool:
    """Only partners contracted with one of RECHARGE_ENTITIES recharge here (others through their
    ecosystem manager)."""
    return partner.contracting_entity in RECHARGE_ENTITIES


def can_receive_allocation(association) -> bool:
    """Only an active resale association holds allocated funds: referral customers pay the cloud directly."""
    return is_resale(association)


def partner_account(partner) -> PartnerAccount:
    return PartnerAccount.objects.get_or_create(partner=partner)[0]


def customer_account(customer) -> CustomerAccount:
    return CustomerAccount.objects.get_or_create(customer=customer)[0]


# ---------------------------------------------------------------------------------------------
# Events (events.outbox, billing/event_types.py): recorded inside the movement's transaction
# ---------------------------------------------------------------------------------------------

def _customer_event(type_code, *, actor, owner, customer, association, adjustment, **extra) -> list[dict]:
    """The event of a movement between `owner` and its customer, scoped to the customer's account manager;
    and, when a distributor moved money in its cloud reseller's book (the actor's partner is not the
    owner), the distributor's copy."""
    data = {"customer_id": customer.domain_id, "account_name": customer.domain_name,
            "amount": str(quantize(adjustment.amount)), "trans_id": adjustment.trans_id,
            "operation_type": adjustment.operation_type, **extra}
    events = [{"type_code": type_code, "partner": owner, "customer": customer,
               "account_manager": association.account_manager if association is not None else None,
               "actor": actor, "data": data}]
    if actor.is_partner and actor.partner.pk != owner.pk:
        events.append({"type_code": type_code, "partner": actor.partner, "customer": customer, "actor": actor,
                       "data": {**data, "indirect_partner_id": owner.domain_id}})
    return events


def _reseller_events(type_code, *, actor, reseller, adjustment) -> list[dict]:
    """A distributor's movement with its cloud reseller: the distributor's event and the reseller's."""
    data = {"amount": str(quantize(adjustment.amount)), "trans_id": adjustment.trans_id,
            "operation_type": adjustment.operation_type}
    return [
        {"type_code": type_code, "partner": actor.partner, "actor": actor,
         "data": {**data, "indirect_partner_id": reseller.domain_id}},
        {"type_code": type_code, "partner": reseller, "actor": actor,
         "data": {**data, "distributor_id": actor.partner.domain_id}},
    ]


# ---------------------------------------------------------------------------------------------
# The two primitive moves, each writing its ledger entries
# ---------------------------------------------------------------------------------------------

def _debit_partner_available(partner, amount, *, trade_type, trans_id, adjustment, counterparty):
    """allocated += amount, only while 账户余额 (cash + credit − allocated) covers it."""
    account = partner_account(partner)
    moved = PartnerAccount.objects.filter(
        pk=account.pk, cash_balance__gte=fen(F("allocated_amount") - F("credit_limit") + amount),
    ).update(allocated_amount=fen(F("allocated_amount") + amount), updated_at=timezone.now())
    if not moved:
        raise DomainError(BillingCodes.INSUFFICIENT_BALANCE)
    account.refresh_from_db()
    LedgerEntry.objects.create(
        partner=partner, balance_type=BalanceType.ALLOCATED, trade_type=trade_type, amount=amount,
        balance_after=account.allocated_amount, available_after=account.available, trans_id=trans_id,
        adjustment=adjustment, counterparty=counterparty,
    )


def _credit_partner_available(partner, amount, *, trade_type, trans_id, adjustment, counterparty):
    """allocated −= amount (money coming back to the partner)."""
    account = partner_account(partner)
    moved = PartnerAccount.objects.filter(pk=account.pk, allocated_amount__gte=amount).update(
        allocated_amount=fen(F("allocated_amount") - amount), updated_at=timezone.now())
    if not moved:
        raise DomainError(BillingCodes.RECLAIM_EXCEEDS_BALANCE)
    account.refresh_from_db()
    LedgerEntry.objects.create(
        partner=partner, balance_type=BalanceType.ALLOCATED, trade_type=trade_type, amount=-amount,
        balance_after=account.allocated_amount, available_after=account.available, trans_id=trans_id,
        adjustment=adjustment, counterparty=counterparty,
    )


def _change_customer_balance(customer, delta, *, trade_type, trans_id, adjustment=None, counterparty=""):
    account = customer_account(customer)
    queryset = CustomerAccount.objects.filter(pk=account.pk)
    if delta < 0:
        queryset = queryset.filter(balance__gte=-delta)
    if not queryset.update(balance=fen(F("balance") + delta), updated_at=timezone.now()):
        raise DomainError(BillingCodes.RECLAIM_EXCEEDS_BALANCE)
    account.refresh_from_db()
    LedgerEntry.objects.create(
        customer=customer, balance_type=BalanceType.CASH, trade_type=trade_type, amount=delta,
        balance_after=account.balance, trans_id=trans_id, adjustment=adjustment, counterparty=counterparty,
    )
    if delta > 0 and account.arrears > 0:
        # Money reached a customer in arrears: the receivers (bills) pay the arrears first, in this transaction.
        signals.customer_balance_credited.send(sender=CustomerAccount, credits={customer.pk: trans_id})
        account.refresh_from_db()
    return account


def _change_partner_cash(partner, delta, *, trade_type, trans_id, adjustment=None, counterparty=""):
    """cash += delta; a decrease must leave cash ≥ 0 and still cover what is allocated."""
    account = partner_account(partner)
    queryset = PartnerAccount.objects.filter(pk=account.pk)
    if delta < 0:
        queryset = queryset.filter(cash_balance__gte=-delta).filter(
            cash_balance__gte=fen(F("allocated_amount") - F("credit_limit") - delta))
    if not queryset.update(cash_balance=fen(F("cash_balance") + delta), updated_at=timezone.now()):
        raise DomainError(BillingCodes.RECLAIM_EXCEEDS_BALANCE)
    account.refresh_from_db()
    LedgerEntry.objects.create(
        partner=partner, balance_type=BalanceType.CASH, trade_type=trade_type, amount=delta,
        balance_after=account.cash_balance, available_after=account.available, trans_id=trans_id,
        adjustment=adjustment, counterparty=counterparty,
    )
    return account


# ---------------------------------------------------------------------------------------------
# Partner ↔ customer (拨款 / 回收)
# ---------------------------------------------------------------------------------------------

def _resale_customer(actor, customer_id, indirect_partner_id):
    """The customer and the partner whose money moves: the caller, or — for a distributor naming one —
    its cloud reseller."""
    owner = book_owner(actor, indirect_partner_id)
    if owner is None:
        raise DomainError(Codes.NOT_FOUND, _("The cloud reseller does not exist."))
    customer = customer_for(actor, customer_id, indirect_partner_id=indirect_partner_id)
    if customer is None:
        raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
    _ensure_resale(customer.active_associations[0])
    return owner, customer


def _ensure_resale(association):
    if association is None:
        raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
    if not can_receive_allocation(association):
        raise DomainError(BillingCodes.NOT_RESALE, _("Referral customers pay the cloud directly; only resale customers "
                                                     "receive allocations."))


def _lock_and_recheck(owner, customer):
    """Inside the movement's transaction: take its locks in order and check again that the customer is
    still `owner`'s resale customer. A disassociation (or a switch to referral) that committed after
    the first check is seen here, and the movement is refused."""
    _ensure_resale(locks.lock_customer_movement(owner, customer, customer.active_associations[0]))


def _allocate(actor, owner, customer, amount) -> Adjustment:
    _lock_and_recheck(owner, customer)
    adjustment = Adjustment.objects.create(partner=owner, customer=customer, operation_type=OperationType.ALLOCATE,
                                           amount=amount, operator=actor.label)
    _debit_partner_available(owner, amount, trade_type=TradeType.BEADJUST, trans_id=adjustment.trans_id,
                             adjustment=adjustment, counterparty=customer.domain_id)
    _change_customer_balance(customer, amount, trade_type=TradeType.BEADJUST, trans_id=adjustment.trans_id,
                             adjustment=adjustment, counterparty=owner.domain_id)
    return adjustment


def allocate_to_customer(actor, *, customer_id, amount, indirect_partner_id=None, verification_code=None) -> Adjustment:
    """拨款: move `amount` from the partner's allocatable balance to a resale customer's account."""
    _require(actor, "funds.allocate")
    amount = parse_amount(amount)
    owner, customer = _resale_customer(actor, customer_id, indirect_partner_id)
    with operation(actor, "funds.allocate", target=customer, verification_code=verification_code,
                   detail={"amount": str(amount), "partner": owner.account_name}) as entry:
        adjustment = _allocate(actor, owner, customer, amount)
        outbox.record_many(_customer_event("funds.allocated", actor=actor, owner=owner, customer=customer,
                                           association=customer.active_associations[0], adjustment=adjustment))
        entry.detail["trans_id"] = adjustment.trans_id
    return adjustment


def batch_allocate(actor, *, rows, verification_code=None) -> list[dict]:
    """批量拨款 with a result per row: one invalid row (bad amount, unknown or referral customer, a
    customer who left or switched to referral meanwhile, balance exhausted) fails alone and changes
    nothing, while the others go through. The verification code is checked once for the batch. Returns
    [{"customer_id", "amount", "ok", "trans_id" | "error_code", "error_msg"}] in input order.

    Set-based: a constant number of statements whatever the number of rows. Every row is checked and
    its customer resolved first (one read for the batch); then, in one transaction, the rows'
    associations are locked (pk order) and checked again, the partner's account is locked and the rows
    that fit its allocatable balance are chosen in input order (a row that does not fit fails, a later
    smaller one may still fit — as if the rows had run one by one), the partner is debited once for
    their total by a conditional UPDATE, the customers' accounts are locked and credited in one UPDATE,
    and the adjustments, ledger entries (each with its balance after, in row order) and operation-log
    rows are inserted in bulk."""
    _require(actor, "funds.allocate")
    rows = list(rows or [])
    if not rows or len(rows) > BATCH_LIMIT:
        raise DomainError(Codes.PARAMETER, _("Give 1 to %(limit)d customers.") % {"limit": BATCH_LIMIT})
    require_code(actor, "funds.allocate", verification_code)
    batch_id = new_trans_id()
    results = [{"customer_id": customer_id, "amount": str(raw_amount)} for customer_id, raw_amount in rows]
    outcomes = {}  # row index → its Adjustment, or the DomainError that refused it
    candidates = []  # (row index, customer, amount), in input order: checked before the transaction
    amounts = {}
    for index, (_customer_id, raw_amount) in enumerate(rows):
        try:
            amounts[index] = parse_amount(raw_amount)
        except DomainError as exc:
            outcomes[index] = exc
    wanted = {rows[index][0] for index in amounts if rows[index][0]}
    found = {c.domain_id: c for c in customers_for(actor).filter(domain_id__in=wanted)} if wanted else {}
    for index, amount in amounts.items():
        customer = found.get(rows[index][0]) if rows[index][0] else None
        try:
            if customer is None:
                raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
            _ensure_resale(customer.active_associations[0])
        except DomainError as exc:
            outcomes[index] = exc
        else:
            candidates.append((index, customer, amount))
    if candidates:
        outcomes.update(retry_on_deadlock(lambda: _allocate_batch(actor, actor.partner, candidates, batch_id)))
    for index, result in enumerate(results):
        outcome = outcomes[index]
        if isinstance(outcome, DomainError):
            result.update(ok=False, error_code=outcome.code, error_msg=str(outcome.message))
        else:
            result.update(ok=True, trans_id=outcome.trans_id, amount=str(outcome.amount))
    return results


def _allocate_batch(actor, owner, candidates, batch_id) -> dict:
    """The locked part of batch_allocate, one transaction: {row index: Adjustment | DomainError}."""
    outcomes, logged = {}, []
    with transaction.atomic():
        current = customer_locks.lock_current_associations(c.active_associations[0] for _i, c, _a in candidates)
        eligible = []
        for index, customer, amount in candidates:
            try:  # checked again under the lock: a disassociation or type switch may have committed since
                _ensure_resale(current[customer.active_associations[0].pk])
            except DomainError as exc:
                outcomes[index] = exc
            else:
                eligible.append((index, customer, amount))
        moving = []
        if eligible:
            account = locks.lock_partner_account(owner)
            available = account.available
            for index, customer, amount in eligible:  # in input order, as if one by one
                if amount > available:
                    outcomes[index] = DomainError(BillingCodes.INSUFFICIENT_BALANCE)
                else:
                    available -= amount
                    moving.append((index, customer, amount))
        if moving:
            _move_batch(actor, owner, account, moving, batch_id, outcomes)
            outbox.record_many([  # one INSERT for the batch: an event per row that moved money
                event for index, customer, _amount in moving
                for event in _customer_event("funds.allocated", actor=actor, owner=owner, customer=customer,
                                             association=customer.active_associations[0],
                                             adjustment=outcomes[index], batch_id=batch_id)])
        for index, customer, amount in candidates:
            outcome = outcomes[index]
            detail = {"amount": str(amount), "batch_id": batch_id}
            if isinstance(outcome, DomainError):
                logged.append((customer, detail, outcome.code))
            else:
                logged.append((customer, {**detail, "trans_id": outcome.trans_id}, ""))
        write_many(actor, "funds.allocate", logged)
    return outcomes


def _move_batch(actor, owner, account, moving, batch_id, outcomes) -> None:
    """Debit the partner once for the total, credit every customer, write the adjustments and both
    sides' ledger entries — the partner's account is locked and covers the total."""
    total = sum(amount for _i, _c, amount in moving)
    now = timezone.now()
    if not PartnerAccount.objects.filter(
            pk=account.pk, cash_balance__gte=fen(F("allocated_amount") - F("credit_limit") + total),
    ).update(allocated_amount=fen(F("allocated_amount") + total), updated_at=now):
        raise DomainError(BillingCodes.INSUFFICIENT_BALANCE)  # the lock makes this impossible; a backstop
    customer_accounts = locks.lock_customer_accounts(customer.pk for _i, customer, _a in moving)
    adjustments = Adjustment.objects.bulk_create([
        Adjustment(partner=owner, customer=customer, operation_type=OperationType.ALLOCATE, amount=amount,
                   batch_id=batch_id, operator=actor.label, created_at=now)
        for _i, customer, amount in moving])
    allocated, funds = account.allocated_amount, account.cash_balance + account.credit_limit
    balances = {pk: customer_account.balance for pk, customer_account in customer_accounts.items()}
    entries = []
    for (index, customer, amount), adjustment in zip(moving, adjustments):
        allocated += amount
        balances[customer.pk] += amount
        entries += [
            LedgerEntry(partner=owner, balance_type=BalanceType.ALLOCATED, trade_type=TradeType.BEADJUST, amount=amount,
                        balance_after=allocated, available_after=funds - allocated, trans_id=adjustment.trans_id,
                        adjustment=adjustment, counterparty=customer.domain_id, created_at=now),
            LedgerEntry(customer=customer, balance_type=BalanceType.CASH, trade_type=TradeType.BEADJUST, amount=amount,
                        balance_after=balances[customer.pk], trans_id=adjustment.trans_id, adjustment=adjustment,
                        counterparty=owner.domain_id, created_at=now),
        ]
        outcomes[index] = adjustment
    LedgerEntry.objects.bulk_create(entries)
    credits = defaultdict(Decimal)
    for _i, customer, amount in moving:
        credits[customer_accounts[customer.pk].pk] += amount
    credited = CustomerAccount.objects.filter(pk__in=credits).update(
        balance=fen(F("balance") + Case(*(When(pk=pk, then=Value(amount)) for pk, amount in credits.items()),
                                        output_field=models.DecimalField(max_digits=18, decimal_places=2))),
        updated_at=now)
    if credited != len(credits):
        raise DomainError(Codes.INTERNAL)  # the accounts are locked: a backstop
    owing = {customer.pk: adjustment.trans_id for (_i, customer, _a), adjustment in zip(moving, adjustments)
             if customer_accounts[customer.pk].arrears > 0}
    if owing:  # money reached customers in arrears: the receivers (bills) pay the arrears first
        signals.customer_balance_credited.send(sender=CustomerAccount, credits=owing)


def reclaim_from_customer(actor, *, customer_id, amount, indirect_partner_id=None, verification_code=None) -> Adjustment:
    """回收: take `amount` (at most the customer's balance) back to the partner."""
    _require(actor, "funds.allocate")
    amount = parse_amount(amount)
    owner, customer = _resale_customer(actor, customer_id, indirect_partner_id)
    with operation(actor, "funds.reclaim", target=customer, verification_code=verification_code,
                   detail={"amount": str(amount), "partner": owner.account_name}) as entry:
        _lock_and_recheck(owner, customer)
        adjustment = Adjustment.objects.create(partner=owner, customer=customer, operation_type=OperationType.RECLAIM,
                                               amount=amount, operator=actor.label)
        # Partner row first (the fixed lock order), then the customer's balance, which must cover it.
        _credit_partner_available(owner, amount, trade_type=TradeType.BERETRIEVE, trans_id=adjustment.trans_id,
                                  adjustment=adjustment, counterparty=customer.domain_id)
        _change_customer_balance(customer, -amount, trade_type=TradeType.BERETRIEVE, trans_id=adjustment.trans_id,
                                 adjustment=adjustment, counterparty=owner.domain_id)
        outbox.record_many(_customer_event("funds.reclaimed", actor=actor, owner=owner, customer=customer,
                                           association=customer.active_associations[0], adjustment=adjustment))
        entry.detail["trans_id"] = adjustment.trans_id
    return adjustment


def reclaim_on_unbind(actor, *, association) -> Adjustment | None:
    """解绑回收: when a resale association ends (disassociation or type switch), the customer's whole
    remaining balance returns to the partner. Runs inside the caller's transaction, which holds the
    association's lock (the first in the order of locks.py)."""
    if not association.is_resale:  # (it has just ended: was it resale?)
        return None
    locks.lock_partner_account(association.partner)
    account = locks.lock_customer_account(association.customer)
    if account.balance <= ZERO:
        return None
    amount = account.balance
    adjustment = Adjustment.objects.create(partner=association.partner, customer=association.customer,
                                           operation_type=OperationType.UNBIND, amount=amount, operator=actor.label)
    _credit_partner_available(association.partner, amount, trade_type=TradeType.BEUNBIND, trans_id=adjustment.trans_id,
                              adjustment=adjustment, counterparty=association.customer.domain_id)
    _change_customer_balance(association.customer, -amount, trade_type=TradeType.BEUNBIND,
                             trans_id=adjustment.trans_id, adjustment=adjustment,
                             counterparty=association.partner.domain_id)
    # The association's partner hears it, whichever side's decision ended the association.
    outbox.record_many(_customer_event("funds.reclaimed", actor=actor, owner=association.partner,
                                       customer=association.customer, association=association,
                                       adjustment=adjustment))
    return adjustment


# ---------------------------------------------------------------------------------------------
# Distributor ↔ cloud reseller
# ---------------------------------------------------------------------------------------------

def _reseller(actor, indirect_partner_id):
    _require(actor, "funds.allocate")
    reseller = reseller_for(actor, indirect_partner_id)  # None for a partner that is no distributor
    if reseller is None:
        raise DomainError(Codes.NOT_FOUND, _("The cloud reseller does not exist."))
    return reseller


def allocate_to_reseller(actor, *, indirect_partner_id, amount, verification_code=None) -> Adjustment:
    """A distributor funds its cloud reseller's account from its own allocatable balance."""
    reseller = _reseller(actor, indirect_partner_id)
    amount = parse_amount(amount)
    with operation(actor, "funds.allocate_reseller", target=reseller, verification_code=verification_code,
                   detail={"amount": str(amount)}) as entry:
        locks.lock_reseller_movement(actor.partner, reseller)
        adjustment = Adjustment.objects.create(partner=actor.partner, reseller=reseller,
                                               operation_type=OperationType.ALLOCATE, amount=amount, operator=actor.label)
        _debit_partner_available(actor.partner, amount, trade_type=TradeType.BEADJUST, trans_id=adjustment.trans_id,
                                 adjustment=adjustment, counterparty=reseller.domain_id)
        _change_partner_cash(reseller, amount, trade_type=TradeType.BEADJUST, trans_id=adjustment.trans_id,
                             adjustment=adjustment, counterparty=actor.partner.domain_id)
        outbox.record_many(_reseller_events("funds.allocated", actor=actor, reseller=reseller, adjustment=adjustment))
        entry.detail["trans_id"] = adjustment.trans_id
    return adjustment


def reclaim_from_reseller(actor, *, indirect_partner_id, amount, verification_code=None) -> Adjustment:
    """A distributor takes back part of its reseller's balance (never what the reseller already allocated)."""
    reseller = _reseller(actor, indirect_partner_id)
    amount = parse_amount(amount)
    with operation(actor, "funds.reclaim_reseller", target=reseller, verification_code=verification_code,
                   detail={"amount": str(amount)}) as entry:
        locks.lock_reseller_movement(actor.partner, reseller)
        adjustment = Adjustment.objects.create(partner=actor.partner, reseller=reseller,
                                               operation_type=OperationType.RECLAIM, amount=amount, operator=actor.label)
        _credit_partner_available(actor.partner, amount, trade_type=TradeType.BERETRIEVE, trans_id=adjustment.trans_id,
                                  adjustment=adjustment, counterparty=reseller.domain_id)
        _change_partner_cash(reseller, -amount, trade_type=TradeType.BERETRIEVE, trans_id=adjustment.trans_id,
                             adjustment=adjustment, counterparty=actor.partner.domain_id)
        outbox.record_many(_reseller_events("funds.reclaimed", actor=actor, reseller=reseller, adjustment=adjustment))
        entry.detail["trans_id"] = adjustment.trans_id
    return adjustment


# ---------------------------------------------------------------------------------------------
# Recharge (充值) and credit limits
# ---------------------------------------------------------------------------------------------

def _may_recharge(actor):
    _require(actor, "funds.recharge")
    if not can_recharge(actor.partner):
        raise DomainError(BillingCodes.RECHARGE_NOT_ALLOWED)


def start_online_recharge(actor, *, amount) -> Recharge:
    """An online payment through the configured payment provider; credited when the provider confirms."""
    from . import payments

    _may_recharge(actor)
    amount = parse_amount(amount)
    provider = payments.provider()
    if provider is None:  # no gateway configured and no sandbox enabled: offline remittance only
        raise DomainError(BillingCodes.ONLINE_RECHARGE_UNAVAILABLE)
    with operation(actor, "funds.recharge_online", detail={"amount": str(amount)}) as entry:
        recharge = Recharge.objects.create(partner=actor.partner, method=RechargeMethod.ONLINE, amount=amount,
                                           provider=provider.name, requested_by=actor.label)
        recharge.reference = provider.create_payment(recharge)
        recharge.save(update_fields=["reference"])
        entry.target = recharge
    return recharge


def record_remittance(actor, *, amount, reference: str, remitter: str = "") -> Recharge:
    """线下汇款: the partner records a bank transfer; an operator confirms it in the admin."""
    _may_recharge(actor)
    amount = parse_amount(amount)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(Codes.PARAMETER, _("Give the bank's reference of the remittance."))
    with operation(actor, "funds.remittance", detail={"amount": str(amount), "reference": reference}) as entry:
        recharge = Recharge.objects.create(partner=actor.partner, method=RechargeMethod.REMITTANCE, amount=amount,
                                           reference=reference[:64], remitter=(remitter or "").strip()[:128],
                                           requested_by=actor.label)
        entry.target = recharge
    return recharge


def _may_complete(actor, recharge) -> bool:
    """Who may say a payment went through: the payment provider's confirmation (the scheduler, the
    system's own actor) for any recharge; a platform operator for an offline remittance, after checking
    the bank statement; and, only where the sandbox is enabled, the partner's own member with the
    recharge right paying its own online sandbox recharge. Nobody else — not an access key, not a member
    for a remittance or a real gateway's payment."""
    from . import payments

    if actor.kind == ActorKind.SCHEDULER:
        return True
    if actor.kind == ActorKind.OPERATOR:
        return recharge.method == RechargeMethod.REMITTANCE
    return (actor.kind == ActorKind.MEMBER and actor.partner == recharge.partner and actor.has_perm("funds.recharge")
            and recharge.method == RechargeMethod.ONLINE and recharge.provider == payments.SandboxProvider.name
            and payments.sandbox_enabled())


def complete_recharge(actor, *, recharge_id, succeeded: bool, note: str = "") -> Recharge:
    """The payment provider's confirmation, or an operator's decision on a remittance. Moves a pending
    recharge once (a conditional UPDATE): a repeated callback changes nothing."""
    recharge = Recharge.objects.select_related("partner").filter(pk=recharge_id).first()
    if recharge is None or (actor.partner is not None and actor.partner != recharge.partner):
        raise DomainError(Codes.NOT_FOUND)  # another tenant's recharge is as absent as a made-up id
    status = RechargeStatus.SUCCEEDED if succeeded else (
        RechargeStatus.FAILED if recharge.method == RechargeMethod.ONLINE else RechargeStatus.REJECTED)
    with operation(actor, f"funds.recharge_{status}", target=recharge, partner=recharge.partner,
                   detail={"amount": str(recharge.amount), "reference": recharge.reference}):
        if not _may_complete(actor, recharge):
            raise DomainError(Codes.FORBIDDEN, _("Only the payment provider or the platform can confirm this payment."))
        moved = Recharge.objects.filter(pk=recharge.pk, status=RechargeStatus.PENDING).update(
            status=status, decided_by=actor.label, decided_at=timezone.now(), note=(note or "")[:255])
        if not moved:
            raise DomainError(BillingCodes.NOT_PENDING)
        if succeeded:
            _change_partner_cash(recharge.partner, recharge.amount, trade_type=TradeType.RECHARGE,
                                 trans_id=recharge.trans_id, counterparty=recharge.reference)
        outbox.record("recharge.completed", partner=recharge.partner, actor=actor, data={
            "trans_id": recharge.trans_id, "amount": str(quantize(recharge.amount)), "status": status,
            "method": recharge.method})
    recharge.refresh_from_db()
    return recharge


def set_credit_limit(actor, *, partner, credit_limit) -> PartnerAccount:
    """An operator changes a partner's credit limit; never below what the partner has allocated on credit."""
    _require_platform(actor)
    limit = parse_amount(credit_limit, allow_zero=True)
    with operation(actor, "funds.credit_limit", target=partner, partner=partner, detail={"credit_limit": str(limit)}):
        account = locks.lock_partner_account(partner)
        delta = limit - account.credit_limit
        if delta == 0:
            return account
        if account.allocated_amount > account.cash_balance + limit:
            raise DomainError(BillingCodes.INSUFFICIENT_BALANCE,
                              _("The partner has allocated more than its cash and the new credit limit."))
        account.credit_limit = limit
        account.save(update_fields=["credit_limit", "updated_at"])
        LedgerEntry.objects.create(partner=partner, balance_type=BalanceType.CREDIT, trade_type=TradeType.ADJUST,
                                   amount=delta, balance_after=limit, available_after=account.available,
                                   trans_id=new_trans_id(), counterparty=actor.label)
    return account


def consume(actor, *, customer, amount, trans_id: str) -> CustomerAccount:
    """A customer's consumption: lowers the customer's balance only — never the partner's (docs' FAQ).
    The billing work calls it when it charges an order; refused when the balance does not cover it."""
    amount = parse_amount(amount)
    partner = Partner.objects.filter(associations__customer=customer, associations__ended_on__isnull=True).first()
    with operation(actor, "funds.consume", target=customer, partner=partner,  # in its partner's 操作记录
                   detail={"amount": str(amount), "trans_id": trans_id}):
        return _change_customer_balance(customer, -amount, trade_type=TradeType.DEDUCT, trans_id=trans_id)
