"""The customer list page: scoping, masking, export, query count; distributor ↔ reseller visibility."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from customers import selectors
from partnercenter.models import OperationLog

from ..conftest import actor_of, build_tenant, login_client
from ..factories import AssociationFactory, MemberFactory, PartnerFactory, ResourceFactory, make_access_key
from ..signed import call

pytestmark = pytest.mark.django_db


def test_names_are_masked_until_revealed_and_revealing_is_logged(tenant_a, admin_client_a):
    masked = admin_client_a.get("/customers/").content.decode()
    revealed = admin_client_a.get("/customers/?reveal=account&reveal=name").content.decode()
    name = tenant_a.resale.real_name
    assert name not in masked and name[:2] in masked
    assert name in revealed
    assert OperationLog.objects.filter(action="customer.reveal", partner=tenant_a.partner).count() == 1


def test_the_export_holds_the_filtered_rows(tenant_a, admin_client_a):
    response = admin_client_a.get("/customers/export.xlsx?association_type=2")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert response["Content-Disposition"].startswith("attachment")
    assert [row[2] for row in rows[1:]] == [tenant_a.resale.domain_id]
    assert OperationLog.objects.filter(action="customer.export").exists()


@pytest.mark.parametrize("customers", [3, 30])
def test_the_list_runs_a_constant_number_of_queries(tenant_a, admin_client_a, django_assert_max_num_queries, customers):
    managers = [MemberFactory(partner=tenant_a.partner) for _ in range(3)]
    for n in range(customers):
        AssociationFactory(partner=tenant_a.partner, account_manager=managers[n % 3], label="重点")
    # 14: the header's notification bell counts the unread ones (one capped COUNT, events.context_processors)
    # and the banner reads the agreements to sign (one statement, programs/agreements.py)
    with django_assert_max_num_queries(14):
        assert admin_client_a.get("/customers/?reveal=account&reveal=name").status_code == 200
    with django_assert_max_num_queries(14):
        assert admin_client_a.get("/customers/events/").status_code == 200


def test_filters_narrow_the_list(tenant_a, admin_client_a):
    body = admin_client_a.get("/customers/?association_type=1&reveal=account&reveal=name").content.decode()
    assert tenant_a.referral.domain_id in body and tenant_a.resale.domain_id not in body
    body = admin_client_a.get(f"/customers/?account_manager={tenant_a.member.pk}&reveal=account&reveal=name").content.decode()
    assert tenant_a.referral.domain_id in body and tenant_a.resale.domain_id not in body


def test_detail_and_resources_pages(tenant_a, admin_client_a):
    ResourceFactory(customer=tenant_a.resale, resource_name="web-server-01")
    ResourceFactory(customer=tenant_a.resale, charging_mode="period", status=2, resource_name="db-yearly")
    assert tenant_a.resale.domain_name in admin_client_a.get(f"/customers/{tenant_a.resale.domain_id}/").content.decode()
    on_demand = admin_client_a.get(f"/customers/{tenant_a.resale.domain_id}/resources/").content.decode()
    period = admin_client_a.get(f"/customers/{tenant_a.resale.domain_id}/resources/?mode=period").content.decode()
    assert "web-server-01" in on_demand and "db-yearly" not in on_demand
    assert "db-yearly" in period


def test_assigning_an_account_manager_on_the_page(tenant_a, admin_client_a):
    manager = MemberFactory(partner=tenant_a.partner)
    response = admin_client_a.post(f"/customers/{tenant_a.resale.domain_id}/manager/", {"manager": manager.pk})
    assert response.status_code == 302
    assert tenant_a.resale.associations.get(ended_on__isnull=True).account_manager == manager
    other_partners_member = MemberFactory()
    response = admin_client_a.post(f"/customers/{tenant_a.resale.domain_id}/manager/", {"manager": other_partners_member.pk})
    assert response.status_code == 200  # an invalid choice
    assert tenant_a.resale.associations.get(ended_on__isnull=True).account_manager == manager


def test_distributor_and_reseller_see_each_their_own_customers(db):
    distributor = build_tenant("dst", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    reseller_admin = MemberFactory(partner=reseller)
    from partnercenter.models import Role

    reseller_admin.roles.add(Role.objects.create(partner=reseller, name="管理员", is_administrator=True))
    of_reseller = AssociationFactory(partner=reseller).customer

    distributor_view = {c.domain_id for c in selectors.customers_for(actor_of(distributor.admin))}
    via_reseller = {c.domain_id for c in selectors.customers_for(actor_of(distributor.admin),
                                                                 indirect_partner_id=reseller.domain_id)}
    reseller_view = {c.domain_id for c in selectors.customers_for(actor_of(reseller_admin))}

    assert of_reseller.domain_id not in distributor_view
    assert via_reseller == {of_reseller.domain_id}
    assert reseller_view == {of_reseller.domain_id}
    assert selectors.customers_for(actor_of(reseller_admin), indirect_partner_id=distributor.partner.domain_id).count() == 0


def test_account_managers_are_scoped_on_the_api_too(tenant_a):
    from django.test import Client

    manager_key, manager_secret = make_access_key(tenant_a.member.user, partner=tenant_a.partner)
    as_manager = call(Client(), "POST", "/v2/partners/sub-customers/query", ak=manager_key.ak, sk=manager_secret,
                      json={}).json()
    as_admin = call(Client(), "POST", "/v2/partners/sub-customers/query", ak=tenant_a.key.ak, sk=tenant_a.secret,
                    json={}).json()
    # A key acts with its owner's scope: the manager's key sees the manager's customer only.
    assert [c["customer_id"] for c in as_manager["customer_infos"]] == [tenant_a.referral.domain_id]
    assert as_admin["count"] == 2


def test_a_reseller_can_be_given_an_account_manager(db):
    distributor = build_tenant("dsm", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    page = login_client(distributor.admin.user)
    response = page.post(f"/resellers/{reseller.domain_id}/manager/", {"manager": distributor.member.pk})
    assert response.status_code == 302
    reseller.refresh_from_db()
    assert reseller.reseller_account_manager == distributor.member
