"""What the subscription SDK tests share: a World (a funded solution provider, its resale customer with a
user and an access key, the demo catalogue) whose customer bought yearly/monthly resources through real
orders, the official SDK's clients of that customer and of the partner, and a snapshot of everything a
refused call must leave as it was."""

from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    AutoRenewalResourcesReq, AutoRenewalResourcesRequest, CancelAutoRenewalResourcesRequest,
    CancelResourcesSubscriptionRequest, PeriodToOnDemandInstantlyReq, PeriodToOnDemandReq, RenewalResourcesReq,
    RenewalResourcesRequest, RenewResourceConfigReq, SetResourcesRenewConfigRequest, UnsubscribeResourcesReq,
    UpdatePeriodToOnDemandInstantlyRequest, UpdatePeriodToOnDemandRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from billing.models import CustomerAccount, LedgerEntry, PartnerAccount
from customers.models import Resource
from subscriptions.models import AutoRenewal, RefundItem, RefundPayout, RenewConfig, Unsubscription
from trade import services as trade_services
from trade.models import Order
from vouchers.models import Coupon

from ..factories import make_access_key
from ..signed import bss_client
from ..trade.payment_helpers import World, period_item

__all__ = ["SERVER", "DISK", "OBS_PACKAGE", "world_fixture", "buy", "subordinates", "customer_client", "partner_client",
           "refused", "state", "money", "renew", "renew_config", "auto_renew", "cancel_auto_renew", "unsubscribe",
           "to_on_demand", "instantly"]

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")   # 73.70 a month in cn-north-4
DISK = ("hws.resource.type.volume", "SSD")              # 1.00 per GB a month
OBS_PACKAGE = ("hws.resource.type.obs", "obs.standard.pkg.40gb")  # yearly/monthly only: no pay-per-use product


@pytest.fixture(name="world")
def world_fixture(db):
    """A World whose resale customer has 1,000.00 and an access key; partner B's customer has a server."""
    world = World("a")
    world.allocate("1000.00")
    world.customer_key, world.customer_secret = make_access_key(world.resale_user.user)
    world.b = World("b")
    world.b.allocate("500.00")
    world.b_server = buy(world.b, world.b.resale_user, world.b.resale)
    return world


def buy(world, actor=None, customer=None, *, disk=True, spec=SERVER, months=1) -> Resource:
    """A server (with a 40 GB disk) bought and paid by the customer: its main resource."""
    actor, customer = actor or world.resale_user, customer or world.resale
    items = [period_item(*spec, item_id="main", months=months)]
    if disk:
        items.append(period_item(*DISK, size=40, item_id="disk", months=months))
    order = trade_services.place_order(actor, customer_id=customer.domain_id, items=items)
    trade_services.pay_order(actor, order_id=order.order_id)
    return Resource.objects.get(order_id=order.order_id, is_main_resource=True)


def subordinates(resource) -> list[Resource]:
    return list(Resource.objects.filter(parent_resource_id=resource.resource_id, customer=resource.customer)
                .exclude(pk=resource.pk).order_by("pk"))


def customer_client(live_server, world):
    return bss_client(live_server.url, ak=world.customer_key.ak, sk=world.customer_secret,
                      domain_id=world.resale.domain_id)


def partner_client(live_server, world):
    tenant = world.tenant
    return bss_client(live_server.url, ak=tenant.key.ak, sk=tenant.secret, domain_id=world.partner.domain_id)


def refused(call_sdk) -> tuple[int, str]:
    with pytest.raises(ClientRequestException) as error:
        call_sdk()
    return error.value.status_code, error.value.error_code


def state() -> dict:
    """Every resource's billing state, every order, auto-renewal, renew setting, refund, coupon and balance,
    and the ledger."""
    return {
        "resources": sorted(Resource.objects.values_list("resource_id", "charging_mode", "status", "expire_time",
                                                         "expire_policy", "product_id")),
        "orders": sorted(Order.objects.values_list("order_id", "order_type", "status", "amount_after_discount",
                                                   "cash_amount", "payment_time", "cancelled_at")),
        "auto_renewals": sorted(AutoRenewal.objects.values_list("resource_id", "times", "period_type", "renewed")),
        "renew_configs": sorted(RenewConfig.objects.values_list("customer_id", "deduction_days", "expire_day")),
        "refunds": (RefundItem.objects.count(), RefundPayout.objects.count(), Unsubscription.objects.count()),
        "coupons": sorted(Coupon.objects.values_list("coupon_id", "status", "balance")),
        "customer_balances": sorted(CustomerAccount.objects.values_list("customer_id", "balance")),
        "partner_balances": sorted(PartnerAccount.objects.values_list("partner_id", "cash_balance")),
        "ledger": LedgerEntry.objects.count(),
    }


def money(value) -> Decimal:
    """An amount as the SDK parsed it (a float or a Decimal), to the fen."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


# The official SDK's calls, one helper per operation.

def renew(client, resource_ids, *, period_type=2, period_num=1, is_auto_pay=None):
    return client.renewal_resources(RenewalResourcesRequest(body=RenewalResourcesReq(
        resource_ids=resource_ids, period_type=period_type, period_num=period_num, is_auto_pay=is_auto_pay)))


def renew_config(client, name, value):
    return client.set_resources_renew_config(SetResourcesRenewConfigRequest(body=RenewResourceConfigReq(
        config_name=name, config_value=value)))


def auto_renew(client, resource_id, *, times=None, period_type=None, body=True):
    request = AutoRenewalResourcesRequest(resource_id=resource_id, body=AutoRenewalResourcesReq(
        auto_renew_times=times, period_type=period_type) if body else None)
    return client.auto_renewal_resources(request)


def cancel_auto_renew(client, resource_id):
    return client.cancel_auto_renewal_resources(CancelAutoRenewalResourcesRequest(resource_id=resource_id))


def unsubscribe(client, resource_ids, *, unsubscribe_type=1, reason_type=None, reason=None):
    return client.cancel_resources_subscription(CancelResourcesSubscriptionRequest(body=UnsubscribeResourcesReq(
        resource_ids=resource_ids, unsubscribe_type=unsubscribe_type, unsubscribe_reason_type=reason_type,
        unsubscribe_reason=reason)))


def to_on_demand(client, resource_ids, operation="SET_UP"):
    return client.update_period_to_on_demand(UpdatePeriodToOnDemandRequest(body=PeriodToOnDemandReq(
        operation=operation, resource_ids=resource_ids)))


def instantly(client, resource_ids):
    return client.update_period_to_on_demand_instantly(UpdatePeriodToOnDemandInstantlyRequest(
        body=PeriodToOnDemandInstantlyReq(resource_ids=resource_ids)))
