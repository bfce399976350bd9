"""Demo subscriptions, made through the services as production makes them (after trade's demo; `manage.py
seed_demo` runs the apps' demos in INSTALLED_APPS order). Idempotent: a second run adds nothing.

北京智云 (bj) and its customers get:
- 上海浦江 (bj-cust-02, the customer whose access key `seed_demo --json` prints): two more monthly servers
  bought and paid from its balance (so a script with its key can renew, switch and unsubscribe them), one
  of them renewed automatically, and a balance that covers a month's renewal;
- bj-cust-06: servers bought earlier, so that one expires in 5 days (switching to pay-per-use at expiry),
  one is in its grace period, one in its retention period (frozen) and one was released — each order's
  dates moved back as if it had been bought then, and the scheduler's expiry run moved them on;
- bj-cust-05: the renewal trade's demo paid for it is unsubscribed (renewals only, not started yet: refunded
  whole); the coupon it used covered that renewal, so the whole refund goes back to the coupon and none to
  the balance;
- every yearly/monthly demo resource marked auto-renew has its auto-renew setting;
- the expiry notices (7 and 1 days) of what expires soon.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from billing import services as billing
from customers.models import Customer, Resource
from partnercenter.actors import SCHEDULER, actor_for_user
from trade import services as trade
from trade.demo import SERVER, _item, _user_of
from trade.models import Order, OrderLine

from . import lifecycle, services
from .choices import AutoRenewPeriod, ExpirePolicy, UnsubscribeReason, UnsubscribeType
from .models import AutoRenewal, Unsubscription

__all__ = ["seed"]


def seed(ctx: dict) -> None:
    customers = {c.domain_name: c for c in Customer.objects.filter(domain_name__startswith="bj-cust-")}
    if Unsubscription.objects.filter(customer__in=customers.values()).exists():
        return
    ceo = actor_for_user(ctx["members"]["bj.ceo"].user)
    _auto_renew_settings()

    # 上海浦江: two monthly servers of its own, one auto-renewed.
    pujiang = customers["bj-cust-02"]
    buyer = _user_of(pujiang)
    order = trade.place_order(buyer, customer_id=pujiang.domain_id,
                              items=[_item(*SERVER, item_id="a"), _item(*SERVER, item_id="b")])
    trade.pay_order(buyer, order_id=order.order_id)
    first = Resource.objects.filter(order_id=order.order_id, is_main_resource=True).order_by("pk").first()
    services.set_auto_renew(buyer, resource_id=first.resource_id, period_type=AutoRenewPeriod.MONTH)

    # bj-cust-06: one resource in each state of its life after expiry.
    c06 = customers["bj-cust-06"]
    billing.allocate_to_customer(ceo, customer_id=c06.domain_id, amount="500.00")
    owner = _user_of(c06)
    for days_ago, policy in ((25, ExpirePolicy.TO_ON_DEMAND), (33, None), (50, None), (75, None)):
        bought = trade.place_order(owner, customer_id=c06.domain_id, items=[_item(*SERVER)])
        trade.pay_order(owner, order_id=bought.order_id)
        _bought_earlier(bought, timedelta(days=days_ago))
        if policy == ExpirePolicy.TO_ON_DEMAND:
            resource = Resource.objects.get(order_id=bought.order_id)
            services.set_to_on_demand(owner, resource_ids=[resource.resource_id], operation="SET_UP")
    lifecycle.advance(SCHEDULER)

    # bj-cust-05: the renewal trade's demo paid with a coupon (which covered it all) is unsubscribed.
    c05 = customers["bj-cust-05"]
    renewal = (OrderLine.objects.filter(order__customer=c05, order__order_type=2, order__status=5)
               .exclude(resource_id="").order_by("pk").first())
    if renewal is not None:
        services.unsubscribe(_user_of(c05), resource_ids=[renewal.resource_id],
                             unsubscribe_type=UnsubscribeType.RENEWALS, reason_type=UnsubscribeReason.OTHER,
                             reason="项目延期，续费的月份暂时用不上")
    lifecycle.warn_expiring(SCHEDULER)


def _auto_renew_settings() -> None:
    """The customers demo marks its yearly/monthly resources auto-renewed (expire_policy 3): give each main
    one the setting that goes with it (monthly, no limit)."""
    marked = Resource.objects.filter(charging_mode="period", is_main_resource=True, expire_policy=ExpirePolicy.AUTO_RENEW,
                                     auto_renewal__isnull=True)
    AutoRenewal.objects.bulk_create([AutoRenewal(resource=r, customer_id=r.customer_id, period_type=AutoRenewPeriod.MONTH)
                                     for r in marked])


@transaction.atomic
def _bought_earlier(order, shift) -> None:
    """As if `order` had been placed and paid `shift` ago: its times, its lines' periods and its resources'
    dates all move back together (so refunds and expiry read a consistent history)."""
    Order.objects.filter(pk=order.pk).update(create_time=F("create_time") - shift,
                                             payment_time=F("payment_time") - shift,
                                             pending_payment_end_time=F("pending_payment_end_time") - shift)
    OrderLine.objects.filter(order=order).update(effective_time=F("effective_time") - shift,
                                                 expire_time=F("expire_time") - shift)
    Resource.objects.filter(order_id=order.order_id).update(effective_time=F("effective_time") - shift,
                                                            expire_time=F("expire_time") - shift,
                                                            updated_at=timezone.now())
