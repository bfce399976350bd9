"""Vouchers: quotas, issuing and reclaiming coupons (SDK end to end), per-customer results, expiry,
distributor quotas, reclaim when an association ends, and concurrency on PostgreSQL."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from huaweicloudsdkbss.v2 import (
    CreatePartnerCouponsReq, CreatePartnerCouponsRequest, ListIssuedPartnerCouponsRequest,
    ListPartnerCouponsRecordRequest, ListQuotaCouponsRequest, QueryCouponQuotasReqExt, ReclaimPartnerCouponsReq,
    ReclaimPartnerCouponsRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from customers import services as customer_services
from partnercenter.errors import Codes, DomainError
from vouchers import selectors, services, tasks
from vouchers.errors import VoucherCodes
from vouchers.models import Coupon, CouponQuota, CouponRecord

from ..conftest import actor_of, build_tenant
from ..factories import AssociationFactory, CustomerUserFactory, PartnerFactory, make_access_key
from ..signed import bss_client, call


def grant(partner, value="20.00", quota_type=0, days=30, **extra):
    now = timezone.now()
    return CouponQuota.objects.create(partner=partner, quota_type=quota_type, quota_value=Decimal(value),
                                      balance=Decimal(value), effective_time=now - timedelta(days=1),
                                      expire_time=now + timedelta(days=days), **extra)


def quota_balance(quota):
    return CouponQuota.objects.get(pk=quota.pk).balance


@pytest.mark.django_db(transaction=True)
def test_sdk_quota_issue_list_reclaim_and_the_customer_view(live_server, tenant_a):
    quota = grant(tenant_a.partner, "100.00")
    other = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
    client = bss_client(live_server.url, ak=tenant_a.key.ak, sk=tenant_a.secret, domain_id=tenant_a.partner.domain_id)

    quotas = client.list_quota_coupons(ListQuotaCouponsRequest(body=QueryCouponQuotasReqExt()))
    issued = client.create_partner_coupons(CreatePartnerCouponsRequest(body=CreatePartnerCouponsReq(
        quota_id=quota.quota_id, customer_ids=[tenant_a.resale.domain_id, other.domain_id], face_value=Decimal("12.50"),
        memo="内部备注：春季促销")))
    after_issue = quota_balance(quota)
    listed = client.list_issued_partner_coupons(ListIssuedPartnerCouponsRequest(status=2))
    first = issued.coupon_infos[0].coupon_id
    client.reclaim_partner_coupons(ReclaimPartnerCouponsRequest(body=ReclaimPartnerCouponsReq(coupon_id=first)))
    reclaimed = client.list_issued_partner_coupons(ListIssuedPartnerCouponsRequest(coupon_id=first))
    records = client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(operation_types=["2"]))
    with pytest.raises(ClientRequestException) as again:
        client.reclaim_partner_coupons(ReclaimPartnerCouponsRequest(body=ReclaimPartnerCouponsReq(coupon_id=first)))

    assert [q.quota_id for q in quotas.quotas] == [quota.quota_id]
    assert issued.error_details == [] and len(issued.coupon_infos) == 2
    assert after_issue == Decimal("75.00")
    assert listed.total_count == 2
    assert reclaimed.user_coupons[0].status == 5
    assert quota_balance(quota) == Decimal("87.50")
    assert [(r.operation_type, r.coupon_id, Decimal(str(r.operation_amount))) for r in records.records] == [
        ("2", first, Decimal("12.50"))]
    assert again.value.error_code == VoucherCodes.NOT_RECLAIMABLE

    # The customer, with its own key, sees its coupon — never the issuer's remark.
    key, secret = make_access_key(CustomerUserFactory(customer=other).user)
    body = call(Client(), "GET", "/v2/promotions/benefits/coupons", ak=key.ak, sk=secret).content.decode()
    assert issued.coupon_infos[1].coupon_id in body and "内部备注" not in body


@pytest.mark.django_db
def test_a_batch_with_one_invalid_customer_charges_the_quota_only_for_the_others(tenant_a, tenant_b):
    quota = grant(tenant_a.partner, "20.00")
    infos, errors = services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id, face_value="5.00",
                                           customer_ids=[tenant_a.resale.domain_id, tenant_b.resale.domain_id,
                                                         tenant_a.referral.domain_id])
    assert [i["id"] for i in infos] == [tenant_a.resale.domain_id, tenant_a.referral.domain_id]
    assert [(e["id"], e["error_code"]) for e in errors] == [(tenant_b.resale.domain_id, VoucherCodes.CUSTOMER_NOT_ELIGIBLE)]
    assert quota_balance(quota) == Decimal("10.00")


@pytest.mark.django_db
@pytest.mark.parametrize("change", [
    {"face_value": "0"}, {"face_value": "1.005"}, {"face_value": "30.00"},
    {"expire_time": timezone.now() + timedelta(days=400)},
    {"cloud_service_types": ["hws.service.type.obs"]},
])
def test_refusals_change_nothing(tenant_a, change):
    quota = grant(tenant_a.partner, "20.00", cloud_service_types=["hws.service.type.ec2"])
    kwargs = {"quota_id": quota.quota_id, "customer_ids": [tenant_a.resale.domain_id], "face_value": "5.00", **change}
    try:
        infos, errors = services.issue_coupons(actor_of(tenant_a.admin), **kwargs)
    except DomainError:
        infos = []
    assert infos == []
    assert quota_balance(quota) == Decimal("20.00") and not Coupon.objects.exists()


@pytest.mark.django_db
def test_coupons_inherit_and_may_narrow_the_quota_limits(tenant_a):
    quota = grant(tenant_a.partner, cloud_service_types=["hws.service.type.ec2", "hws.service.type.obs"])
    services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id, face_value="1.00",
                           customer_ids=[tenant_a.resale.domain_id])
    services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id, face_value="1.00",
                           customer_ids=[tenant_a.resale.domain_id], cloud_service_types=["hws.service.type.obs"])
    assert sorted(len(c.cloud_service_types) for c in Coupon.objects.all()) == [1, 2]


@pytest.mark.django_db
def test_expiry_runs_once_and_never_touches_used_or_reclaimed_coupons(tenant_a):
    quota = grant(tenant_a.partner, "30.00", days=1)
    infos, _errors = services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id, face_value="5.00",
                                            customer_ids=[tenant_a.resale.domain_id, tenant_a.referral.domain_id])
    services.reclaim_coupons(actor_of(tenant_a.admin), coupon_ids=[infos[0]["coupon_id"]])
    Coupon.objects.filter(coupon_id=infos[1]["coupon_id"]).update(status=3)  # used
    live = services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id, face_value="5.00",
                                  customer_ids=[tenant_a.resale.domain_id])[0][0]["coupon_id"]

    later = timezone.now() + timedelta(days=2)
    first = services.expire(now=later)
    second = services.expire(now=later + timedelta(hours=1))

    assert first == (1, 1) and second == (0, 0)
    statuses = dict(Coupon.objects.values_list("coupon_id", "status"))
    assert statuses == {infos[0]["coupon_id"]: 5, infos[1]["coupon_id"]: 3, live: 4}
    assert CouponQuota.objects.get(pk=quota.pk).status == 3
    assert CouponRecord.objects.filter(operation_type="4").count() == 1
    assert tasks.expire_vouchers() == {"coupons": 0, "quotas": 0}  # nothing due now


@pytest.mark.django_db
def test_disassociation_and_type_switch_reclaim_partner_coupons(tenant_a):
    quota = grant(tenant_a.partner, "20.00")
    services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id, face_value="5.00",
                           customer_ids=[tenant_a.resale.domain_id, tenant_a.referral.domain_id])
    admin = actor_of(tenant_a.admin)
    leave = customer_services.request_disassociation(admin, customer_id=tenant_a.resale.domain_id, reason="x")
    customer_services.decide_event(actor_of(CustomerUserFactory(customer=tenant_a.resale).user), event_id=leave.pk,
                                   approve=True)
    switch = customer_services.request_type_switch(admin, customer_id=tenant_a.referral.domain_id, reason="y")
    customer_services.decide_event(actor_of(CustomerUserFactory(customer=tenant_a.referral).user), event_id=switch.pk,
                                   approve=True)
    assert sorted(CouponRecord.objects.exclude(operation_type="1").values_list("operation_type", flat=True)) == ["3", "8"]
    assert quota_balance(quota) == Decimal("20.00")
    assert set(Coupon.objects.values_list("status", flat=True)) == {5}


@pytest.mark.django_db
def test_distributor_passes_quota_to_resellers_and_takes_it_back(db):
    distributor = build_tenant("vq", partner_type="distributor")
    resellers = [PartnerFactory(partner_type="reseller", distributor=distributor.partner) for _ in range(2)]
    parent = grant(distributor.partner, "100.00")
    actor = actor_of(distributor.admin)

    infos, errors = services.issue_quota_to_resellers(actor, quota_id=parent.quota_id, quota_amount="30.00",
                                                      indirect_partner_ids=[r.domain_id for r in resellers] + ["f" * 32])
    child = CouponQuota.objects.get(quota_id=infos[0]["quota_id"])
    # The reseller issues from its own quota.
    reseller_customer = AssociationFactory(partner=resellers[0], association_type="2").customer
    services.issue_coupons(actor, quota_id=child.quota_id, face_value="10.00", customer_ids=[reseller_customer.domain_id],
                           indirect_partner_id=resellers[0].domain_id)
    reclaimed, _ = services.reclaim_reseller_quotas(actor, quota_ids=[child.quota_id], remark="发错了")

    assert len(infos) == 2 and [e["id"] for e in errors] == ["f" * 32]
    assert (child.parent, child.partner) == (parent, resellers[0])
    assert reclaimed == [{"quota_id": child.quota_id, "quota_balance": Decimal("20.00")}]
    assert CouponQuota.objects.get(pk=child.pk).status == 6
    assert quota_balance(parent) == Decimal("60.00")  # 100 − 30 − 30 + 20


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_issues_of_one_from_twenty(tenant_a):
    quota = grant(tenant_a.partner, "20.00")
    actor = actor_of(tenant_a.admin)
    barrier, results, lock = threading.Barrier(50), [], threading.Lock()

    def issue():
        try:
            barrier.wait()
            infos, errors = services.issue_coupons(actor, quota_id=quota.quota_id, face_value="1.00",
                                                   customer_ids=[tenant_a.resale.domain_id])
            with lock:
                results.append(bool(infos))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 20 and len(results) == 50
    assert Coupon.objects.count() == 20
    assert quota_balance(quota) == Decimal("0.00")


@pytest.mark.django_db
def test_an_already_expired_coupon_is_not_issued(tenant_a):
    quota = grant(tenant_a.partner, "20.00")
    with pytest.raises(DomainError):
        services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id, face_value="1.00",
                               customer_ids=[tenant_a.resale.domain_id],
                               valid_time=timezone.now() - timedelta(hours=2), expire_time=timezone.now() - timedelta(hours=1))
    assert quota_balance(quota) == Decimal("20.00")


@pytest.mark.django_db
def test_a_coupon_from_a_reclaimed_child_quota_returns_to_the_parent(db):
    distributor = build_tenant("vr", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    parent = grant(distributor.partner, "50.00")
    actor = actor_of(distributor.admin)
    infos, _ = services.issue_quota_to_resellers(actor, quota_id=parent.quota_id, quota_amount="20.00",
                                                 indirect_partner_ids=[reseller.domain_id])
    customer = AssociationFactory(partner=reseller, association_type="2").customer
    coupon = services.issue_coupons(actor, quota_id=infos[0]["quota_id"], face_value="10.00", customer_ids=[customer.domain_id],
                                    indirect_partner_id=reseller.domain_id)[0][0]["coupon_id"]
    services.reclaim_reseller_quotas(actor, quota_ids=[infos[0]["quota_id"]])
    services.reclaim_coupons(actor, coupon_ids=[coupon], indirect_partner_id=reseller.domain_id)
    assert quota_balance(parent) == Decimal("50.00")  # 50 − 20 + 10 (child's rest) + 10 (the coupon)


@pytest.mark.django_db
def test_flexi_purchase_quotas_stay_with_the_distributor(db):
    distributor = build_tenant("vf", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    flexi = grant(distributor.partner, "50.00", quota_type=1)
    with pytest.raises(DomainError):
        services.issue_quota_to_resellers(actor_of(distributor.admin), quota_id=flexi.quota_id, quota_amount="5.00",
                                          indirect_partner_ids=[reseller.domain_id])
    assert quota_balance(flexi) == Decimal("50.00")


@pytest.mark.django_db
def test_a_reclaimed_flexi_coupon_can_go_only_to_its_customer_again(tenant_a):
    flexi = grant(tenant_a.partner, "50.00", quota_type=1)
    other = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
    actor = actor_of(tenant_a.admin)
    coupon = services.issue_coupons(actor, quota_id=flexi.quota_id, face_value="20.00",
                                    customer_ids=[tenant_a.resale.domain_id])[0][0]["coupon_id"]
    services.reclaim_coupons(actor, coupon_ids=[coupon])
    earmarked = CouponQuota.objects.get(designated_customer=tenant_a.resale)

    infos, errors = services.issue_coupons(actor, quota_id=earmarked.quota_id, face_value="5.00",
                                           customer_ids=[other.domain_id, tenant_a.resale.domain_id])

    assert quota_balance(flexi) == Decimal("30.00")  # the reclaimed 20.00 stays with its customer
    assert [e["error_code"] for e in errors] == [VoucherCodes.DESIGNATED_CUSTOMER]
    assert [i["id"] for i in infos] == [tenant_a.resale.domain_id]
    assert quota_balance(earmarked) == Decimal("15.00")


@pytest.mark.django_db
def test_a_distributors_earmarked_quota_is_not_a_reseller_quota_and_cannot_be_reclaimed_as_one(db):
    distributor = build_tenant("ve", partner_type="distributor")
    actor = actor_of(distributor.admin)
    flexi = grant(distributor.partner, "50.00", quota_type=1)
    coupon = services.issue_coupons(actor, quota_id=flexi.quota_id, face_value="10.00",
                                    customer_ids=[distributor.resale.domain_id])[0][0]["coupon_id"]
    services.reclaim_coupons(actor, coupon_ids=[coupon])
    earmarked = CouponQuota.objects.get(designated_customer=distributor.resale)

    assert earmarked not in selectors.issued_quotas_for(actor)
    reclaimed, errors = services.reclaim_reseller_quotas(actor, quota_ids=[earmarked.quota_id])
    assert reclaimed == [] and [e["error_code"] for e in errors] == [Codes.NOT_FOUND]
    assert quota_balance(earmarked) == Decimal("10.00") and quota_balance(flexi) == Decimal("40.00")


@pytest.mark.django_db
def test_a_resellers_coupons_need_customers_view_like_ones_own(db):
    from partnercenter.models import Role

    distributor = build_tenant("vc", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    customer = AssociationFactory(partner=reseller, association_type="2").customer
    child = grant(reseller, "20.00", parent=grant(distributor.partner, "40.00"))
    services.issue_coupons(actor_of(distributor.admin), quota_id=child.quota_id, face_value="5.00",
                           customer_ids=[customer.domain_id], indirect_partner_id=reseller.domain_id, remark="内部")
    role = Role.objects.create(partner=distributor.partner, name="券查看", permissions=["vouchers.view", "resellers.view"])
    distributor.member.roles.set([role])
    viewer = actor_of(distributor.member)

    assert not services_coupons(viewer, reseller) and not services_records(viewer, reseller)
    role.permissions = ["vouchers.view", "resellers.view", "customers.view"]
    role.save()
    viewer = actor_of(distributor.member)
    assert len(services_coupons(viewer, reseller)) == 1 and len(services_records(viewer, reseller)) == 1


def services_coupons(actor, reseller):
    return list(selectors.coupons_for(actor, indirect_partner_id=reseller.domain_id))


def services_records(actor, reseller):
    return list(selectors.coupon_records_for(actor, indirect_partner_id=reseller.domain_id))


def test_lapse_customer_coupons_expires_the_unused_ones_with_records(db, tenant_a):
    from datetime import timedelta as _td
    from decimal import Decimal as _D

    from django.utils import timezone as _tz

    from partnercenter.actors import SCHEDULER as _SCHEDULER
    from vouchers import services as _services
    from vouchers.choices import CouponOperation as _Op, CouponStatus as _St
    from vouchers.models import Coupon as _Coupon, CouponQuota as _Quota, CouponRecord as _Record

    now = _tz.now()
    quota = _Quota.objects.create(partner=tenant_a.partner, quota_type=0, quota_value=1000, balance=800,
                                  effective_time=now - _td(days=1), expire_time=now + _td(days=90))
    customer = tenant_a.resale

    def coupon(status, balance):
        return _Coupon.objects.create(quota=quota, partner=tenant_a.partner, customer=customer, coupon_type=1,
                                      face_value=_D("100.00"), balance=_D(balance), status=status,
                                      valid_time=now - _td(days=1), expire_time=now + _td(days=30))

    effective, inactive, used = coupon(_St.EFFECTIVE, "60.00"), coupon(_St.INACTIVE, "100.00"), coupon(3, "0.00")
    lapsed = _services.lapse_customer_coupons(_SCHEDULER, customer=customer, reason="成为云经销商")

    assert {c.pk for c in lapsed} == {effective.pk, inactive.pk}
    statuses = dict(_Coupon.objects.values_list("pk", "status"))
    assert (statuses[effective.pk], statuses[inactive.pk], statuses[used.pk]) == (_St.EXPIRED, _St.EXPIRED, 3)
    records = _Record.objects.filter(operation_type=_Op.EXPIRE).order_by("amount")
    assert [(r.amount, r.remark) for r in records] == [(_D("60.00"), "成为云经销商"), (_D("100.00"), "成为云经销商")]
    quota.refresh_from_db()
    assert quota.balance == _D("800")  # nothing returns to the quota
    assert _services.lapse_customer_coupons(_SCHEDULER, customer=customer, reason="again") == []  # once
