"""The event types the domains register: each names a real permission, reads as a sentence in both
languages, and links a partner's member to a page that shows the subject (a customer side to the fee
center) — followed here for every event a realistic run records."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from billing import services as billing
from customers import services as customers
from events import types
from events.models import Event
from partnercenter.permissions import ALL_CODES
from vouchers import services as vouchers

from ..billing_helpers import fund
from ..conftest import actor_of, login_client
from ..factories import CustomerUserFactory
from .test_emitters_vouchers import grant

pytestmark = pytest.mark.django_db

DOMAIN_TYPES = {
    "customer.associated", "customer.disassociated", "customer.type_switched", "association.request_made",
    "association.request_decided", "association.request_cancelled", "ops.authorization_requested",
    "ops.authorization_decided", "ops.authorization_revoked", "funds.allocated", "funds.reclaimed",
    "recharge.completed", "coupon.issued", "coupon.reclaimed", "coupon.expiring", "quota.received", "quota.reclaimed",
}


def test_every_domain_type_is_registered_with_a_real_permission_and_a_link():
    for code in DOMAIN_TYPES:
        event_type = types.get(code)
        assert event_type is not None, code
        assert event_type.permission in ALL_CODES, code
        assert event_type.link is not None, code


def working_day(tenant):
    """A partner's working day: each event type of the partner's own book at least once."""
    actor = actor_of(tenant.admin)
    fund(tenant.partner, "100.00")
    customer = customers.create_customer(actor, xaccount_id="x-1", xaccount_type="shop", domain_name="new-customer")
    billing.allocate_to_customer(actor, customer_id=tenant.resale.domain_id, amount="10.00")
    billing.reclaim_from_customer(actor, customer_id=tenant.resale.domain_id, amount="1.00")
    infos, _errors = vouchers.issue_coupons(actor, quota_id=grant(tenant.partner).quota_id, face_value="5.00",
                                            customer_ids=[tenant.resale.domain_id, customer.domain_id],
                                            expire_time=timezone.now() + timedelta(days=3))
    vouchers.warn_expiring()
    vouchers.reclaim_coupons(actor, coupon_ids=[infos[1]["coupon_id"]])
    user = actor_of(CustomerUserFactory(customer=tenant.resale).user)
    ops = customers.request_ops_authorization(actor, customer_id=tenant.resale.domain_id, reason="r")
    customers.decide_ops_authorization(user, authorization_id=ops.pk, agree=True)
    switch = customers.request_type_switch(actor, customer_id=tenant.referral.domain_id, reason="r")
    customers.cancel_event(actor, event_id=switch.pk)
    request = customers.request_disassociation(actor, customer_id=tenant.resale.domain_id, reason="r")
    return lambda: customers.decide_event(user, event_id=request.pk, approve=True)


def follow(tenant, events):
    """Each event reads as a sentence in both languages, and its links open for a member of the partner
    and for the customer's user."""
    client = login_client(tenant.admin.user)
    customer_client = login_client(CustomerUserFactory(customer=tenant.resale).user)
    for event in events:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                text = event.text
            assert text and "%(" not in text and text != event.label, (event.type, language, text)
        link = event.link("partner")
        assert link and client.get(link).status_code == 200, (event.type, link)
        customer_link = event.link("customer")
        if customer_link is not None:
            assert customer_client.get(customer_link).status_code == 200, (event.type, customer_link)


def test_every_recorded_event_reads_as_a_sentence_and_links_to_a_page_that_opens(tenant_a):
    """Links are followed when the notification arrives: a customer's detail page while it is the
    partner's; the events of the association (关联关系操作记录) once it has ended."""
    approve = working_day(tenant_a)
    before = list(Event.objects.filter(partner=tenant_a.partner).order_by("id"))
    follow(tenant_a, before)
    approve()
    after = list(Event.objects.filter(partner=tenant_a.partner, pk__gt=before[-1].pk).order_by("id"))
    follow(tenant_a, after)

    seen = {event.type for event in before + after}
    assert seen >= DOMAIN_TYPES - {"customer.type_switched", "quota.received", "quota.reclaimed"}, DOMAIN_TYPES - seen
