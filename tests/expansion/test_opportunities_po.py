"""PO (共享给华为): the partner registers an opportunity, with a customer account or — acknowledging that it may be
released to the public pool (无账号报备) — without one; operators approve, reject (with a reason) or release it in
the admin, and the partner is told. Who may do what, and the operation log."""

import pytest

from events.models import Event
from expansion import opportunities
from expansion.choices import OpportunityStatus, Origin
from expansion.errors_opportunities import OpportunityCodes
from expansion.event_types_opportunities import OPPORTUNITY_DECIDED
from expansion.models import Opportunity
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..conftest import actor_of, login_client
from ..factories import MemberFactory, RoleFactory
from .opportunities_fixtures import make_operator, register, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return make_operator()


@pytest.fixture
def operator_client(operator):
    return login_client(operator)


def test_a_partner_registers_a_po_with_its_customer_or_without_an_account(tenant_a):
    with_account = register(tenant_a.admin, customer=tenant_a.resale, amount="120000.50", contact_phone="13912345678")
    without = register(tenant_a.admin, customer_name="无账号客户")

    assert (with_account.origin, with_account.status, with_account.customer) == (Origin.PO, "pending", tenant_a.resale)
    assert str(with_account.amount) == "120000.50" and with_account.deadline is None
    assert without.customer is None
    logs = OperationLog.objects.filter(action="expansion.opportunity_register", partner=tenant_a.partner)
    assert sorted(log.detail["no_account"] for log in logs) == [False, True]


def test_another_partners_customer_is_refused_and_nothing_is_created(tenant_a, tenant_b):
    with pytest.raises(DomainError) as refused:
        register(tenant_a.admin, customer=tenant_b.resale)
    assert refused.value.code == OpportunityCodes.CUSTOMER_NOT_ASSOCIATED
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("fields, code", [
    ({"name": " "}, Codes.PARAMETER), ({"amount": "-1"}, Codes.PARAMETER), ({"amount": "1.001"}, Codes.PARAMETER),
    ({"amount": "1e3"}, Codes.PARAMETER), ({"customer_name": "x" * 201}, Codes.PARAMETER),
    ({"notes": "a\x00b"}, Codes.PARAMETER),
])
def test_bad_input_is_a_parameter_error(tenant_a, fields, code):
    with pytest.raises(DomainError) as refused:
        register(tenant_a.admin, **fields)
    assert refused.value.code == code
    assert not Opportunity.objects.exists()


def test_a_member_without_opportunities_manage_may_not_register(tenant_a):
    viewer = MemberFactory(partner=tenant_a.partner, roles=[RoleFactory(partner=tenant_a.partner,
                                                                       permissions=["expansion.view"])])
    with pytest.raises(DomainError) as refused:
        register(viewer)
    assert refused.value.code == Codes.FORBIDDEN


def test_operators_approve_reject_or_release_and_the_partner_is_told(tenant_a, operator):
    approved, rejected, released, approved_then_released = (register(tenant_a.admin) for _ in range(4))
    ops = actor_of(operator)

    opportunities.approve_registration(ops, opportunity=approved)
    opportunities.reject_registration(ops, opportunity=rejected, reason="客户已由其他伙伴报备")
    opportunities.release(ops, opportunity=released)
    opportunities.approve_registration(ops, opportunity=approved_then_released)
    opportunities.release(ops, opportunity=approved_then_released, reason="超过90天无进展")

    statuses = dict(Opportunity.objects.values_list("pk", "status"))
    assert statuses == {approved.pk: "approved", rejected.pk: "rejected", released.pk: "released",
                        approved_then_released.pk: "released"}
    events = {(e.data["opportunity_id"], e.data["decision"]) for e in Event.objects.filter(type=OPPORTUNITY_DECIDED)}
    assert events == {(approved.pk, "approved"), (rejected.pk, "rejected"), (released.pk, "released"),
                      (approved_then_released.pk, "approved"), (approved_then_released.pk, "released")}
    assert all(e.partner_id == tenant_a.partner.pk for e in Event.objects.filter(type=OPPORTUNITY_DECIDED))
    assert OperationLog.objects.filter(partner=tenant_a.partner, action__in=[
        "expansion.opportunity_approve", "expansion.opportunity_reject_registration",
        "expansion.opportunity_release"], result="success").count() == 5


def test_decisions_only_from_the_right_state_and_by_operators(tenant_a, operator):
    po = register(tenant_a.admin)
    ho = share(operator, tenant_a.partner)
    ops = actor_of(operator)
    opportunities.reject_registration(ops, opportunity=po, reason="重复")

    cases = [
        (lambda: opportunities.approve_registration(ops, opportunity=po), OpportunityCodes.NOT_PENDING),
        (lambda: opportunities.release(ops, opportunity=po), OpportunityCodes.NOT_RELEASABLE),
        (lambda: opportunities.approve_registration(ops, opportunity=ho), OpportunityCodes.NOT_PO),
        (lambda: opportunities.reject_registration(ops, opportunity=register(tenant_a.admin), reason=" "),
         OpportunityCodes.REASON_REQUIRED),
        (lambda: opportunities.approve_registration(actor_of(tenant_a.admin), opportunity=register(tenant_a.admin)),
         Codes.FORBIDDEN),
        (lambda: opportunities.accept(actor_of(tenant_a.admin), opportunity=po), OpportunityCodes.NOT_HO),
    ]
    for call, code in cases:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == code
    po.refresh_from_db()
    assert po.status == OpportunityStatus.REJECTED


def test_sharing_needs_an_operator_and_an_active_partner(tenant_a, operator):
    with pytest.raises(DomainError) as by_partner:
        share(tenant_a.admin.user, tenant_a.partner)
    tenant_a.partner.status = "suspended"
    tenant_a.partner.save(update_fields=["status"])
    with pytest.raises(DomainError) as inactive:
        share(operator, tenant_a.partner)
    assert (by_partner.value.code, inactive.value.code) == (Codes.FORBIDDEN, OpportunityCodes.PARTNER_INACTIVE)
    assert not Opportunity.objects.exists()


def test_the_admin_shares_an_ho_and_decides_on_pos(tenant_a, operator_client):
    response = operator_client.post("/admin/expansion/opportunity/add/", {
        "partner": tenant_a.partner.pk, "name": "政务云项目", "customer_name": "某市大数据局", "amount": "300000",
        "contact_name": "王工", "contact_phone": "13800001111", "stage": "discovery"})
    assert response.status_code == 302, response.content.decode()[:2000]
    ho = Opportunity.objects.get(origin=Origin.HO)
    assert (ho.partner, ho.status, ho.deadline is not None, str(ho.amount)) == (tenant_a.partner, "pending", True,
                                                                               "300000.00")
    assert operator_client.get(f"/admin/expansion/opportunity/{ho.pk}/change/").status_code == 200
    assert operator_client.get("/admin/expansion/opportunity/").status_code == 200

    po, po2, po3 = (register(tenant_a.admin) for _ in range(3))
    assert operator_client.post(f"/admin/expansion/opportunity/{po.pk}/reject/", {"reason": ""}).status_code == 200
    assert operator_client.post(f"/admin/expansion/opportunity/{po.pk}/reject/",
                                {"kind": "reason", "reason": "信息不全"}).status_code == 302
    assert operator_client.post(f"/admin/expansion/opportunity/{po2.pk}/approve/").status_code == 302
    assert operator_client.post("/admin/expansion/opportunity/", {
        "action": "release_selected", "_selected_action": [po3.pk, po2.pk]}).status_code == 302
    statuses = dict(Opportunity.objects.filter(origin=Origin.PO).values_list("pk", "status"))
    assert statuses == {po.pk: "rejected", po2.pk: "released", po3.pk: "released"}
    assert Opportunity.objects.get(pk=po.pk).reason == "信息不全"


@pytest.mark.parametrize("fields, label", [
    ({"name": "x" * 201}, "Opportunity name"), ({"customer_name": " "}, "Customer name"),
    ({"contact_phone": "1" * 33}, "Contact phone"), ({"product": "p" * 201}, "Products and services"),
    ({"contact_name": "a\x00b"}, "Contact"),
])
def test_a_refused_field_is_named_by_its_label_not_its_attribute(tenant_a, fields, label):
    from django.utils import translation

    with translation.override("en"), pytest.raises(DomainError) as refused:
        register(tenant_a.admin, **fields)
    assert str(refused.value.message).startswith(f"{label} "), refused.value.message
