"""Operators read registration links (never a token or its hash) and cloud reseller requests; they change
neither (the partner's member and the distributor decide)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Path, RegistrationLink, ResellerRequest

from ..conftest import login_client
from ..factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_operators_read_links_and_requests_but_never_a_token(tenant_a, tenant_b, programmes):
    token = RegistrationLink.new_token()
    now = timezone.now()
    link = RegistrationLink.objects.create(partner=tenant_a.partner, path=Path.objects.get(code="dtcsi"),
                                           token_hash=RegistrationLink.hash(token), sent_to="boss@a.example.com",
                                           created_at=now, expires_at=now + timezone.timedelta(hours=24))
    tenant_b.partner.partner_type = "distributor"
    tenant_b.partner.save(update_fields=["partner_type"])
    request = ResellerRequest.objects.create(customer=CustomerFactory(), distributor=tenant_b.partner,
                                             company_name="店", contact_email="x@example.com", lapse_acknowledged=True)
    ops = login_client(UserFactory(username="access.ops", is_staff=True, is_superuser=True))

    for model, obj in ((RegistrationLink, link), (ResellerRequest, request)):
        opts = model._meta
        listing = ops.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert listing.status_code == 200
        detail = ops.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        assert detail.status_code == 200
        body = listing.content.decode() + detail.content.decode()
        assert token not in body and link.token_hash not in body
        assert ops.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
        assert ops.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk]),
                        {"post": "yes"}).status_code == 403
    assert RegistrationLink.objects.filter(pk=link.pk).exists()
