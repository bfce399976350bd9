"""Checked, locked, checked again for vouchers (RELIABILITY.md): a coupon issue that overlaps a
disassociation is refused, and a coupon reclaim that overlaps the distributor's reclaim of its child
quota sends the value up to the parent — never onto a quota or a customer nobody can reach.

The races are driven as in tests/billing/test_races.py: the test holds one side's transaction open,
waits until PostgreSQL reports the other side blocked on a lock (or finished), then commits.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from customers import services as customer_services
from vouchers import services
from vouchers.choices import CouponStatus, QuotaStatus
from vouchers.errors import VoucherCodes
from vouchers.models import Coupon, CouponQuota

from ..billing.test_races import refusal, while_committing
from ..conftest import actor_of, build_tenant
from ..factories import AssociationFactory, CustomerUserFactory, MemberFactory, PartnerFactory, RoleFactory

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def grant(partner, value, quota_type=0):
    now = timezone.now()
    return CouponQuota.objects.create(partner=partner, quota_type=quota_type, quota_value=Decimal(value),
                                      balance=Decimal(value), effective_time=now - timedelta(days=1),
                                      expire_time=now + timedelta(days=30))


def quota(pk):
    return CouponQuota.objects.get(pk=pk)


@pytest.mark.parametrize("quota_type", [0, 1], ids=["cash", "flexi"])
def test_a_coupon_issue_overlapping_an_approved_disassociation_is_refused(tenant_a, quota_type):
    # given a quota and a resale customer whose disassociation is being approved
    source = grant(tenant_a.partner, "50.00", quota_type)
    event = customer_services.request_disassociation(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id,
                                                     reason="x")
    customer_user = actor_of(CustomerUserFactory(customer=tenant_a.resale).user)

    # when an issue checked before the approval commits runs into it
    outcome = while_committing(
        lambda: customer_services.decide_event(customer_user, event_id=event.pk, approve=True),
        lambda: services.issue_coupons(actor_of(tenant_a.admin), quota_id=source.quota_id, face_value="10.00",
                                       customer_ids=[tenant_a.resale.domain_id]))

    # then no coupon reaches the customer who left, and the quota keeps its value
    infos, errors = outcome
    assert (infos, [e["error_code"] for e in errors]) == ([], [VoucherCodes.CUSTOMER_NOT_ELIGIBLE])
    assert not Coupon.objects.filter(customer=tenant_a.resale).exists()
    assert quota(source.pk).balance == Decimal("50.00")


def test_a_coupon_reclaim_overlapping_the_child_quota_reclaim_returns_the_value_to_the_parent(db):
    # given a distributor's 50.00 quota, 20.00 of it passed to a reseller, 10.00 of that on a coupon
    distributor = build_tenant("vd", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    reseller_admin = MemberFactory(partner=reseller, roles=[RoleFactory(partner=reseller, is_administrator=True)])
    customer = AssociationFactory(partner=reseller, association_type="2").customer
    parent = grant(distributor.partner, "50.00")
    [child_info], _ = services.issue_quota_to_resellers(actor_of(distributor.admin), quota_id=parent.quota_id,
                                                        quota_amount="20.00", indirect_partner_ids=[reseller.domain_id])
    child = CouponQuota.objects.get(quota_id=child_info["quota_id"])
    [coupon_info], _ = services.issue_coupons(actor_of(reseller_admin), quota_id=child.quota_id, face_value="10.00",
                                              customer_ids=[customer.domain_id])

    # when the reseller reclaims the coupon while the distributor's reclaim of the child quota commits
    outcome = while_committing(
        lambda: services.reclaim_reseller_quotas(actor_of(distributor.admin), quota_ids=[child.quota_id]),
        lambda: services.reclaim_coupons(actor_of(reseller_admin), coupon_ids=[coupon_info["coupon_id"]]))

    # then the coupon's 10.00 climbs to the parent: nothing stays on the reclaimed child
    assert refusal(outcome) == "moved"
    assert Coupon.objects.get(coupon_id=coupon_info["coupon_id"]).status == CouponStatus.RECLAIMED
    assert (quota(child.pk).status, quota(child.pk).balance) == (QuotaStatus.RECLAIMED, Decimal("0.00"))
    assert quota(parent.pk).balance == Decimal("50.00")  # 50 − 20 + 10 (the child's rest) + 10 (the coupon)
