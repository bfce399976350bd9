"""成为云经销商: each documented condition produced from real data, the request from the fee center, and the
distributor's acceptance creating the reseller partner and inviting its administrator."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing.models import CustomerAccount
from events.models import Event
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Invitation, OperationLog, Partner, Role
from programs import reseller
from programs.choices import MembershipStatus, ResellerRequestStatus
from programs.errors_access import AccessCodes
from programs.models import Membership, ResellerRequest
from trade.choices import OrderStatus
from vouchers.models import Coupon, CouponQuota

from ..conftest import actor_of, build_tenant, login_client
from ..factories import AssociationFactory, CustomerFactory, CustomerUserFactory, ResourceFactory
from ..trade.order_factories import make_order

pytestmark = pytest.mark.django_db


class World:
    pass


@pytest.fixture
def world(db, programmes):
    w = World()
    w.dist = build_tenant("d", partner_type="distributor")
    w.other = build_tenant("o", partner_type="distributor")
    w.customer = CustomerFactory(domain_name="shop-account", mobile_phone="13900139000")
    w.owner = CustomerUserFactory(customer=w.customer, user__username="shop.owner")
    w.actor = actor_of(w.owner.user)
    return w


def _ask(w, **overrides):
    kwargs = {"distributor": w.dist.partner.account_name, "company_name": "小店科技有限公司",
              "contact_email": "admin@shop.example.com", "acknowledged": True}
    kwargs.update(overrides)
    return reseller.request_reseller(w.actor, **kwargs)


def _codes(w, distributor=None):
    return {c["code"] for c in reseller.conditions_of(w.customer, distributor or w.dist.partner) if not c["met"]}


def _refused_codes(w, **overrides):
    with pytest.raises(DomainError) as exc:
        _ask(w, **overrides)
    assert exc.value.code == AccessCodes.NOT_ELIGIBLE
    return set(exc.value.extra["reasons"])


# -------------------------------------------------------------------------------------------------
# Each condition from real data
# -------------------------------------------------------------------------------------------------

def test_a_clean_account_meets_every_condition(world):
    assert _codes(world) == set()
    assert all(c["met"] for c in reseller.conditions_of(world.customer))


def test_unclosed_resources(world):
    closed = ResourceFactory(customer=world.customer, status=6)
    assert _codes(world) == set()
    ResourceFactory(customer=world.customer, status=1)
    assert _refused_codes(world) == {"unclosed_resources"}
    assert closed.pk


def test_arrears_and_cash_balance(world):
    account = CustomerAccount.objects.create(customer=world.customer, balance=Decimal("0.01"))
    assert _refused_codes(world) == {"arrears_or_balance"}
    CustomerAccount.objects.filter(pk=account.pk).update(balance=0, arrears=Decimal("5.00"))
    assert _refused_codes(world) == {"arrears_or_balance"}
    CustomerAccount.objects.filter(pk=account.pk).update(arrears=0)
    assert _codes(world) == set()


def test_an_invoiceable_amount(world):
    order = make_order(world.customer, status=OrderStatus.COMPLETED)
    assert _codes(world) == set()
    type(order).objects.filter(pk=order.pk).update(invoiceable=True)
    assert _refused_codes(world) == {"invoiceable"}
    type(order).objects.filter(pk=order.pk).update(vat_invoice_issued_at=timezone.now())
    assert _codes(world) == set()


def test_postpaid_and_special_contract(world):
    world.customer.is_postpaid = True
    world.customer.save(update_fields=["is_postpaid"])
    assert _refused_codes(world) == {"postpaid"}
    world.customer.is_postpaid, world.customer.has_special_contract = False, True
    world.customer.save(update_fields=["is_postpaid", "has_special_contract"])
    assert _refused_codes(world) == {"special_contract"}


def test_a_customer_of_a_distributor(world):
    association = AssociationFactory(partner=world.other.partner, customer=world.customer, association_type="1")
    assert _refused_codes(world) == {"distributor_customer"}
    type(association).objects.filter(pk=association.pk).update(ended_on=timezone.now())
    # a solution provider's customer is not refused for that
    AssociationFactory(partner=build_tenant("s").partner, customer=world.customer)
    assert _codes(world) == set()


def test_every_reason_at_once_and_no_request_is_made(world):
    ResourceFactory(customer=world.customer, status=1)
    CustomerAccount.objects.create(customer=world.customer, arrears=Decimal("1.00"))
    world.customer.is_postpaid = world.customer.has_special_contract = True
    world.customer.save()
    assert _refused_codes(world) == {"unclosed_resources", "arrears_or_balance", "postpaid", "special_contract"}
    assert not ResellerRequest.objects.exists()


def test_the_named_partner_must_be_an_active_distributor(world):
    assert _refused_codes(world, distributor="nobody-here") == {"not_a_distributor"}
    provider = build_tenant("p").partner
    assert _refused_codes(world, distributor=provider.domain_id) == {"not_a_distributor"}
    # by account ID works as well as by account name
    assert _ask(world, distributor=world.dist.partner.domain_id).distributor == world.dist.partner


def test_the_acknowledgement_is_required(world):
    with pytest.raises(DomainError) as exc:
        _ask(world, acknowledged=False)
    assert exc.value.code == AccessCodes.NOT_ACKNOWLEDGED


def test_lapsing_benefits_count_unused_coupons(world):
    now = timezone.now()
    quota = CouponQuota.objects.create(partner=world.other.partner, quota_type=0, quota_value=1000, balance=1000,
                                       effective_time=now - timedelta(days=1), expire_time=now + timedelta(days=90))
    for status, balance in ((2, "30.00"), (1, "20.00"), (3, "0.00")):
        Coupon.objects.create(quota=quota, partner=world.other.partner, customer=world.customer, coupon_type=1,
                              face_value=Decimal("50.00"), balance=Decimal(balance), status=status,
                              valid_time=now - timedelta(days=1), expire_time=now + timedelta(days=30))
    lapsing = reseller.lapsing_benefits(world.customer)
    assert lapsing["coupons"] == 2 and lapsing["coupon_balance"] == Decimal("50.00")


# -------------------------------------------------------------------------------------------------
# The request
# -------------------------------------------------------------------------------------------------

def test_one_open_request_at_a_time_and_it_can_be_withdrawn(world):
    request = _ask(world)
    assert request.status == ResellerRequestStatus.APPLYING
    assert Event.objects.filter(type="programs.reseller_requested", partner=world.dist.partner).count() == 1
    with pytest.raises(DomainError) as again:
        _ask(world, distributor=world.other.partner.account_name)
    assert again.value.code == AccessCodes.REQUEST_OPEN

    reseller.withdraw_request(world.actor, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == ResellerRequestStatus.WITHDRAWN
    with pytest.raises(DomainError) as twice:
        reseller.withdraw_request(world.actor, request_id=request.pk)
    assert twice.value.code == AccessCodes.REQUEST_DECIDED
    assert _ask(world).pk != request.pk  # asking again is possible


def test_only_the_owner_asks(world):
    iam = CustomerUserFactory(customer=world.customer, is_owner=False)
    with pytest.raises(DomainError) as exc:
        reseller.request_reseller(actor_of(iam.user), distributor=world.dist.partner.account_name,
                                  company_name="x", contact_email="x@example.com", acknowledged=True)
    assert exc.value.code == AccessCodes.NOT_OWNER


# -------------------------------------------------------------------------------------------------
# The distributor decides
# -------------------------------------------------------------------------------------------------

def test_accepting_creates_the_reseller_its_role_and_the_invitation(world):
    request = _ask(world)
    distributor = world.dist.partner

    created, invitation, token = reseller.accept_request(actor_of(world.dist.admin), request_id=request.pk)

    assert created.partner_type == "reseller" and created.distributor == distributor
    assert created.domain_id == world.customer.domain_id and created.account_name == "shop-account"
    assert created.name == "小店科技有限公司" and created.contracting_entity == distributor.contracting_entity
    assert created.associated_on is not None
    assert Role.objects.get(partner=created).is_administrator
    assert invitation.partner == created and invitation.email == "admin@shop.example.com"
    assert list(invitation.roles.all()) == [Role.objects.get(partner=created)]
    assert Invitation.hash_token(token) == invitation.token_hash
    request.refresh_from_db()
    assert request.status == ResellerRequestStatus.ACCEPTED and request.reseller == created
    assert Membership.objects.get(partner=created).status == MembershipStatus.JOINED
    assert Event.objects.filter(type="programs.reseller_created", partner=distributor).exists()
    assert Event.objects.filter(type="programs.reseller_accepted", customer_pk=world.customer.pk).exists()
    assert OperationLog.objects.filter(partner=distributor, action="programs.reseller_accept",
                                       result="success").exists()
    assert OperationLog.objects.filter(partner=created, action="member.invite").exists()
    # now the account is a partner: asking again is refused for it
    assert "already_partner" in _codes(world)


def test_acceptance_checks_the_conditions_again(world):
    request = _ask(world)
    ResourceFactory(customer=world.customer, status=1)  # opened after the request
    with pytest.raises(DomainError) as exc:
        reseller.accept_request(actor_of(world.dist.admin), request_id=request.pk)
    assert exc.value.extra["reasons"] == ["unclosed_resources"]
    assert not Partner.objects.filter(domain_id=world.customer.domain_id).exists()
    request.refresh_from_db()
    assert request.status == ResellerRequestStatus.APPLYING


def test_rejecting_needs_a_reason_and_tells_the_customer(world):
    request = _ask(world)
    with pytest.raises(DomainError):
        reseller.reject_request(actor_of(world.dist.admin), request_id=request.pk, reason="  ")
    reseller.reject_request(actor_of(world.dist.admin), request_id=request.pk, reason="资质不符")
    request.refresh_from_db()
    assert request.status == ResellerRequestStatus.REJECTED and request.reason == "资质不符"
    event = Event.objects.get(type="programs.reseller_rejected")
    assert event.customer_pk == world.customer.pk and event.data["reason"] == "资质不符"
    with pytest.raises(DomainError) as late:
        reseller.accept_request(actor_of(world.dist.admin), request_id=request.pk)
    assert late.value.code == AccessCodes.REQUEST_DECIDED


def test_another_distributor_cannot_see_or_decide(world):
    request = _ask(world)
    other = login_client(world.other.admin.user)
    for name in ("programs:reseller_request", "programs:reseller_request_reject"):
        url = reverse(name, kwargs={"pk": request.pk})
        assert other.get(url).status_code in (404, 405)
        assert other.post(url, {"reason": "x"}).status_code == 404
    listing = other.get(reverse("programs:reseller_requests") + "?show=all")
    assert listing.status_code == 200 and f'data-request="{request.pk}"'.encode() not in listing.content
    with pytest.raises(DomainError) as exc:
        reseller.accept_request(actor_of(world.other.admin), request_id=request.pk)
    assert exc.value.code == Codes.NOT_FOUND
    request.refresh_from_db()
    assert request.status == ResellerRequestStatus.APPLYING


def test_the_requests_page_needs_resellers_manage(world):
    assert login_client(world.dist.member.user).get(reverse("programs:reseller_requests")).status_code == 403
    provider = build_tenant("q")
    assert login_client(provider.admin.user).get(reverse("programs:reseller_requests")).status_code == 403


# -------------------------------------------------------------------------------------------------
# Pages
# -------------------------------------------------------------------------------------------------

def test_the_fee_center_page_lists_each_condition_and_submits(world):
    ResourceFactory(customer=world.customer, status=1)
    client = login_client(world.owner.user)
    client.cookies["django_language"] = "en"
    url = reverse("fee_center_reseller")

    page = client.get(url).content.decode()
    assert 'data-condition="unclosed_resources" data-met="0"' in page
    assert 'data-condition="postpaid" data-met="1"' in page
    assert "lapse" in page

    refused = client.post(url, {"distributor": world.dist.partner.account_name, "company_name": "小店",
                                "contact_email": "admin@shop.example.com", "acknowledged": "on"})
    assert refused.status_code == 200 and b'data-reason="unclosed_resources"' in refused.content
    assert not ResellerRequest.objects.exists()

    type(world.customer.resources.first()).objects.filter(customer=world.customer).update(status=6)
    sent = client.post(url, {"distributor": world.dist.partner.account_name, "company_name": "小店",
                             "contact_email": "admin@shop.example.com", "acknowledged": "on"})
    assert sent.status_code == 302
    request = ResellerRequest.objects.get()
    assert f'data-request="{request.pk}"' in client.get(url).content.decode()

    assert client.post(reverse("fee_center_reseller_withdraw", kwargs={"pk": request.pk})).status_code == 302
    request.refresh_from_db()
    assert request.status == ResellerRequestStatus.WITHDRAWN


def test_a_customer_sees_only_its_own_request(world):
    request = _ask(world)
    stranger = CustomerUserFactory(user__username="stranger.owner")
    client = login_client(stranger.user)
    assert f'data-request="{request.pk}"' not in client.get(reverse("fee_center_reseller")).content.decode()
    assert client.post(reverse("fee_center_reseller_withdraw", kwargs={"pk": request.pk})).status_code == 404
    request.refresh_from_db()
    assert request.status == ResellerRequestStatus.APPLYING
    # a partner's member is no customer
    assert login_client(world.dist.admin.user).get(reverse("fee_center_reseller")).status_code == 403


def test_the_distributor_accepts_in_two_steps_and_the_invitation_is_mailed(world, django_capture_on_commit_callbacks):
    request = _ask(world)
    client = login_client(world.dist.admin.user)
    client.cookies["django_language"] = "en"
    url = reverse("programs:reseller_request", kwargs={"pk": request.pk})

    page = client.get(url).content.decode()
    assert "shop-account" in page and 'data-condition="invoiceable" data-met="1"' in page
    listing = client.get(reverse("programs:reseller_requests")).content.decode()
    assert f'data-request="{request.pk}"' in listing

    confirm = client.post(url, {})
    assert confirm.status_code == 200 and b'id="confirm-form"' in confirm.content
    assert not Partner.objects.filter(domain_id=world.customer.domain_id).exists()
    token = confirm.context["confirm"]["token"].value()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"confirm": "1", "token": token})
    assert done.status_code == 302
    created = Partner.objects.get(domain_id=world.customer.domain_id)
    assert created.partner_type == "reseller"
    invitation = Invitation.objects.get(partner=created)
    (sent,) = [m for m in mail.outbox if m.to == ["admin@shop.example.com"]]
    assert "/invite/" in sent.body
    assert Invitation.hash_token(sent.body.split("/invite/")[1].split("/")[0]) == invitation.token_hash


def _coupon(w, status, balance):
    now = timezone.now()
    quota = CouponQuota.objects.create(partner=w.other.partner, quota_type=0, quota_value=1000, balance=900,
                                       effective_time=now - timedelta(days=1), expire_time=now + timedelta(days=90))
    return Coupon.objects.create(quota=quota, partner=w.other.partner, customer=w.customer, coupon_type=1,
                                 face_value=Decimal("50.00"), balance=Decimal(balance), status=status,
                                 valid_time=now - timedelta(days=1), expire_time=now + timedelta(days=30))


def test_acceptance_lapses_unused_coupons_and_ends_partner_discounts(world):
    from trade.models import PartnerDiscount
    from vouchers.choices import CouponOperation, CouponStatus
    from vouchers.models import CouponRecord

    from ..trade.order_factories import catalogue

    catalogue()
    from catalog.models import ServiceType
    effective, inactive = _coupon(world, 2, "30.00"), _coupon(world, 1, "20.00")
    used = _coupon(world, 3, "0.00")
    PartnerDiscount.objects.create(partner=world.other.partner, customer=world.customer, rate=Decimal("0.9000"),
                                   service_type=ServiceType.objects.first())
    request = _ask(world)
    reseller.accept_request(actor_of(world.dist.admin), request_id=request.pk)

    for coupon in (effective, inactive, used):
        coupon.refresh_from_db()
    assert (effective.status, inactive.status, used.status) == (CouponStatus.EXPIRED, CouponStatus.EXPIRED, 3)
    records = CouponRecord.objects.filter(customer=world.customer, operation_type=CouponOperation.EXPIRE)
    assert sorted(r.amount for r in records) == [Decimal("20.00"), Decimal("30.00")]
    assert all(r.partner_id == world.other.partner.pk for r in records)
    # the balance returns to no quota
    assert sorted(CouponQuota.objects.values_list("balance", flat=True)) == [Decimal("900")] * 3
    assert not PartnerDiscount.objects.filter(customer=world.customer).exists()
    assert reseller.lapsing_benefits(world.customer) == {"coupons": 0, "coupon_balance": Decimal("0"),
                                                         "discounts": 0}
    entry = OperationLog.objects.get(partner=world.dist.partner, action="programs.reseller_accept")
    assert (entry.detail["coupons_lapsed"], entry.detail["coupon_balance_lapsed"], entry.detail["discounts_ended"]) \
        == (2, "50.00", 1)


def test_a_refused_acceptance_lapses_nothing(world):
    effective = _coupon(world, 2, "30.00")
    request = _ask(world)
    ResourceFactory(customer=world.customer, status=1)
    with pytest.raises(DomainError):
        reseller.accept_request(actor_of(world.dist.admin), request_id=request.pk)
    effective.refresh_from_db()
    assert effective.status == 2


def test_acceptance_locks_the_billing_account_before_checking(world, monkeypatch):
    calls = []
    lock, check = reseller.lock_customer_account, reseller.reseller_refusals
    monkeypatch.setattr(reseller, "lock_customer_account", lambda customer: calls.append("lock") or lock(customer))
    monkeypatch.setattr(reseller, "reseller_refusals",
                        lambda *args: calls.append("check") or check(*args))
    request = _ask(world)
    calls.clear()
    reseller.accept_request(actor_of(world.dist.admin), request_id=request.pk)
    assert calls[:2] == ["lock", "check"]
    assert CustomerAccount.objects.filter(customer=world.customer).exists()


def test_an_account_name_taken_by_a_partner_is_refused_before_acceptance(world):
    request = _ask(world)
    Partner.objects.filter(pk=world.other.partner.pk).update(account_name="SHOP-Account")  # any case
    assert "already_partner" in _codes(world)
    assert [c for c in reseller.conditions_of(world.customer, world.dist.partner)
            if c["code"] == "already_partner"][0]["met"] is False
    with pytest.raises(DomainError) as exc:
        reseller.accept_request(actor_of(world.dist.admin), request_id=request.pk)
    assert exc.value.code == AccessCodes.NOT_ELIGIBLE and exc.value.extra["reasons"] == ["already_partner"]
