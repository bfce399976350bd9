"""What the partner page tests share (test_partner_pages.py, test_partner_expiring.py): the world, clients that
read the pages in English, buying through trade's services, and reading the rendered tables."""

import re
from datetime import timedelta

from django.utils import timezone

from customers.choices import PeriodStatus
from customers.models import Resource
from trade import services as trade

from ..conftest import login_client
from ..factories import ResourceFactory
from ..trade.payment_helpers import World, period_item
from .refund_helpers import DISK, SERVER, at

__all__ = ["world", "client_of", "body", "rows", "row_html", "confirm_fields", "buy", "resources_page", "unsubscribed",
           "stage", "EXPIRING", "EC2"]

EXPIRING = "/subscriptions/expiring/"
EC2 = "hws.service.type.ec2"


def world(tag="sp") -> World:
    """The payment tests' world, its resale customer funded with 2,000.00 by the partner."""
    made = World(tag)
    made.allocate("2000.00")
    return made


def client_of(actor):
    """Signed in, reading the pages in English (the texts asserted are the msgids, whatever the catalogues say)."""
    client = login_client(actor.user)
    client.cookies["django_language"] = "en"
    return client


def body(response) -> str:
    return response.content.decode()


def rows(response, table) -> list[str]:
    """The data-resource values of a table's rows, in order."""
    found = re.search(rf'<table[^>]*id="{table}".*?</table>', body(response), re.S)
    assert found, f"no table #{table}"
    return re.findall(r'<tr[^>]* data-resource="([^"]+)"', found.group(0))


def row_html(response, resource_id) -> str:
    found = re.search(rf'<tr[^>]* data-resource="{re.escape(resource_id)}".*?</tr>', body(response), re.S)
    assert found, f"no row for {resource_id}"
    return found.group(0)


def confirm_fields(response) -> dict:
    form = re.search(r'<form method="post" id="confirm-form">(.*?)</form>', body(response), re.S)
    assert form, "no confirmation form on the page"
    fields: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)):
        fields.setdefault(name, []).append(value)
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form.group(1), re.S):
        fields.setdefault(name, []).append(value.strip())
    return {name: values if len(values) > 1 else values[0] for name, values in fields.items()}


def buy(w, *, disk=False, months=1, customer=None, user=None):
    """A server (and a 40 GB disk) bought and paid by the customer: (main, [subordinates])."""
    customer, user = customer or w.resale, user or w.resale_user
    items = [period_item(*SERVER, months=months, item_id="vm")]
    if disk:
        items.append(period_item(*DISK, size=40, months=months, item_id="disk"))
    order = trade.place_order(user, customer_id=customer.domain_id, items=items)
    trade.pay_order(user, order_id=order.order_id)
    main = Resource.objects.get(order_id=order.order_id, is_main_resource=True)
    return main, list(Resource.objects.filter(parent_resource_id=main.resource_id, is_main_resource=False))


def resources_page(client, customer, **query):
    return client.get(f"/customers/{customer.domain_id}/resources/", {"mode": "period", **query})


def unsubscribed(w, *, when="2026-01-11 12:00"):
    """A server bought on 2026-01-01 and unsubscribed by the customer itself at `when`: the refund order."""
    from subscriptions import unsubscribing

    with at("2026-01-01 00:00"):
        main, _subs = buy(w)
    with at(when):
        outcome = unsubscribing.unsubscribe(w.resale_user, resource_ids=[main.resource_id], unsubscribe_type=1,
                                            reason_type=5, reason="不再需要")
    assert not outcome.failures, outcome.failures
    return outcome.orders[0]



def stage(customer, *, days, status=PeriodStatus.IN_USE, **extra):
    """A yearly/monthly resource expiring `days` from now (the ORM sets the stage)."""
    return ResourceFactory(customer=customer, charging_mode="period", status=status,
                           expire_time=timezone.now() + timedelta(days=days), **extra)
