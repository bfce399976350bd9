"""A yearly/monthly resource's life after expiry (subscriptions.lifecycle, Celery beat): time travel with
time-machine through grace, retention and release; the run twice, or late, changes nothing the second time;
what each expiry policy does; the notices 7 days and 1 day before expiry, once each."""

from datetime import timedelta

import pytest
from django.utils import translation
import time_machine
from django.conf import settings

from catalog.choices import ChargeMode
from catalog.models import Product
from customers.models import Resource
from events.models import Event
from partnercenter.models import OperationLog
from subscriptions import autorenew, lifecycle, tasks
from subscriptions.models import AutoRenewal
from trade import services

from ..trade.payment_helpers import World, period_item

pytestmark = pytest.mark.django_db

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")  # 73.70 a month
DISK = ("hws.resource.type.volume", "SSD")             # 1.00 per GB a month
GRACE, RETENTION = settings.SUBSCRIPTION_GRACE_PERIOD, settings.SUBSCRIPTION_RETENTION_PERIOD
HOUR = timedelta(hours=1)
NOTHING = {"switched": 0, "released_at_expiry": 0, "frozen_at_expiry": 0, "expired": 0, "frozen": 0, "released": 0,
           "released_from_retention": 0}


def buy(world, *, disk=True, months=1, funds="1000.00"):
    """A server (and a 40 GB disk) bought and paid by the resale customer, as production makes them:
    (main resource, [subordinates]). `funds` are allocated to the customer first (None: none)."""
    if funds:
        world.allocate(funds)
    items = [period_item(*SERVER, months=months, item_id="vm")]
    if disk:
        items.append(period_item(*DISK, size=40, months=months, item_id="disk"))
    order = services.place_order(world.resale_user, customer_id=world.resale.domain_id, items=items)
    services.pay_order(world.resale_user, order_id=order.order_id)
    main = Resource.objects.get(order_id=order.order_id, is_main_resource=True)
    return main, list(Resource.objects.filter(parent_resource_id=main.resource_id).order_by("pk"))


def states(*resources):
    return [Resource.objects.get(pk=r.pk).status for r in resources]


def events(type_code, resource=None):
    found = Event.objects.filter(type=type_code)
    return found.filter(data__resource_id=resource.resource_id) if resource is not None else found


def moved(**counts):
    return {**NOTHING, **counts}


def test_a_resource_walks_through_grace_retention_and_release_and_each_run_again_changes_nothing():
    world = World()
    main, [disk] = buy(world)
    expiry = main.expire_time
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)
    autorenew.cancel_auto_renew(world.resale_user, resource_id=main.resource_id)

    with time_machine.travel(expiry - HOUR, tick=False):
        assert lifecycle.advance() == NOTHING
    with time_machine.travel(expiry + HOUR, tick=False):
        assert lifecycle.advance() == moved(expired=2)
        assert lifecycle.advance() == NOTHING  # run again: nothing more
    assert states(main, disk) == [5, 5]  # 宽限期: still usable
    with time_machine.travel(expiry + GRACE - HOUR, tick=False):
        assert lifecycle.advance() == NOTHING
    with time_machine.travel(expiry + GRACE + HOUR, tick=False):
        assert lifecycle.advance() == moved(frozen=2)
        assert lifecycle.advance() == NOTHING
    assert states(main, disk) == [4, 4]  # 保留期
    with time_machine.travel(expiry + GRACE + RETENTION + HOUR, tick=False):
        assert lifecycle.advance() == moved(released=2)
        assert lifecycle.advance() == NOTHING
    assert states(main, disk) == [3, 3]

    # Events for the main resource only, once per transition, to the partner (the customer's account manager
    # scope) and the customer.
    for type_code in ("subscription.expired", "subscription.frozen", "subscription.released"):
        [event] = events(type_code)
        assert event.data["resource_id"] == main.resource_id and event.partner == world.partner
        assert event.customer_pk == world.resale.pk and event.data["customer_id"] == world.resale.domain_id
        assert event.data["expire_time"] == expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert not Event.objects.filter(type__startswith="subscription.", data__resource_id=disk.resource_id).exists()
    logs = OperationLog.objects.filter(action="subscription.advance").order_by("id")
    assert [(log.partner, log.actor_kind) for log in logs] == [(world.partner, "scheduler")] * 3
    assert [log.detail.get(name) for log, name in zip(logs, ("expired", "frozen", "released"))] == [2, 2, 2]


def test_a_late_run_walks_every_missed_step_once_and_a_second_run_changes_nothing():
    world = World()
    main, [disk] = buy(world)
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id, times=2)

    with time_machine.travel(main.expire_time + GRACE + RETENTION + timedelta(days=3), tick=False):
        assert lifecycle.advance() == moved(expired=2, frozen=2, released=2)
        assert lifecycle.advance() == NOTHING
        assert tasks.advance.delay().get(timeout=60) == NOTHING  # the beat task: nothing more
    assert states(main, disk) == [3, 3]
    assert not AutoRenewal.objects.exists()  # a released resource is no longer auto-renewed
    assert set(Resource.objects.filter(pk__in=[main.pk, disk.pk]).values_list("expire_policy", flat=True)) == {0}
    assert [events(t, main).count() for t in ("subscription.expired", "subscription.frozen",
                                              "subscription.released")] == [1, 1, 1]
    assert OperationLog.objects.filter(action="subscription.advance").count() == 1


def test_a_renewal_paid_in_the_grace_period_brings_the_resource_back_and_the_run_leaves_it():
    world = World()
    main, [disk] = buy(world)
    with time_machine.travel(main.expire_time + HOUR, tick=False):
        lifecycle.advance()
        assert states(main, disk) == [5, 5]
        order = services.place_order(world.resale_user, customer_id=world.resale.domain_id, order_type=2,
                                     items=[period_item(*SERVER), period_item(*DISK, size=40)],
                                     resource_ids=[main.resource_id, disk.resource_id])
        services.pay_order(world.resale_user, order_id=order.order_id)
        assert lifecycle.advance() == NOTHING
    assert states(main, disk) == [2, 2]
    with time_machine.travel(main.expire_time + GRACE + HOUR, tick=False):
        assert lifecycle.advance() == NOTHING  # its grace period was measured from the old expiry: not any more


def test_policy_1_switches_to_pay_per_use_at_expiry():
    world = World()
    main, [disk] = buy(world)
    assert autorenew.set_to_on_demand(world.resale_user, resource_ids=[main.resource_id], operation="SET_UP") == []
    on_demand = Product.objects.get(charge_mode=ChargeMode.ON_DEMAND, resource_type__code=SERVER[0],
                                    resource_spec=SERVER[1], region__code="cn-north-4")

    with time_machine.travel(main.expire_time + HOUR, tick=False):
        assert lifecycle.advance() == moved(switched=2)
        assert lifecycle.advance() == NOTHING
    main.refresh_from_db()
    assert (main.charging_mode, main.status, main.expire_time, main.expire_policy) == ("on_demand", 1, None, None)
    assert main.product_id == on_demand.product_id
    disk.refresh_from_db()
    assert (disk.charging_mode, disk.status, disk.expire_time) == ("on_demand", 1, None)
    [event] = events("subscription.switched")
    assert event.data["resource_id"] == main.resource_id and event.key.startswith(f"resource:{main.pk}:switched:")


def test_policy_1_switches_to_the_pay_per_use_product_even_after_it_left_the_shelf():
    """bills/rating.py rates an off-shelf product: the resource continues on it, never on its yearly/monthly
    product id (whose usage could not be rated)."""
    world = World()
    main, [disk] = buy(world)
    assert autorenew.set_to_on_demand(world.resale_user, resource_ids=[main.resource_id], operation="SET_UP") == []
    on_demand = {rt: Product.objects.get(charge_mode=ChargeMode.ON_DEMAND, resource_type__code=rt, resource_spec=spec,
                                         region__code="cn-north-4") for rt, spec in (SERVER, DISK)}
    Product.objects.filter(pk__in=[p.pk for p in on_demand.values()]).update(is_active=False)  # off the shelf

    with time_machine.travel(main.expire_time + HOUR, tick=False):
        assert lifecycle.advance() == moved(switched=2)
        assert lifecycle.advance() == NOTHING
    main.refresh_from_db()
    disk.refresh_from_db()
    assert (main.charging_mode, main.status, main.product_id) == ("on_demand", 1, on_demand[SERVER[0]].product_id)
    assert (disk.charging_mode, disk.status, disk.product_id) == ("on_demand", 1, on_demand[DISK[0]].product_id)
    assert events("subscription.switched", main).count() == 1 and not events("subscription.expired").exists()


def test_policy_1_without_any_pay_per_use_product_expires_into_grace_and_tells_the_customer():
    """No pay-per-use product of the server at all (not even off the shelf): the family (its disk too, which
    has one) is not switched — it takes the normal expiry path, and the customer and partner are told."""
    world = World()
    main, [disk] = buy(world)
    bought = main.product_id
    assert autorenew.set_to_on_demand(world.resale_user, resource_ids=[main.resource_id], operation="SET_UP") == []
    Product.objects.filter(charge_mode=ChargeMode.ON_DEMAND, resource_type__code=SERVER[0], resource_spec=SERVER[1],
                           region__code="cn-north-4").delete()

    with time_machine.travel(main.expire_time + HOUR, tick=False):
        assert lifecycle.advance() == moved(expired=2)
        assert lifecycle.advance() == NOTHING
    assert states(main, disk) == [5, 5]  # 宽限期
    main.refresh_from_db()
    disk.refresh_from_db()
    assert (main.charging_mode, main.product_id, main.expire_policy) == ("period", bought, 0)
    assert (disk.charging_mode, disk.expire_policy) == ("period", 0)
    assert not events("subscription.switched").exists()
    [event] = events("subscription.expired")
    assert event.data["resource_id"] == main.resource_id and event.data["error_code"] == "CBC.99006006"
    assert event.key == f"resource:{main.pk}:5:{main.expire_time.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    assert event.partner == world.partner and event.customer_pk == world.resale.pk
    with translation.override("en"):
        assert "grace period" in event.text_for("customer")
    assert OperationLog.objects.get(action="subscription.advance").detail["expired"] == 2
    with time_machine.travel(main.expire_time + GRACE + HOUR, tick=False):
        assert lifecycle.advance() == moved(frozen=2)  # and on, as any expired resource


def test_policy_2_releases_at_expiry_and_policy_4_freezes_at_expiry_without_grace():
    world = World()
    released, _subs = buy(world, disk=False)
    frozen, [disk] = buy(world)
    autorenew.set_expire_policy(world.resale_user, resource_id=released.resource_id, policy=2)
    autorenew.set_expire_policy(world.resale_user, resource_id=frozen.resource_id, policy=4)
    expiry = max(released.expire_time, frozen.expire_time)

    with time_machine.travel(expiry + HOUR, tick=False):
        assert lifecycle.advance() == moved(released_at_expiry=1, frozen_at_expiry=2)
        assert lifecycle.advance() == NOTHING
    assert states(released, frozen, disk) == [3, 4, 4]
    # policy 4: released when the retention period ends, counted from the expiry (no grace period first)
    with time_machine.travel(frozen.expire_time + RETENTION - HOUR, tick=False):
        assert lifecycle.advance() == NOTHING
    with time_machine.travel(frozen.expire_time + RETENTION + HOUR, tick=False):
        assert lifecycle.advance() == moved(released_from_retention=2)
    assert states(frozen, disk) == [3, 3]
    assert [e.data["resource_id"] for e in events("subscription.released").order_by("id")] == [
        released.resource_id, frozen.resource_id]
    assert events("subscription.frozen").get().data["resource_id"] == frozen.resource_id
    assert not events("subscription.expired").exists()


def test_notices_7_days_and_1_day_before_expiry_once_each():
    world = World()
    main, _subs = buy(world)
    expiry = main.expire_time
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)

    with time_machine.travel(expiry - timedelta(days=8), tick=False):
        assert lifecycle.warn_expiring() == 0
    with time_machine.travel(expiry - timedelta(days=6), tick=False):
        assert lifecycle.warn_expiring() == 1
        assert lifecycle.warn_expiring() == 0  # once
    with time_machine.travel(expiry - timedelta(days=2), tick=False):
        assert tasks.warn_expiring.delay().get(timeout=60) == 0
    with time_machine.travel(expiry - timedelta(hours=12), tick=False):
        assert lifecycle.warn_expiring() == 1
        assert lifecycle.warn_expiring() == 0
    with time_machine.travel(expiry + HOUR, tick=False):
        assert lifecycle.warn_expiring() == 0  # expired: no more notices

    seven, one = events("subscription.expiring").order_by("id")
    assert (seven.data["days"], one.data["days"]) == (7, 1)
    assert seven.data == {"resource_id": main.resource_id, "resource_name": main.resource_name,
                          "customer_id": world.resale.domain_id, "account_name": world.resale.domain_name,
                          "expire_time": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"), "days": 7, "auto_renew": True}
    assert seven.partner == world.partner and seven.customer_pk == world.resale.pk
    with translation.override("en"):  # the English wording (zh-hans is the default language)
        assert "expires within 7 days" in seven.text and "7" in seven.text_for("customer")


def test_a_renewed_resource_is_warned_again_for_its_new_expiry():
    world = World()
    main, [disk] = buy(world)
    with time_machine.travel(main.expire_time - timedelta(days=3), tick=False):
        assert lifecycle.warn_expiring() == 1
        order = services.place_order(world.resale_user, customer_id=world.resale.domain_id, order_type=2,
                                     items=[period_item(*SERVER), period_item(*DISK, size=40)],
                                     resource_ids=[main.resource_id, disk.resource_id])
        services.pay_order(world.resale_user, order_id=order.order_id)
        assert lifecycle.warn_expiring() == 0
    main.refresh_from_db()
    with time_machine.travel(main.expire_time - timedelta(days=3), tick=False):
        assert lifecycle.warn_expiring() == 1
    assert events("subscription.expiring").count() == 2


def test_the_beat_schedule_names_the_tasks():
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"subscriptions.tasks.advance", "subscriptions.tasks.warn_expiring",
            "subscriptions.tasks.auto_renew"} <= names
