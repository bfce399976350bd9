"""Demo consumption (after every other demo; `manage.py seed_demo` runs them in INSTALLED_APPS order),
made through the same code production runs: usage records in through bills.ingest (the generator), rated
and deducted by bills.rating, months closed by bills.closing, thresholds checked by bills.thresholds.
Idempotent: a second run finds every record already stored and every month closed.

北京智云 (bj) gets:
- three closed months of its resale customers' pay-per-use usage (one record per resource and day; the
  current month's whole days too, and today's completed hours hourly, as the beat generator goes on in
  `make run`), the months closed into monthly sums and partner bills — and every older month the pages list
  closed too, empty but for bj's funding;
- 上海浦江 (bj-cust-02, whose access key `seed_demo --json` prints: associated with bj for four months) topped
  up first, so its balance pays every month and its pending orders stay affordable; a monthly outbound
  traffic package (资源包) for its bucket, in use since the start of the month; its usage spends its coupons,
  so bj issues it a new ECS coupon for its pending orders;
- bj-cust-06 in arrears (欠费): its balance reclaimed, purchases stopped at zero balance, consumption unpaid;
- a default low-balance threshold, and bj-cust-05 below it (told once).
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from billing import services as billing
from billing.choices import RechargeMethod
from billing.models import CustomerAccount, Recharge
from customers.models import Customer
from partnercenter.actors import SCHEDULER, actor_for_user
from trade import pricing
from trade import services as trade
from trade.demo import _product, _user_of
from vouchers import services as vouchers
from vouchers.models import CouponQuota

from . import closing, generator, order_fees, rating, thresholds
from .choices import PeriodStatus, ZeroBalancePolicy
from .models import BillingPeriod, ResourcePackage, UsageRecord
from .periods import current_cycle, cycle_bounds, next_cycle, previous_cycle
from .selectors import HISTORY_MONTHS

__all__ = ["seed"]

TOP_UP = Decimal("4000.00")
PACKAGE = ("hws.resource.type.obs", "obs.upflow.pkg.100gb", "cn-east-3")


def _resale_customers(bj):
    return [c for c in Customer.objects.filter(domain_name__startswith="bj-cust-").order_by("domain_name")
            if c.associations.filter(ended_on__isnull=True, partner=bj, association_type="2").exists()]


def _fund(ceo, bj, customers):
    """Top up the healthy resale customers (recharging bj's cash first where its funds would not cover it)."""
    needed = TOP_UP * len(customers)
    account = bj.account
    account.refresh_from_db()
    if account.available < needed:
        recharge = Recharge.objects.create(partner=bj, method=RechargeMethod.REMITTANCE, amount=needed,
                                           reference="DEMO-BJ-0003", remitter="招商银行 6225****0001")
        billing.complete_recharge(SCHEDULER, recharge_id=recharge.pk, succeeded=True)
    billing.batch_allocate(ceo, rows=[(c.domain_id, str(TOP_UP)) for c in customers])


def _package(pujiang, now):
    """A monthly traffic package for 上海浦江's bucket, bought and paid; in use since the month began."""
    resource_type, spec, region = PACKAGE
    product = _product(resource_type, spec, region=region)
    owner = _user_of(pujiang)
    order = trade.place_order(owner, customer_id=pujiang.domain_id, items=[pricing.Item(
        id="1", product=product, subscription_num=1, period_type=2, period_num=1)])
    trade.pay_order(owner, order_id=order.order_id)
    order_fees.record_missing()  # paid just now, after the seed's `now`: its fee record and its package
    # demo history: the package was bought at the start of the month, so this month's traffic used it
    start = cycle_bounds(current_cycle(now))[0]
    ResourcePackage.objects.filter(order_id=order.order_id).update(effective_time=start, cycle_start=start)


def seed(ctx: dict) -> None:
    partners, members = ctx["partners"], ctx["members"]
    bj = partners["bj"]
    if UsageRecord.objects.filter(customer__associations__partner=bj).exists():
        return
    now = timezone.now()
    ceo = actor_for_user(members["bj.ceo"].user)
    resale = _resale_customers(bj)
    by_name = {c.domain_name: c for c in resale}
    pujiang, in_arrears, low = by_name["bj-cust-02"], by_name["bj-cust-06"], by_name["bj-cust-05"]

    # the zero-balance policy and thresholds before any consumption
    thresholds.set_default(ceo, threshold=Decimal("1000.00"), zero_balance_policy=ZeroBalancePolicy.ARREARS)
    thresholds.set_customer_setting(ceo, customer_id=in_arrears.domain_id, threshold=Decimal("200.00"),
                                    zero_balance_policy=ZeroBalancePolicy.STOP_PURCHASES)
    balance = CustomerAccount.objects.get(customer=in_arrears).balance
    if balance > 0:
        billing.reclaim_from_customer(ceo, customer_id=in_arrears.domain_id, amount=balance)
    _fund(ceo, bj, [c for c in resale if c not in (in_arrears, low)])
    _package(pujiang, now)

    # three closed months and this month's whole days, a record per resource and day; today hour by hour
    cycle = current_cycle(now)
    first = previous_cycle(previous_cycle(previous_cycle(cycle)))
    today = timezone.localtime(now, cycle_bounds(cycle)[0].tzinfo).replace(hour=0, minute=0, second=0, microsecond=0)
    for customer in resale:
        generator.generate_days(since=cycle_bounds(first)[0], until=today, customer_id=customer.domain_id, now=now)
        hours = int((now - today) / timedelta(hours=1))
        if hours:
            generator.generate(hours=hours, customer_id=customer.domain_id, now=now)
    rating.rate_pending(now=now)
    # its usage spent its coupons (coupons pay before cash): bj gives it a new one for its pending ECS orders
    quota = CouponQuota.objects.filter(partner=bj, quota_type=0).order_by("pk").first()
    vouchers.issue_coupons(ceo, quota_id=quota.quota_id, customer_ids=[pujiang.domain_id], face_value="100.00",
                           cloud_service_types=["hws.service.type.ec2"], remark="云服务器专用（月度返券）")

    # every ended month the pages list closed, as a system running all along would have them (the older ones
    # empty but for bj's funding, four months back: billing.demo)
    closed = set(BillingPeriod.objects.filter(status=PeriodStatus.CLOSED).values_list("bill_cycle", flat=True))
    month = cycle
    for _i in range(HISTORY_MONTHS - 1):
        month = previous_cycle(month)
    while month != cycle:
        if month not in closed:
            closing.close_month(SCHEDULER, bill_cycle=month, now=now)
        month = next_cycle(month)

    # bj-cust-05 spends down to below the threshold (a reclaim stands in for a big purchase), then is told
    account = CustomerAccount.objects.get(customer=low)
    if account.balance > Decimal("300.00"):
        billing.reclaim_from_customer(ceo, customer_id=low.domain_id, amount=account.balance - Decimal("300.00"))
    thresholds.check_low_balances(SCHEDULER, now=now)

