"""The vouchers domain records its events in the outbox inside the change's transaction: coupons issued
(one per coupon, in one INSERT) and reclaimed, quotas received and reclaimed by cloud resellers, and
the periodic warning of coupons expiring within 7 days — once per coupon, however often it runs."""

from datetime import timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers import services as customer_services
from partnercenter.errors import DomainError
from vouchers import services, tasks
from vouchers.errors import VoucherCodes
from vouchers.models import Coupon, CouponQuota

from ..conftest import actor_of, build_tenant
from ..factories import AssociationFactory, CustomerUserFactory, PartnerFactory
from .test_emitters_customers import one, recorded, refused, secret_looking_keys

pytestmark = pytest.mark.django_db


def wire(moment) -> str:
    return moment.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def grant(partner, value="100.00", quota_type=0, days=30):
    now = timezone.now()
    return CouponQuota.objects.create(partner=partner, quota_type=quota_type, quota_value=Decimal(value),
                                      balance=Decimal(value), effective_time=now - timedelta(days=1),
                                      expire_time=now + timedelta(days=days))


def issue(actor, quota, customer_ids, face_value="5.00", **extra):
    return services.issue_coupons(actor, quota_id=quota.quota_id, customer_ids=customer_ids, face_value=face_value,
                                  **extra)


def test_an_issue_records_one_event_per_coupon_issued_in_one_insert(tenant_a, tenant_b):
    quota = grant(tenant_a.partner, "12.00", quota_type=1)  # flexi-purchase: resale customers only
    other = AssociationFactory(partner=tenant_a.partner, association_type="2", account_manager=tenant_a.member).customer
    ids = [tenant_a.resale.domain_id, tenant_b.resale.domain_id, tenant_a.referral.domain_id, other.domain_id,
           AssociationFactory(partner=tenant_a.partner, association_type="2").customer.domain_id]
    with CaptureQueriesContext(connection) as queries:
        infos, errors = issue(actor_of(tenant_a.admin), quota, ids, remark="内部备注")

    assert [i["id"] for i in infos] == [tenant_a.resale.domain_id, other.domain_id]
    assert len(errors) == 3  # another partner's, a referral customer, and the quota running out
    events = recorded("coupon.issued")
    coupons = {c.coupon_id: c for c in Coupon.objects.all()}
    assert [(e.partner, e.customer_pk, e.account_manager) for e in events] == [
        (tenant_a.partner, tenant_a.resale.pk, None), (tenant_a.partner, other.pk, tenant_a.member)]
    first = events[0].data
    coupon = coupons[infos[0]["coupon_id"]]
    assert {k: v for k, v in first.items() if k != "batch_id"} == {
        "coupon_id": coupon.coupon_id, "customer_id": tenant_a.resale.domain_id,
        "account_name": tenant_a.resale.domain_name, "quota_id": quota.quota_id, "coupon_type": 4,
        "face_value": "5.00", "valid_time": wire(coupon.valid_time), "expire_time": wire(coupon.expire_time)}
    assert events[0].data["batch_id"] == events[1].data["batch_id"]
    assert "内部备注" not in str(first)  # the issuer's remark is never sent
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "events_event"')]
    assert len(inserts) == 1


def test_a_refused_issue_records_nothing(tenant_a):
    actor = actor_of(tenant_a.admin)
    expired = grant(tenant_a.partner, days=-0.5)
    refused(VoucherCodes.QUOTA_NOT_USABLE, lambda: issue(actor, expired, [tenant_a.resale.domain_id]))
    infos, errors = issue(actor, grant(tenant_a.partner, "1.00"), [tenant_a.resale.domain_id], face_value="2.00")
    assert (infos, [e["error_code"] for e in errors]) == ([], [VoucherCodes.QUOTA_SHORT])
    assert recorded() == []
    # A wrong verification code: checked before anything, nothing recorded.
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)
    with pytest.raises(DomainError):
        issue(actor_of(tenant_a.admin), grant(tenant_a.partner), [tenant_a.resale.domain_id],
              verification_code="000000")
    assert recorded() == []


def test_a_reclaim_records_one_event_per_coupon_reclaimed(tenant_a):
    actor = actor_of(tenant_a.admin)
    quota = grant(tenant_a.partner)
    infos, _errors = issue(actor, quota, [tenant_a.resale.domain_id, tenant_a.referral.domain_id], face_value="7.50")
    coupon_ids = [i["coupon_id"] for i in infos]
    results = services.reclaim_coupons(actor, coupon_ids=[coupon_ids[0], "f" * 32, coupon_ids[1]])
    assert [r["ok"] for r in results] == [True, False, True]
    again = services.reclaim_coupons(actor, coupon_ids=[coupon_ids[0]])
    assert not again[0]["ok"]

    events = recorded("coupon.reclaimed")
    assert [(e.data["coupon_id"], e.data["amount"], e.data["operation_type"], e.customer_pk) for e in events] == [
        (coupon_ids[0], "7.50", "2", tenant_a.resale.pk), (coupon_ids[1], "7.50", "2", tenant_a.referral.pk)]
    assert events[1].account_manager == tenant_a.member  # the referral customer's account manager


def test_coupons_reclaimed_when_the_association_ends_are_recorded(tenant_a):
    actor = actor_of(tenant_a.admin)
    issue(actor, grant(tenant_a.partner), [tenant_a.resale.domain_id], face_value="6.00")
    request = customer_services.request_disassociation(actor, customer_id=tenant_a.resale.domain_id, reason="r")
    customer_services.decide_event(actor_of(CustomerUserFactory(customer=tenant_a.resale).user), event_id=request.pk,
                                   approve=True)

    event = one("coupon.reclaimed")
    assert (event.data["operation_type"], event.data["amount"], event.partner) == ("3", "6.00", tenant_a.partner)


def test_expiring_coupons_are_warned_once_however_often_the_task_runs(tenant_a, tenant_b):
    actor = actor_of(tenant_a.admin)
    now = timezone.now()
    quota = grant(tenant_a.partner, days=60)
    soon = issue(actor, quota, [tenant_a.resale.domain_id, tenant_a.referral.domain_id],
                 expire_time=now + timedelta(days=6))[0]
    later = issue(actor, quota, [tenant_a.resale.domain_id], expire_time=now + timedelta(days=8))[0]
    reclaimed = issue(actor, quota, [tenant_a.resale.domain_id], expire_time=now + timedelta(days=3))[0]
    services.reclaim_coupons(actor, coupon_ids=[reclaimed[0]["coupon_id"]])
    other = issue(actor_of(tenant_b.admin), grant(tenant_b.partner), [tenant_b.resale.domain_id],
                  expire_time=now + timedelta(days=1))[0]

    tasks.warn_expiring_coupons()
    first = recorded("coupon.expiring")
    tasks.warn_expiring_coupons()
    # A week later the coupon expiring in 8 days is due too; the others are not warned again.
    services.warn_expiring(now=now + timedelta(days=2))

    warned = recorded("coupon.expiring")
    expected = {soon[0]["coupon_id"], soon[1]["coupon_id"], other[0]["coupon_id"]}
    assert {e.data["coupon_id"] for e in first} == expected
    assert [e.data["coupon_id"] for e in warned[len(first):]] == [later[0]["coupon_id"]]
    assert len(warned) == len({e.key for e in warned}) == 4
    event = next(e for e in first if e.data["coupon_id"] == soon[1]["coupon_id"])
    assert (event.partner, event.customer_pk, event.account_manager) == (
        tenant_a.partner, tenant_a.referral.pk, tenant_a.member)
    assert (event.data["balance"], event.data["face_value"]) == ("5.00", "5.00")
    assert event.key == f"coupon:{Coupon.objects.get(coupon_id=soon[1]['coupon_id']).pk}"


def test_a_reseller_hears_it_received_a_quota_and_that_it_was_reclaimed():
    distributor = build_tenant("dist", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    actor = actor_of(distributor.admin)
    parent = grant(distributor.partner, "50.00")

    infos, errors = services.issue_quota_to_resellers(actor, quota_id=parent.quota_id, quota_amount="20.00",
                                                      indirect_partner_ids=[reseller.domain_id, "nobody"])
    services.reclaim_reseller_quotas(actor, quota_ids=[infos[0]["quota_id"]])
    refused_again = services.reclaim_reseller_quotas(actor, quota_ids=[infos[0]["quota_id"]])

    assert len(errors) == 1 and refused_again[1]
    received, reclaimed = one("quota.received"), one("quota.reclaimed")
    assert (received.partner, reclaimed.partner) == (reseller, reseller)
    assert received.data["quota_id"] == infos[0]["quota_id"] and received.data["quota_value"] == "20.00"
    assert received.data["distributor_id"] == distributor.partner.domain_id
    assert reclaimed.data == {"quota_id": infos[0]["quota_id"], "quota_type": 0, "quota_balance": "20.00",
                              "distributor_id": distributor.partner.domain_id}
    assert "20.00" in received.text


def test_a_distributor_issuing_from_its_resellers_quota_gets_a_copy():
    distributor = build_tenant("dist", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    customer = AssociationFactory(partner=reseller, association_type="2").customer
    quota = grant(reseller)

    issue(actor_of(distributor.admin), quota, [customer.domain_id], indirect_partner_id=reseller.domain_id)

    events = recorded("coupon.issued")
    assert [e.partner for e in events] == [reseller, distributor.partner]
    assert events[1].data["indirect_partner_id"] == reseller.domain_id


def test_no_voucher_event_carries_a_secret(tenant_a):
    actor = actor_of(tenant_a.admin)
    infos, _errors = issue(actor, grant(tenant_a.partner), [tenant_a.resale.domain_id],
                           expire_time=timezone.now() + timedelta(days=2), remark="secret remark")
    services.warn_expiring()
    services.reclaim_coupons(actor, coupon_ids=[infos[0]["coupon_id"]])

    events = recorded()
    assert {e.type for e in events} == {"coupon.issued", "coupon.expiring", "coupon.reclaimed"}
    for event in events:
        assert secret_looking_keys(event.data) == [], (event.type, event.data)
        assert "secret remark" not in str(event.data)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_warning_runs_at_once_warn_each_coupon_once(tenant_a):
    """The second run reads the coupons as not yet warned (the first has not committed), waits on the
    unique (type, key) index for the first's rows, and then skips them."""
    from django.db import transaction

    from ..billing.test_races import Contender

    actor = actor_of(tenant_a.admin)
    infos, _errors = issue(actor, grant(tenant_a.partner), [tenant_a.resale.domain_id, tenant_a.referral.domain_id],
                           expire_time=timezone.now() + timedelta(days=1))
    with transaction.atomic():
        services.warn_expiring()
        contender = Contender(services.warn_expiring).start()
        assert contender.blocked_or_done() == "blocked"
    outcome = contender.finish()

    assert not isinstance(outcome, Exception), outcome
    warned = recorded("coupon.expiring")
    assert sorted(e.data["coupon_id"] for e in warned) == sorted(i["coupon_id"] for i in infos)
