"""The one confirmation flow (partnercenter.confirmation): its one-time token is a database row, bound to
the person and the page, spent once, released when the service refuses, refused when expired, and
purged when old. Shown through the customer reclaim page, which uses the flow like every other."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import services
from billing.models import Adjustment, CustomerAccount
from partnercenter.confirmation import TOKEN_LIFETIME
from partnercenter.models import ConfirmationToken

from ..billing_helpers import fund
from ..conftest import actor_of, login_client
from ..factories import AssociationFactory, MemberFactory

pytestmark = pytest.mark.django_db

ALREADY = "This confirmation was already submitted or has expired."


def posted_fields(response) -> dict:
    form = re.search(r'<form method="post" id="confirm-form">(.*?)</form>', response.content.decode(), re.S).group(1)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


@pytest.fixture
def reclaimable(tenant_a):
    fund(tenant_a.partner, "100.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="40.00")
    return f"/billing/reclaim/{tenant_a.resale.domain_id}/"


def another_reclaim_page(tenant) -> str:
    customer = AssociationFactory(partner=tenant.partner, association_type="2").customer
    services.allocate_to_customer(actor_of(tenant.admin), customer_id=customer.domain_id, amount="10.00")
    return f"/billing/reclaim/{customer.domain_id}/"


def reclaims() -> int:
    return Adjustment.objects.filter(operation_type="SOURCE_OPERATION_BERETRIEVE").count()


def test_the_token_is_a_row_spent_by_the_first_submit(tenant_a, admin_client_a, reclaimable):
    fields = posted_fields(admin_client_a.post(reclaimable, {"amount": "5.00"}))
    token = ConfirmationToken.objects.get(token=fields["token"])
    assert (token.user, token.path, token.used_at) == (tenant_a.admin.user, reclaimable, None)
    assert "pc_confirm_tokens" not in admin_client_a.session  # nothing in the session any more

    assert admin_client_a.post(reclaimable, fields).status_code == 302
    assert ConfirmationToken.objects.get(pk=token.pk).used_at is not None
    again = admin_client_a.post(reclaimable, fields, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 200 and ALREADY in again.content.decode()
    assert reclaims() == 1


def test_a_token_is_good_only_for_its_person_and_its_page(tenant_a, admin_client_a, reclaimable):
    fields = posted_fields(admin_client_a.post(reclaimable, {"amount": "5.00"}))
    colleague = login_client(MemberFactory(partner=tenant_a.partner, roles=[tenant_a.admin_role]).user)
    assert ALREADY in colleague.post(reclaimable, fields, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    other = another_reclaim_page(tenant_a)
    assert ALREADY in admin_client_a.post(other, fields, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reclaims() == 0
    assert admin_client_a.post(reclaimable, fields).status_code == 302  # still good where it was made
    assert reclaims() == 1


def test_a_refusal_by_the_service_releases_the_token(tenant_a, admin_client_a, reclaimable):
    fields = posted_fields(admin_client_a.post(reclaimable, {"amount": "30.00"}))
    services.reclaim_from_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="20.00")
    refused = admin_client_a.post(reclaimable, fields)  # 30.00 is now more than the 20.00 left
    assert refused.status_code == 200 and 'id="amount-form"' in refused.content.decode()  # back to the amount
    assert ConfirmationToken.objects.get(token=fields["token"]).used_at is None
    assert admin_client_a.post(reclaimable, {**fields, "amount": "20.00"}).status_code == 302
    assert CustomerAccount.objects.get(customer=tenant_a.resale).balance == Decimal("0.00")


def test_an_expired_token_is_refused_and_old_rows_are_purged(tenant_a, admin_client_a, reclaimable):
    fields = posted_fields(admin_client_a.post(reclaimable, {"amount": "5.00"}))
    ConfirmationToken.objects.filter(token=fields["token"]).update(
        created_at=timezone.now() - TOKEN_LIFETIME - timedelta(seconds=1))
    refused = admin_client_a.post(reclaimable, fields, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and ALREADY in refused.content.decode()
    assert reclaims() == 0

    admin_client_a.post(reclaimable, {"amount": "5.00"})  # a new confirmation
    assert not ConfirmationToken.objects.filter(token=fields["token"]).exists()
    assert ConfirmationToken.objects.count() == 1


def test_the_code_button_of_the_confirmation_sends_a_code_and_keeps_what_was_typed(tenant_a, admin_client_a,
                                                                                  reclaimable, mailoutbox):
    from partnercenter.models import EmailCodeDevice

    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save(update_fields=["verification_enabled"])
    EmailCodeDevice.objects.create(user=tenant_a.admin.user, name="mail", email="admin@example.com", confirmed=True)
    asked = admin_client_a.post(reclaimable, {"amount": "5.00"})
    fields = posted_fields(asked)
    assert 'id="confirm-send-code"' in asked.content.decode()

    again = admin_client_a.post(reclaimable, {**fields, "send_code": "1"})

    assert again.status_code == 200 and len(mailoutbox) == 1  # the code sent, the confirmation shown again
    kept = posted_fields(again)
    assert kept["amount"] == "5.00" and kept["token"] == fields["token"]
    code = re.search(r"\b(\d{8})\b", mailoutbox[-1].body).group(1)
    assert reclaims() == 0
    assert admin_client_a.post(reclaimable, {**kept, "verification_code": code}).status_code == 302
    assert reclaims() == 1


def test_the_first_step_tells_of_the_code_without_a_form_that_would_empty_it(tenant_a, admin_client_a):
    """The hint on the first step has no send-code form of its own: that form redirected to the page, which came back
    empty; the code is sent from the confirmation, which keeps what was typed."""
    from partnercenter.models import EmailCodeDevice

    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save(update_fields=["verification_enabled"])
    EmailCodeDevice.objects.create(user=tenant_a.admin.user, name="mail", email="admin@example.com", confirmed=True)

    page = admin_client_a.get(f"/billing/allocate/?customer={tenant_a.resale.domain_id}",
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'id="confirm-code-hint"' in page and "You will be asked for a verification code" in page
    assert 'class="send-code"' not in page


def test_back_from_the_confirmation_shows_the_first_step_with_what_was_typed(tenant_a, admin_client_a, reclaimable):
    asked = admin_client_a.post(reclaimable, {"amount": "5.00"})
    fields = posted_fields(asked)

    back = admin_client_a.post(reclaimable, {**fields, "back": "1"})

    page = back.content.decode()
    assert back.status_code == 200 and 'id="confirm-form"' not in page
    assert re.search(r'<input[^>]*name="amount"[^>]*value="5.00"', page) or re.search(
        r'<input[^>]*value="5.00"[^>]*name="amount"', page)
    assert reclaims() == 0
