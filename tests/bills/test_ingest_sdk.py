"""The ingestion endpoint through the official SDK's client (huaweicloudsdkcore, its generic request method on
our own path) against a live server: a platform key sends a batch and sends it again; a partner key and a
customer key are refused in the CBC shape; the operation is in the OpenAPI schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from bills.models import UsageRecord

from .ingest_helpers import USAGE, record, records, sdk_sender, usage_world


@pytest.mark.django_db(transaction=True)
def test_a_platform_key_sends_usage_with_the_sdk_and_sends_it_again(live_server):
    world = usage_world()
    post = sdk_sender(live_server, world.key.ak, world.secret)
    batch = records(world.customer, 20) + [record(world.customer, "bad", region="nowhere")]

    first = post({"records": batch})
    again = post({"records": batch})

    assert (first["accepted"], first["duplicates"], first["failed"]) == (20, 0, 1)
    assert first["results"][-1] == {"record_id": "bad", "status": "failed", "error_code": "CBC.99009013",
                                    "error_msg": first["results"][-1]["error_msg"]}
    assert (again["accepted"], again["duplicates"], again["failed"]) == (0, 20, 1)
    assert UsageRecord.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_partner_and_customer_keys_are_refused_through_the_sdk(live_server):
    world = usage_world()
    partner = sdk_sender(live_server, world.tenant.key.ak, world.tenant.secret, world.tenant.partner.domain_id)
    customer = sdk_sender(live_server, world.customer_key.ak, world.customer_secret, world.customer.domain_id)

    for post in (partner, customer):
        with pytest.raises(ClientRequestException) as refused:
            post({"records": [record(world.customer)]})
        assert (refused.value.status_code, refused.value.error_code) == (403, "CBC.0151")
    assert not UsageRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_malformed_body_is_refused_through_the_sdk(live_server):
    world = usage_world()
    post = sdk_sender(live_server, world.key.ak, world.secret)

    with pytest.raises(ClientRequestException) as refused:
        post({"records": []})

    assert (refused.value.status_code, refused.value.error_code) == (400, "CBC.0100")


def test_the_endpoint_is_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][USAGE]["post"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    item = schema["components"]["schemas"][schema["components"]["schemas"][request]["properties"]["records"]["items"]
                                           ["$ref"].rsplit("/", 1)[1]]

    assert set(schema["paths"][USAGE]) == {"post"} and operation["operationId"] == "create_usage_records"
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    assert set(item["properties"]) == {"record_id", "customer_id", "resource_id", "cloud_service_type", "resource_type",
                                       "resource_spec_code", "usage_type", "region", "usage", "usage_measure_id",
                                       "resource_size", "begin_time", "end_time"}
    assert "resource_spec_code" not in item["required"] and "resource_size" not in item["required"]
