"""Every partner-side read of consumption and bills, scoped to the actor.

**Whose fee records.** A partner sees a fee record iff `FeeRecord.partner` is itself: its customers'
consumption while they were associated with it — also after they left it, and never what they consumed
before or after (the association at the consumption time decides, bills/models/fees.py). A distributor naming
one of its cloud resellers (`indirect_partner_id`, resolved by `partnercenter.selectors.book_owner`) reads
that reseller's instead. Reading needs `billing.view`; a member (or key) without `customers.view_all`
sees only the records of associations its team manages (the account manager of the association, ended or
not — so an account manager keeps seeing what its customers consumed while they were its), as
customers.selectors scopes customers.

**Monthly sums.** A closed month's sums come from `CustomerMonthlySum` (the month close wrote them); an
open month's from `RunningSum`, the same groups kept by PostgreSQL as fee records are written (on SQLite,
computed from its fee records with the same GROUP BY) — `cycle_rows` picks the source and `summed` groups
any of them, so the running month and the closed month read alike and neither grows with its fee records.
`kind` is the sum's bill type (BillSumType: consumption, refund, adjustment), `sum_kind()` derives it from a
fee record's.

**伙伴账单.** `partner_bill_for` gives a closed month's `PartnerBill`, or for a month not yet closed a
running bill computed now from the fee records and the partner's ledger (`running_bill`), marked as such.
The bill is the partner's own: `billing.view` reads all of it (as 账户总览 and 收支明细 do).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from billing.choices import BalanceType, TradeType
from billing.models import LedgerEntry, PartnerAccount
from customers.choices import AssociationType
from customers.models import Customer
from partnercenter.api.pagination import counted
from partnercenter.money import ZERO
from partnercenter.selectors import book_owner

from . import periods, running_sums
from .choices import BillSumType, BillType, PeriodStatus
from .models import MONEY, REFUND_TYPES, BillingPeriod, CustomerMonthlySum, FeeRecord, PartnerBill, RunningSum

__all__ = [
    "BILL_RIGHTS", "SUM_FIELDS", "REFUND_TYPES", "ADJUSTMENT_TYPES", "fee_records_for", "customer_month_records",
    "with_display", "fee_customer_for", "sum_kind", "is_closed", "cycle_rows", "summed", "consuming_customers",
    "trend_for", "BillView", "partner_bill_for", "running_bill", "bill_cycle_choices", "HISTORY_MONTHS",
]

BILL_RIGHTS = ("billing.view",)  # who reads consumption and bills: 伙伴账单, 客户消费 and their endpoints
SUM_FIELDS = ("official_amount", "discount_amount", "erase_amount", "consume_amount", "coupon_amount",
              "flexipurchase_coupon_amount", "cash_amount", "debt_amount", "writeoff_amount")
ADJUSTMENT_TYPES = (BillType.COMPENSATION, BillType.ADJUST_DEDUCT)
HISTORY_MONTHS = 18  # Huawei keeps 18 months of fee records readable

# What a fee-record list shows of each row, joined in the same statement.
_DISPLAY = ("customer", "association__account_manager__user", "partner", "service_type", "resource_type",
            "region", "product", "usage_type", "usage_measure")


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------

def _book(actor, indirect_partner_id=None, *, whole=False):
    """(owner, team) of the fee records the actor may see: the partner whose records they are, and the
    member ids whose associations' records are seen (None: all); None when it may see none."""
    if not actor.is_partner or not any(actor.has_perm(code) for code in BILL_RIGHTS):
        return None
    owner = book_owner(actor, indirect_partner_id or None)
    if owner is None:
        return None
    if owner == actor.partner and not actor.sees_all_customers and not whole:
        return owner, actor.team_member_ids
    return owner, None


def _scoped(model, book):
    if book is None:
        return model.objects.none()
    owner, team = book
    queryset = model.objects.filter(partner=owner)
    if team is not None:
        queryset = queryset.filter(association__account_manager_id__in=team)
    return queryset


def fee_records_for(actor, *, indirect_partner_id: str | None = None):
    """The fee records the actor may see (any cycle), newest first. Filter by `bill_cycle` first: the index
    `fee_partner_cycle` serves a partner's month."""
    return _scoped(FeeRecord, _book(actor, indirect_partner_id)).order_by("-trade_time", "-id")


def customer_month_records(actor, cycle: str, customer_id: str, *, indirect_partner_id: str | None = None):
    """One customer's fee records of a month that the actor may see, newest first. Where the database keeps the
    running sums, the list is counted from them (`counted`): its exact total without reading a customer's tens
    of thousands of records, while nothing else filters it."""
    book = _book(actor, indirect_partner_id)
    # the customer's pk as a scalar subquery, not a join: joined, PostgreSQL reads all the month's records of
    # the customer to sort them (135 ms at 20,834 records) instead of walking fee_customer_cycle (0.1 ms)
    customer = Subquery(Customer.objects.filter(domain_id=customer_id).values("pk")[:1])
    records = _scoped(FeeRecord, book).filter(bill_cycle=cycle, customer_id=customer).order_by("-trade_time", "-id")
    if book is None or not running_sums.kept():
        return records
    sums = _scoped(RunningSum, book).filter(bill_cycle=cycle, customer_id=customer)
    return counted(records, running_sums.RecordsTotal(sums))


def with_display(queryset):
    """Fee records with everything a list or the wire shows of them joined: one statement per page."""
    return queryset.select_related(*_DISPLAY)


def fee_customer_for(actor, customer_id: str, *, indirect_partner_id: str | None = None):
    """The customer whose fee records the actor reads (a customer that left counts while the actor sees
    records of it), or None — another tenant's customer is as absent as a made-up id."""
    if not customer_id or not isinstance(customer_id, str):
        return None
    records = fee_records_for(actor, indirect_partner_id=indirect_partner_id)
    customer = Customer.objects.filter(domain_id=customer_id).first()
    if customer is None or not records.filter(customer=customer).exists():
        return None
    return customer


# ---------------------------------------------------------------------------------------------
# Monthly sums: one GROUP BY over a closed month's CustomerMonthlySum or an open month's FeeRecords
# ---------------------------------------------------------------------------------------------

def sum_kind():
    """The monthly sum's bill type (BillSumType) of a fee record, as the month close (bills.closing) groups
    them: 调账 (9, 16) and every late record (`is_adjustment`: a correction of a month already closed) are
    adjustments, refunds (4, 24) refunds, everything else consumption."""
    return Case(When(Q(is_adjustment=True) | Q(bill_type__in=ADJUSTMENT_TYPES), then=Value(BillSumType.ADJUSTMENT)),
                When(bill_type__in=REFUND_TYPES, then=Value(BillSumType.REFUND)),
                default=Value(BillSumType.CONSUMPTION), output_field=IntegerField())


def closed_set(cycles) -> set[str]:
    """Which of `cycles` are closed (one statement)."""
    return set(BillingPeriod.objects.filter(bill_cycle__in=list(cycles), status=PeriodStatus.CLOSED)
               .values_list("bill_cycle", flat=True))


def is_closed(cycle: str) -> bool:
    return bool(closed_set([cycle]))


def _source(book, cycles, closed: bool):
    """The rows the sums of `cycles` come from, annotated with `kind`: a closed month's CustomerMonthlySum, an
    open month's RunningSum where the database keeps them (PostgreSQL), else its fee records."""
    if closed:
        return _scoped(CustomerMonthlySum, book).filter(bill_cycle__in=cycles).annotate(kind=F("bill_type"))
    if running_sums.kept():
        return (_scoped(RunningSum, book).filter(bill_cycle__in=cycles, records__gt=0)
                .annotate(kind=F("bill_type")))
    return _scoped(FeeRecord, book).filter(bill_cycle__in=cycles).annotate(kind=sum_kind())


def cycle_rows(actor, cycle: str, *, indirect_partner_id: str | None = None, closed: bool | None = None,
               whole: bool = False):
    """(rows, closed): the scoped rows whose sums are the month's — CustomerMonthlySum of a closed month,
    else its fee records — each with `kind`. Both models name their columns alike (customer, association,
    service_type, resource_type, charging_mode and the amounts), so one FilterSet and `summed` serve both."""
    closed = is_closed(cycle) if closed is None else closed
    return _source(_book(actor, indirect_partner_id, whole=whole), [cycle], closed), closed


def summed(rows, *keys, order=None, **extra):
    """`rows` (from cycle_rows) grouped by `keys`, with `records` and every amount of SUM_FIELDS summed (and
    the `extra` aggregates)."""
    records = Count("pk") if rows.model is FeeRecord else Sum("records")
    amounts = {name: Coalesce(Sum(name), ZERO) for name in SUM_FIELDS}
    return rows.values(*keys).annotate(records=records, **amounts, **extra).order_by(*(order or keys))


def consuming_customers(actor, cycle: str, *, indirect_partner_id: str | None = None):
    """The customers (their `customer__domain_id`) with fee records in `cycle` that the actor may see, in
    id order — also those that have left the partner since."""
    rows, _closed = cycle_rows(actor, cycle, indirect_partner_id=indirect_partner_id)
    return rows.values("customer__domain_id").distinct().order_by("customer__domain_id")


def trend_for(actor, cycles, *, whole: bool = False) -> dict[str, Decimal]:
    """{cycle: consumption (consume_amount)} of the actor's book over `cycles`: the closed ones from the
    monthly sums, the open ones from the running sums (`_source`; two statements)."""
    book = _book(actor, whole=whole)
    closed = closed_set(cycles)
    totals = {cycle: ZERO for cycle in cycles}
    for is_closed_part, part in ((True, [c for c in cycles if c in closed]),
                                 (False, [c for c in cycles if c not in closed])):
        if part:
            for row in summed(_source(book, part, is_closed_part), "bill_cycle"):
                totals[row["bill_cycle"]] = row["consume_amount"]
    return totals


# ---------------------------------------------------------------------------------------------
# 伙伴账单
# ---------------------------------------------------------------------------------------------

@dataclass
class BillView:
    """One month of a partner's bill: the closed month's PartnerBill, or a running (unsaved) one."""

    cycle: str
    closed: bool
    bill: PartnerBill

    @property
    def running(self) -> bool:
        return not self.closed

    @property
    def paid_otherwise(self) -> Decimal:
        """The part of the consumption that allocations, coupons and arrears did not pay — referral customers'
        own cash, orders the partner paid for them, arrears repaid since: with those three it adds up to the
        consumption."""
        bill = self.bill
        return bill.consumption_amount - (bill.resale_cash_amount + bill.coupon_amount + bill.debt_amount)


def _money(value) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


def running_bill(partner, cycle: str) -> PartnerBill:
    """The parts of `partner`'s bill for a month not yet closed, as they stand now (not saved), read as the
    month close (bills.closing) will read them at the end of the month: its customers' fee records of the
    month (their running sums where the database keeps them), its own account's movements in the month
    (ledger), and its credit as it stands now."""
    start, end = periods.cycle_bounds(cycle)
    resale = Q(association__association_type=AssociationType.RESALE)
    if running_sums.kept():  # the running sums of the month (the cash the partner paid is kept apart there)
        rows = RunningSum.objects.filter(partner=partner, bill_cycle=cycle, records__gt=0)
        resale_cash = Sum(F("cash_amount") - F("partner_cash_amount"), filter=resale,
                          output_field=DecimalField(**MONEY))
    else:
        rows = FeeRecord.objects.filter(partner=partner, bill_cycle=cycle)
        resale_cash = Sum("cash_amount", filter=resale & Q(partner_paid=False))
    fees = rows.aggregate(
        customers=Count("customer", distinct=True), consumption=Sum("consume_amount"), resale_cash=resale_cash,
        coupons=Sum(F("coupon_amount") + F("flexipurchase_coupon_amount"), output_field=DecimalField(**MONEY)),
        debt=Sum("debt_amount"))
    entries = LedgerEntry.objects.filter(partner=partner, created_at__gte=start, created_at__lt=end)
    moved = entries.aggregate(
        # as the month close reads them (bills.closing): a cloud reseller's "recharges" include what its
        # distributor allocated to it, less what it reclaimed
        recharge=Sum("amount", filter=Q(balance_type=BalanceType.CASH, trade_type__in=(
            TradeType.RECHARGE, TradeType.BEADJUST, TradeType.BERETRIEVE))),
        allocation=Sum("amount", filter=Q(trade_type=TradeType.BEADJUST, balance_type=BalanceType.ALLOCATED)),
        reclaim=Sum("amount", filter=Q(trade_type__in=(TradeType.BERETRIEVE, TradeType.BEUNBIND),
                                       balance_type=BalanceType.ALLOCATED)),
        paid=Sum("amount", filter=Q(trade_type=TradeType.PURCHASE)),
        refund=Sum("amount", filter=Q(trade_type=TradeType.REFUND)))
    account = PartnerAccount.objects.filter(partner=partner).first() or PartnerAccount(partner=partner)
    credit_used = max(ZERO, account.allocated_amount - account.cash_balance)
    return PartnerBill(
        partner=partner, bill_cycle=cycle, customers=fees["customers"] or 0,
        consumption_amount=_money(fees["consumption"]), resale_cash_amount=_money(fees["resale_cash"]),
        coupon_amount=_money(fees["coupons"]), debt_amount=_money(fees["debt"]),
        partner_paid_amount=-_money(moved["paid"]), refund_amount=_money(moved["refund"]),
        recharge_amount=_money(moved["recharge"]), allocation_amount=_money(moved["allocation"]),
        reclaim_amount=-_money(moved["reclaim"]), credit_limit=_money(account.credit_limit),
        credit_used=_money(credit_used), amount_due=_money(credit_used), closed_at=None)


def partner_bill_for(actor, cycle: str, *, closed: bool | None = None) -> BillView | None:
    """The actor's partner's bill of `cycle`: closed (the month close's PartnerBill, zeros when the partner
    had none) or running. None when the actor may not read bills. `closed`: whether the month is closed,
    when the caller has read it already."""
    if _book(actor, whole=True) is None:
        return None
    partner = actor.partner
    if is_closed(cycle) if closed is None else closed:
        bill = PartnerBill.objects.filter(partner=partner, bill_cycle=cycle).first()
        return BillView(cycle, True, bill or PartnerBill(partner=partner, bill_cycle=cycle, closed_at=None))
    return BillView(cycle, False, running_bill(partner, cycle))


def bill_cycle_choices(now=None, months: int = HISTORY_MONTHS) -> list[tuple[str, bool]]:
    """[(cycle, closed)] of the last `months` months, the current (running) one first."""
    cycle = periods.current_cycle(now)
    cycles = []
    for _i in range(months):
        cycles.append(cycle)
        cycle = periods.previous_cycle(cycle)
    closed = closed_set(cycles)
    return [(c, c in closed) for c in cycles]
