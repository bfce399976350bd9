"""Low balance (bills.thresholds): the partner's default and a customer's own setting, the check that tells a
crossing once (to the customer's users and its account manager, through the outbox), resets on recovery and
tells the next crossing again, its scope (resale customers with a setting; only the customers given), the
policy the deduction reads, and who may change settings (another tenant's customer is not found)."""

from decimal import Decimal

import pytest

from billing import services as billing
from bills import thresholds
from bills.choices import ZeroBalancePolicy
from bills.models import LowBalanceSetting, LowBalanceState
from bills.tasks_closing import check_low_balances
from customers.models import Association
from events.dispatch import dispatch_all
from events.models import Event, Notification
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..trade.payment_helpers import World
from ..factories import AssociationFactory, CustomerUserFactory
from .closing_helpers import at

pytestmark = pytest.mark.django_db

D = Decimal
ARREARS, STOP = ZeroBalancePolicy.ARREARS, ZeroBalancePolicy.STOP_PURCHASES


@pytest.fixture
def w(db):
    world = World()
    Association.objects.filter(customer=world.resale, ended_on__isnull=True).update(
        account_manager=world.tenant.member)
    billing.allocate_to_customer(world.admin, customer_id=world.resale.domain_id, amount=D("50.00"))
    return world


def allocate(w, amount, customer=None):
    billing.allocate_to_customer(w.admin, customer_id=(customer or w.resale).domain_id, amount=D(amount))


def reclaim(w, amount):
    billing.reclaim_from_customer(w.admin, customer_id=w.resale.domain_id, amount=D(amount))


def low_events():
    return list(Event.objects.filter(type="balance.low").order_by("id"))


def state(customer):
    return LowBalanceState.objects.filter(customer=customer).values_list("below", flat=True).first()


def test_a_crossing_is_told_once_recovery_resets_and_the_next_fall_is_told_again(w):
    thresholds.set_default(w.admin, threshold="100.00", zero_balance_policy=ARREARS, arrears_limit="20.00")
    with at("2026-03-01 10:00"):
        assert thresholds.check_low_balances() == {"crossed": 1, "recovered": 0}
    assert state(w.resale) is True
    [event] = low_events()
    assert event.customer_pk == w.resale.pk and event.partner_id == w.partner.pk
    assert event.account_manager_id == w.tenant.member.pk
    assert event.data == {"customer_id": w.resale.domain_id, "account_name": w.resale.domain_name,
                          "amount": "50.00", "threshold": "100.00"}
    assert "¥50.00" in event.text and "100.00" in event.text
    with at("2026-03-01 10:10"):
        assert check_low_balances() == {"crossed": 0, "recovered": 0}  # the task: still below, told already
    assert len(low_events()) == 1
    allocate(w, "60.00")  # 110.00: above again
    with at("2026-03-01 10:20"):
        assert thresholds.check_low_balances() == {"crossed": 0, "recovered": 1}
    assert state(w.resale) is False and len(low_events()) == 1
    reclaim(w, "20.00")  # 90.00: below again, a new crossing
    with at("2026-03-01 10:30"):
        assert thresholds.check_low_balances() == {"crossed": 1, "recovered": 0}
        assert thresholds.check_low_balances() == {"crossed": 0, "recovered": 0}
    assert [e.data["amount"] for e in low_events()] == ["50.00", "90.00"]


def test_the_customer_and_its_account_manager_are_told_not_another_account_manager(w):
    owner = CustomerUserFactory(customer=w.resale, is_owner=True).user
    other_manager = w.member_with("customers.view")
    thresholds.set_default(w.admin, threshold="80.00", zero_balance_policy=STOP)
    thresholds.check_low_balances()
    dispatch_all(send=False)
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert {owner.pk, w.resale_user.user.pk, w.tenant.member.user.pk} <= told
    assert other_manager.user.pk not in told
    notification = Notification.objects.get(user=owner, event__type="balance.low")
    assert "50.00" in notification.event.text_for("customer")


def test_an_own_setting_beats_the_default_and_zero_or_no_setting_watches_nothing(w):
    thresholds.set_default(w.admin, threshold="100.00", zero_balance_policy=ARREARS, arrears_limit="0")
    thresholds.set_customer_setting(w.admin, customer_id=w.resale.domain_id, threshold="10.00",
                                    zero_balance_policy=ARREARS, arrears_limit="5.00")
    assert thresholds.check_low_balances()["crossed"] == 0
    thresholds.set_customer_setting(w.admin, customer_id=w.resale.domain_id, threshold="0",
                                    zero_balance_policy=STOP)
    reclaim(w, "50.00")  # balance 0.00, threshold 0: never below
    assert thresholds.check_low_balances()["crossed"] == 0
    assert thresholds.delete_customer_setting(w.admin, customer_id=w.resale.domain_id) is True
    assert thresholds.delete_customer_setting(w.admin, customer_id=w.resale.domain_id) is False
    assert thresholds.check_low_balances()["crossed"] == 1  # the default again: 0.00 < 100.00
    LowBalanceSetting.objects.all().delete()
    assert thresholds.check_low_balances() == {"crossed": 0, "recovered": 1}  # no setting: not watched


def test_referral_customers_and_other_partners_customers_are_not_watched(w):
    stranger = World("sx")
    thresholds.set_default(w.admin, threshold="1000.00", zero_balance_policy=STOP)
    stranger_default = thresholds.set_default(stranger.admin, threshold="0.00", zero_balance_policy=STOP)
    assert stranger_default.partner == stranger.partner
    thresholds.check_low_balances()
    assert [e.customer_pk for e in low_events()] == [w.resale.pk]  # not the referral one, not the stranger's
    assert LowBalanceState.objects.count() == 1


def test_a_run_for_some_customers_leaves_the_others(w):
    second = AssociationFactory(partner=w.partner, association_type="2").customer
    thresholds.set_default(w.admin, threshold="100.00", zero_balance_policy=STOP)
    assert check_low_balances([second.pk]) == {"crossed": 1, "recovered": 0}
    assert [e.customer_pk for e in low_events()] == [second.pk]
    allocate(w, "200.00", customer=second)
    assert thresholds.check_low_balances(customers=[w.resale.pk]) == {"crossed": 1, "recovered": 0}
    assert state(second) is True  # not looked at in that run
    assert thresholds.check_low_balances() == {"crossed": 0, "recovered": 1}


def test_the_policy_the_deduction_reads(w):
    assert thresholds.policy_of(w.resale) is None
    thresholds.set_default(w.admin, threshold="30.00", zero_balance_policy=ARREARS, arrears_limit="200.00")
    assert thresholds.policy_of(w.resale) == thresholds.Policy(D("30.00"), ARREARS, D("200.00"))
    thresholds.set_customer_setting(w.admin, customer_id=w.resale.domain_id, threshold="5.00",
                                    zero_balance_policy=STOP, arrears_limit="99.00")
    assert thresholds.policies_of([w.resale.pk, w.referral.pk]) == {
        w.resale.pk: thresholds.Policy(D("5.00"), STOP, D("0.00"))}  # stop: no arrears limit kept


def test_who_may_set_what(w):
    stranger = World("sx")
    for customer_id in (stranger.resale.domain_id, "nope", ""):
        with pytest.raises(DomainError) as missing:
            thresholds.set_customer_setting(w.admin, customer_id=customer_id, threshold="1.00",
                                            zero_balance_policy=STOP)
        assert missing.value.code == Codes.NOT_FOUND
    with pytest.raises(DomainError) as referral:
        thresholds.set_customer_setting(w.admin, customer_id=w.referral.domain_id, threshold="1.00",
                                        zero_balance_policy=STOP)
    assert referral.value.code == "CBC.99009031"
    for bad in ("1.234", "-1", "1e3", "abc"):
        with pytest.raises(DomainError) as wrong:
            thresholds.set_customer_setting(w.admin, customer_id=w.resale.domain_id, threshold=bad,
                                            zero_balance_policy=STOP)
        assert wrong.value.code == Codes.PARAMETER
    with pytest.raises(DomainError):
        thresholds.set_customer_setting(w.admin, customer_id=w.resale.domain_id, threshold="1.00",
                                        zero_balance_policy="sometimes")
    allocator = w.member_with("funds.allocate", "customers.view")  # no customers.view_all: no default
    with pytest.raises(DomainError) as forbidden:
        thresholds.set_default(allocator, threshold="1.00", zero_balance_policy=STOP)
    assert forbidden.value.code == Codes.FORBIDDEN
    viewer = w.member_with("customers.view", "customers.view_all")  # no funds.allocate
    with pytest.raises(DomainError) as no_right:
        thresholds.set_customer_setting(viewer, customer_id=w.resale.domain_id, threshold="1.00",
                                        zero_balance_policy=STOP)
    assert no_right.value.code == Codes.FORBIDDEN
    assert not LowBalanceSetting.objects.exists()
    thresholds.set_customer_setting(w.admin, customer_id=w.resale.domain_id, threshold="12.00",
                                    zero_balance_policy=ARREARS, arrears_limit="3.00")
    logs = OperationLog.objects.filter(action="bills.low_balance_set").order_by("id")
    assert [log.result for log in logs][-1] == "success"
    assert logs.last().target_id == w.resale.domain_id and logs.last().detail["threshold"] == "12.00"
    assert logs.filter(result="failure").count() == 10
