"""The platform operator confirms or rejects offline remittances and sets credit limits in the admin:
deciding takes a model permission, not just being staff, and every decision is in the operation log."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from billing import services
from billing.models import PartnerAccount, Recharge
from partnercenter.models import OperationLog

from ..conftest import actor_of, login_client
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    user = UserFactory(username="ops", is_staff=True, is_superuser=True)
    return login_client(user)


def test_confirming_a_remittance_credits_the_partner_once(tenant_a, operator):
    recharge = services.record_remittance(actor_of(tenant_a.admin), amount="88.80", reference="BANK-1")
    for _ in range(2):  # a second confirmation changes nothing
        operator.post("/admin/billing/recharge/", {"action": "confirm", "_selected_action": [recharge.pk]})
    assert Recharge.objects.get(pk=recharge.pk).status == "succeeded"
    assert PartnerAccount.objects.get(partner=tenant_a.partner).cash_balance == Decimal("88.80")
    call_command("verify_ledger")


def test_a_rejected_remittance_credits_nothing(tenant_a, operator):
    recharge = services.record_remittance(actor_of(tenant_a.admin), amount="10.00", reference="BANK-2")
    operator.post("/admin/billing/recharge/", {"action": "reject", "_selected_action": [recharge.pk]})
    assert Recharge.objects.get(pk=recharge.pk).status == "rejected"
    assert not PartnerAccount.objects.filter(partner=tenant_a.partner, cash_balance__gt=0).exists()


def test_the_operator_sets_a_credit_limit_with_its_ledger_entry(tenant_a, operator):
    account = services.partner_account(tenant_a.partner)
    response = operator.post(f"/admin/billing/partneraccount/{account.pk}/change/", {"credit_limit": "500.00"})
    assert response.status_code == 302
    assert PartnerAccount.objects.get(pk=account.pk).available == Decimal("500.00")
    call_command("verify_ledger")


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="billing", codename__in=codenames))
    return login_client(user)


def test_deciding_a_remittance_takes_the_permission_not_just_staff(tenant_a):
    recharge = services.record_remittance(actor_of(tenant_a.admin), amount="50.00", reference="BANK-3")
    assert staff_with().get("/admin/billing/recharge/").status_code == 403
    viewer = staff_with("view_recharge")
    listed = viewer.get("/admin/billing/recharge/")
    assert listed.status_code == 200 and 'value="confirm"' not in listed.content.decode()
    for action in ("confirm", "reject"):
        viewer.post("/admin/billing/recharge/", {"action": action, "_selected_action": [recharge.pk]})
    assert Recharge.objects.get(pk=recharge.pk).status == "pending"
    assert not PartnerAccount.objects.filter(partner=tenant_a.partner, cash_balance__gt=0).exists()

    decider = staff_with("view_recharge", "change_recharge")
    assert 'value="confirm"' in decider.get("/admin/billing/recharge/").content.decode()
    decider.post("/admin/billing/recharge/", {"action": "confirm", "_selected_action": [recharge.pk]})
    assert Recharge.objects.get(pk=recharge.pk).status == "succeeded"
    assert PartnerAccount.objects.get(partner=tenant_a.partner).cash_balance == Decimal("50.00")


def test_operator_decisions_and_credit_limits_are_in_the_operation_log(tenant_a, operator):
    recharge = services.record_remittance(actor_of(tenant_a.admin), amount="12.00", reference="BANK-4")
    operator.post("/admin/billing/recharge/", {"action": "confirm", "_selected_action": [recharge.pk]})
    decided = OperationLog.objects.get(action="funds.recharge_succeeded")
    assert (decided.partner, decided.actor_label, decided.result) == (tenant_a.partner, "ops", "success")

    account = services.partner_account(tenant_a.partner)
    operator.post(f"/admin/billing/partneraccount/{account.pk}/change/", {"credit_limit": "300.00"})
    operator.post(f"/admin/billing/partneraccount/{account.pk}/change/", {"credit_limit": "300.00"})  # unchanged
    logged = OperationLog.objects.get(action="funds.credit_limit")
    assert (logged.partner, logged.actor_label, logged.result) == (tenant_a.partner, "ops", "success")
    assert logged.detail == {"credit_limit": "300.00"}

    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="200.00")
    operator.post(f"/admin/billing/partneraccount/{account.pk}/change/", {"credit_limit": "0.00"})  # refused
    assert PartnerAccount.objects.get(pk=account.pk).credit_limit == Decimal("300.00")
    refused = OperationLog.objects.filter(action="funds.credit_limit").latest("id")
    assert refused.result == "failure" and refused.error_code


def test_every_excel_export_is_logged(tenant_a, admin_client_a):
    from partnercenter.models import OperationLog

    for url, action in (("/customers/export.xlsx", "customer.export"), ("/billing/adjustments/export.xlsx", "funds.export"),
                        ("/vouchers/coupons/export.xlsx?status=2", "coupons.export")):
        response = admin_client_a.get(url)
        assert response["Content-Disposition"].startswith("attachment")
        entry = OperationLog.objects.filter(action=action, partner=tenant_a.partner).latest("id")
        assert entry.actor_label == tenant_a.admin.user.username and "count" in entry.detail
    assert OperationLog.objects.get(action="coupons.export").detail["filters"] == {"status": "2"}
