"""The official huaweicloudsdkbss client, signing real requests to a live server, works unchanged."""

import pytest
from huaweicloudsdkbss.v2 import (
    ListIndirectPartnersRequest, ListSubCustomersRequest, QueryIndirectPartnersReq, QuerySubCustomerListReq,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from .conftest import build_tenant
from .factories import AssociationFactory, CustomerUserFactory, MemberFactory, PartnerFactory, make_access_key
from .signed import bss_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_sdk_lists_a_partners_customers(live_server, tenant_a, tenant_b):
    client = bss_client(live_server.url, ak=tenant_a.key.ak, sk=tenant_a.secret, domain_id=tenant_a.partner.domain_id)

    response = client.list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq(offset=0, limit=10)))

    assert response.count == 2
    by_id = {c.customer_id: c for c in response.customer_infos}
    assert set(by_id) == {tenant_a.referral.domain_id, tenant_a.resale.domain_id}
    referral = by_id[tenant_a.referral.domain_id]
    assert referral.association_type == "1"
    assert referral.account_name == tenant_a.referral.domain_name
    assert referral.account_managers[0].account_name == tenant_a.member.user.username
    assert referral.associated_on.endswith("Z")
    assert by_id[tenant_a.resale.domain_id].association_type == "2"


def test_sdk_filters_and_pages(live_server, tenant_a):
    client = bss_client(live_server.url, ak=tenant_a.key.ak, sk=tenant_a.secret, domain_id=tenant_a.partner.domain_id)

    resale_only = client.list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq(association_type="2")))
    by_name = client.list_sub_customers(
        ListSubCustomersRequest(body=QuerySubCustomerListReq(account_name=tenant_a.referral.domain_name[-4:]))
    )
    second_page = client.list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq(offset=1, limit=1)))

    assert [c.customer_id for c in resale_only.customer_infos] == [tenant_a.resale.domain_id]
    assert [c.customer_id for c in by_name.customer_infos] == [tenant_a.referral.domain_id]
    assert (second_page.count, len(second_page.customer_infos)) == (2, 1)


def test_sdk_lists_a_distributors_resellers_and_a_resellers_customers(live_server, db):
    distributor = build_tenant("dist", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner, account_name="reseller-one")
    manager = MemberFactory(partner=distributor.partner, user__username="dist.manager")
    reseller.reseller_account_manager = manager
    reseller.save()
    PartnerFactory(partner_type="reseller", distributor=build_tenant("other", partner_type="distributor").partner)
    reseller_customer = AssociationFactory(partner=reseller, association_type="2").customer
    client = bss_client(live_server.url, ak=distributor.key.ak, sk=distributor.secret,
                        domain_id=distributor.partner.domain_id)

    resellers = client.list_indirect_partners(ListIndirectPartnersRequest(body=QueryIndirectPartnersReq(limit=10)))
    customers = client.list_sub_customers(
        ListSubCustomersRequest(body=QuerySubCustomerListReq(indirect_partner_id=reseller.domain_id))
    )

    assert resellers.count == 1
    info = resellers.indirect_partners[0]
    assert (info.indirect_partner_id, info.account_name, info.account_manager_id) == (
        reseller.domain_id, "reseller-one", "dist.manager"
    )
    assert [c.customer_id for c in customers.customer_infos] == [reseller_customer.domain_id]


def test_sdk_sees_cbc_errors(live_server, tenant_a):
    customer_user = CustomerUserFactory(customer=tenant_a.resale)
    key, secret = make_access_key(customer_user.user)
    as_customer = bss_client(live_server.url, ak=key.ak, sk=secret, domain_id=tenant_a.resale.domain_id)
    wrong_secret = bss_client(live_server.url, ak=tenant_a.key.ak, sk="x" * 40, domain_id=tenant_a.partner.domain_id)
    as_partner = bss_client(live_server.url, ak=tenant_a.key.ak, sk=tenant_a.secret, domain_id=tenant_a.partner.domain_id)

    with pytest.raises(ClientRequestException) as forbidden:
        as_customer.list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq()))
    with pytest.raises(ClientRequestException) as unauthenticated:
        wrong_secret.list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq()))
    with pytest.raises(ClientRequestException) as bad_limit:
        as_partner.list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq(limit=1000)))

    assert (forbidden.value.status_code, forbidden.value.error_code) == (403, "CBC.0151")
    assert (unauthenticated.value.status_code, unauthenticated.value.error_code) == (401, "APIGW.0301")
    assert (bad_limit.value.status_code, bad_limit.value.error_code) == (400, "CBC.0100")
