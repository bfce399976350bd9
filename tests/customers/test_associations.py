"""Association events: every path (request, approve, reject, customer-initiated, type switch, withdraw),
eligibility checks, one pending request at a time, and what the partner can see afterwards."""

import pytest
from django.db import connection
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers import selectors, services
from customers.errors import CustomerCodes
from customers.models import Association, AssociationEvent, OpsAuthorization
from customers.signals import association_ended
from partnercenter.errors import Codes, DomainError

from ..billing.test_races import refusal, while_committing
from ..conftest import actor_of, login_client
from ..factories import CustomerUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended():
    received = []

    @receiver(association_ended, weak=False)
    def remember(sender, association, cause, actor, **kwargs):
        received.append((association.pk, cause))

    yield received
    association_ended.disconnect(remember)


@pytest.fixture
def partner(tenant_a):
    return actor_of(tenant_a.admin)


@pytest.fixture
def customer(tenant_a):
    """The resale customer's own signed-in user."""
    return actor_of(CustomerUserFactory(customer=tenant_a.resale).user)


def active(customer):
    return Association.objects.filter(customer=customer, ended_on__isnull=True).first()


def test_partner_request_approved_by_the_customer_ends_the_association(tenant_a, partner, customer, ended):
    association = active(tenant_a.resale)
    event = services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="合作结束")

    decided = services.decide_event(customer, event_id=event.pk, approve=True, note="同意")

    assert (decided.status, decided.decision_note) == ("approved", "同意")
    assert active(tenant_a.resale) is None
    assert ended == [(association.pk, "disassociation")]
    assert selectors.customer_for(partner, tenant_a.resale.domain_id) is None  # access gone
    assert selectors.events_for(partner).filter(pk=event.pk).exists()  # history stays readable


def test_a_rejected_request_changes_nothing(tenant_a, partner, customer, ended):
    association = active(tenant_a.resale)
    event = services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="x")

    services.decide_event(customer, event_id=event.pk, approve=False)

    assert active(tenant_a.resale) == association
    assert AssociationEvent.objects.get(pk=event.pk).status == "rejected"
    assert ended == []


def test_a_second_pending_request_is_refused_and_creates_nothing(tenant_a, partner):
    services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="x")
    with pytest.raises(DomainError) as refused:
        services.request_type_switch(partner, customer_id=tenant_a.resale.domain_id, reason="y")
    assert refused.value.code == CustomerCodes.REQUEST_PENDING
    assert AssociationEvent.objects.filter(customer=tenant_a.resale).count() == 1


def test_customer_initiated_disassociation_approved_or_rejected_by_the_partner(tenant_a, partner, customer, ended):
    event = services.customer_request_disassociation(customer, reason="集团统一采购")
    with pytest.raises(DomainError) as own:  # the customer cannot answer its own request
        services.decide_event(customer, event_id=event.pk, approve=True)
    assert own.value.code == CustomerCodes.NOTHING_TO_DECIDE

    services.decide_event(partner, event_id=event.pk, approve=False, note="请先结清款项")
    assert active(tenant_a.resale) is not None

    again = services.customer_request_disassociation(customer, reason="再次申请")
    services.decide_event(partner, event_id=again.pk, approve=True)
    assert active(tenant_a.resale) is None
    assert len(ended) == 1


def test_a_type_switch_opens_a_new_association_of_the_other_type(tenant_a, partner, tenant_b, ended):
    referral_user = actor_of(CustomerUserFactory(customer=tenant_a.referral).user)
    before = active(tenant_a.referral)
    event = services.request_type_switch(partner, customer_id=tenant_a.referral.domain_id, reason="改为代售")

    services.decide_event(referral_user, event_id=event.pk, approve=True)

    after = active(tenant_a.referral)
    before.refresh_from_db()
    assert (event.from_type, event.to_type) == ("1", "2")
    assert before.ended_on is not None and after.association_type == "2"
    assert after.account_manager == before.account_manager and after.partner == before.partner
    assert ended == [(before.pk, "type_switch")]


def test_eligibility_checks_refuse_with_the_failed_items_and_create_nothing(tenant_a, partner):
    tenant_a.referral.in_debt = True
    tenant_a.referral.is_org_account = True
    tenant_a.referral.save()

    with pytest.raises(DomainError) as switch:
        services.request_type_switch(partner, customer_id=tenant_a.referral.domain_id, reason="x")
    with pytest.raises(DomainError) as leave:
        services.request_disassociation(partner, customer_id=tenant_a.referral.domain_id, reason="x")

    assert switch.value.code == leave.value.code == CustomerCodes.NOT_ELIGIBLE
    assert switch.value.extra == {"fail_check_items": ["IS_DEBT", "IS_ORG_ACCOUNT"]}
    assert leave.value.extra == {"fail_check_items": ["IS_DEBT"]}
    assert not AssociationEvent.objects.filter(customer=tenant_a.referral).exists()


def test_the_initiator_can_withdraw_but_not_decide(tenant_a, partner, customer):
    event = services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="x")
    with pytest.raises(DomainError):
        services.decide_event(partner, event_id=event.pk, approve=True)
    with pytest.raises(DomainError):
        services.cancel_event(customer, event_id=event.pk)
    services.cancel_event(partner, event_id=event.pk)
    assert AssociationEvent.objects.get(pk=event.pk).status == "cancelled"
    with pytest.raises(DomainError):
        services.decide_event(customer, event_id=event.pk, approve=True)
    assert active(tenant_a.resale) is not None


def test_another_partner_cannot_touch_the_requests(tenant_a, tenant_b, partner):
    event = services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="x")
    with pytest.raises(DomainError) as foreign:
        services.request_disassociation(actor_of(tenant_b.admin), customer_id=tenant_a.resale.domain_id, reason="x")
    with pytest.raises(DomainError) as foreign_decision:
        services.cancel_event(actor_of(tenant_b.admin), event_id=event.pk)
    assert foreign.value.code == foreign_decision.value.code == Codes.NOT_FOUND


def test_requests_and_partner_decisions_ask_for_the_verification_code_when_on(tenant_a, partner, customer):
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)
    with pytest.raises(DomainError) as refused:
        services.request_disassociation(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, reason="x",
                                        verification_code="")
    assert refused.value.code == Codes.VERIFICATION_REQUIRED
    event = services.customer_request_disassociation(customer, reason="x")  # customers are never asked
    with pytest.raises(DomainError) as decision:
        services.decide_event(actor_of(tenant_a.admin), event_id=event.pk, approve=True, verification_code="")
    assert decision.value.code == Codes.VERIFICATION_REQUIRED
    assert active(tenant_a.resale) is not None


def test_an_account_manager_acts_only_on_their_own_customers(tenant_a):
    from ..factories import RoleFactory

    manage = RoleFactory(partner=tenant_a.partner, permissions=["customers.view", "customers.manage"])
    tenant_a.member.roles.add(manage)
    am = actor_of(tenant_a.member)  # manages tenant_a.referral only
    services.request_type_switch(am, customer_id=tenant_a.referral.domain_id, reason="x")
    with pytest.raises(DomainError) as not_mine:
        services.request_disassociation(am, customer_id=tenant_a.resale.domain_id, reason="x")
    assert not_mine.value.code == Codes.NOT_FOUND
    assert [e.customer for e in selectors.events_for(am)] == [tenant_a.referral]


# -------------------------------------------------------------------------------------------
# Delegated operations (代客运维)
# -------------------------------------------------------------------------------------------

def test_delegated_operations_are_asked_granted_cancelled_and_end_with_the_association(tenant_a, partner, customer):
    with pytest.raises(DomainError) as referral:
        services.request_ops_authorization(partner, customer_id=tenant_a.referral.domain_id, reason="x")
    assert referral.value.code == CustomerCodes.NOT_RESALE

    first = services.request_ops_authorization(partner, customer_id=tenant_a.resale.domain_id, reason="扩容")
    with pytest.raises(DomainError):
        services.request_ops_authorization(partner, customer_id=tenant_a.resale.domain_id, reason="again")
    granted = services.decide_ops_authorization(customer, authorization_id=first.pk, agree=True)
    assert granted.status == "authorized" and granted.valid_until is not None
    cancelled = services.decide_ops_authorization(customer, authorization_id=first.pk, agree=False)
    assert cancelled.status == "cancelled"

    second = services.request_ops_authorization(partner, customer_id=tenant_a.resale.domain_id, reason="巡检")
    services.decide_ops_authorization(customer, authorization_id=second.pk, agree=True)
    event = services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="x")
    services.decide_event(customer, event_id=event.pk, approve=True)
    assert OpsAuthorization.objects.get(pk=second.pk).status == "revoked"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_delegated_operations_request_overlapping_a_disassociation_is_refused(tenant_a, partner, customer):
    # given a disassociation being approved (its transaction open, the association locked)
    event = services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="x")

    # when a request checked before the approval commits runs into it
    outcome = while_committing(
        lambda: services.decide_event(customer, event_id=event.pk, approve=True),
        lambda: services.request_ops_authorization(partner, customer_id=tenant_a.resale.domain_id, reason="巡检"))

    # then it is refused: nothing open remains between the partner and its former customer
    assert refusal(outcome) == Codes.NOT_FOUND, outcome
    assert not OpsAuthorization.objects.filter(customer=tenant_a.resale, status__in=["pending", "authorized"]).exists()


# -------------------------------------------------------------------------------------------
# Pages
# -------------------------------------------------------------------------------------------

def test_the_request_and_decision_pages_work_end_to_end(tenant_a):
    partner_page = login_client(tenant_a.admin.user)
    customer_user = CustomerUserFactory(customer=tenant_a.resale)
    fee_center = login_client(customer_user.user)

    response = partner_page.post(f"/customers/{tenant_a.resale.domain_id}/request/disassociate/", {"reason": "合作结束"})
    assert response.status_code == 302
    event = AssociationEvent.objects.get(customer=tenant_a.resale)
    assert "合作结束" in fee_center.get("/fee-center/").content.decode()

    assert fee_center.post(f"/fee-center/requests/{event.pk}/approve/", {}).status_code == 302
    assert active(tenant_a.resale) is None
    assert partner_page.get(f"/customers/{tenant_a.resale.domain_id}/").status_code == 404
    assert "合作结束" in partner_page.get("/customers/events/?kind=disassociate").content.decode()


def test_an_empty_reason_is_a_form_error_and_nothing_is_created(tenant_a):
    page = login_client(tenant_a.admin.user)
    response = page.post(f"/customers/{tenant_a.resale.domain_id}/request/switch-type/", {"reason": "  "})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not AssociationEvent.objects.exists()


def test_an_ended_association_is_reclaimed_in_the_documented_lock_order():
    """customers/locks.py: money rows (billing), then coupons and quotas (vouchers), then trade's payment
    requests (trade/locks.py) — the receivers of association_ended run in that order, so a disassociation
    locks as every other write does."""
    from customers.signals import association_ended

    names = [receiver().__module__ for _key, receiver, *_rest in association_ended.receivers]
    assert names == ["billing.receivers", "vouchers.receivers", "trade.receivers"]
