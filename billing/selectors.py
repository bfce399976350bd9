"""Every read of money, scoped to the actor."""

from customers.selectors import resale_customers_for
from partnercenter.api.pagination import CountedList, count, counted
from partnercenter.money import ZERO
from partnercenter.selectors import book_owner

from .choices import BalanceType
from .models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount, Recharge

__all__ = [
    "MONEY_RIGHTS", "ADJUSTMENTS", "LEDGER", "account_owner", "partner_account_of", "adjustments_for",
    "adjustment_count_for", "partner_ledger_for",
    "customer_balances_for", "customer_account_of", "customer_ledger_for", "recharges_for",
    "can_purchase", "partner_accounts_of", "available_change", "available_after", "LEDGER_BALANCES",
]


MONEY_RIGHTS = ("billing.view", "funds.allocate")  # who reads balances: 账户总览, and the allocation pages

# The balances 收支明细 shows: those of the 账户余额. The rebate account (返点账户, billing/rebates.py) is apart:
# its entries are listed on the incentives' rebate page, never here, nor in the CBC account-change records.
LEDGER_BALANCES = (BalanceType.CASH, BalanceType.CREDIT, BalanceType.ALLOCATED, BalanceType.ARREARS)

# The lists' totals, kept by triggers (migrations/0003_list_counts.py, 0009_ledger_count_without_rebate.py):
# a partner's adjustments (调账记录) and the partner side of its ledger (收支明细) without rebate entries.
ADJUSTMENTS = CountedList("adjustments", "billing.Adjustment")
LEDGER = CountedList("ledger", "billing.LedgerEntry", {"partner__isnull": False, "balance_type__in": LEDGER_BALANCES})


def _reads_money(actor) -> bool:
    return any(actor.has_perm(code) for code in MONEY_RIGHTS)


def account_owner(actor, indirect_partner_id=None):
    """The partner whose money the actor reads: itself, or a distributor's named cloud reseller; None
    when that id is not one of its resellers or the actor reads no money."""
    if not _reads_money(actor):
        return None
    return book_owner(actor, indirect_partner_id)


def partner_account_of(partner) -> PartnerAccount:
    """The stored account, or an unsaved one with zero balances for a partner that never had money."""
    return PartnerAccount.objects.filter(partner=partner).first() or PartnerAccount(partner=partner)


def adjustments_for(actor, *, indirect_partner_id=None):
    owner = account_owner(actor, indirect_partner_id)
    if owner is None:
        return Adjustment.objects.none()
    return counted(Adjustment.objects.filter(partner=owner).select_related("customer", "reseller"),
                   ADJUSTMENTS.total_for(owner))


def adjustment_count_for(actor, *, indirect_partner_id=None) -> int:
    """How many adjustments adjustments_for lists — from the counter, without a COUNT over the table."""
    return count(adjustments_for(actor, indirect_partner_id=indirect_partner_id))


def partner_ledger_for(actor, *, indirect_partner_id=None):
    owner = account_owner(actor, indirect_partner_id)
    if owner is None or not actor.has_perm("billing.view"):
        return LedgerEntry.objects.none()
    return counted(LedgerEntry.objects.filter(partner=owner, balance_type__in=LEDGER_BALANCES)
                   .select_related("adjustment__customer", "adjustment__reseller"), LEDGER.total_for(owner))


def customer_balances_for(actor, customer_ids, *, indirect_partner_id=None):
    """Balances of the actor's resale customers among `customer_ids`; other ids are left out, as documented."""
    if not _reads_money(actor):
        return []
    # One statement: the customers with their account joined (a reverse one-to-one), without the list's
    # prefetch of associations and managers, which a balance does not show.
    customers = (resale_customers_for(actor, indirect_partner_id=indirect_partner_id)
                 .filter(domain_id__in=customer_ids).prefetch_related(None)
                 .select_related("account").only("pk", "domain_id", "account__customer", "account__balance")
                 .order_by("pk"))
    return [(customer, getattr(customer, "account", None)) for customer in customers]


def customer_account_of(customer) -> CustomerAccount:
    return CustomerAccount.objects.filter(customer=customer).first() or CustomerAccount(customer=customer)


def customer_ledger_for(actor):
    if not actor.is_customer:
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(customer=actor.customer)


def recharges_for(actor):
    if not actor.is_partner or not (actor.has_perm("billing.view") or actor.has_perm("funds.recharge")):
        return Recharge.objects.none()
    return Recharge.objects.filter(partner=actor.partner)


def can_purchase(customer) -> bool:
    """A customer whose balance is zero or less may not purchase or renew (the billing work calls this)."""
    return customer_account_of(customer).balance > ZERO


def partner_accounts_of(partners) -> dict:
    """{partner pk: account} for a page of partners in one query (unsaved zero accounts for those
    that never had money), so a list of resellers' balances does not query per row."""
    partners = list(partners)
    found = {account.partner_id: account for account in PartnerAccount.objects.filter(partner__in=partners)}
    return {partner.pk: found.get(partner.pk) or PartnerAccount(partner=partner) for partner in partners}


def available_change(entry):
    """How a partner's ledger entry changed its 账户余额: allocating (allocated +x) lowers it,
    reclaiming raises it; cash and credit entries change it by their own amount."""
    return -entry.amount if entry.balance_type == BalanceType.ALLOCATED else entry.amount


def available_after(entry):
    """The partner's 账户余额 after the entry (entries older than that figure show their own balance)."""
    return entry.available_after if entry.available_after is not None else entry.balance_after
