"""线下拓展 pages: the links list (counts, constant queries, filters), creating and revoking, QR codes as PNG
and SVG, another tenant's links are 404, and the public registration page (no sign-in) with its refusals."""

import datetime as dt
import xml.etree.ElementTree as ET

import png
import pytest
import qrcode
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Association, Customer
from expansion import invitations, invitations_qr
from expansion.models import InvitationLink
from partnercenter.models import OperationLog

from ..factories import MemberFactory
from . import invitations_fixtures
from .invitations_fixtures import MOBILE, give_code, join_data, login_client, make_link, reseller_of, sms_code

# the shared fixtures (assigned, not imported: a test parameter then shadows no import)
inv_tenant, inv_other, sms_outbox = (invitations_fixtures.inv_tenant, invitations_fixtures.inv_other,
                                     invitations_fixtures.sms_outbox)
clean_throttles = invitations_fixtures.clean_throttles  # autouse: the page's budgets start empty

pytestmark = pytest.mark.django_db


def list_url(**query):
    from urllib.parse import urlencode

    return reverse("expansion:invitations") + (f"?{urlencode(query)}" if query else "")


def test_the_list_shows_links_with_their_counts(inv_tenant):
    link = make_link(inv_tenant.partner, name="春季展会", registrations=7)
    make_link(inv_tenant.partner, name="旧链接", revoked_at=timezone.now())
    body = login_client(inv_tenant.admin.user).get(list_url()).content.decode()
    assert "春季展会" in body and "旧链接" in body
    assert f'data-link="{link.pk}"' in body and '<td class="registrations">7</td>' in body
    assert 'id="link-form"' in body and 'id="invite-refusal"' not in body
    only_usable = login_client(inv_tenant.admin.user).get(list_url(state="usable")).content.decode()
    assert "春季展会" in only_usable and "旧链接" not in only_usable


def test_members_without_expansion_rights_are_refused(inv_tenant):
    client = login_client(inv_tenant.member.user)  # customers.view only
    assert client.get(list_url()).status_code == 403
    assert Client().get(list_url()).status_code == 302  # to sign-in


def test_create_a_link_on_the_page(inv_tenant):
    client = login_client(inv_tenant.admin.user)
    until = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.post(list_url(), {"name": "地推", "association_type": "2", "valid_until": until})
    link = InvitationLink.objects.get(partner=inv_tenant.partner)
    assert response.status_code == 302 and response["Location"] == reverse("expansion:invitation", args=[link.pk])
    assert link.association_type == "2" and link.name == "地推"
    detail = client.get(response["Location"]).content.decode()
    assert invitations.join_url(link) in detail and 'id="qr-image"' in detail
    bad = client.post(list_url(), {"name": "x", "association_type": "1", "valid_until": "2001-01-01"})
    assert bad.status_code == 200 and InvitationLink.objects.count() == 1


@pytest.mark.parametrize("links", [2, 25])
def test_the_list_runs_a_constant_number_of_queries(inv_tenant, links):
    creators = [MemberFactory(partner=inv_tenant.partner) for _ in range(3)]
    for n in range(links):
        make_link(inv_tenant.partner, name=f"link {n}", created_by=creators[n % 3],
                  revoked_at=timezone.now() if n % 4 == 0 else None)
    client = login_client(inv_tenant.admin.user)
    client.get(list_url())  # warm the session and caches
    with CaptureQueriesContext(connection) as plain:
        assert client.get(list_url()).status_code == 200
    with CaptureQueriesContext(connection) as filtered:
        assert client.get(list_url(association_type="1", name="link")).status_code == 200
    # Measured 9 with 2 links and with 25 (20 on the page): session, user, member, roles, the header's bell
    # and the agreements banner (see tests/customers/test_customer_pages.py), the distributor's status for
    # the refusal, the COUNT and the links with their creators.
    assert len(plain) == len(filtered) <= MAX_QUERIES, [q["sql"][:120] for q in plain.captured_queries]


MAX_QUERIES = 9


def test_qr_codes_are_valid_images_of_the_link(inv_tenant):
    link = make_link(inv_tenant.partner)
    client = login_client(inv_tenant.admin.user)
    url = invitations.join_url(link)
    response = client.get(reverse("expansion:invitation_qr_png", args=[link.pk]) + "?download=1")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="invitation-{link.pk}.png"'
    width, height, rows, info = png.Reader(bytes=response.content).read()
    rows = list(rows)
    assert width == height >= 200 and len(rows) == height
    assert response.content == invitations_qr.png(url)  # the link's URL, nothing else
    # the modules are the QR code of the URL: compare the centre of each module with qrcode's own matrix
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    box = width // len(matrix)
    for y in range(0, len(matrix), 3):
        for x in range(0, len(matrix), 3):
            assert (rows[y * box + box // 2][x * box + box // 2] == 0) == matrix[y][x]

    svg = client.get(reverse("expansion:invitation_qr_svg", args=[link.pk]))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert "Content-Disposition" not in svg
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.find("{http://www.w3.org/2000/svg}path") is not None
    assert b"<script" not in svg.content


def test_another_tenants_link_is_not_found(inv_tenant, inv_other):
    theirs = make_link(inv_other.partner)
    client = login_client(inv_tenant.admin.user)
    for name in ("invitation", "invitation_qr_png", "invitation_qr_svg"):
        assert client.get(reverse(f"expansion:{name}", args=[theirs.pk])).status_code == 404, name
    assert client.post(reverse("expansion:invitation_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client.get(reverse("expansion:invitation", args=[999999])).status_code == 404


def test_revoke_on_the_page(inv_tenant):
    link = make_link(inv_tenant.partner)
    client = login_client(inv_tenant.admin.user)
    response = client.post(reverse("expansion:invitation_revoke", args=[link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert OperationLog.objects.get(action="expansion.link_revoke").result == "success"


def test_a_delisted_distributors_reseller_is_told_why(db):
    distributor, reseller, admin = reseller_of("delisted")
    client = login_client(admin.user)
    body = client.get(list_url()).content.decode()
    assert 'id="invite-refusal"' in body and distributor.name in body and 'id="link-form"' not in body
    response = client.post(list_url(), {"name": "x", "association_type": "2",
                                        "valid_until": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 302 and not InvitationLink.objects.exists()


# ---------------------------------------------------------------------------------------------
# The public page
# ---------------------------------------------------------------------------------------------

def join_url(link):
    return reverse("expansion:join", args=[link.token])


@pytest.mark.parametrize("association_type", ["1", "2"])
def test_a_visitor_registers_through_the_link(inv_tenant, sms_outbox, django_capture_on_commit_callbacks,
                                              association_type):
    link = make_link(inv_tenant.partner, association_type=association_type)
    visitor = Client()
    page = visitor.get(join_url(link))
    assert page.status_code == 200 and inv_tenant.partner.name in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    with django_capture_on_commit_callbacks(execute=True):
        sent = visitor.post(join_url(link), {"action": "send", "mobile_phone": MOBILE, "domain_name": "acme-cloud"})
    assert sent.status_code == 200 and 'value="acme-cloud"' in sent.content.decode()
    code = sms_code(sms_outbox)
    done = visitor.post(join_url(link), join_data(code=code, email="boss@acme.example"))
    assert done.status_code == 200 and 'id="join-done"' in done.content.decode()
    customer = Customer.objects.get(domain_name="acme-cloud")
    association = Association.objects.get(customer=customer)
    assert (association.partner, association.association_type) == (inv_tenant.partner, association_type)
    assert customer.email == "boss@acme.example"
    link.refresh_from_db()
    assert link.registrations == 1
    # the partner sees the count and the customer on the link's page
    detail = login_client(inv_tenant.admin.user).get(reverse("expansion:invitation", args=[link.pk])).content.decode()
    assert customer.domain_id in detail and '<dd id="registrations">1</dd>' in detail


def test_form_errors_stay_on_the_page(inv_tenant):
    link = make_link(inv_tenant.partner)
    give_code()
    response = Client().post(join_url(link), join_data(code="00000000"))
    assert response.status_code == 200 and 'class="form-errors"' in response.content.decode()
    assert not Customer.objects.filter(domain_name="acme-cloud").exists()


@pytest.mark.parametrize("state", ["revoked", "expired", "refused", "unknown"])
def test_refused_links_show_a_clear_page_and_change_nothing(inv_tenant, state):
    link = make_link(inv_tenant.partner)
    token = link.token
    if state == "revoked":
        InvitationLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    elif state == "expired":
        InvitationLink.objects.filter(pk=link.pk).update(valid_until=timezone.now() - dt.timedelta(minutes=1))
    elif state == "refused":
        distributor, reseller, _admin = reseller_of("delisted")
        InvitationLink.objects.filter(pk=link.pk).update(partner=reseller)
    else:
        token = "no-such-token"
    give_code()
    customers = Customer.objects.count()
    for response in (Client().get(f"/expansion/join/{token}/"),
                     Client().post(f"/expansion/join/{token}/", join_data()),
                     Client().post(f"/expansion/join/{token}/", {"action": "send", "mobile_phone": MOBILE})):
        assert response.status_code == (404 if state == "unknown" else 410)
        body = response.content.decode()
        assert 'id="join-refused"' in body and f'data-state="{state}"' in body
    assert Customer.objects.count() == customers
    link.refresh_from_db()
    assert link.registrations == 0


def test_operators_see_and_revoke_links_in_the_admin(inv_tenant, admin_client):
    link = make_link(inv_tenant.partner, name="运营可见")
    changelist = reverse("admin:expansion_invitationlink_changelist")
    assert "运营可见" in admin_client.get(changelist).content.decode()
    assert admin_client.get(reverse("admin:expansion_invitationlink_change", args=[link.pk])).status_code == 200
    response = admin_client.post(changelist, {"action": "revoke", "_selected_action": [link.pk]})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert OperationLog.objects.get(partner=inv_tenant.partner, action="operator.change").target_id == str(link.pk)
