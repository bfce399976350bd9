"""grant_quota: the platform (an operator) grants a partner a coupon quota, which the partner then issues
coupons from with vouchers' own issue_coupons; the grant is in the partner's operation log."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from vouchers import services
from vouchers.choices import QuotaStatus, QuotaType
from vouchers.models import Coupon, CouponQuota

from ..conftest import actor_of
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def operator():
    return actor_of(UserFactory(username="ops.grant", is_staff=True))


def test_a_granted_quota_is_issued_from_by_the_partner(tenant_a):
    now = timezone.now()
    quota = services.grant_quota(operator(), partner=tenant_a.partner, quota_type=QuotaType.FLEXI_COUPON,
                                 amount="300.00", effective_time=now, expire_time=now + timedelta(days=30),
                                 cloud_service_types=["hws.service.type.ec2"], remark="测试券")

    assert (quota.quota_value, quota.balance, quota.status) == (Decimal("300.00"), Decimal("300.00"),
                                                                QuotaStatus.NORMAL)
    infos, errors = services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id,
                                           customer_ids=[tenant_a.resale.domain_id], face_value="120.00")
    assert errors == [] and len(infos) == 1
    coupon = Coupon.objects.get(coupon_id=infos[0]["coupon_id"])
    assert (coupon.customer, coupon.face_value, coupon.cloud_service_types) == (
        tenant_a.resale, Decimal("120.00"), ["hws.service.type.ec2"])
    assert CouponQuota.objects.get(pk=quota.pk).balance == Decimal("180.00")
    log = OperationLog.objects.get(action="quotas.grant")
    assert (log.partner, log.actor_kind, log.result) == (tenant_a.partner, "operator", "success")
    assert log.detail["quota_id"] == quota.quota_id and log.detail["amount"] == "300.00"


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.234", "abc"])
def test_bad_amounts_are_refused_and_nothing_is_granted(tenant_a, amount):
    now = timezone.now()
    with pytest.raises(DomainError) as refused:
        services.grant_quota(operator(), partner=tenant_a.partner, quota_type=QuotaType.CASH_COUPON, amount=amount,
                             effective_time=now, expire_time=now + timedelta(days=1))
    assert refused.value.code == Codes.PARAMETER
    assert not CouponQuota.objects.exists()


def test_only_an_operator_grants_and_the_window_must_be_sound(tenant_a):
    now = timezone.now()
    with pytest.raises(DomainError) as member:
        services.grant_quota(actor_of(tenant_a.admin), partner=tenant_a.partner, quota_type=QuotaType.CASH_COUPON,
                             amount="10.00", effective_time=now, expire_time=now + timedelta(days=1))
    with pytest.raises(DomainError) as backwards:
        services.grant_quota(operator(), partner=tenant_a.partner, quota_type=QuotaType.CASH_COUPON, amount="10.00",
                             effective_time=now, expire_time=now - timedelta(hours=1))
    with pytest.raises(DomainError) as past:
        services.grant_quota(operator(), partner=tenant_a.partner, quota_type=QuotaType.CASH_COUPON, amount="10.00",
                             effective_time=now - timedelta(days=3), expire_time=now - timedelta(days=1))
    assert (member.value.code, backwards.value.code, past.value.code) == (Codes.FORBIDDEN, Codes.PARAMETER,
                                                                          Codes.PARAMETER)
    assert not CouponQuota.objects.exists()
    assert OperationLog.objects.filter(action="quotas.grant", result="failure").count() == 0  # refused before acting
