"""Resources bought before Resource.order_line_id existed get it from the data migration, so their purchase is
refunded like any other (subscriptions/migrations/0002)."""

from importlib import import_module

import pytest
from django.apps import apps

from customers.models import Resource
from trade import services as trade

from ..trade.payment_helpers import World, period_item

pytestmark = pytest.mark.django_db

backfill = import_module("subscriptions.migrations.0002_backfill_resource_order_lines").backfill


def test_resources_of_a_paid_order_get_the_line_that_bought_them_main_and_subordinate_apart():
    world = World()
    world.allocate("1000.00")
    order = trade.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[
        period_item(item_id="vm", quantity=2), period_item("hws.resource.type.volume", "SSD", size=40, item_id="d",
                                                           quantity=2)])
    trade.pay_order(world.resale_user, order_id=order.order_id)
    expected = dict(Resource.objects.filter(order_id=order.order_id).values_list("pk", "order_line_id"))
    assert all(expected.values()) and len(set(expected.values())) == 2
    Resource.objects.filter(order_id=order.order_id).update(order_line_id="")  # as before the field existed

    backfill(apps, None)

    assert dict(Resource.objects.filter(order_id=order.order_id).values_list("pk", "order_line_id")) == expected


def test_a_resource_whose_order_is_not_a_paid_purchase_is_left_alone():
    world = World()
    resource = Resource.objects.create(customer=world.resale, charging_mode="period", resource_id="old-1",
                                       service_type_code="x", resource_type_code="y", region_code="r",
                                       order_id="CS-NOT-AN-ORDER", status=2, effective_time="2026-01-01T00:00Z")
    backfill(apps, None)
    resource.refresh_from_db()
    assert resource.order_line_id == ""
