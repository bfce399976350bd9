"""The catalogue's CBC endpoints through the official SDK against a live server: the documented fields,
offset/limit and marker paging, filters, names in the language X-Language asks for (Chinese by
default), any signed caller admitted, and CBC.0100 for bad input."""

import pytest
from huaweicloudsdkbss.v2 import (
    ListConversionsRequest, ListMeasureUnitsRequest, ListResourceSpecsRequest, ListResourceTypesRequest,
    ListServiceResourcesRequest, ListServiceTypesRequest, ListUsageTypesRequest, ResourceSpecsFilter,
    ResourceSpecsQueryReq,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from django.test import Client

from catalog.demo import RESOURCE_TYPES, SERVICE_TYPES
from catalog.models import Product

from ..factories import CustomerUserFactory, make_access_key
from ..signed import bss_client, call

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sdk(live_server, tenant_a, catalogue):
    return bss_client(live_server.url, ak=tenant_a.key.ak, sk=tenant_a.secret, domain_id=tenant_a.partner.domain_id)


@pytest.fixture
def customer_sdk(live_server, tenant_a, catalogue):
    key, secret = make_access_key(CustomerUserFactory(customer=tenant_a.resale).user)
    return bss_client(live_server.url, ak=key.ak, sk=secret, domain_id=tenant_a.resale.domain_id)


def refused(call_it) -> tuple[int, str]:
    with pytest.raises(ClientRequestException) as error:
        call_it()
    return error.value.status_code, error.value.error_code


def test_service_types_page_and_match_names_in_either_language(sdk):
    first = sdk.list_service_types(ListServiceTypesRequest(limit=3))
    rest = sdk.list_service_types(ListServiceTypesRequest(offset=3, limit=10))
    english = sdk.list_service_types(ListServiceTypesRequest(x_language="en_US", service_type_name="SERVER"))
    fuzzy = sdk.list_service_types(ListServiceTypesRequest(service_type_name="硬盘"))

    codes = sorted(code for code, *_rest in SERVICE_TYPES)
    assert first.total_count == rest.total_count == len(SERVICE_TYPES)
    assert [t.service_type_code for t in first.service_types + rest.service_types] == codes
    ec2 = next(t for t in first.service_types if t.service_type_code == "hws.service.type.ec2")
    assert (ec2.service_type_name, ec2.abbreviation) == ("弹性云服务器", "ECS")  # Chinese unless asked otherwise
    assert {(t.service_type_code, t.service_type_name) for t in english.service_types} == {
        ("hws.service.type.ec2", "Elastic Cloud Server")}
    assert [(t.service_type_code, t.service_type_name) for t in fuzzy.service_types] == [
        ("hws.service.type.evs", "云硬盘")]


def test_resource_types_and_service_resources(sdk):
    listed = sdk.list_resource_types(ListResourceTypesRequest(limit=100, x_language="en_US"))
    by_service = sdk.list_service_resources(ListServiceResourcesRequest(service_type_code="hws.service.type.vpc"))
    none = sdk.list_service_resources(ListServiceResourcesRequest(service_type_code="hws.service.type.nothing"))

    assert listed.total_count == len(RESOURCE_TYPES)
    vm = next(t for t in listed.resource_types if t.resource_type_code == "hws.resource.type.vm")
    assert (vm.resource_type_name, vm.service_type_code, vm.resource_type_desc) == (
        "Cloud server", "hws.service.type.ec2", "弹性云服务器的虚拟机")
    assert by_service.total_count == 2
    assert [(i.basic_info.resource_type_code, i.basic_info.product_owner_service, i.basic_info.name)
            for i in by_service.infos] == [("hws.resource.type.bandwidth", "hws.service.type.vpc", "带宽"),
                                           ("hws.resource.type.ip", "hws.service.type.vpc", "弹性公网IP")]
    assert (none.total_count, none.infos) == (0, [])


def test_usage_types_filter_by_resource_type(sdk):
    everything = sdk.list_usage_types(ListUsageTypesRequest(limit=100))
    bandwidth = sdk.list_usage_types(ListUsageTypesRequest(resource_type_code="hws.resource.type.bandwidth",
                                                           x_language="en_US"))

    assert everything.total_count == 8
    assert [(u.code, u.name, u.resource_type_name, u.service_type_code, u.service_type_name)
            for u in bandwidth.usage_types] == [
        ("Duration", "Duration", "Bandwidth", "hws.service.type.vpc", "Virtual Private Cloud"),
        ("upflow", "Outbound traffic", "Bandwidth", "hws.service.type.vpc", "Virtual Private Cloud")]


def test_an_empty_resource_type_code_filters_everything_out(tenant_a, catalogue):
    """Huawei: 不携带或携带值为空时，不作为筛选条件；携带值为空串时，作为筛选条件."""
    response = call(Client(), "GET", "/v2/products/usage-types", ak=tenant_a.key.ak, sk=tenant_a.secret,
                    query=[("resource_type_code", "")])
    assert response.json() == {"total_count": 0, "usage_types": []}


def test_measurements_and_conversions(sdk):
    chinese = sdk.list_measure_units(ListMeasureUnitsRequest())
    english = sdk.list_measure_units(ListMeasureUnitsRequest(x_language="en_US"))
    durations = sdk.list_conversions(ListConversionsRequest(measure_type=2))
    every = sdk.list_conversions(ListConversionsRequest())

    hour = {m.measure_id: m for m in chinese.measure_units}[4]
    assert (hour.measure_name, hour.abbreviation, hour.measure_type) == ("小时", "H", 2)
    assert {m.measure_id: m.measure_name for m in english.measure_units}[4] == "hour"
    assert [m.measure_id for m in chinese.measure_units] == [1, 4, 5, 6, 10, 11, 14, 15, 17]
    assert [(c.measure_id, c.ref_measure_id, c.conversion_ratio, c.measure_type) for c in durations.conversions] == [
        (4, 5, 60, 2), (4, 6, 3600, 2), (5, 6, 60, 2)]
    assert (10, 11, 1024, 3) in [(c.measure_id, c.ref_measure_id, c.conversion_ratio, c.measure_type)
                                 for c in every.conversions]


def test_resource_specs_page_with_a_marker(sdk):
    body = dict(cloud_service_type="hws.service.type.ec2", resource_type="hws.resource.type.vm",
                region_code="cn-north-4", charge_mode="1")
    pages, marker = [], None
    while True:
        response = sdk.list_resource_specs(ListResourceSpecsRequest(
            x_language="en_US", body=ResourceSpecsQueryReq(**body, limit=4, marker=marker)))
        pages.append(response.cloud_service_basics)
        marker = response.page_info.next_marker
        if not marker:
            break

    specs = [spec for page in pages for spec in page]
    expected = sorted(Product.objects.filter(resource_type__code="hws.resource.type.vm", region__code="cn-north-4",
                                             charge_mode=1).values_list("resource_spec", flat=True))
    assert [len(page) for page in pages] == [4, 2]
    assert [s.resource_spec for s in specs] == expected
    small = next(s for s in specs if s.resource_spec == "s6.small.1.linux")
    assert (small.cloud_service_type, small.cloud_service_type_name, small.resource_type, small.resource_type_name,
            small.resource_spec_name, small.charge_mode, small.region_code) == (
        "hws.service.type.ec2", "Elastic Cloud Server", "hws.resource.type.vm", "Cloud server",
        "General computing|s6.small.1|1 vCPU|1 GiB|Linux", "1", "cn-north-4")


def test_resource_specs_filter_by_spec_and_charge_mode_in_chinese(customer_sdk):
    response = customer_sdk.list_resource_specs(ListResourceSpecsRequest(x_language="zh_cn", body=ResourceSpecsQueryReq(
        cloud_service_type="hws.service.type.evs", resource_type="hws.resource.type.volume", region_code="cn-east-3",
        charge_mode="3", filters=[ResourceSpecsFilter(key="RESOURCE_SPEC", value="ss")])))

    assert response.page_info.next_marker is None
    assert [(s.resource_spec, s.resource_spec_name, s.cloud_service_type_name, s.charge_mode)
            for s in response.cloud_service_basics] == [("SSD", "超高IO", "云硬盘", "3")]


def test_products_taken_off_sale_are_not_listed(sdk):
    Product.objects.filter(resource_spec="SATA", region__code="cn-south-1").update(is_active=False)
    response = sdk.list_resource_specs(ListResourceSpecsRequest(body=ResourceSpecsQueryReq(
        cloud_service_type="hws.service.type.evs", resource_type="hws.resource.type.volume", region_code="cn-south-1",
        charge_mode="1")))
    assert [s.resource_spec for s in response.cloud_service_basics] == ["SAS", "SSD"]


def test_any_signed_caller_reads_the_catalogue(live_server, tenant_a, customer_sdk, catalogue):
    # a member whose role grants nothing of the catalogue (customers.view only), and a customer
    key, secret = make_access_key(tenant_a.member.user, partner=tenant_a.partner)
    member = bss_client(live_server.url, ak=key.ak, sk=secret, domain_id=tenant_a.partner.domain_id)
    for client in (member, customer_sdk):
        assert client.list_service_types(ListServiceTypesRequest()).total_count == len(SERVICE_TYPES)
        assert client.list_measure_units(ListMeasureUnitsRequest()).measure_units
    assert Client().get("/v2/products/service-types").json()["error_code"] == "APIGW.0301"  # unsigned


SPECS = dict(cloud_service_type="hws.service.type.ec2", resource_type="hws.resource.type.vm", region_code="cn-north-4",
             charge_mode="1")


@pytest.mark.parametrize("request_of", [
    lambda: ListServiceTypesRequest(limit=0),
    lambda: ListServiceTypesRequest(limit=101),
    lambda: ListServiceTypesRequest(offset=-1),
    lambda: ListServiceTypesRequest(service_type_name="x" * 129),
    lambda: ListResourceTypesRequest(limit=0),
    lambda: ListUsageTypesRequest(offset=-1),
    lambda: ListConversionsRequest(measure_type=-1),
    lambda: ListServiceResourcesRequest(limit=0),
    lambda: ListResourceSpecsRequest(body=ResourceSpecsQueryReq(**{**SPECS, "charge_mode": "2"})),
    lambda: ListResourceSpecsRequest(body=ResourceSpecsQueryReq(**{**SPECS, "region_code": None})),
    lambda: ListResourceSpecsRequest(body=ResourceSpecsQueryReq(**SPECS, limit=101)),
    lambda: ListResourceSpecsRequest(body=ResourceSpecsQueryReq(**SPECS, marker="!not a marker!")),
    lambda: ListResourceSpecsRequest(body=ResourceSpecsQueryReq(
        **SPECS, filters=[ResourceSpecsFilter(key="RESOURCE_NAME", value="s6")])),
    lambda: ListResourceSpecsRequest(body=ResourceSpecsQueryReq(
        **SPECS, filters=[ResourceSpecsFilter(key="RESOURCE_SPEC", value="s6")] * 2)),
], ids=["limit-0", "limit-101", "offset-negative", "name-too-long", "resource-types-limit", "usage-offset",
        "measure-type-negative", "service-resources-limit", "charge-mode-2", "no-region", "specs-limit", "bad-marker",
        "filter-key", "two-filters"])
def test_bad_input_is_cbc_0100(sdk, request_of):
    request = request_of()
    method = {
        ListServiceTypesRequest: sdk.list_service_types, ListResourceTypesRequest: sdk.list_resource_types,
        ListUsageTypesRequest: sdk.list_usage_types, ListConversionsRequest: sdk.list_conversions,
        ListServiceResourcesRequest: sdk.list_service_resources, ListResourceSpecsRequest: sdk.list_resource_specs,
    }[type(request)]
    assert refused(lambda: method(request)) == (400, "CBC.0100")


def test_empty_values_the_documentation_forbids_are_cbc_0100(tenant_a, catalogue):
    api = Client()
    for path, query in (("/v2/bases/conversions", [("measure_type", "")]),
                        ("/v2/products/service-resources", [("limit", "")])):
        response = call(api, "GET", path, ak=tenant_a.key.ak, sk=tenant_a.secret, query=query)
        assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100"), path
