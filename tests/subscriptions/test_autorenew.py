"""Auto-renew, expiry policies, the renew configuration and to-on-demand at expiry (subscriptions.autorenew),
and the scheduler's automatic renewal: it pays exactly once per expiry; when the balance does not cover it
the order stays unpaid and the customer and its partner are told."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation
import time_machine
from dateutil.relativedelta import relativedelta

from catalog.choices import PeriodType
from customers.models import Resource
from events.dispatch import dispatch_all
from events.models import Event, Notification
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog
from subscriptions import autorenew, lifecycle, renewal, tasks
from subscriptions.errors import SubscriptionCodes
from subscriptions.models import AutoRenewal, AutoRenewAttempt, RenewConfig
from trade import services
from trade.errors import TradeCodes
from trade.models import Order, OrderLine

from ..trade.payment_helpers import World, balance, verify_ledger
from .test_lifecycle import buy

pytestmark = pytest.mark.django_db

MONTH = Decimal("113.70")  # the server (73.70) and its 40 GB disk (40.00), one month


def policies(*resources):
    return [Resource.objects.get(pk=r.pk).expire_policy for r in resources]


def refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert error.value.code == code, error.value.message


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------

def test_setting_and_cancelling_auto_renew_covers_the_subordinates():
    world = World()
    main, [disk] = buy(world)
    user = world.resale_user

    auto = autorenew.set_auto_renew(user, resource_id=main.resource_id)
    assert (auto.times, auto.period_type, auto.renewed) == (0, "MONTH", 0)  # the purchase was monthly
    assert policies(main, disk) == [3, 3]
    auto = autorenew.set_auto_renew(user, resource_id=main.resource_id, times=5)
    assert (auto.times, auto.period_type) == (5, "MONTH")
    auto = autorenew.set_auto_renew(user, resource_id=main.resource_id, period_type="YEAR")
    assert (auto.times, auto.period_type) == (5, "YEAR")
    for times, period in [(100, None), (-1, None), ("x", None), (True, None), (None, "DAY")]:
        refused("CBC.0100", autorenew.set_auto_renew, user, resource_id=main.resource_id, times=times,
                period_type=period)
    refused(SubscriptionCodes.NOT_MAIN_RESOURCE, autorenew.set_auto_renew, user, resource_id=disk.resource_id)
    assert AutoRenewal.objects.get().times == 5

    autorenew.cancel_auto_renew(user, resource_id=main.resource_id)
    assert policies(main, disk) == [0, 0] and not AutoRenewal.objects.exists()
    refused(SubscriptionCodes.AUTO_RENEW_NOT_SET, autorenew.cancel_auto_renew, user, resource_id=main.resource_id)
    Resource.objects.filter(pk=main.pk).update(status=3)
    refused(SubscriptionCodes.RELEASED, autorenew.set_auto_renew, user, resource_id=main.resource_id)
    assert OperationLog.objects.filter(action="subscription.auto_renew_set", result="success").count() == 3


def test_a_yearly_resource_auto_renews_by_the_year_by_default():
    world = World()
    main, _subs = buy(world, disk=False)
    OrderLine.objects.filter(resource_id=main.resource_id).update(period_type=PeriodType.YEAR)
    assert autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id).period_type == "YEAR"


def test_the_renew_configuration_is_validated_and_the_customers_own():
    world = World()
    user = world.resale_user
    assert autorenew.set_renew_config(user, name="DEDUCTION_DATE", value="3").deduction_days == 3
    config = autorenew.set_renew_config(user, name="EXPIRE_DATE", value="-1")
    assert (config.deduction_days, config.expire_day) == (3, -1)
    assert autorenew.set_renew_config(user, name="EXPIRE_DATE", value=28).expire_day == 28
    for name, value in [("DEDUCTION_DATE", "1"), ("DEDUCTION_DATE", "8"), ("EXPIRE_DATE", "29"),
                        ("EXPIRE_DATE", "0"), ("EXPIRE_DATE", "-2"), ("EXPIRE_DATE", "1.5"), ("OTHER", "3"),
                        ("DEDUCTION_DATE", None)]:
        refused("CBC.0100", autorenew.set_renew_config, user, name=name, value=value)
    refused("CBC.0151", autorenew.set_renew_config, world.admin, name="DEDUCTION_DATE", value="3")
    assert RenewConfig.objects.get().expire_day == 28 and RenewConfig.objects.count() == 1


def test_choosing_another_expiry_policy_cancels_auto_renew():
    world = World()
    main, [disk] = buy(world)
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)
    autorenew.set_expire_policy(world.resale_user, resource_id=main.resource_id, policy=2)
    assert policies(main, disk) == [2, 2] and not AutoRenewal.objects.exists()
    for policy in (1, 3, 5, "x", None):
        refused("CBC.0100", autorenew.set_expire_policy, world.resale_user, resource_id=main.resource_id,
                policy=policy)
    assert policies(main, disk) == [2, 2]
    autorenew.set_expire_policy(world.resale_user, resource_id=main.resource_id, policy=0)
    with time_machine.travel(main.expire_time + timedelta(hours=1), tick=False):
        lifecycle.advance()  # in its grace period now: what happens at expiry has happened
        refused(SubscriptionCodes.WRONG_STATE, autorenew.set_expire_policy, world.resale_user,
                resource_id=main.resource_id, policy=4)
    assert policies(main, disk) == [0, 0]


def test_to_on_demand_at_expiry_is_set_and_cancelled_with_per_row_failures():
    world = World()
    main, [disk] = buy(world)
    released, _subs = buy(world, disk=False)
    Resource.objects.filter(pk=released.pk).update(status=3)
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)
    user = world.resale_user

    failures = autorenew.set_to_on_demand(user, operation="SET_UP", resource_ids=[
        main.resource_id, disk.resource_id, released.resource_id, "nope"])

    assert [(f.resource_id, f.code) for f in failures] == [
        (disk.resource_id, SubscriptionCodes.NOT_MAIN_RESOURCE), (released.resource_id, SubscriptionCodes.RELEASED),
        ("nope", "CBC.0156")]
    assert policies(main, disk) == [1, 1] and not AutoRenewal.objects.exists()
    assert autorenew.set_to_on_demand(user, operation="CANCEL", resource_ids=[main.resource_id]) == []
    assert policies(main, disk) == [0, 0]
    [failure] = autorenew.set_to_on_demand(user, operation="CANCEL", resource_ids=[main.resource_id])
    assert failure.code == SubscriptionCodes.WRONG_STATE
    refused("CBC.0100", autorenew.set_to_on_demand, user, operation="SETUP", resource_ids=[main.resource_id])
    refused("CBC.0100", autorenew.set_to_on_demand, user, operation="SET_UP",
            resource_ids=[f"r{i}" for i in range(101)])
    with time_machine.travel(main.expire_time + timedelta(hours=1), tick=False):
        lifecycle.advance()
        [failure] = autorenew.set_to_on_demand(user, operation="SET_UP", resource_ids=[main.resource_id])
        assert failure.code == SubscriptionCodes.WRONG_STATE  # in its grace period: too late
    assert policies(main, disk) == [0, 0]


def test_a_partner_needs_the_customers_authorization_to_change_the_settings():
    world = World()
    main, _subs = buy(world, disk=False)
    orderer = world.member_with("orders.place", "customers.view", "customers.view_all")
    refused(TradeCodes.NOT_AUTHORIZED_TO_ORDER, autorenew.set_auto_renew, orderer, resource_id=main.resource_id)
    world.grant_ops()
    assert autorenew.set_auto_renew(orderer, resource_id=main.resource_id, times=2).times == 2
    assert autorenew.set_to_on_demand(orderer, customer_id=world.resale.domain_id, operation="SET_UP",
                                      resource_ids=[main.resource_id]) == []
    assert policies(main) == [1]


# ---------------------------------------------------------------------------------------------
# The automatic renewal
# ---------------------------------------------------------------------------------------------

def test_auto_renew_pays_once_before_expiry_and_again_only_for_the_next_expiry():
    world = World()
    main, [disk] = buy(world, funds="1000.00")
    expiry = main.expire_time
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)

    with time_machine.travel(expiry - timedelta(days=8), tick=False):
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 0}
    with time_machine.travel(expiry - timedelta(days=6), tick=False):
        assert autorenew.run_due() == {"paid": 1, "unpaid": 0, "failed": 0}
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 0}
        assert tasks.auto_renew.delay().get(timeout=60) == {"paid": 0, "unpaid": 0, "failed": 0}

    [order] = Order.objects.filter(order_type=2)
    assert (order.status, order.source_type, order.amount_after_discount) == (5, 8, MONTH)
    assert balance(world.resale) == Decimal("1000.00") - MONTH * 2
    for resource in (main, disk):
        resource.refresh_from_db()
        assert resource.expire_time == expiry + relativedelta(months=1) and resource.status == 2
    [attempt] = AutoRenewAttempt.objects.all()
    assert (attempt.outcome, attempt.order, attempt.for_expiry) == ("paid", order, expiry)
    assert AutoRenewal.objects.get().renewed == 1
    [event] = Event.objects.filter(type="subscription.auto_renewed")
    assert (event.partner, event.customer_pk) == (world.partner, world.resale.pk)
    assert event.data["order_id"] == order.order_id and event.data["amount"] == str(MONTH)
    assert OperationLog.objects.get(action="subscription.auto_renew_run").detail["paid"] == 1

    with time_machine.travel(main.expire_time - timedelta(days=6), tick=False):  # the next expiry
        assert autorenew.run_due()["paid"] == 1
    assert Order.objects.filter(order_type=2, status=5).count() == 2
    assert "Ledger verified" in verify_ledger()


def test_the_deduction_day_and_the_number_of_renewals_are_kept():
    world = World()
    main, [disk] = buy(world, funds="1000.00")
    autorenew.set_renew_config(world.resale_user, name="DEDUCTION_DATE", value="3")
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id, times=1)
    expiry = main.expire_time

    with time_machine.travel(expiry - timedelta(days=4), tick=False):
        assert autorenew.run_due()["paid"] == 0  # 3 days before expiry, not 7
    with time_machine.travel(expiry - timedelta(days=2), tick=False):
        assert autorenew.run_due()["paid"] == 1
    assert not AutoRenewal.objects.exists()  # its one renewal made: auto-renew ends
    assert policies(main, disk) == [0, 0]
    main.refresh_from_db()
    with time_machine.travel(main.expire_time - timedelta(days=1), tick=False):
        assert autorenew.run_due()["paid"] == 0


def test_when_the_balance_does_not_cover_it_the_order_stays_unpaid_and_customer_and_partner_are_told():
    world = World()
    main, [disk] = buy(world, funds=str(MONTH + Decimal("10.00")))
    expiry = main.expire_time
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)

    with time_machine.travel(expiry - timedelta(days=5), tick=False):
        assert autorenew.run_due() == {"paid": 0, "unpaid": 1, "failed": 0}
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 0}  # no second order

    [order] = Order.objects.filter(order_type=2)
    assert (order.status, order.source_type) == (6, 8)  # waiting for the customer
    assert balance(world.resale) == Decimal("10.00")
    main.refresh_from_db()
    assert main.expire_time == expiry
    [attempt] = AutoRenewAttempt.objects.all()
    assert (attempt.outcome, attempt.order, attempt.error_code) == ("unpaid", order, TradeCodes.BALANCE_NOT_ENOUGH)
    [event] = Event.objects.filter(type="subscription.auto_renew_failed")
    assert event.data["order_id"] == order.order_id and event.data["error_code"] == TradeCodes.BALANCE_NOT_ENOUGH
    assert (event.partner, event.customer_pk) == (world.partner, world.resale.pk)
    with translation.override("en"):  # the English wording (zh-hans is the default language)
        assert "failed" in event.text and "failed" in event.text_for("customer")
    assert not Event.objects.filter(type="order.paid", data__order_id=order.order_id).exists()
    assert "Ledger verified" in verify_ledger()

    dispatch_all(send=False)  # told: the partner's administrator and the customer's user
    told = set(Notification.objects.filter(event=event).values_list("user", flat=True))
    assert {world.tenant.admin.user.pk, world.resale_user.user.pk} <= told

    # the customer tops up and pays the order itself; the resource is extended once
    world.allocate("200.00")
    with time_machine.travel(expiry - timedelta(days=4), tick=False):
        services.pay_order(world.resale_user, order_id=order.order_id)
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 0}
    main.refresh_from_db()
    assert main.expire_time == expiry + relativedelta(months=1)


def test_a_customer_with_no_balance_fails_to_auto_renew_without_an_order():
    world = World()
    main, _subs = buy(world, funds=str(MONTH))
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)
    with time_machine.travel(main.expire_time - timedelta(days=1), tick=False):
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 1}
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 0}
    assert not Order.objects.filter(order_type=2).exists()
    attempt = AutoRenewAttempt.objects.get()
    assert (attempt.outcome, attempt.order, attempt.error_code) == ("failed", None, TradeCodes.BALANCE_NOT_POSITIVE)
    assert Event.objects.get(type="subscription.auto_renew_failed").data["order_id"] is None


def test_a_resource_in_its_grace_period_is_still_auto_renewed_and_comes_back():
    world = World()
    main, [disk] = buy(world, funds="1000.00")
    with time_machine.travel(main.expire_time + timedelta(days=2), tick=False):
        lifecycle.advance()
        autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)
        assert autorenew.run_due()["paid"] == 1
        assert lifecycle.advance()["frozen"] == 0
    main.refresh_from_db()
    assert main.status == 2


def test_a_resource_renewed_by_hand_meanwhile_is_not_renewed_again():
    world = World()
    main, _subs = buy(world, funds="1000.00")
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)
    with time_machine.travel(main.expire_time - timedelta(days=3), tick=False):
        outcome = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1)
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 1}  # its renewal is waiting for payment
        assert AutoRenewAttempt.objects.get().error_code == SubscriptionCodes.RENEWAL_PENDING
        services.pay_order(world.resale_user, order_id=outcome.order.order_id)
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 0}  # not due any more
    assert Order.objects.filter(order_type=2, status=5).count() == 1


def test_switching_at_expiry_is_refused_when_a_subordinate_has_no_pay_per_use_product():
    """The whole family switches at expiry: a server whose disk has no pay-per-use product is refused (as the
    instant switch refuses it), so no disk ever turns pay-per-use with a yearly/monthly product."""
    from catalog.models import Product

    world = World()
    main, [disk] = buy(world)
    Product.objects.filter(resource_type__code=disk.resource_type_code, resource_spec=disk.resource_spec_code,
                           region__code=disk.region_code, charge_mode=3).update(is_active=False)
    [failure] = autorenew.set_to_on_demand(world.resale_user, resource_ids=[main.resource_id], operation="SET_UP")
    assert failure.code == TradeCodes.PRODUCT_NOT_FOUND and disk.resource_id in failure.message
    main.refresh_from_db()
    disk.refresh_from_db()
    assert (main.expire_policy, disk.expire_policy) == (0, 0)
