"""What the usage-in tests share: a platform key (an operator's), valid usage records of the demo catalogue, and
signed calls of the ingestion endpoint through the test client (the official SDK's signer) or the official
client against a live server."""

import json
from datetime import datetime, timedelta, timezone as dt_timezone

from huaweicloudsdkcore.sdk_response import SdkResponse

from bills.models import UsageRecord
from catalog.demo import seed_catalog
from partnercenter.actors import PLATFORM_DOMAIN_ID
from partnercenter.models import AccessKey

from ..conftest import build_tenant
from ..factories import CustomerUserFactory, ResourceFactory, UserFactory, make_access_key
from ..signed import bss_client, call

__all__ = ["USAGE", "DROP", "PLATFORM_DOMAIN_ID", "platform_key", "record", "records", "hour", "send", "sdk_sender",
           "stored", "Wire", "usage_world"]

USAGE = "/v1/metering/usage-records"
DROP = object()  # record(…, field=DROP) leaves the field out


def platform_key(username="metering.operator"):
    """A platform key of an operator (a staff user): (key, secret)."""
    user = UserFactory(username=username, is_staff=True)
    key, secret = make_access_key(user)
    AccessKey.objects.filter(pk=key.pk).update(is_platform=True)
    key.refresh_from_db()
    return key, secret


def hour(hours_ago=2) -> datetime:
    """The start of a whole UTC hour some hours ago."""
    now = datetime.now(dt_timezone.utc).replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=hours_ago)


def _wire(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def record(customer, record_id="r-1", *, hours_ago=2, **overrides) -> dict:
    """One hour of a pay-per-use server (s6.small.1.linux in cn-north-4) of `customer`."""
    begin = hour(hours_ago)
    values = {
        "record_id": record_id, "customer_id": customer.domain_id, "resource_id": "vm-0001",
        "cloud_service_type": "hws.service.type.ec2", "resource_type": "hws.resource.type.vm",
        "resource_spec_code": "s6.small.1.linux", "usage_type": "Duration", "region": "cn-north-4",
        "usage": "1", "usage_measure_id": 4, "begin_time": _wire(begin), "end_time": _wire(begin + timedelta(hours=1)),
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not DROP}


def records(customer, count, *, prefix="r") -> list[dict]:
    return [record(customer, f"{prefix}-{n:05d}", hours_ago=2 + n % 20, resource_id=f"vm-{n % 50:04d}")
            for n in range(count)]


def send(client, key, secret, body, *, domain_id=PLATFORM_DOMAIN_ID, path=USAGE, raw=None):
    return call(client, "POST", path, ak=key.ak, sk=secret, json=body, body=raw, domain_id=domain_id)


class Wire(SdkResponse):
    """A response the SDK hands back untouched (raw_content, status_code): our path has no SDK model."""

    openapi_types: dict = {}
    attribute_map: dict = {}


def sdk_sender(live_server, ak, secret, domain_id=PLATFORM_DOMAIN_ID):
    """POST a body to the ingestion endpoint with the official client (its generic request method)."""
    client = bss_client(live_server.url, ak=ak, sk=secret, domain_id=domain_id)

    def post(body):
        response = client.do_http_request(method="POST", resource_path=USAGE, body=body,
                                          header_params={"Content-Type": "application/json"}, response_type=Wire)
        return json.loads(response.raw_content)
    return post


def stored() -> dict:
    return {r.record_id: r for r in UsageRecord.objects.all()}


class usage_world:  # noqa: N801 - a namespace of fixtures' values
    """A tenant (partner, admin key, resale customer with a customer key), the demo catalogue, a platform key,
    and an on-demand server of the resale customer whose spec rating uses when a record names none."""

    def __init__(self, tag="u"):
        seed_catalog()
        self.tenant = build_tenant(tag)
        self.customer = self.tenant.resale
        self.customer_user = CustomerUserFactory(customer=self.customer)
        self.customer_key, self.customer_secret = make_access_key(self.customer_user.user)
        self.key, self.secret = platform_key(f"{tag}.metering")
        self.server = ResourceFactory(customer=self.customer, charging_mode="on_demand", resource_id=f"{tag}-vm-od",
                                      resource_spec_code="s6.small.1.linux")
