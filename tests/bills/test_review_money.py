"""Regressions found by the review of issue 14 (each failed before its fix): a referral customer is never frozen
at its partner's arrears limit (only resale customers have a zero-balance policy); an order the partner paid
(余额支付) is the partner's money — in 伙伴账单 it counts under "orders paid by the partner", not also under
"paid from allocations", in the running month and once the month is closed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bills import closing, order_fees, selectors
from bills.models import FeeRecord, LowBalanceSetting, PartnerBill
from bills.periods import cycle_bounds, cycle_of
from customers.models import Resource
from partnercenter.actors import SCHEDULER
from trade import services as trade

from ..trade.payment_helpers import period_item
from .rating_helpers import ECS, D, World, on_demand_resource, rate, usage

pytestmark = pytest.mark.django_db

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")  # 73.70 a month


def test_a_referral_customer_is_not_frozen_by_the_partners_arrears_limit():
    w = World()
    LowBalanceSetting.objects.create(partner=w.partner, customer=None, threshold=D("0"),
                                     zero_balance_policy="arrears", arrears_limit=D("0.10"))
    server = on_demand_resource(w.referral)
    usage(w.referral, ECS, resource_id=server.resource_id)
    rate()
    assert Resource.objects.get(pk=server.pk).status == 1


def _partner_paid_order(w):
    w.allocate("100.00")
    w.grant_ops()
    order = trade.place_order(w.admin, customer_id=w.resale.domain_id, items=[period_item(*SERVER)])
    trade.pay_for_customer(w.admin, order_id=order.order_id)
    return order


def test_a_partner_paid_order_is_not_paid_from_allocations_in_the_running_bill():
    w = World()
    order = _partner_paid_order(w)
    order_fees.record_missing()
    fee = FeeRecord.objects.get(trade_id=order.order_id)
    assert fee.partner_paid and fee.cash_amount == D("73.70")
    bill = selectors.running_bill(w.partner, cycle_of(timezone.now()))
    assert (bill.partner_paid_amount, bill.resale_cash_amount) == (D("73.70"), D("0.00"))


def test_a_partner_paid_order_is_not_paid_from_allocations_in_the_closed_bill():
    w = World()
    _partner_paid_order(w)
    cycle = cycle_of(timezone.now())
    closing.close_month(SCHEDULER, bill_cycle=cycle, now=cycle_bounds(cycle)[1] + timedelta(hours=1))
    bill = PartnerBill.objects.get(partner=w.partner, bill_cycle=cycle)
    assert (bill.partner_paid_amount, bill.resale_cash_amount) == (D("73.70"), D("0.00"))
