"""线下拓展 for operators and small rules: a link's admin page shows a count of its registrations and a link to
them (not every row), an operator's revocation tells the partner (`expansion.link_revoked`), the validity
message says what the rule accepts, and the SVG QR code keeps its white quiet zone."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Event
from expansion import invitations, invitations_qr
from expansion.errors_invitations import InvitationCodes
from expansion.models import LinkRegistration
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog
from partnercenter.workdays import SHANGHAI

from ..factories import CustomerFactory
from . import invitations_fixtures
from .invitations_fixtures import actor_of, make_link

inv_tenant, inv_other = invitations_fixtures.inv_tenant, invitations_fixtures.inv_other

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def registered(link, n, tag):
    for i in range(n):
        customer = CustomerFactory(domain_name=f"{tag}-reg-{i:03d}", real_name="")
        LinkRegistration.objects.create(link=link, customer=customer)


def test_the_link_page_counts_registrations_and_links_to_them(inv_tenant, inv_other, admin_client):
    link = make_link(inv_tenant.partner, registrations=30)
    other = make_link(inv_other.partner)
    registered(link, 30, "mine")
    registered(other, 2, "theirs")
    page = admin_client.get(reverse("admin:expansion_invitationlink_change", args=[link.pk])).content.decode()
    assert "mine-reg-" not in page  # no row per registration any more
    assert 'id="link-registrations"' in page and "30" in page
    url = reverse("admin:expansion_linkregistration_changelist") + f"?link__id__exact={link.pk}"
    assert url.replace("&", "&amp;") in page or url in page
    listed = admin_client.get(url)
    assert listed.status_code == 200  # an allowed lookup (a refused one redirects with ?e=1)
    body = listed.content.decode()
    assert "mine-reg-000" in body and "mine-reg-029" in body and "theirs-reg" not in body
    # read-only
    assert admin_client.get(reverse("admin:expansion_linkregistration_add")).status_code == 403


def test_the_link_page_costs_the_same_whatever_the_registrations(inv_tenant, admin_client):
    small, big = make_link(inv_tenant.partner), make_link(inv_tenant.partner)
    registered(small, 1, "s")
    registered(big, 40, "b")
    counts = []
    for link in (small, big):
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(reverse("admin:expansion_invitationlink_change", args=[link.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_operator_revocation_tells_the_partner(inv_tenant, admin_client):
    link = make_link(inv_tenant.partner, name="运营撤销")
    gone = make_link(inv_tenant.partner, name="已撤销", revoked_at=timezone.now())
    changelist = reverse("admin:expansion_invitationlink_changelist")
    response = admin_client.post(changelist, {"action": "revoke", "_selected_action": [link.pk, gone.pk]})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    event = Event.objects.get(type="expansion.link_revoked")
    assert event.partner == inv_tenant.partner
    assert event.data == {"link_id": link.pk, "link_name": "运营撤销", "by": "platform"}
    with translation.override("en"):
        from events.types import get as event_type

        assert "运营撤销" in event_type("expansion.link_revoked").text(event.data)
    log = OperationLog.objects.get(partner=inv_tenant.partner, action="operator.change")
    assert log.target_id == str(link.pk)
    # again: nothing more (already revoked)
    admin_client.post(changelist, {"action": "revoke", "_selected_action": [link.pk]})
    assert Event.objects.filter(type="expansion.link_revoked").count() == 1


def test_a_partners_own_revocation_is_logged_not_announced(inv_tenant):
    link = make_link(inv_tenant.partner)
    invitations.revoke_link(actor_of(inv_tenant.admin), link_id=link.pk)
    assert not Event.objects.filter(type="expansion.link_revoked").exists()


def test_the_validity_message_matches_the_rule(inv_tenant):
    admin = actor_of(inv_tenant.admin)
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI), tick=False):
        assert invitations.create_link(admin, name="", association_type="1", valid_until=dt.date(2026, 3, 10))
        with pytest.raises(DomainError) as refused:
            invitations.create_link(admin, name="", association_type="1", valid_until=dt.date(2026, 3, 9))
    assert refused.value.code == InvitationCodes.VALIDITY
    with translation.override("en"):
        message = str(DomainError(InvitationCodes.VALIDITY).message)
    assert "today" in message and "after today" not in message


def test_the_svg_qr_code_has_a_white_background():
    root = ET.fromstring(invitations_qr.svg("https://partner.example/expansion/join/abc/"))
    background = root.find(f"{SVG}rect")
    assert background is not None and background.get("fill") == "white"
    assert background.get("width") == "100%" and background.get("height") == "100%"
    children = list(root)
    assert children.index(background) < children.index(root.find(f"{SVG}path"))  # painted under the modules

