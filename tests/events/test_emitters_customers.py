"""The customers domain records its events in the outbox inside the change's transaction: registration,
association requests and decisions, type switches, delegated operations. A refused change records
nothing, and a change that fails after its event was recorded takes the event back with it."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers import services
from customers.errors import CustomerCodes
from customers.models import Association, Customer
from events.models import Event
from partnercenter import sms
from partnercenter.errors import Codes, DomainError

from ..conftest import actor_of, build_tenant
from ..factories import CustomerUserFactory, PartnerFactory

pytestmark = pytest.mark.django_db

# Parts of a key that would make it look like it carries a secret.
SECRET_PARTS = {"secret", "password", "pwd", "code", "sk", "token", "otp", "key", "signature"}


def recorded(type_code=None):
    events = Event.objects.order_by("id")
    return list(events.filter(type=type_code) if type_code else events)


def one(type_code):
    events = recorded(type_code)
    assert len(events) == 1, [(e.type, e.data) for e in recorded()]
    return events[0]


def refused(code, call):
    """Run `call`, which must be refused with `code`, and check the outbox did not change."""
    before = Event.objects.count()
    with pytest.raises(DomainError) as error:
        call()
    assert error.value.code == code
    assert Event.objects.count() == before, [(e.type, e.data) for e in recorded()[before:]]


def secret_looking_keys(data, path="") -> list[str]:
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if set(str(key).lower().split("_")) & SECRET_PARTS:
                found.append(f"{path}{key}")
            found += secret_looking_keys(value, f"{path}{key}.")
    elif isinstance(data, list):
        for value in data:
            found += secret_looking_keys(value, path)
    return found


@pytest.fixture
def partner(tenant_a):
    return actor_of(tenant_a.admin)


@pytest.fixture
def customer_user(tenant_a):
    return actor_of(CustomerUserFactory(customer=tenant_a.resale).user)


def actor_for(customer):
    return actor_of(CustomerUserFactory(customer=customer).user)


# ---------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------

def test_registering_a_customer_records_customer_associated(tenant_a, partner):
    customer = services.create_customer(partner, xaccount_id="u-1", xaccount_type="shop", domain_name="acme-cloud",
                                        cooperation_type="1")

    event = one("customer.associated")
    assert (event.partner, event.customer_pk, event.account_manager) == (tenant_a.partner, customer.pk, None)
    assert event.data == {"customer_id": customer.domain_id, "account_name": "acme-cloud", "association_type": "1"}
    assert event.actor == tenant_a.admin.user.username
    assert "acme-cloud" in event.text


def test_a_refused_registration_records_nothing(tenant_a, partner, settings, django_capture_on_commit_callbacks):
    refused(CustomerCodes.NAME_IN_USE, lambda: services.create_customer(
        partner, xaccount_id="u-2", xaccount_type="shop", domain_name=tenant_a.resale.domain_name))
    # A wrong SMS code: the code is used up before the registration's transaction; nothing is recorded.
    settings.SMS_BACKEND = "partnercenter.sms.OutboxSmsBackend"
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_registration_code(partner, mobile_phone="13900000009")
    sent = sms.outbox[-1][1]
    wrong = "00000000" if "00000000" not in sent else "11111111"
    refused(CustomerCodes.CODE_INVALID, lambda: services.create_customer(
        partner, xaccount_id="u-3", xaccount_type="shop", domain_name="with-mobile", mobile_phone="13900000009",
        verification_code=wrong))
    assert not Customer.objects.filter(domain_name="with-mobile").exists()


def test_a_distributor_registering_for_its_reseller_is_told_too():
    distributor = build_tenant("dist", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)

    customer = services.create_customer(actor_of(distributor.admin), xaccount_id="r-1", xaccount_type="shop",
                                        domain_name="reseller-cust", indirect_partner_id=reseller.domain_id)

    events = recorded("customer.associated")
    assert [(e.partner, e.customer_pk) for e in events] == [(reseller, customer.pk), (distributor.partner, customer.pk)]
    assert "indirect_partner_id" not in events[0].data
    assert events[1].data["indirect_partner_id"] == reseller.domain_id


# ---------------------------------------------------------------------------------------------
# Association requests, decisions, withdrawals
# ---------------------------------------------------------------------------------------------

def test_a_partner_request_is_recorded_with_the_customers_account_manager(tenant_a, partner):
    request = services.request_disassociation(partner, customer_id=tenant_a.referral.domain_id, reason="合作结束")

    event = one("association.request_made")
    assert (event.partner, event.customer_pk, event.account_manager) == (
        tenant_a.partner, tenant_a.referral.pk, tenant_a.member)
    assert event.data == {"customer_id": tenant_a.referral.domain_id, "account_name": tenant_a.referral.domain_name,
                          "request_id": str(request.pk), "kind": "disassociate", "initiator": "partner",
                          "association_type": "1", "reason": "合作结束"}


def test_a_request_that_is_refused_records_nothing(tenant_a, partner):
    Customer.objects.filter(pk=tenant_a.resale.pk).update(in_debt=True)
    refused(CustomerCodes.NOT_ELIGIBLE, lambda: services.request_disassociation(
        partner, customer_id=tenant_a.resale.domain_id, reason="r"))
    services.request_type_switch(partner, customer_id=tenant_a.referral.domain_id, reason="r")
    refused(CustomerCodes.REQUEST_PENDING, lambda: services.request_type_switch(
        partner, customer_id=tenant_a.referral.domain_id, reason="again"))
    assert len(recorded("association.request_made")) == 1


def test_a_wrong_verification_code_records_nothing(tenant_a, partner):
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)
    partner = actor_of(tenant_a.admin)
    with pytest.raises(DomainError):
        services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="r",
                                        verification_code="000000x")
    assert recorded() == []


def test_the_customer_asks_and_the_partner_approves(tenant_a, partner, customer_user):
    request = services.customer_request_disassociation(customer_user, reason="换伙伴")
    services.decide_event(partner, event_id=request.pk, approve=True, note="好的")

    made, decided = one("association.request_made"), one("association.request_decided")
    assert (made.data["initiator"], made.partner, made.customer_pk) == (
        "customer", tenant_a.partner, tenant_a.resale.pk)
    assert {k: decided.data[k] for k in ("decision", "decided_by", "request_id", "kind")} == {
        "decision": "approved", "decided_by": "partner", "request_id": str(request.pk), "kind": "disassociate"}
    gone = one("customer.disassociated")
    assert gone.data == {"customer_id": tenant_a.resale.domain_id, "account_name": tenant_a.resale.domain_name,
                         "association_type": "2"}
    assert [e.type for e in recorded()] == ["association.request_made", "association.request_decided",
                                            "customer.disassociated"]


def test_a_rejection_records_the_decision_only(tenant_a, partner, customer_user):
    request = services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="r")
    services.decide_event(customer_user, event_id=request.pk, approve=False, note="不同意")

    decided = one("association.request_decided")
    assert (decided.data["decision"], decided.data["decided_by"], decided.actor) == (
        "rejected", "customer", customer_user.user.username)
    assert recorded("customer.disassociated") == []


def test_a_type_switch_records_the_switch(tenant_a, partner):
    request = services.request_type_switch(partner, customer_id=tenant_a.referral.domain_id, reason="转代售")
    services.decide_event(actor_for(tenant_a.referral), event_id=request.pk, approve=True)

    switched = one("customer.type_switched")
    assert switched.data == {"customer_id": tenant_a.referral.domain_id, "account_name": tenant_a.referral.domain_name,
                             "association_type": "2", "from_association_type": "1"}
    assert switched.account_manager == tenant_a.member
    assert one("association.request_made").data["to_association_type"] == "2"


def test_an_approval_that_fails_after_its_event_takes_the_event_back(tenant_a, partner):
    """The decision's event is recorded before the switch is applied; the switch then finds the customer
    no longer eligible, and the decision, its event and the switch all roll back together."""
    request = services.request_type_switch(partner, customer_id=tenant_a.referral.domain_id, reason="r")
    Customer.objects.filter(pk=tenant_a.referral.pk).update(is_org_account=True)
    refused(CustomerCodes.NOT_ELIGIBLE, lambda: services.decide_event(
        actor_for(tenant_a.referral), event_id=request.pk, approve=True))
    assert recorded("association.request_decided") == []
    assert Association.objects.get(customer=tenant_a.referral, ended_on__isnull=True).association_type == "1"


def test_withdrawing_a_request_records_it(tenant_a, partner):
    request = services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="r")
    services.cancel_event(partner, event_id=request.pk)
    refused(CustomerCodes.NOTHING_TO_DECIDE, lambda: services.cancel_event(partner, event_id=request.pk))

    cancelled = one("association.request_cancelled")
    assert (cancelled.data["request_id"], cancelled.data["cancelled_by"]) == (str(request.pk), "partner")


# ---------------------------------------------------------------------------------------------
# Delegated operations
# ---------------------------------------------------------------------------------------------

def test_delegated_operations_requested_decided_and_revoked(tenant_a, partner, customer_user):
    authorization = services.request_ops_authorization(partner, customer_id=tenant_a.resale.domain_id, reason="巡检")
    services.decide_ops_authorization(customer_user, authorization_id=authorization.pk, agree=True)
    services.revoke_ops_authorization(partner, authorization_id=authorization.pk)

    requested, decided, revoked = (one("ops.authorization_requested"), one("ops.authorization_decided"),
                                   one("ops.authorization_revoked"))
    assert requested.data == {"customer_id": tenant_a.resale.domain_id, "account_name": tenant_a.resale.domain_name,
                              "authorization_id": str(authorization.pk), "reason": "巡检"}
    assert decided.data["decision"] == "authorized"
    assert decided.data["valid_until"].endswith("Z") and len(decided.data["valid_until"]) == 20
    assert revoked.data["cause"] == "revoked"
    assert {e.partner for e in (requested, decided, revoked)} == {tenant_a.partner}


def test_refused_delegated_operations_record_nothing(tenant_a, partner, customer_user):
    refused(CustomerCodes.NOT_RESALE, lambda: services.request_ops_authorization(
        partner, customer_id=tenant_a.referral.domain_id, reason="r"))
    authorization = services.request_ops_authorization(partner, customer_id=tenant_a.resale.domain_id, reason="r")
    services.decide_ops_authorization(customer_user, authorization_id=authorization.pk, agree=False)
    refused(CustomerCodes.NOTHING_TO_DECIDE, lambda: services.decide_ops_authorization(
        customer_user, authorization_id=authorization.pk, agree=True))
    refused(CustomerCodes.NOTHING_TO_DECIDE, lambda: services.revoke_ops_authorization(
        partner, authorization_id=authorization.pk))
    assert [e.type for e in recorded()] == ["ops.authorization_requested", "ops.authorization_decided"]
    assert recorded()[1].data["decision"] == "cancelled"


def test_a_disassociation_revokes_open_delegated_operations_and_says_so(tenant_a, partner, customer_user):
    authorization = services.request_ops_authorization(partner, customer_id=tenant_a.resale.domain_id, reason="r")
    request = services.request_disassociation(partner, customer_id=tenant_a.resale.domain_id, reason="r")
    services.decide_event(customer_user, event_id=request.pk, approve=True)

    revoked = one("ops.authorization_revoked")
    assert (revoked.data["authorization_id"], revoked.data["cause"]) == (str(authorization.pk), "disassociation")


def test_another_partners_request_is_not_found_and_records_nothing(tenant_a, tenant_b):
    refused(Codes.NOT_FOUND, lambda: services.request_disassociation(
        actor_of(tenant_b.admin), customer_id=tenant_a.resale.domain_id, reason="r"))


def test_no_customer_event_carries_a_secret(tenant_a, partner, customer_user):
    services.create_customer(partner, xaccount_id="u-9", xaccount_type="shop", domain_name="with-password",
                             password="Str0ng-pass-word")
    authorization = services.request_ops_authorization(partner, customer_id=tenant_a.resale.domain_id, reason="r")
    services.decide_ops_authorization(customer_user, authorization_id=authorization.pk, agree=True)
    request = services.request_type_switch(partner, customer_id=tenant_a.referral.domain_id, reason="r")
    services.decide_event(actor_for(tenant_a.referral), event_id=request.pk, approve=True)

    events = recorded()
    assert len(events) >= 5
    for event in events:
        assert secret_looking_keys(event.data) == [], (event.type, event.data)
        assert "Str0ng-pass-word" not in str(event.data) and tenant_a.secret not in str(event.data)
