"""The world the order and payment tests work in: the demo catalogue, a solution provider with a funded
account, its resale and referral customers (each with a signed-in user), coupons, the 代客运维 grant — all
made through the services, as production makes them."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from billing import services as billing
from billing.models import CustomerAccount, LedgerEntry, PartnerAccount
from catalog.choices import ChargeMode, PeriodType
from catalog.demo import seed_catalog
from catalog.models import Product
from customers import services as customers
from trade.pricing import Item
from vouchers import services as vouchers
from vouchers.models import Coupon, CouponQuota

from ..billing_helpers import fund
from ..conftest import actor_of, build_tenant
from ..factories import CustomerUserFactory, MemberFactory, RoleFactory

__all__ = ["World", "product", "period_item", "on_demand_item", "balance", "partner_cash", "coupon", "verify_ledger",
           "ledger_of", "EC2", "EVS"]

EC2, EVS = "hws.service.type.ec2", "hws.service.type.evs"


def product(resource_type, spec, *, mode=ChargeMode.PERIOD, region="cn-north-4") -> Product:
    return Product.objects.select_related("service_type", "resource_type", "region").get(
        resource_type__code=resource_type, resource_spec=spec, region__code=region, charge_mode=mode)


def period_item(resource_type="hws.resource.type.vm", spec="s6.small.1.linux", *, months=1, quantity=1, size=None,
                item_id="1", region="cn-north-4", period_type=PeriodType.MONTH) -> Item:
    found = product(resource_type, spec, region=region)
    return Item(id=item_id, product=found, subscription_num=quantity, resource_size=size,
                size_measure_id=found.size_measure_id if size else None, period_type=period_type, period_num=months)


def on_demand_item(resource_type="hws.resource.type.vm", spec="s6.small.1.linux", *, quantity=1, item_id="1") -> Item:
    found = product(resource_type, spec, mode=ChargeMode.ON_DEMAND)
    return Item(id=item_id, product=found, subscription_num=quantity, usage_value=Decimal("1"),
                usage_measure_id=found.usage_measure_id)


def balance(customer) -> Decimal:
    return CustomerAccount.objects.filter(customer=customer).values_list("balance", flat=True).first() or Decimal("0")


def partner_cash(partner) -> Decimal:
    return PartnerAccount.objects.get(partner=partner).cash_balance


def coupon(coupon_id) -> Coupon:
    return Coupon.objects.get(coupon_id=coupon_id)


def verify_ledger() -> str:
    out = StringIO()
    call_command("verify_ledger", stdout=out, stderr=StringIO())
    return out.getvalue()


class World:
    """A solution provider (funded with 10,000.00), its administrator, a resale and a referral customer
    with a user each; the demo catalogue."""

    def __init__(self, tag="w", partner_type="solution_provider", funds="10000.00"):
        seed_catalog()
        self.tenant = build_tenant(tag, partner_type=partner_type)
        self.partner = self.tenant.partner
        self.admin = actor_of(self.tenant.admin)
        self.resale, self.referral = self.tenant.resale, self.tenant.referral
        self.resale_user = actor_of(CustomerUserFactory(customer=self.resale).user)
        self.referral_user = actor_of(CustomerUserFactory(customer=self.referral).user)
        fund(self.partner, funds)

    def allocate(self, amount, customer=None):
        billing.allocate_to_customer(self.admin, customer_id=(customer or self.resale).domain_id, amount=amount)

    def member_with(self, *permissions, username=None):
        role = RoleFactory(partner=self.partner, permissions=list(permissions))
        kwargs = {"user__username": username} if username else {}
        return actor_of(MemberFactory(partner=self.partner, roles=[role], **kwargs))

    def grant_ops(self, customer=None, *, days=30):
        """代客运维 requested by the partner and granted by the customer (valid `days` from now)."""
        customer = customer or self.resale
        authorization = customers.request_ops_authorization(self.admin, customer_id=customer.domain_id, reason="r")
        user = self.resale_user if customer == self.resale else actor_of(CustomerUserFactory(customer=customer).user)
        granted = customers.decide_ops_authorization(user, authorization_id=authorization.pk, agree=True)
        if days != 30:
            type(granted).objects.filter(pk=granted.pk).update(valid_until=timezone.now() + timedelta(days=days))
        return granted

    def quota(self, quota_type=0, value="5000.00", service_types=(), product_ids=()):
        now = timezone.now()
        return CouponQuota.objects.create(
            partner=self.partner, quota_type=quota_type, quota_value=Decimal(value), balance=Decimal(value),
            effective_time=now - timedelta(days=1), expire_time=now + timedelta(days=90),
            cloud_service_types=list(service_types), product_ids=list(product_ids))

    def issue(self, face_value, *, customer=None, quota_type=0, service_types=(), product_ids=(), **extra) -> str:
        """A coupon (代金券 from a cash-coupon quota, 现金券 from a flexi-purchase quota) for the customer."""
        quota = self.quota(quota_type, service_types=service_types, product_ids=product_ids)
        infos, errors = vouchers.issue_coupons(self.admin, quota_id=quota.quota_id, face_value=face_value,
                                               customer_ids=[(customer or self.resale).domain_id],
                                               cloud_service_types=list(service_types), product_ids=list(product_ids),
                                               **extra)
        assert not errors, errors
        return infos[0]["coupon_id"]


def ledger_of(owner) -> list[tuple]:
    """(trade type, amount, balance after) of an owner's entries, oldest first."""
    field = "partner" if hasattr(owner, "partner_type") else "customer"
    return list(LedgerEntry.objects.filter(**{field: owner}).order_by("id")
                .values_list("trade_type", "amount", "balance_after"))

