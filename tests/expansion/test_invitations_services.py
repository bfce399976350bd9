"""线下拓展: links, registration through a link (the association type the link says), refusals that change
nothing (revoked, expired, a delisted distributor's reseller, an inactive partner), the counter, the log and
the event."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from customers.models import Association, AssociationEvent, Customer
from events.models import Event
from expansion import invitations
from expansion.errors_invitations import InvitationCodes
from expansion.models import InvitationLink, LinkRegistration
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from partnercenter.workdays import SHANGHAI

from ..conftest import build_tenant
from . import invitations_fixtures
from .invitations_fixtures import MOBILE, PASSWORD, actor_of, give_code, make_link, reseller_of, sms_code

# the shared fixtures (assigned, not imported: a test parameter then shadows no import)
inv_tenant, inv_other, sms_outbox = (invitations_fixtures.inv_tenant, invitations_fixtures.inv_other,
                                     invitations_fixtures.sms_outbox)
clean_throttles = invitations_fixtures.clean_throttles  # autouse: the page's budgets start empty

pytestmark = pytest.mark.django_db


def register(link, name="acme-cloud", mobile=MOBILE, **kwargs):
    code = give_code(mobile)
    return invitations.register_through_link(
        token=link.token, domain_name=name, password=PASSWORD, mobile_phone=mobile, verification_code=code,
        ip="203.0.113.9", **kwargs)


def snapshot():
    return (Customer.objects.count(), Association.objects.count(), LinkRegistration.objects.count(),
            list(InvitationLink.objects.order_by("pk").values_list("registrations", flat=True)),
            Event.objects.filter(type="expansion.customer_registered").count())


@pytest.mark.parametrize("association_type", ["1", "2"])
def test_registration_associates_the_customer_as_the_link_says(inv_tenant, association_type):
    link = make_link(inv_tenant.partner, association_type=association_type)
    customer = register(link)
    association = Association.objects.get(customer=customer, ended_on__isnull=True)
    assert association.partner == inv_tenant.partner
    assert association.association_type == association_type
    assert customer.created_by_partner == inv_tenant.partner and customer.mobile_phone == MOBILE
    assert customer.users.get().user.check_password(PASSWORD)
    link.refresh_from_db()
    assert link.registrations == 1
    assert LinkRegistration.objects.get(customer=customer).link == link
    assert AssociationEvent.objects.get(customer=customer).initiator == "customer"
    event = Event.objects.get(type="expansion.customer_registered")
    assert event.partner == inv_tenant.partner and event.customer_pk == customer.pk
    assert event.data["association_type"] == association_type and event.data["link_id"] == link.pk
    log = OperationLog.objects.get(action="expansion.join")
    assert log.partner == inv_tenant.partner and log.result == "success" and log.target_id == customer.domain_id
    assert log.ip == "203.0.113.9"


def test_the_count_rises_with_each_registration(inv_tenant):
    link = make_link(inv_tenant.partner)
    register(link, "first-cust")
    register(link, "second-cust", mobile="13912340000")
    link.refresh_from_db()
    assert link.registrations == 2


def test_a_revoked_link_is_refused_and_changes_nothing(inv_tenant):
    link = make_link(inv_tenant.partner)
    invitations.revoke_link(actor_of(inv_tenant.admin), link_id=link.pk)
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        register(link)
    assert refused.value.code == InvitationCodes.LINK_REVOKED
    assert snapshot() == before
    assert invitations.link_state(link.token)[0] == invitations.REVOKED


def test_an_expired_link_is_refused_and_changes_nothing(inv_tenant):
    link = make_link(inv_tenant.partner, valid_until=timezone.now() - dt.timedelta(seconds=1))
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        register(link)
    assert refused.value.code == InvitationCodes.LINK_EXPIRED
    assert snapshot() == before


def test_a_link_expiring_while_the_visitor_types_is_refused_at_commit(inv_tenant):
    """The link was usable when the page was shown and when the registration began; it expires before the
    conditional UPDATE: the whole registration rolls back."""
    link = make_link(inv_tenant.partner, valid_until=timezone.now() + dt.timedelta(minutes=1))
    real = invitations._usable
    before = snapshot()

    def usable_then_time_passes(token):
        found = real(token)
        traveller.shift(dt.timedelta(minutes=2))
        return found

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        invitations._usable = usable_then_time_passes
        try:
            with pytest.raises(DomainError) as refused:
                register(link)
        finally:
            invitations._usable = real
    assert refused.value.code == InvitationCodes.LINK_EXPIRED
    assert snapshot() == before
    log = OperationLog.objects.get(action="expansion.join")
    # the refusal's row names the link, not the customer the rollback removed
    assert log.result == "failure" and (log.target_type, log.target_id) == ("InvitationLink", str(link.pk))


def test_a_delisted_distributors_reseller_cannot_invite(db):
    distributor, reseller, admin = reseller_of("active")
    link = make_link(reseller)
    distributor.status = "delisted"
    distributor.save()
    reseller.refresh_from_db()
    assert distributor.name in invitations.invite_refusal(reseller)
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        register(link)
    assert refused.value.code == InvitationCodes.PARTNER_REFUSED
    assert snapshot() == before
    with pytest.raises(DomainError) as cannot:
        invitations.create_link(actor_of(admin), name="x", association_type="2",
                                valid_until=dt.date.today() + dt.timedelta(days=3))
    assert cannot.value.code == InvitationCodes.CANNOT_INVITE
    assert InvitationLink.objects.filter(partner=reseller).count() == 1
    assert OperationLog.objects.get(action="expansion.link_create").result == "failure"


def test_delisting_during_the_registration_rolls_it_back(db):
    distributor, reseller, admin = reseller_of("active")
    link = make_link(reseller)
    real = invitations._usable
    before = snapshot()

    def usable_then_delisted(token):
        found = real(token)
        type(distributor).objects.filter(pk=distributor.pk).update(status="delisted")
        return found

    invitations._usable = usable_then_delisted
    try:
        with pytest.raises(DomainError) as refused:
            register(link)
    finally:
        invitations._usable = real
    assert refused.value.code == InvitationCodes.PARTNER_REFUSED
    assert snapshot() == before


def test_an_active_distributors_reseller_may_invite(db):
    distributor, reseller, admin = reseller_of("active")
    assert invitations.invite_refusal(reseller) is None
    link = invitations.create_link(actor_of(admin), name="x", association_type="2",
                                   valid_until=dt.date.today() + dt.timedelta(days=3))
    customer = register(link)
    assert Association.objects.get(customer=customer).partner == reseller


def test_a_suspended_partner_cannot_invite(inv_tenant):
    link = make_link(inv_tenant.partner)
    inv_tenant.partner.status = "suspended"
    inv_tenant.partner.save()
    assert invitations.invite_refusal(inv_tenant.partner)
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        register(link)
    assert refused.value.code == InvitationCodes.PARTNER_REFUSED
    assert snapshot() == before


def test_create_link_rules(inv_tenant):
    admin = actor_of(inv_tenant.admin)
    with time_machine.travel(dt.datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI), tick=False):
        link = invitations.create_link(admin, name=" 展会 ", association_type="2", valid_until=dt.date(2026, 11, 30))
        assert link.name == "展会" and link.created_by == inv_tenant.admin
        assert link.valid_until == dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=SHANGHAI)
        assert link.is_usable()
        for wrong in (dt.date(2026, 11, 29), dt.date(2027, 12, 2)):
            with pytest.raises(DomainError) as refused:
                invitations.create_link(admin, name="", association_type="1", valid_until=wrong)
            assert refused.value.code == InvitationCodes.VALIDITY
        with pytest.raises(DomainError) as refused:
            invitations.create_link(admin, name="", association_type="3", valid_until=dt.date(2026, 12, 1))
        assert refused.value.code == Codes.PARAMETER
        # without expansion.manage
        with pytest.raises(DomainError) as refused:
            invitations.create_link(actor_of(inv_tenant.member), name="", association_type="1",
                                    valid_until=dt.date(2026, 12, 1))
        assert refused.value.code == Codes.FORBIDDEN
    assert OperationLog.objects.filter(action="expansion.link_create", result="success").count() == 1


def test_revoke_is_the_partners_own_and_once(inv_tenant, inv_other):
    link = make_link(inv_tenant.partner)
    with pytest.raises(DomainError) as refused:
        invitations.revoke_link(actor_of(inv_other.admin), link_id=link.pk)
    assert refused.value.code == Codes.NOT_FOUND
    invitations.revoke_link(actor_of(inv_tenant.admin), link_id=link.pk)
    with pytest.raises(DomainError) as again:
        invitations.revoke_link(actor_of(inv_tenant.admin), link_id=link.pk)
    assert again.value.code == InvitationCodes.ALREADY_REVOKED
    # the other partner's refusal is logged too (in its own 操作记录, naming no link)
    rows = list(OperationLog.objects.filter(action="expansion.link_revoke").order_by("pk"))
    assert [row.result for row in rows] == ["failure", "success", "failure"]
    assert (rows[0].partner, rows[0].error_code, rows[0].target_id) == (inv_other.partner, Codes.NOT_FOUND, "")
    assert rows[0].detail["link_id"] == str(link.pk)
    assert rows[1].partner == rows[2].partner == inv_tenant.partner and rows[1].target_id == str(link.pk)
    with pytest.raises(DomainError) as nonsense:
        invitations.revoke_link(actor_of(inv_tenant.admin), link_id="not-an-id")
    assert nonsense.value.code == Codes.NOT_FOUND


def test_the_code_is_sent_for_a_usable_link_only(inv_tenant, sms_outbox, django_capture_on_commit_callbacks):
    link = make_link(inv_tenant.partner)
    with django_capture_on_commit_callbacks(execute=True):
        invitations.send_join_code(token=link.token, mobile_phone=MOBILE, ip="203.0.113.9")
    code = sms_code(sms_outbox)
    customer = invitations.register_through_link(
        token=link.token, domain_name="acme-cloud", password=PASSWORD, mobile_phone=MOBILE,
        verification_code=code)
    assert customer.domain_name == "acme-cloud"
    assert OperationLog.objects.get(action="expansion.join_code").partner == inv_tenant.partner
    invitations.revoke_link(actor_of(inv_tenant.admin), link_id=link.pk)
    with pytest.raises(DomainError) as refused:
        invitations.send_join_code(token=link.token, mobile_phone="13900001111")
    assert refused.value.code == InvitationCodes.LINK_REVOKED
    with pytest.raises(DomainError) as unknown:
        invitations.send_join_code(token="nope", mobile_phone="13900001111")
    assert unknown.value.code == InvitationCodes.LINK_UNKNOWN
    assert len(sms_outbox) == 1


def test_customers_rules_apply(inv_tenant):
    link = make_link(inv_tenant.partner)
    give_code()
    with pytest.raises(DomainError):  # a wrong code
        invitations.register_through_link(token=link.token, domain_name="acme-cloud", password=PASSWORD,
                                          mobile_phone=MOBILE, verification_code="00000000")
    with pytest.raises(DomainError):  # a weak password
        invitations.register_through_link(token=link.token, domain_name="acme-cloud", password="password",
                                          mobile_phone=MOBILE, verification_code="12345678")
    register(link, name="acme-cloud")
    with pytest.raises(DomainError):  # the name is taken
        register(link, name="acme-cloud", mobile="13900002222")
    link.refresh_from_db()
    assert link.registrations == 1


def test_demo_seed_is_idempotent(db):
    from expansion import demo_invitations

    distributor, reseller, reseller_admin = reseller_of("active", tag="hz")
    bj = build_tenant("bj")
    ctx = {"partners": {"bj": bj.partner, "hz": reseller, "hd": distributor},
           "members": {"bj.sa": bj.admin, "hz.admin": reseller_admin}, "logins": [], "access_keys": []}
    demo_invitations.seed(ctx)
    counts = snapshot()
    demo_invitations.seed(ctx)
    assert snapshot() == counts
    links = {link.name: link for link in InvitationLink.objects.all()}
    assert len(links) == 5 and links["2026 华为云城市峰会 · 北京站"].registrations == 3
    assert all(link.registrations == link.registered.count() for link in links.values())
    states = {invitations.link_state(link.token)[0] for link in links.values()}
    assert states == {invitations.USABLE, invitations.REVOKED, invitations.EXPIRED}
