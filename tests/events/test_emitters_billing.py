"""The money domain records its events in the outbox inside the movement's transaction: allocations and
reclaims (single, batch, to and from cloud resellers, on disassociation) and completed recharges. A
refused movement records nothing; a batch records one event per row that moved money, in one INSERT."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing import services
from billing.errors import BillingCodes
from billing.models import Recharge
from customers import services as customer_services
from events.models import Event
from partnercenter.actors import SCHEDULER
from partnercenter.errors import Codes

from ..billing_helpers import fund
from ..conftest import actor_of, build_tenant
from ..factories import AssociationFactory, CustomerUserFactory, PartnerFactory, UserFactory
from .test_emitters_customers import one, recorded, refused, secret_looking_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(tenant_a):
    fund(tenant_a.partner, "100.00")
    Event.objects.all().delete()  # the recharge's own event (tested below)
    return tenant_a


def test_an_allocation_records_funds_allocated(funded):
    tenant = funded
    AssociationFactory._meta.model.objects.filter(customer=tenant.resale).update(account_manager=tenant.member)
    adjustment = services.allocate_to_customer(actor_of(tenant.admin), customer_id=tenant.resale.domain_id,
                                               amount="12.5")

    event = one("funds.allocated")
    assert (event.partner, event.customer_pk, event.account_manager) == (
        tenant.partner, tenant.resale.pk, tenant.member)
    assert event.data == {"customer_id": tenant.resale.domain_id, "account_name": tenant.resale.domain_name,
                          "amount": "12.50", "trans_id": adjustment.trans_id,
                          "operation_type": "SOURCE_OPERATION_BEADJUST"}
    assert "¥12.50" in event.text


def test_a_refused_allocation_or_reclaim_records_nothing(funded):
    actor = actor_of(funded.admin)
    refused(BillingCodes.INSUFFICIENT_BALANCE, lambda: services.allocate_to_customer(
        actor, customer_id=funded.resale.domain_id, amount="100.01"))
    refused(BillingCodes.NOT_RESALE, lambda: services.allocate_to_customer(
        actor, customer_id=funded.referral.domain_id, amount="1.00"))
    refused(BillingCodes.RECLAIM_EXCEEDS_BALANCE, lambda: services.reclaim_from_customer(
        actor, customer_id=funded.resale.domain_id, amount="1.00"))
    refused(Codes.PARAMETER, lambda: services.allocate_to_customer(
        actor, customer_id=funded.resale.domain_id, amount="1.001"))


def test_a_reclaim_records_funds_reclaimed(funded):
    actor = actor_of(funded.admin)
    services.allocate_to_customer(actor, customer_id=funded.resale.domain_id, amount="10.00")
    adjustment = services.reclaim_from_customer(actor, customer_id=funded.resale.domain_id, amount="4.00")

    event = one("funds.reclaimed")
    assert (event.data["amount"], event.data["trans_id"], event.data["operation_type"]) == (
        "4.00", adjustment.trans_id, "SOURCE_OPERATION_BERETRIEVE")
    assert event.customer_pk == funded.resale.pk


def test_a_batch_records_one_event_per_row_that_moved_money_in_one_insert(funded):
    first, second = (AssociationFactory(partner=funded.partner, association_type="2").customer for _ in range(2))
    rows = [(first.domain_id, "10.00"), ("nobody", "1.00"), (funded.referral.domain_id, "1.00"),
            (second.domain_id, "95.00"), (second.domain_id, "2.50"), (first.domain_id, "0.001")]
    with CaptureQueriesContext(connection) as queries:
        results = services.batch_allocate(actor_of(funded.admin), rows=rows)

    assert [r["ok"] for r in results] == [True, False, False, False, True, False]
    events = recorded("funds.allocated")
    assert [(e.customer_pk, e.data["amount"], e.data["trans_id"]) for e in events] == [
        (first.pk, "10.00", results[0]["trans_id"]), (second.pk, "2.50", results[4]["trans_id"])]
    assert len({e.data["batch_id"] for e in events}) == 1
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "events_event"')]
    assert len(inserts) == 1


def test_a_batch_where_every_row_fails_records_nothing(funded):
    results = services.batch_allocate(actor_of(funded.admin), rows=[(funded.resale.domain_id, "500.00")])
    assert not results[0]["ok"]
    assert recorded() == []


def test_ending_a_resale_association_records_the_reclaim_on_unbind(funded):
    actor = actor_of(funded.admin)
    services.allocate_to_customer(actor, customer_id=funded.resale.domain_id, amount="30.00")
    request = customer_services.request_disassociation(actor, customer_id=funded.resale.domain_id, reason="r")
    customer_services.decide_event(actor_of(CustomerUserFactory(customer=funded.resale).user), event_id=request.pk,
                                   approve=True)

    event = one("funds.reclaimed")
    assert (event.partner, event.customer_pk) == (funded.partner, funded.resale.pk)
    assert (event.data["amount"], event.data["operation_type"]) == ("30.00", "SOURCE_OPERATION_BEUNBIND")
    assert "30.00" in event.text


def test_a_distributor_and_its_reseller_each_hear_about_their_movement():
    distributor = build_tenant("dist", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    fund(distributor.partner, "50.00")
    Event.objects.all().delete()
    actor = actor_of(distributor.admin)

    allocation = services.allocate_to_reseller(actor, indirect_partner_id=reseller.domain_id, amount="20.00")
    services.reclaim_from_reseller(actor, indirect_partner_id=reseller.domain_id, amount="5.00")
    refused(BillingCodes.INSUFFICIENT_BALANCE, lambda: services.allocate_to_reseller(
        actor, indirect_partner_id=reseller.domain_id, amount="35.01"))

    allocated = recorded("funds.allocated")
    assert [(e.partner, e.customer_pk) for e in allocated] == [(distributor.partner, None), (reseller, None)]
    assert allocated[0].data == {"amount": "20.00", "trans_id": allocation.trans_id,
                                 "operation_type": "SOURCE_OPERATION_BEADJUST",
                                 "indirect_partner_id": reseller.domain_id}
    assert allocated[1].data == {"amount": "20.00", "trans_id": allocation.trans_id,
                                 "operation_type": "SOURCE_OPERATION_BEADJUST",
                                 "distributor_id": distributor.partner.domain_id}
    assert "distributor" in allocated[1].text.lower() or "经销商" in allocated[1].text
    assert [e.partner for e in recorded("funds.reclaimed")] == [distributor.partner, reseller]


def test_a_distributor_moving_money_in_its_resellers_book_gets_a_copy():
    distributor = build_tenant("dist", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    customer = AssociationFactory(partner=reseller, association_type="2").customer
    fund(reseller, "10.00")
    Event.objects.all().delete()

    services.allocate_to_customer(actor_of(distributor.admin), customer_id=customer.domain_id, amount="3.00",
                                  indirect_partner_id=reseller.domain_id)

    events = recorded("funds.allocated")
    assert [(e.partner, e.customer_pk) for e in events] == [(reseller, customer.pk), (distributor.partner, customer.pk)]
    assert events[1].data["indirect_partner_id"] == reseller.domain_id and "indirect_partner_id" not in events[0].data


def test_a_completed_recharge_records_its_outcome_once(tenant_a):
    operator = actor_of(UserFactory(is_staff=True))
    credited = Recharge.objects.create(partner=tenant_a.partner, method="remittance", amount=Decimal("88"))
    rejected = Recharge.objects.create(partner=tenant_a.partner, method="remittance", amount=Decimal("9.90"))
    services.complete_recharge(operator, recharge_id=credited.pk, succeeded=True)
    services.complete_recharge(SCHEDULER, recharge_id=rejected.pk, succeeded=False)
    refused(BillingCodes.NOT_PENDING, lambda: services.complete_recharge(SCHEDULER, recharge_id=credited.pk,
                                                                          succeeded=True))
    refused(Codes.FORBIDDEN, lambda: services.complete_recharge(
        actor_of(tenant_a.admin), recharge_id=Recharge.objects.create(
            partner=tenant_a.partner, method="remittance", amount=Decimal("1.00")).pk, succeeded=True))

    events = recorded("recharge.completed")
    assert [(e.partner, e.data["amount"], e.data["status"], e.data["method"]) for e in events] == [
        (tenant_a.partner, "88.00", "succeeded", "remittance"), (tenant_a.partner, "9.90", "rejected", "remittance")]
    assert events[0].data["trans_id"] == credited.trans_id
    assert "reference" not in events[0].data


def test_no_money_event_carries_a_secret(funded):
    actor = actor_of(funded.admin)
    services.allocate_to_customer(actor, customer_id=funded.resale.domain_id, amount="5.00")
    services.batch_allocate(actor, rows=[(funded.resale.domain_id, "1.00")])
    services.reclaim_from_customer(actor, customer_id=funded.resale.domain_id, amount="1.00")
    fund(funded.partner, "1.00")

    events = recorded()
    assert {e.type for e in events} == {"funds.allocated", "funds.reclaimed", "recharge.completed"}
    for event in events:
        assert secret_looking_keys(event.data) == [], (event.type, event.data)
        assert funded.secret not in str(event.data)
