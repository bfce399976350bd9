"""Regressions found by the review of issue 14 (each failed before its fix): a refund belongs to the partner of the charge it
refunds, not to the customer's partner at refund time."""

from datetime import timedelta
import pytest
from django.utils import timezone
from bills import order_fees
from bills.models import FeeRecord
from bills.choices import BillType
from customers.models import Association
from subscriptions import unsubscribing
from trade import services as trade
from ..trade.payment_helpers import period_item
from .rating_helpers import World
from ..conftest import build_tenant
from ..factories import AssociationFactory
pytestmark = pytest.mark.django_db

def test_refund_of_old_partners_order_lands_on_new_partner():
    w = World()
    w.allocate('500.00')
    order = trade.place_order(w.resale_user, customer_id=w.resale.domain_id, items=[period_item('hws.resource.type.vm', 's6.small.1.linux')])
    trade.pay_order(w.resale_user, order_id=order.order_id)
    order_fees.record_missing()
    buy = FeeRecord.objects.get(trade_id=order.order_id)
    assert buy.partner == w.partner
    b = build_tenant('b')
    now = timezone.now()
    Association.objects.filter(customer=w.resale, ended_on__isnull=True).update(ended_on=now - timedelta(minutes=5))
    AssociationFactory(partner=b.partner, customer=w.resale, association_type='1', associated_on=now - timedelta(minutes=5))
    resource = w.resale.resources.get(order_id=order.order_id)
    unsubscribing.unsubscribe(w.resale_user, resource_ids=[resource.resource_id], unsubscribe_type=1)
    order_fees.record_missing()
    refund = FeeRecord.objects.get(bill_type=BillType.REFUND)
    assert refund.partner_id == w.partner.pk, "refund of A's order attributed to B"
