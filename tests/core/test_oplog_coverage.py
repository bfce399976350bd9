"""Every write is recorded (ARCHITECTURE rule 4): each public service of billing and vouchers writes an
OperationLog row — the scheduler's runs and the operator's changes too. A new service fails
`test_every_service_is_described` until it is given a scenario here or a reason it writes no row."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import services as billing
from billing.errors import BillingCodes
from billing.models import Recharge
from partnercenter.actors import SCHEDULER
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog
from vouchers import services as vouchers
from vouchers.models import CouponQuota

from ..billing_helpers import fund
from ..conftest import actor_of, build_tenant
from ..factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


class World:
    """A distributor with a funded account, a cloud reseller, a resale customer and a quota."""

    def __init__(self):
        self.tenant = build_tenant("log", partner_type="distributor")
        self.actor = actor_of(self.tenant.admin)
        self.partner, self.customer = self.tenant.partner, self.tenant.resale
        self.reseller = PartnerFactory(partner_type="reseller", distributor=self.partner)
        fund(self.partner, "100.00")
        now = timezone.now()
        self.quota = CouponQuota.objects.create(partner=self.partner, quota_type=0, quota_value=Decimal("50.00"),
                                                balance=Decimal("50.00"), effective_time=now - timedelta(days=1),
                                                expire_time=now + timedelta(days=30))

    def allocate(self, amount="10.00"):
        return billing.allocate_to_customer(self.actor, customer_id=self.customer.domain_id, amount=amount)

    def coupon(self):
        infos, _errors = vouchers.issue_coupons(self.actor, quota_id=self.quota.quota_id, face_value="5.00",
                                                customer_ids=[self.customer.domain_id])
        return infos[0]["coupon_id"]

    def child_quota(self):
        infos, _errors = vouchers.issue_quota_to_resellers(self.actor, quota_id=self.quota.quota_id, quota_amount="5.00",
                                                           indirect_partner_ids=[self.reseller.domain_id])
        return infos[0]["quota_id"]


def _complete(w):
    recharge = Recharge.objects.create(partner=w.partner, method="remittance", amount=Decimal("1.00"))
    return lambda: billing.complete_recharge(actor_of(UserFactory(is_staff=True)), recharge_id=recharge.pk,
                                             succeeded=True)


def _expire(w):
    w.coupon()
    return lambda: vouchers.expire(SCHEDULER, now=timezone.now() + timedelta(days=60))


def _reclaim_coupon(w):
    coupon_id = w.coupon()
    return lambda: vouchers.reclaim_coupons(w.actor, coupon_ids=[coupon_id])


def _reclaim_quota(w):
    quota_id = w.child_quota()
    return lambda: vouchers.reclaim_reseller_quotas(w.actor, quota_ids=[quota_id])


def _reclaim_funds(w):
    w.allocate()
    return lambda: billing.reclaim_from_customer(w.actor, customer_id=w.customer.domain_id, amount="1.00")


def _consume(w):
    w.allocate()
    return lambda: billing.consume(SCHEDULER, customer=w.customer, amount="1.00", trans_id="order-1")


# service → (set-up returning the call, the action logged, the actor kind, the partner it is filed under)
WRITES = {
    "billing.allocate_to_customer": (lambda w: w.allocate, "funds.allocate", "member", "partner"),
    "billing.reclaim_from_customer": (_reclaim_funds, "funds.reclaim", "member", "partner"),
    "billing.batch_allocate": (lambda w: lambda: billing.batch_allocate(w.actor, rows=[(w.customer.domain_id, "1.00")]),
                               "funds.allocate", "member", "partner"),
    "billing.allocate_to_reseller": (
        lambda w: lambda: billing.allocate_to_reseller(w.actor, indirect_partner_id=w.reseller.domain_id, amount="1.00"),
        "funds.allocate_reseller", "member", "partner"),
    "billing.reclaim_from_reseller": (
        lambda w: (billing.allocate_to_reseller(w.actor, indirect_partner_id=w.reseller.domain_id, amount="2.00"),
                   lambda: billing.reclaim_from_reseller(w.actor, indirect_partner_id=w.reseller.domain_id,
                                                         amount="1.00"))[1],
        "funds.reclaim_reseller", "member", "partner"),
    "billing.start_online_recharge": (lambda w: lambda: billing.start_online_recharge(w.actor, amount="1.00"),
                                      "funds.recharge_online", "member", "partner"),
    "billing.record_remittance": (lambda w: lambda: billing.record_remittance(w.actor, amount="1.00", reference="R1"),
                                  "funds.remittance", "member", "partner"),
    "billing.complete_recharge": (_complete, "funds.recharge_succeeded", "operator", "partner"),
    "billing.set_credit_limit": (
        lambda w: lambda: billing.set_credit_limit(actor_of(UserFactory(is_staff=True)), partner=w.partner,
                                                   credit_limit="30.00"),
        "funds.credit_limit", "operator", "partner"),
    "billing.consume": (_consume, "funds.consume", "scheduler", "partner"),
    "vouchers.issue_coupons": (lambda w: w.coupon, "coupons.issue", "member", "partner"),
    "vouchers.reclaim_coupons": (_reclaim_coupon, "coupons.reclaim", "member", "partner"),
    "vouchers.issue_quota_to_resellers": (lambda w: w.child_quota, "quotas.issue_reseller", "member", "partner"),
    "vouchers.reclaim_reseller_quotas": (_reclaim_quota, "quotas.reclaim_reseller", "member", "partner"),
    "vouchers.expire": (_expire, "vouchers.expire", "scheduler", "partner"),
    "vouchers.grant_quota": (
        lambda w: lambda: vouchers.grant_quota(actor_of(UserFactory(is_staff=True)), partner=w.partner, quota_type=0,
                                               amount="20.00", effective_time=timezone.now(),
                                               expire_time=timezone.now() + timedelta(days=30)),
        "quotas.grant", "operator", "partner"),
}

# What writes no row of its own, and why.
NOT_LOGGED = {
    "billing.partner_account": "creates an empty account row on first use, inside the write that needs it",
    "billing.customer_account": "creates an empty account row on first use, inside the write that needs it",
    "billing.reclaim_on_unbind": "runs inside the approval's operation (association.approve), in its transaction",
    "vouchers.reclaim_on_association_end": "runs inside the approval's operation (association.approve)",
    "vouchers.lapse_customer_coupons": "runs inside the acceptance's operation (programs.reseller_accept)",
    "vouchers.warn_expiring": "changes no data: it records coupon.expiring events (once per coupon, keyed)",
    "billing.can_recharge": "a rule: reads only",
    "billing.can_receive_allocation": "a rule: reads only",
    "vouchers.resale_only": "a rule: reads only",
    "vouchers.can_receive_coupon": "a rule: reads only",
    "vouchers.can_go_to_resellers": "a rule: reads only",
}


def test_every_service_is_described():
    public = {f"{module.__name__.split('.')[0]}.{name}" for module in (billing, vouchers) for name in module.__all__
              if callable(getattr(module, name))}
    assert public == set(WRITES) | set(NOT_LOGGED)


@pytest.mark.parametrize("service", WRITES)
def test_each_write_leaves_an_operation_log_row(service):
    setup, action, actor_kind, filed_under = WRITES[service]
    world = World()
    run = setup(world)
    before = set(OperationLog.objects.values_list("pk", flat=True))

    run()

    [entry] = OperationLog.objects.exclude(pk__in=before).filter(action=action)
    assert (entry.result, entry.actor_kind) == ("success", actor_kind)
    assert entry.partner == (world.partner if filed_under == "partner" else None)


def test_an_expiry_run_is_logged_once_per_partner_and_a_run_with_nothing_due_not_at_all():
    world = World()
    world.coupon()
    later = timezone.now() + timedelta(days=60)

    assert vouchers.expire(SCHEDULER, now=later) == (1, 1)
    assert vouchers.expire(SCHEDULER, now=later + timedelta(hours=1)) == (0, 0)

    [entry] = OperationLog.objects.filter(action="vouchers.expire")
    assert (entry.actor_kind, entry.partner, entry.detail["coupons"], entry.detail["quotas"]) == (
        "scheduler", world.partner, 1, 1)


def test_a_refused_credit_limit_is_logged_as_a_failure_under_the_partner():
    world = World()
    billing.set_credit_limit(SCHEDULER, partner=world.partner, credit_limit="50.00")
    world.allocate("120.00")  # 20.00 of it on credit

    with pytest.raises(DomainError) as refused:
        billing.set_credit_limit(SCHEDULER, partner=world.partner, credit_limit="10.00")

    assert refused.value.code == BillingCodes.INSUFFICIENT_BALANCE
    assert list(OperationLog.objects.filter(action="funds.credit_limit", partner=world.partner).order_by("id")
                .values_list("result", "error_code")) == [("success", ""), ("failure", BillingCodes.INSUFFICIENT_BALANCE)]
