"""Batch coupon issue and reclaim, set-based (issue 10, item 4): a constant number of statements
whatever the number of customers or coupons — one quota lock and one conditional debit for the whole
issue, the coupons locked at once for a reclaim — while each customer or coupon still fails alone, the
quota running out fails exactly the last customers, the verification code is asked once, and racing
batches on PostgreSQL never overdraw a quota or reclaim a coupon twice."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers import services as customer_services
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from vouchers import services
from vouchers.choices import CouponStatus, QuotaStatus
from vouchers.errors import VoucherCodes
from vouchers.models import Coupon, CouponQuota, CouponRecord

from ..billing.test_batches import resale_customers, sqlite_bulk_limit  # noqa: F401 (a fixture)
from ..billing.test_funds import _race
from ..billing.test_races import while_committing
from ..conftest import actor_of, build_tenant
from ..factories import AssociationFactory, CustomerUserFactory, MemberFactory, PartnerFactory, RoleFactory
from .test_vouchers import grant, quota_balance

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")


def issue(actor, quota, customers, face_value="1.00", **extra):
    return services.issue_coupons(actor, quota_id=quota.quota_id, customer_ids=[c.domain_id for c in customers],
                                  face_value=face_value, **extra)


def issued_ids(infos):
    return [info["coupon_id"] for info in infos]


def outcomes(results):
    return [r["error_code"] if not r["ok"] else "ok" for r in results]


# -------------------------------------------------------------------------------------------
# Statements per batch
# -------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("sqlite_bulk_limit")
def test_an_issue_runs_the_same_number_of_statements_for_10_and_for_50_customers(tenant_a):
    actor = actor_of(tenant_a.admin)
    quota = grant(tenant_a.partner, "1000.00")
    counts = {}
    for size in (10, 50):
        customers = resale_customers(tenant_a.partner, size)
        with CaptureQueriesContext(connection) as queries:
            infos, errors = issue(actor, quota, customers)
        assert (len(infos), errors) == (size, [])
        counts[size] = len(queries)

    assert counts[10] == counts[50], counts
    assert quota_balance(quota) == Decimal("940.00")
    assert CouponRecord.objects.filter(operation_type="1").count() == 60


@pytest.mark.usefixtures("sqlite_bulk_limit")
def test_a_reclaim_runs_the_same_number_of_statements_for_10_and_for_50_coupons(tenant_a):
    """Cash coupons back to their quota, flexi-purchase ones to a quota designated to their customer —
    created the first time, grown the second."""
    actor = actor_of(tenant_a.admin)
    cash, flexi = grant(tenant_a.partner, "1000.00"), grant(tenant_a.partner, "1000.00", quota_type=1)
    counts = {}
    for size in (10, 50):
        customers = resale_customers(tenant_a.partner, size)
        for round_ in ("new designated quotas", "existing designated quotas"):
            coupons = issued_ids(issue(actor, cash, customers)[0]) + issued_ids(issue(actor, flexi, customers)[0])
            with CaptureQueriesContext(connection) as queries:
                results = services.reclaim_coupons(actor, coupon_ids=coupons)
            assert outcomes(results) == ["ok"] * 2 * size
            counts[size, round_] = len(queries)

    assert counts[10, "new designated quotas"] == counts[50, "new designated quotas"], counts
    assert counts[10, "existing designated quotas"] == counts[50, "existing designated quotas"], counts
    assert quota_balance(cash) == Decimal("1000.00")
    assert quota_balance(flexi) == Decimal("880.00")  # 2 × 60 × 1.00 stays with its customers
    designated = CouponQuota.objects.filter(parent=flexi)
    assert designated.count() == 60 and {(q.quota_value, q.balance) for q in designated} == {
        (Decimal("2.00"), Decimal("2.00"))}


# -------------------------------------------------------------------------------------------
# Issue: each customer alone, in input order; the quota running out fails the last ones
# -------------------------------------------------------------------------------------------

def test_each_customer_gets_its_result_in_input_order_and_one_refusal_takes_no_other_down(tenant_a, tenant_b):
    flexi = grant(tenant_a.partner, "20.00", quota_type=1)
    first, second = resale_customers(tenant_a.partner, 2)
    ids = [first.domain_id, "f" * 32, tenant_b.resale.domain_id, tenant_a.referral.domain_id, second.domain_id,
           first.domain_id]
    with translation.override("en"):
        infos, errors = services.issue_coupons(actor_of(tenant_a.admin), quota_id=flexi.quota_id, customer_ids=ids,
                                               face_value="5.00", remark="批次")

    coupons = {c.coupon_id: c for c in Coupon.objects.all()}
    assert [info["id"] for info in infos] == [first.domain_id, second.domain_id]  # the repeated id once
    assert [coupons[info["coupon_id"]].customer for info in infos] == [first, second]
    assert errors == [
        {"id": "f" * 32, "error_code": VoucherCodes.CUSTOMER_NOT_ELIGIBLE, "error_msg": "The customer is not yours."},
        {"id": tenant_b.resale.domain_id, "error_code": VoucherCodes.CUSTOMER_NOT_ELIGIBLE,
         "error_msg": "The customer is not yours."},
        {"id": tenant_a.referral.domain_id, "error_code": VoucherCodes.CUSTOMER_NOT_ELIGIBLE,
         "error_msg": "Flexi-purchase coupons go to resale customers only."},
    ]
    assert {(c.face_value, c.balance, c.status, c.coupon_type, c.remark, c.partner_id) for c in coupons.values()} == {
        (Decimal("5.00"), Decimal("5.00"), CouponStatus.EFFECTIVE, 4, "批次", tenant_a.partner.pk)}
    assert quota_balance(flexi) == Decimal("10.00")
    records = CouponRecord.objects.filter(operation_type="1")
    assert {(r.coupon.coupon_id, r.customer, r.amount, r.quota_id) for r in records} == {
        (info["coupon_id"], coupons[info["coupon_id"]].customer, Decimal("5.00"), flexi.pk) for info in infos}


def test_the_quota_running_out_fails_exactly_the_last_customers(tenant_a):
    quota = grant(tenant_a.partner, "10.00")
    customers = resale_customers(tenant_a.partner, 15)
    infos, errors = issue(actor_of(tenant_a.admin), quota, customers)

    assert [info["id"] for info in infos] == [c.domain_id for c in customers[:10]]
    assert [(e["id"], e["error_code"]) for e in errors] == [
        (c.domain_id, VoucherCodes.QUOTA_SHORT) for c in customers[10:]]
    assert quota_balance(quota) == Decimal("0.00")
    assert Coupon.objects.count() == CouponRecord.objects.count() == 10
    logged = OperationLog.objects.filter(action="coupons.issue").order_by("id")
    assert [(e.target_id, e.result, e.error_code) for e in logged] == [
        (c.domain_id, "success", "") for c in customers[:10]] + [
        (c.domain_id, "failure", VoucherCodes.QUOTA_SHORT) for c in customers[10:]]
    assert [e.detail["coupon_id"] for e in logged[:10]] == issued_ids(infos)


def test_a_designated_quota_issues_only_to_its_customer_within_a_batch(tenant_a):
    flexi = grant(tenant_a.partner, "50.00", quota_type=1)
    keeper, other = resale_customers(tenant_a.partner, 2)
    actor = actor_of(tenant_a.admin)
    services.reclaim_coupons(actor, coupon_ids=issued_ids(issue(actor, flexi, [keeper], "20.00")[0]))
    designated = CouponQuota.objects.get(designated_customer=keeper)

    infos, errors = issue(actor, designated, [other, keeper], "5.00")

    assert ([i["id"] for i in infos], [(e["id"], e["error_code"]) for e in errors]) == (
        [keeper.domain_id], [(other.domain_id, VoucherCodes.DESIGNATED_CUSTOMER)])
    assert quota_balance(designated) == Decimal("15.00")


# -------------------------------------------------------------------------------------------
# Reclaim: each coupon alone, in input order
# -------------------------------------------------------------------------------------------

def test_a_batch_reclaim_reports_each_coupon_and_moves_each_balance_to_its_place(tenant_a, tenant_b):
    actor = actor_of(tenant_a.admin)
    cash, flexi = grant(tenant_a.partner, "50.00"), grant(tenant_a.partner, "50.00", quota_type=1)
    first, second = resale_customers(tenant_a.partner, 2)
    spent, whole = issued_ids(issue(actor, cash, [first, second], "10.00")[0])
    [used] = issued_ids(issue(actor, cash, [second], "10.00")[0])
    Coupon.objects.filter(coupon_id=spent).update(balance=Decimal("3.50"))  # partly spent
    Coupon.objects.filter(coupon_id=used).update(status=CouponStatus.USED)
    flexi_coupons = issued_ids(issue(actor, flexi, [first, second], "10.00")[0])
    foreign = issued_ids(issue(actor_of(tenant_b.admin), grant(tenant_b.partner, "10.00"), [tenant_b.resale])[0])
    assert len(foreign) == 1
    before = quota_balance(cash)

    with translation.override("en"):
        results = services.reclaim_coupons(actor, coupon_ids=[spent, foreign[0], used, *flexi_coupons, whole, spent],
                                           remark="月底回收")

    assert results == [
        {"coupon_id": spent, "ok": True, "amount": Decimal("3.50")},
        {"coupon_id": foreign[0], "ok": False, "error_code": Codes.NOT_FOUND, "error_msg": "The coupon does not exist."},
        {"coupon_id": used, "ok": False, "error_code": VoucherCodes.NOT_RECLAIMABLE,
         "error_msg": "Only an effective coupon can be reclaimed."},
        {"coupon_id": flexi_coupons[0], "ok": True, "amount": Decimal("10.00")},
        {"coupon_id": flexi_coupons[1], "ok": True, "amount": Decimal("10.00")},
        {"coupon_id": whole, "ok": True, "amount": Decimal("10.00")},
    ]
    assert quota_balance(cash) == before + Decimal("13.50")
    assert quota_balance(flexi) == Decimal("30.00")  # the flexi coupons' value stays with each customer
    assert sorted((q.designated_customer_id, q.balance) for q in CouponQuota.objects.filter(parent=flexi)) == sorted(
        [(first.pk, Decimal("10.00")), (second.pk, Decimal("10.00"))])
    statuses = dict(Coupon.objects.values_list("coupon_id", "status"))
    assert [statuses[c] for c in (spent, used, whole, *flexi_coupons, foreign[0])] == [5, 3, 5, 5, 5, 2]
    assert Coupon.objects.filter(status=CouponStatus.RECLAIMED, balance__gt=0).count() == 0
    records = CouponRecord.objects.filter(operation_type="2")
    assert sorted((r.coupon.coupon_id, r.amount, r.remark) for r in records) == sorted(
        [(spent, Decimal("3.50"), "月底回收"), (whole, Decimal("10.00"), "月底回收")]
        + [(c, Decimal("10.00"), "月底回收") for c in flexi_coupons])
    logged = OperationLog.objects.filter(action="coupons.reclaim").order_by("id")
    assert [(e.detail["coupon_id"], e.result, e.error_code) for e in logged] == [
        (spent, "success", ""), (used, "failure", VoucherCodes.NOT_RECLAIMABLE), (flexi_coupons[0], "success", ""),
        (flexi_coupons[1], "success", ""), (whole, "success", "")]


def test_coupons_from_a_reclaimed_child_quota_climb_to_the_parent_together(db):
    distributor = build_tenant("bc", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    reseller_admin = MemberFactory(partner=reseller, roles=[RoleFactory(partner=reseller, is_administrator=True)])
    parent = grant(distributor.partner, "100.00")
    [child_info], _ = services.issue_quota_to_resellers(actor_of(distributor.admin), quota_id=parent.quota_id,
                                                        quota_amount="40.00", indirect_partner_ids=[reseller.domain_id])
    child = CouponQuota.objects.get(quota_id=child_info["quota_id"])
    own = grant(reseller, "30.00")
    customers = resale_customers(reseller, 3)
    coupons = issued_ids(issue(actor_of(reseller_admin), child, customers, "10.00")[0]) + issued_ids(
        issue(actor_of(reseller_admin), own, customers[:1], "5.00")[0])
    services.reclaim_reseller_quotas(actor_of(distributor.admin), quota_ids=[child.quota_id])  # child: 10.00 back

    results = services.reclaim_coupons(actor_of(reseller_admin), coupon_ids=coupons)

    assert outcomes(results) == ["ok"] * 4
    assert (quota_balance(child), CouponQuota.objects.get(pk=child.pk).status) == (Decimal("0.00"), QuotaStatus.RECLAIMED)
    assert quota_balance(parent) == Decimal("100.00")  # 100 − 40 + 10 (the child's rest) + 3 × 10 (the coupons)
    assert quota_balance(own) == Decimal("30.00")


def test_a_disassociation_takes_back_all_the_customers_coupons_at_once(tenant_a):
    actor = actor_of(tenant_a.admin)
    cash, flexi = grant(tenant_a.partner, "50.00"), grant(tenant_a.partner, "50.00", quota_type=1)
    leaving, staying = resale_customers(tenant_a.partner, 2)
    for quota in (cash, cash, flexi):
        issue(actor, quota, [leaving, staying], "5.00")
    event = customer_services.request_disassociation(actor, customer_id=leaving.domain_id, reason="x")

    customer_services.decide_event(actor_of(CustomerUserFactory(customer=leaving).user), event_id=event.pk,
                                   approve=True)

    assert set(Coupon.objects.filter(customer=leaving).values_list("status", flat=True)) == {CouponStatus.RECLAIMED}
    assert set(Coupon.objects.filter(customer=staying).values_list("status", flat=True)) == {CouponStatus.EFFECTIVE}
    assert (quota_balance(cash), quota_balance(flexi)) == (Decimal("40.00"), Decimal("45.00"))  # no designated quota
    assert not CouponQuota.objects.filter(designated_customer__isnull=False).exists()
    assert CouponRecord.objects.filter(operation_type="3", customer=leaving).count() == 3


# -------------------------------------------------------------------------------------------
# The verification code: once for the batch
# -------------------------------------------------------------------------------------------

def codes_on(tenant):
    """Turn verification codes on for the tenant's administrator; returns the current code's maker."""
    tenant.partner.verification_enabled = True
    tenant.partner.save()
    device = TOTPDevice.objects.create(user=tenant.admin.user, name="app", confirmed=True)
    return lambda: f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_one_verification_code_serves_a_whole_issue_and_only_once(tenant_a):
    actor = actor_of(tenant_a.admin)
    quota = grant(tenant_a.partner, "50.00")
    customers = resale_customers(tenant_a.partner, 5)
    code = codes_on(tenant_a)()

    infos, errors = issue(actor, quota, customers, verification_code=code)
    with pytest.raises(DomainError) as reused:  # a TOTP code works once: the batch used it once, not per customer
        issue(actor, quota, customers, verification_code=code)

    assert (len(infos), errors, reused.value.code) == (5, [], Codes.VERIFICATION_FAILED)
    assert quota_balance(quota) == Decimal("45.00") and Coupon.objects.count() == 5


def test_one_verification_code_serves_a_whole_reclaim_and_only_once(tenant_a):
    actor = actor_of(tenant_a.admin)
    quota = grant(tenant_a.partner, "50.00")
    coupons = issued_ids(issue(actor, quota, resale_customers(tenant_a.partner, 5))[0])
    code = codes_on(tenant_a)()

    results = services.reclaim_coupons(actor, coupon_ids=coupons, verification_code=code)
    with pytest.raises(DomainError) as reused:
        services.reclaim_coupons(actor, coupon_ids=coupons, verification_code=code)

    assert (outcomes(results), reused.value.code) == (["ok"] * 5, Codes.VERIFICATION_FAILED)
    assert quota_balance(quota) == Decimal("50.00")


# -------------------------------------------------------------------------------------------
# Concurrency (PostgreSQL)
# -------------------------------------------------------------------------------------------

@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_concurrent_issues_to_twenty_customers_from_fifty_issue_exactly_fifty(tenant_a):
    quota = grant(tenant_a.partner, "50.00")
    actor = actor_of(tenant_a.admin)
    customers = resale_customers(tenant_a.partner, 20)

    results = _race(range(5), lambda _n: issue(actor, quota, customers))

    assert all(isinstance(r, tuple) for r in results), results
    assert sum(len(infos) for infos, _errors in results) == 50
    for infos, errors in results:  # in each batch the quota ran out on its last customers
        assert [i["id"] for i in infos] + [e["id"] for e in errors] == [c.domain_id for c in customers]
        assert {e["error_code"] for e in errors} <= {VoucherCodes.QUOTA_SHORT}
    assert quota_balance(quota) == Decimal("0.00")
    assert Coupon.objects.count() == CouponRecord.objects.count() == 50


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_concurrent_reclaims_of_the_same_coupons_reclaim_each_once(tenant_a):
    cash, flexi = grant(tenant_a.partner, "50.00"), grant(tenant_a.partner, "50.00", quota_type=1)
    actor = actor_of(tenant_a.admin)
    customers = resale_customers(tenant_a.partner, 10)
    coupons = issued_ids(issue(actor, cash, customers, "2.00")[0]) + issued_ids(issue(actor, flexi, customers, "2.00")[0])

    results = _race(range(5), lambda n: services.reclaim_coupons(actor, coupon_ids=coupons[n:] + coupons[:n]))

    assert all(isinstance(r, list) for r in results), results
    rows = [outcome for batch in results for outcome in outcomes(batch)]
    assert (rows.count("ok"), rows.count(VoucherCodes.NOT_RECLAIMABLE)) == (20, 80)
    assert (quota_balance(cash), quota_balance(flexi)) == (Decimal("50.00"), Decimal("30.00"))
    assert sorted(q.balance for q in CouponQuota.objects.filter(parent=flexi)) == [Decimal("2.00")] * 10
    assert CouponRecord.objects.filter(operation_type="2").count() == 20


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_customer_leaving_while_an_issue_waits_is_refused_alone(tenant_a):
    quota = grant(tenant_a.partner, "50.00")
    first, leaving, last = resale_customers(tenant_a.partner, 3)
    event = customer_services.request_disassociation(actor_of(tenant_a.admin), customer_id=leaving.domain_id,
                                                     reason="x")
    customer_user = actor_of(CustomerUserFactory(customer=leaving).user)

    infos, errors = while_committing(
        lambda: customer_services.decide_event(customer_user, event_id=event.pk, approve=True),
        lambda: issue(actor_of(tenant_a.admin), quota, [first, leaving, last], "10.00"))

    assert [i["id"] for i in infos] == [first.domain_id, last.domain_id]
    assert [(e["id"], e["error_code"]) for e in errors] == [(leaving.domain_id, VoucherCodes.CUSTOMER_NOT_ELIGIBLE)]
    assert not Coupon.objects.filter(customer=leaving).exists()
    assert quota_balance(quota) == Decimal("30.00")


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_issue_waiting_on_a_child_quota_being_reclaimed_issues_nothing(db):
    distributor = build_tenant("bw", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    reseller_admin = MemberFactory(partner=reseller, roles=[RoleFactory(partner=reseller, is_administrator=True)])
    parent = grant(distributor.partner, "50.00")
    [child_info], _ = services.issue_quota_to_resellers(actor_of(distributor.admin), quota_id=parent.quota_id,
                                                        quota_amount="20.00", indirect_partner_ids=[reseller.domain_id])
    child = CouponQuota.objects.get(quota_id=child_info["quota_id"])
    customers = [AssociationFactory(partner=reseller, association_type="2").customer for _ in range(3)]

    infos, errors = while_committing(
        lambda: services.reclaim_reseller_quotas(actor_of(distributor.admin), quota_ids=[child.quota_id]),
        lambda: issue(actor_of(reseller_admin), child, customers, "5.00"))

    assert infos == [] and {e["error_code"] for e in errors} == {VoucherCodes.QUOTA_NOT_USABLE}
    assert not Coupon.objects.exists()
    assert (quota_balance(child), quota_balance(parent)) == (Decimal("0.00"), Decimal("50.00"))

