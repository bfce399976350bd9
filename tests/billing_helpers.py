"""Shared helpers for money tests: fund a partner, snapshot every balance and the ledger."""

from decimal import Decimal

from billing import services
from billing.models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount


def fund(partner, amount, *, credit_limit=None):
    """Give a partner cash the way production does: a recharge the provider confirms."""
    from billing.choices import RechargeMethod
    from billing.models import Recharge
    from partnercenter.actors import SCHEDULER

    recharge = Recharge.objects.create(partner=partner, method=RechargeMethod.REMITTANCE, amount=Decimal(amount),
                                       reference="TEST")
    services.complete_recharge(SCHEDULER, recharge_id=recharge.pk, succeeded=True)
    if credit_limit is not None:
        services.set_credit_limit(SCHEDULER, partner=partner, credit_limit=Decimal(credit_limit))
    return PartnerAccount.objects.get(partner=partner)


def snapshot():
    return {
        "partners": sorted(PartnerAccount.objects.values_list("partner_id", "cash_balance", "credit_limit",
                                                              "allocated_amount")),
        "customers": sorted(CustomerAccount.objects.values_list("customer_id", "balance")),
        "entries": LedgerEntry.objects.count(),
        "adjustments": Adjustment.objects.count(),
    }
