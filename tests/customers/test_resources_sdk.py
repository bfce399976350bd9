"""Customer resources through the official SDK: a resale customer's pay-per-use resources (partner key)
and yearly/monthly resources (partner key with customer_id, or the customer's own key)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from huaweicloudsdkbss.v2 import (
    ListCustomerOnDemandResourcesRequest, ListPayPerUseCustomerResourcesRequest, QueryCustomerOnDemandResourcesReq,
    QueryResourcesReq,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from ..factories import CustomerUserFactory, ResourceFactory, make_access_key
from ..signed import bss_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def resources(tenant_a):
    now = timezone.now()
    return {
        "vm": ResourceFactory(customer=tenant_a.resale, region_code="cn-north-4", status=1),
        "closed": ResourceFactory(customer=tenant_a.resale, region_code="cn-east-3", status=6),
        "yearly": ResourceFactory(customer=tenant_a.resale, charging_mode="period", status=2, order_id="CS001",
                                  expire_time=now + timedelta(days=30)),
        "expired": ResourceFactory(customer=tenant_a.resale, charging_mode="period", status=5, order_id="CS002",
                                   expire_time=now - timedelta(days=1)),
        "referral_vm": ResourceFactory(customer=tenant_a.referral),
    }


@pytest.fixture
def partner_client(live_server, tenant_a):
    return bss_client(live_server.url, ak=tenant_a.key.ak, sk=tenant_a.secret, domain_id=tenant_a.partner.domain_id)


def test_on_demand_resources_of_a_resale_customer(partner_client, tenant_a, resources):
    everything = partner_client.list_customer_on_demand_resources(ListCustomerOnDemandResourcesRequest(
        body=QueryCustomerOnDemandResourcesReq(customer_id=tenant_a.resale.domain_id)))
    in_use = partner_client.list_customer_on_demand_resources(ListCustomerOnDemandResourcesRequest(
        body=QueryCustomerOnDemandResourcesReq(customer_id=tenant_a.resale.domain_id, status=1, region_code="cn-north-4")))
    by_id = partner_client.list_customer_on_demand_resources(ListCustomerOnDemandResourcesRequest(
        body=QueryCustomerOnDemandResourcesReq(customer_id=tenant_a.resale.domain_id,
                                               resource_ids=[resources["closed"].resource_id])))

    assert everything.total_count == 2
    assert [r.resource_id for r in in_use.resources] == [resources["vm"].resource_id]
    assert in_use.resources[0].customer_id == tenant_a.resale.domain_id
    assert [r.status for r in by_id.resources] == [6]


def test_on_demand_refuses_referral_customers_and_more_than_50_ids(partner_client, tenant_a, resources):
    with pytest.raises(ClientRequestException) as referral:
        partner_client.list_customer_on_demand_resources(ListCustomerOnDemandResourcesRequest(
            body=QueryCustomerOnDemandResourcesReq(customer_id=tenant_a.referral.domain_id)))
    with pytest.raises(ClientRequestException) as too_many:
        partner_client.list_customer_on_demand_resources(ListCustomerOnDemandResourcesRequest(
            body=QueryCustomerOnDemandResourcesReq(customer_id=tenant_a.resale.domain_id,
                                                   resource_ids=[f"id-{n}" for n in range(51)])))
    assert referral.value.error_code == "CBC.99007006"
    assert too_many.value.error_code == "CBC.0100"


def test_yearly_monthly_resources_for_the_partner_and_for_the_customer(live_server, partner_client, tenant_a, resources):
    customer_user = CustomerUserFactory(customer=tenant_a.resale)
    key, secret = make_access_key(customer_user.user)
    customer_client = bss_client(live_server.url, ak=key.ak, sk=secret, domain_id=tenant_a.resale.domain_id)

    as_partner = partner_client.list_pay_per_use_customer_resources(ListPayPerUseCustomerResourcesRequest(
        body=QueryResourcesReq(customer_id=tenant_a.resale.domain_id, status_list=[2])))
    as_customer = customer_client.list_pay_per_use_customer_resources(ListPayPerUseCustomerResourcesRequest(
        body=QueryResourcesReq(order_id="CS002")))

    assert [r.resource_id for r in as_partner.data] == [resources["yearly"].resource_id]
    assert as_partner.data[0].expire_time.endswith("Z")
    assert [r.status for r in as_customer.data] == [5]
    with pytest.raises(ClientRequestException) as missing_customer:
        partner_client.list_pay_per_use_customer_resources(ListPayPerUseCustomerResourcesRequest(body=QueryResourcesReq()))
    assert missing_customer.value.error_code == "CBC.0100"


def test_new_customer_tags_of_the_partners_customers_only(partner_client, tenant_a, tenant_b):
    from huaweicloudsdkbss.v2 import ListSubCustomerNewTagReq, ListSubCustomerNewTagRequest

    from customers.models import NewCustomerTag

    NewCustomerTag.objects.create(customer=tenant_a.resale, tag="Y", effective_month="2026-11", expire_month="2027-10")
    NewCustomerTag.objects.create(customer=tenant_b.resale, tag="N", effective_month="2026-11", expire_month="2027-10")

    response = partner_client.list_sub_customer_new_tag(ListSubCustomerNewTagRequest(body=ListSubCustomerNewTagReq(
        customer_ids=[tenant_a.resale.domain_id, tenant_b.resale.domain_id])))

    assert [(t.customer_id, t.customer_tag_type, t.new_customer_tag, t.effective_time) for t in response.new_customer_tags] == [
        (tenant_a.resale.domain_id, "SMB", "Y", "2026-11")
    ]
