"""Demo money: every demo partner funded (one with a credit limit), allocations and reclaims in the
records, a distributor funding its resellers, and a pending offline remittance. Idempotent.

The solution provider's (bj's) funding is dated four months back, before the three months bills.demo closes: its
partner bills then show the credit account it had and its customers paying from allocations made before —
not a month whose bill says "no credit, nothing allocated" beside customers paying from allocations."""

from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Q

from customers.models import Customer
from partnercenter.actors import SCHEDULER, actor_for_user

from . import services
from .choices import RechargeMethod, RechargeStatus
from .models import Adjustment, LedgerEntry, Recharge

__all__ = ["seed"]

FUNDED_BEFORE = relativedelta(months=4)
FUNDING = {"bj": "50000.00", "hd": "200000.00", "hz": "0.00", "sz": "0.00"}


def seed(ctx: dict) -> None:
    partners, members = ctx["partners"], ctx["members"]
    if Adjustment.objects.filter(partner=partners["bj"]).exists():
        return
    before = {model: model.objects.aggregate(last=Max("pk"))["last"] or 0
              for model in (LedgerEntry, Adjustment, Recharge)}
    for key, amount in FUNDING.items():
        if Decimal(amount):
            recharge = Recharge.objects.create(partner=partners[key], method=RechargeMethod.REMITTANCE, amount=amount,
                                               reference=f"DEMO-{key.upper()}-0001", remitter="招商银行 6225****0001")
            services.complete_recharge(SCHEDULER, recharge_id=recharge.pk, succeeded=True)
    services.set_credit_limit(SCHEDULER, partner=partners["bj"], credit_limit=Decimal("20000.00"))
    Recharge.objects.create(partner=partners["bj"], method=RechargeMethod.REMITTANCE, amount="10000.00",
                            reference="DEMO-BJ-0002", remitter="工商银行 6222****8888", requested_by="bj.finance")

    ceo = actor_for_user(members["bj.ceo"].user)
    resale = [c for c in Customer.objects.filter(domain_name__startswith="bj-cust-").order_by("domain_name")
              if c.associations.filter(ended_on__isnull=True, association_type="2").exists()]
    for index, customer in enumerate(resale[:6]):
        services.allocate_to_customer(ceo, customer_id=customer.domain_id, amount=Decimal(1000 * (index + 1)))
    services.reclaim_from_customer(ceo, customer_id=resale[0].domain_id, amount=Decimal("300.00"))
    services.batch_allocate(ceo, rows=[(c.domain_id, "500.00") for c in resale[:3]])

    distributor = actor_for_user(members["hd.admin"].user)
    for key, amount in (("hz", "30000.00"), ("sz", "20000.00")):
        services.allocate_to_reseller(distributor, indirect_partner_id=partners[key].domain_id, amount=amount)
    services.reclaim_from_reseller(distributor, indirect_partner_id=partners["sz"].domain_id, amount="5000.00")
    hz_customers = Customer.objects.filter(domain_name__startswith="hz-cust-").order_by("domain_name")
    for customer in hz_customers:
        if customer.associations.filter(ended_on__isnull=True, association_type="2").exists():
            services.allocate_to_customer(actor_for_user(members["hz.admin"].user), customer_id=customer.domain_id,
                                          amount="2000.00")
    _into_the_past(partners["bj"], before)


def _into_the_past(partner, before: dict) -> None:
    """What this seed wrote of `partner`'s money, dated FUNDED_BEFORE earlier (its customers have been associated
    longer: customers.demo); the pending remittance stays pending today."""
    rows = {
        LedgerEntry: (Q(partner=partner) | Q(customer__associations__partner=partner), ("created_at",)),
        Adjustment: (Q(partner=partner), ("created_at",)),
        Recharge: (Q(partner=partner, status=RechargeStatus.SUCCEEDED), ("created_at", "decided_at")),
    }
    for model, (mine, fields) in rows.items():
        for row in model.objects.filter(mine, pk__gt=before[model]).distinct().values("pk", *fields):
            model.objects.filter(pk=row.pop("pk")).update(**{name: value - FUNDED_BEFORE
                                                             for name, value in row.items() if value})
