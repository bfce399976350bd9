"""What the platform operator does in the admin is in the partner's operation log too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partnercenter.models import OperationLog, Role
from vouchers.models import CouponQuota

from ..conftest import login_client
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return login_client(UserFactory(username="ops", is_staff=True, is_superuser=True))


def logged(partner, action):
    return OperationLog.objects.filter(partner=partner, action=action, actor_kind="operator")


def test_granting_a_quota_in_the_admin_is_in_the_partners_log(tenant_a, operator):
    now = timezone.localtime()
    response = operator.post("/admin/vouchers/couponquota/add/", {
        "partner": tenant_a.partner.pk, "quota_type": 0, "quota_value": "500.00", "status": 0,
        "effective_time_0": now.strftime("%Y-%m-%d"), "effective_time_1": "00:00:00",
        "expire_time_0": (now + timedelta(days=30)).strftime("%Y-%m-%d"), "expire_time_1": "00:00:00",
        "cloud_service_types": "[]", "product_ids": "[]", "created_at_0": now.strftime("%Y-%m-%d"),
        "created_at_1": "00:00:00",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    quota = CouponQuota.objects.get(partner=tenant_a.partner)
    entry = logged(tenant_a.partner, "operator.add").get()
    assert entry.target_id == str(quota.pk) and entry.actor_label == "ops"
    assert entry.detail["model"] == "vouchers.CouponQuota"


def test_changing_and_deleting_in_the_admin_is_in_the_partners_log(tenant_a, tenant_b, operator):
    partner = tenant_a.partner
    response = operator.post(f"/admin/partnercenter/partner/{partner.pk}/change/", {
        "name": "改名后的伙伴", "account_name": partner.account_name, "partner_type": partner.partner_type,
        "status": partner.status, "contracting_entity": partner.contracting_entity,
        "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0",
    }, follow=False)
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # the form asks for more fields: show which
        pytest.fail(response.context["adminform"].form.errors.as_text())
    assert "name" in logged(partner, "operator.change").get().detail["change"]
    role = Role.objects.create(partner=partner, name="临时角色")
    operator.post(f"/admin/partnercenter/role/{role.pk}/delete/", {"post": "yes"})
    assert not Role.objects.filter(pk=role.pk).exists()
    assert logged(partner, "operator.delete").get().target_label == "临时角色"
    assert not OperationLog.objects.filter(partner=tenant_b.partner, actor_kind="operator").exists()


def test_deleting_a_partner_without_history_still_works(operator):
    from ..factories import PartnerFactory

    partner = PartnerFactory()
    response = operator.post(f"/admin/partnercenter/partner/{partner.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not type(partner).objects.filter(pk=partner.pk).exists()


def test_an_operator_deactivating_a_members_login_is_in_its_partners_log(tenant_a, operator):
    user = tenant_a.member.user
    response = operator.post(f"/admin/partnercenter/user/{user.pk}/change/", {
        "username": user.username, "is_active": "", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "00:00:00",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors.as_text() if response.context else ""
    assert logged(tenant_a.partner, "operator.change").filter(target_label=user.username).exists()


def test_ending_an_association_in_the_customer_admin_is_in_the_partners_log(tenant_a, operator):
    customer = tenant_a.resale
    association = customer.associations.get(ended_on__isnull=True)
    now = timezone.localtime()
    data = {"domain_name": customer.domain_name, "real_name": customer.real_name, "domain_id": customer.domain_id,
            "xaccount_id": customer.xaccount_id, "xaccount_type": customer.xaccount_type,
            "associations-TOTAL_FORMS": "1", "associations-INITIAL_FORMS": "1",
            "associations-0-id": association.pk, "associations-0-customer": customer.pk,
            "associations-0-partner": tenant_a.partner.pk, "associations-0-association_type": "2",
            "associations-0-associated_on_0": now.strftime("%Y-%m-%d"), "associations-0-associated_on_1": "00:00:00",
            "associations-0-ended_on_0": now.strftime("%Y-%m-%d"), "associations-0-ended_on_1": "01:00:00",
            "created_at_0": now.strftime("%Y-%m-%d"), "created_at_1": "00:00:00"}
    form = operator.get(f"/admin/customers/customer/{customer.pk}/change/").context["adminform"].form
    for name, field in form.fields.items():  # keep every other field as it is
        if name not in data and f"{name}_0" not in data:
            value = form.initial.get(name, field.initial)
            data[name] = "" if value is None else value
    response = operator.post(f"/admin/customers/customer/{customer.pk}/change/", data)
    assert response.status_code == 302, (response.context["adminform"].form.errors, [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms], response.context["inline_admin_formsets"][0].formset.non_form_errors())
    association.refresh_from_db()
    assert association.ended_on is not None
    assert logged(tenant_a.partner, "operator.change").filter(target_id=customer.domain_id).exists()
