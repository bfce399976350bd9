"""/v1/webhooks: a sales platform registers, lists, tests and deletes its webhook endpoints with signed calls
(the official SDK's client against a live server, and its signer through the test client), errors in the
CBC shape, another partner's endpoint not found, and the operations in the OpenAPI schema."""

import json

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.sdk_response import SdkResponse

from events import types
from events.choices import Audience
from events.models import WebhookEndpoint
from events.types import EventType
from events.webhook_services import MAX_ENDPOINTS
from partnercenter.models import OperationLog

from ..conftest import actor_of
from ..factories import MemberFactory, RoleFactory, make_access_key
from ..signed import bss_client, call
from .webhook_helpers import Receiver, readme_verifier, register

THING = EventType("test.api_thing", "API thing", audience=Audience.PARTNER, notify=False)
WEBHOOKS = "/v1/webhooks"


@pytest.fixture(autouse=True)
def thing_type():
    types.register(THING)
    yield
    types._TYPES.pop(THING.code, None)


def sdk(live_server, tenant):
    """The official client, used for our paths through its generic request method."""
    client = bss_client(live_server.url, ak=tenant.key.ak, sk=tenant.secret, domain_id=tenant.partner.domain_id)

    def send(method, path, body=None, **path_params):
        response = client.do_http_request(method=method, resource_path=path, path_params=path_params or None,
                                          body=body, header_params={"Content-Type": "application/json"},
                                          response_type=Wire)
        return json.loads(response.raw_content) if response.raw_content else response.status_code
    return send


class Wire(SdkResponse):
    """A response the SDK hands back untouched (raw_content, status_code): our paths have no SDK model."""

    openapi_types: dict = {}
    attribute_map: dict = {}


@pytest.mark.django_db(transaction=True)
def test_a_sales_platform_registers_lists_tests_and_deletes_a_webhook_with_the_sdk(live_server, tenant_a):
    send = sdk(live_server, tenant_a)
    with Receiver() as receiver:
        created = send("POST", WEBHOOKS, {"url": receiver.url, "events": [THING.code], "description": "CRM"})
        listed = send("GET", WEBHOOKS)
        tested = send("POST", WEBHOOKS + "/{webhook_id}/test", webhook_id=created["id"])
        deleted = send("DELETE", WEBHOOKS + "/{webhook_id}", webhook_id=created["id"])
        with pytest.raises(ClientRequestException) as gone:
            send("DELETE", WEBHOOKS + "/{webhook_id}", webhook_id=created["id"])
        after = send("GET", WEBHOOKS)

    assert set(created) == {"id", "url", "events", "description", "enabled", "failing_since", "created", "secret"}
    assert (created["url"], created["events"], created["enabled"]) == (receiver.url, [THING.code], True)
    assert created["secret"].startswith("whsec_") and created["created"].endswith("Z")
    assert listed["count"] == 1 and listed["webhooks"][0]["id"] == created["id"]
    assert "secret" not in listed["webhooks"][0] and created["secret"] not in json.dumps(listed)
    assert (tested["attempted"], tested["succeeded"], tested["status_code"]) == (True, True, 200)
    [(headers, body)] = receiver.requests
    assert headers["X-Webhook-Id"] == tested["event_id"] and json.loads(body)["type"] == "ping"
    assert readme_verifier()(created["secret"], body, headers["X-Webhook-Signature"])
    assert deleted == 204
    assert (gone.value.status_code, gone.value.error_code) == (404, "CBC.0156")
    assert after == {"count": 0, "webhooks": []}
    log = OperationLog.objects.filter(partner=tenant_a.partner, access_key=tenant_a.key.ak)
    assert sorted(log.values_list("action", flat=True)) == ["webhook.create", "webhook.delete", "webhook.test"]


# -------------------------------------------------------------------------------------------------
# Errors (signed by the SDK's signer through the test client)
# -------------------------------------------------------------------------------------------------

def post(tenant, body, path=WEBHOOKS, key=None):
    ak, sk = key or (tenant.key.ak, tenant.secret)
    return call(Client(), "POST", path, ak=ak, sk=sk, json=body)


def error(response):
    return response.status_code, response.json()["error_code"]


@pytest.mark.django_db
def test_refused_urls_and_unknown_types_are_cbc_errors(tenant_a, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    for url in ("http://example.com/hook", "https://127.0.0.1/hook", "https://169.254.169.254/", "https://localhost/"):
        assert error(post(tenant_a, {"url": url, "events": [THING.code]})) == (400, "CBC.99011001"), url
    assert error(post(tenant_a, {"url": "https://127.0.0.1/", "events": ["no.such_type"]}))[0] == 400
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert error(post(tenant_a, {"url": "http://127.0.0.1:9/", "events": ["no.such_type"]})) == (400, "CBC.99011002")
    assert error(post(tenant_a, {"url": "http://127.0.0.1:9/", "events": ["ping"]})) == (400, "CBC.99011002")
    assert error(post(tenant_a, {"url": "http://127.0.0.1:9/", "events": []})) == (400, "CBC.0100")
    assert error(post(tenant_a, {"events": [THING.code]})) == (400, "CBC.0100")
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_a_partner_registers_at_most_the_limit(tenant_a):
    for n in range(MAX_ENDPOINTS):
        register(actor_of(tenant_a.admin), f"http://127.0.0.1:9/{n}", types=[THING.code])
    assert error(post(tenant_a, {"url": "http://127.0.0.1:9/x", "events": [THING.code]})) == (400, "CBC.0161")


@pytest.mark.django_db
def test_another_partners_webhook_is_not_found_and_unchanged(tenant_a, tenant_b):
    theirs, _secret = register(actor_of(tenant_a.admin), "http://127.0.0.1:9/a", types=[THING.code])
    api = Client()
    for method, path in (("DELETE", f"{WEBHOOKS}/{theirs.uid}"), ("POST", f"{WEBHOOKS}/{theirs.uid}/test"),
                         ("DELETE", f"{WEBHOOKS}/not-an-id"), ("POST", f"{WEBHOOKS}/{'9' * 40}/test")):
        response = call(api, method, path, ak=tenant_b.key.ak, sk=tenant_b.secret)
        assert error(response) == (404, "CBC.0156"), path
    listed = call(api, "GET", WEBHOOKS, ak=tenant_b.key.ak, sk=tenant_b.secret).json()
    assert listed == {"count": 0, "webhooks": []}
    assert WebhookEndpoint.objects.get().partner == tenant_a.partner
    assert not theirs.deliveries.exists()


@pytest.mark.django_db
def test_a_key_without_the_webhooks_right_is_refused(tenant_a):
    member = MemberFactory(partner=tenant_a.partner, roles=[RoleFactory(partner=tenant_a.partner,
                                                                        permissions=["customers.view"])])
    key, secret = make_access_key(member.user, partner=tenant_a.partner)
    assert error(post(tenant_a, {"url": "http://127.0.0.1:9/", "events": [THING.code]}, key=(key.ak, secret))) == (
        403, "CBC.0151")
    assert error(call(Client(), "GET", WEBHOOKS, ak=key.ak, sk=secret)) == (403, "CBC.0151")


@pytest.mark.django_db
def test_a_customer_key_is_refused(tenant_a):
    from ..factories import CustomerUserFactory

    key, secret = make_access_key(CustomerUserFactory(customer=tenant_a.resale).user)
    assert error(call(Client(), "GET", WEBHOOKS, ak=key.ak, sk=secret)) == (403, "CBC.0151")


def test_the_webhook_operations_are_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    operations = {(path, method): op["operationId"] for path in (WEBHOOKS, f"{WEBHOOKS}/{{webhook_id}}",
                                                                 f"{WEBHOOKS}/{{webhook_id}}/test")
                  for method, op in paths[path].items()}
    assert operations == {(WEBHOOKS, "get"): "list_webhooks", (WEBHOOKS, "post"): "create_webhook",
                          (f"{WEBHOOKS}/{{webhook_id}}", "delete"): "delete_webhook",
                          (f"{WEBHOOKS}/{{webhook_id}}/test", "post"): "test_webhook"}
    components = schema["components"]["schemas"]
    created = paths[WEBHOOKS]["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert "secret" in components[created.rsplit("/", 1)[1]]["properties"]
    assert "secret" not in components["WebhookInfo"]["properties"]
    assert set(components["CreateWebhookReq"]["required"]) == {"url", "events"}


@pytest.mark.django_db
def test_the_cbc_gateway_refuses_unsigned_calls(tenant_a):
    assert error(Client().post(WEBHOOKS, data={}, content_type="application/json")) == (401, "APIGW.0301")
