"""POST /v1/metering/usage-records, signed with the official SDK's signer through the test client: per-record
results in the order sent, idempotency by record_id (the same batch twice stores nothing new; other content
under a known record_id is a per-record conflict), every check of a record, a malformed body refused as a
whole, and who may call it (a platform key only)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from bills import ingest
from bills.choices import UsageSource, UsageStatus
from bills.models import UsageRecord, UsageWaiting
from partnercenter.models import OperationLog

from .ingest_helpers import DROP, hour, record, records, send, stored, usage_world

pytestmark = pytest.mark.django_db

CONFLICT, UNKNOWN_CUSTOMER, UNKNOWN_TYPE, UNKNOWN_REGION, UNKNOWN_MEASURE, BAD_WINDOW, NO_SPEC = (
    f"CBC.990090{n}" for n in (10, 11, 12, 13, 14, 15, 16))


@pytest.fixture
def world():
    return usage_world()


@pytest.fixture
def api():
    return Client()


def post(api, world, body, **kwargs):
    response = send(api, world.key, world.secret, body, **kwargs)
    return response.status_code, response.json()


def test_a_batch_is_stored_with_one_result_per_record_in_order(api, world):
    batch = [record(world.customer, "a-1"), record(world.customer, "a-2", usage="0.5", resource_size="40",
                                                   resource_type="hws.resource.type.volume",
                                                   cloud_service_type="hws.service.type.evs", resource_spec_code="SAS")]

    status, body = post(api, world, {"records": batch})

    assert status == 200
    assert body == {"accepted": 2, "duplicates": 0, "failed": 0, "results": [
        {"record_id": "a-1", "status": "created", "error_code": None, "error_msg": None},
        {"record_id": "a-2", "status": "created", "error_code": None, "error_msg": None}]}
    disk = UsageRecord.objects.get(record_id="a-2")
    assert (disk.customer_id, disk.service_type_code, disk.resource_type_code, disk.resource_spec_code) == (
        world.customer.pk, "hws.service.type.evs", "hws.resource.type.volume", "SAS")
    assert (disk.usage_amount, disk.resource_size, disk.usage_measure_id) == (Decimal("0.5"), Decimal("40"), 4)
    assert (disk.begin_time, disk.end_time) == (hour(2), hour(1))
    assert (disk.source, disk.status, disk.error_code) == (UsageSource.API, UsageStatus.NEW, "")
    log = OperationLog.objects.get(action="usage.ingest")
    assert (log.partner, log.actor_kind, log.access_key, log.result) == (None, "platform", world.key.ak, "success")
    assert log.detail == {"records": 2, "created": 2, "duplicates": 0, "failed": 0}
    # both queued for the rating, once: the same batch again stores and queues nothing
    assert sorted(UsageWaiting.objects.values_list("usage_record__record_id", flat=True)) == ["a-1", "a-2"]
    assert post(api, world, {"records": batch})[1]["duplicates"] == 2 and UsageWaiting.objects.count() == 2


def test_a_batch_is_stored_by_customer_then_record_id_whatever_the_order_sent(api, world):
    """The rating reads each customer's records together: a batch's records of one customer are stored next to each
    other (consecutive ids, so on one page), in record_id order, whatever the order they were sent in."""
    a, b = world.customer, world.tenant.referral
    batch = [record(b, "z-1"), record(a, "y-2"), record(b, "x-3"), record(a, "w-4")]

    assert post(api, world, {"records": batch})[1]["accepted"] == 4

    pk = {a.domain_id: a.pk, b.domain_id: b.pk}
    expected = [record_id for _pk, record_id in sorted((pk[r["customer_id"]], r["record_id"]) for r in batch)]
    assert list(UsageRecord.objects.order_by("id").values_list("record_id", flat=True)) == expected


def test_one_bad_record_fails_alone(api, world):
    batch = [record(world.customer, "ok-1"), record(world.customer, "bad", usage="-1"), record(world.customer, "ok-2")]

    status, body = post(api, world, {"records": batch})

    assert status == 200 and (body["accepted"], body["failed"]) == (2, 1)
    assert [(r["record_id"], r["status"]) for r in body["results"]] == [
        ("ok-1", "created"), ("bad", "failed"), ("ok-2", "created")]
    assert body["results"][1]["error_code"] == "CBC.0100" and "usage" in body["results"][1]["error_msg"]
    assert set(stored()) == {"ok-1", "ok-2"}


def test_the_same_batch_twice_stores_nothing_new(api, world):
    batch = records(world.customer, 30)
    first = post(api, world, {"records": batch})[1]
    before = {r.record_id: (r.pk, r.received_at) for r in UsageRecord.objects.all()}

    status, again = post(api, world, {"records": batch})

    assert first["accepted"] == 30
    assert status == 200 and (again["accepted"], again["duplicates"], again["failed"]) == (0, 30, 0)
    assert {r["status"] for r in again["results"]} == {"duplicate"}
    assert {r.record_id: (r.pk, r.received_at) for r in UsageRecord.objects.all()} == before


def test_a_known_record_id_with_other_content_is_a_conflict_and_the_stored_record_stays(api, world):
    post(api, world, {"records": [record(world.customer, "c-1")]})

    # the same usage written differently ("1.000000") is the same content; another amount or window is not
    status, body = post(api, world, {"records": [
        record(world.customer, "c-1", usage="1.000000"),
        record(world.customer, "c-1", usage="2", end_time=(hour(2) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")),
    ]})

    assert status == 200 and (body["accepted"], body["duplicates"], body["failed"]) == (0, 1, 1)
    conflict = body["results"][1]
    assert (conflict["status"], conflict["error_code"]) == ("failed", CONFLICT)
    assert conflict["error_msg"].endswith("(usage, end_time)")
    assert UsageRecord.objects.get(record_id="c-1").usage_amount == Decimal("1")


def test_a_record_id_twice_in_one_batch_is_stored_once(api, world):
    same = record(world.customer, "twice")
    other = record(world.customer, "twice", region="cn-east-3")

    body = post(api, world, {"records": [same, dict(same), other]})[1]

    assert [(r["status"], r["error_code"]) for r in body["results"]] == [
        ("created", None), ("duplicate", None), ("failed", CONFLICT)]
    assert UsageRecord.objects.filter(record_id="twice").count() == 1


def _wire(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


INVALID = {
    "missing record_id": (dict(record_id=DROP), "CBC.0100"),
    "missing customer": (dict(customer_id=DROP), "CBC.0100"),
    "missing usage": (dict(usage=DROP), "CBC.0100"),
    "blank resource": (dict(resource_id="  "), "CBC.0100"),
    "unknown field": (dict(resource_spec="s6"), "CBC.0100"),
    "record_id too long": (dict(record_id="x" * 65), "CBC.0100"),
    "numeric record_id": (dict(record_id=12), "CBC.0100"),
    "negative usage": (dict(usage="-0.1"), "CBC.0100"),
    "seven decimals": (dict(usage="0.0000001"), "CBC.0100"),
    "exponent": (dict(usage="1e2"), "CBC.0100"),
    "usage as words": (dict(usage="one"), "CBC.0100"),
    "usage too large": (dict(usage="1" + "0" * 18), "CBC.0100"),
    "zero size": (dict(resource_size="0"), "CBC.0100"),
    "measure as bool": (dict(usage_measure_id=True), "CBC.0100"),
    "measure as text": (dict(usage_measure_id="four"), "CBC.0100"),
    "local time": (dict(begin_time="2026-01-01 00:00:00"), "CBC.0100"),
    "time with offset": (dict(end_time="2026-01-01T01:00:00+08:00"), "CBC.0100"),
    "no such day": (dict(begin_time="2026-02-30T00:00:00Z"), "CBC.0100"),
    "full-width digits": (dict(begin_time="２０２６-01-01T00:00:00Z"), "CBC.0100"),
    # windows are taken from the clock when the test runs, not when it is collected: a long suite must not
    # turn "an hour from now" into the past
    "ends before it begins": (lambda: dict(end_time=_wire(hour(3))), BAD_WINDOW),
    "empty window": (lambda: dict(end_time=_wire(hour(2))), BAD_WINDOW),
    "longer than a day": (lambda: dict(begin_time=_wire(hour(30))), BAD_WINDOW),
    "in the future": (lambda: dict(begin_time=_wire(hour(0)), end_time=_wire(hour(-1))), BAD_WINDOW),
    "unknown customer": (dict(customer_id="0" * 32), UNKNOWN_CUSTOMER),
    "usage type of another resource type": (dict(usage_type="upflow"), UNKNOWN_TYPE),
    "resource type of another service": (dict(cloud_service_type="hws.service.type.evs"), UNKNOWN_TYPE),
    "unknown region": (dict(region="mars-1"), UNKNOWN_REGION),
    "unknown unit": (dict(usage_measure_id=999), UNKNOWN_MEASURE),
    "no spec and no such resource": (dict(resource_spec_code=DROP, resource_id="nowhere"), NO_SPEC),
}


@pytest.mark.parametrize("change,code", INVALID.values(), ids=INVALID.keys())
def test_each_check_of_a_record(api, world, change, code):
    change = change() if callable(change) else change
    status, body = post(api, world, {"records": [record(world.customer, **change)]})

    assert status == 200, body
    [result] = body["results"]
    assert (result["status"], result["error_code"], body["failed"]) == ("failed", code, 1), result
    assert result["error_msg"]
    assert not UsageRecord.objects.exists()


def test_a_record_without_spec_uses_the_customers_pay_per_use_resource(api, world):
    other = usage_world("other")
    batch = [record(world.customer, "mine", resource_spec_code=None, resource_id=world.server.resource_id),
             # another customer's resource id does not lend its spec
             record(world.customer, "theirs", resource_spec_code="", resource_id=other.server.resource_id)]

    body = post(api, world, {"records": batch})[1]

    assert [(r["status"], r["error_code"]) for r in body["results"]] == [("created", None), ("failed", NO_SPEC)]
    assert UsageRecord.objects.get(record_id="mine").resource_spec_code == ""


def test_json_numbers_are_read_by_the_text_sent(api, world):
    raw = ('{"records": [%s]}' % ", ".join([
        '{"record_id": "n-1", "customer_id": "%s", "resource_id": "vm", "cloud_service_type": "hws.service.type.ec2", '
        '"resource_type": "hws.resource.type.vm", "resource_spec_code": "s6.small.1.linux", "usage_type": "Duration", '
        '"region": "cn-north-4", "usage": %s, "usage_measure_id": 4, "begin_time": "%s", "end_time": "%s"}'
        % (world.customer.domain_id, usage, _wire(hour(2)), _wire(hour(1)))
        for usage in ("0.123456",)] + ['{"record_id": "n-2"}'])).encode()

    body = post(api, world, None, raw=raw)[1]

    assert [r["status"] for r in body["results"]] == ["created", "failed"]
    assert UsageRecord.objects.get(record_id="n-1").usage_amount == Decimal("0.123456")


def test_an_item_that_is_not_an_object_fails_alone(api, world):
    body = post(api, world, {"records": ["r-1", record(world.customer, "fine")]})[1]

    assert [(r["record_id"], r["status"], r["error_code"]) for r in body["results"]] == [
        (None, "failed", "CBC.0100"), ("fine", "created", None)]


MALFORMED = {
    "a list": [{"record_id": "x"}],
    "no records": {},
    "records not a list": {"records": {"record_id": "x"}},
    "records a string": {"records": "x"},
    "no record at all": {"records": []},
    "more than a thousand": "many",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_body_is_refused_as_a_whole(api, world, body):
    if body == "many":
        body = {"records": records(world.customer, 1001)}

    status, answer = post(api, world, body)

    assert (status, answer["error_code"]) == (400, "CBC.0100"), answer
    assert not UsageRecord.objects.exists()
    assert not OperationLog.objects.filter(action="usage.ingest").exists()


def test_a_thousand_records_are_one_batch(api, world):
    status, body = post(api, world, {"records": records(world.customer, 1000)})

    assert status == 200 and body["accepted"] == 1000 and UsageRecord.objects.count() == 1000


def test_only_the_platform_sends_usage(world):
    from partnercenter.errors import DomainError

    from ..conftest import actor_of

    with pytest.raises(DomainError) as refused:
        ingest.receive(actor_of(world.tenant.admin), records=[record(world.customer)])

    assert refused.value.code == "CBC.0151" and not UsageRecord.objects.exists()


PLAIN_VARIANTS = {
    "server hour": {},
    "disk with a size": dict(usage="0.5", resource_size="40", resource_type="hws.resource.type.volume",
                             cloud_service_type="hws.service.type.evs", resource_spec_code="SAS"),
    "blank size": dict(resource_size=""),
    "padded texts": dict(resource_id="  vm-0001 ", usage=" 2.25 "),
    "six decimals": dict(usage="0.000001"),
}


@pytest.mark.parametrize("change", PLAIN_VARIANTS.values(), ids=PLAIN_VARIANTS.keys())
def test_the_fast_read_of_a_plain_record_gives_the_careful_reads_values(world, change):
    # (a record that leaves an optional field out is read by the careful way: the fast one answers None)
    raw = record(world.customer, **change)
    now = hour(0) + timedelta(minutes=30)

    assert ingest._plain(raw, now) == ingest._careful(raw, now)


@pytest.mark.parametrize("change,code", [case for case in INVALID.values() if case[1] in ("CBC.0100", BAD_WINDOW)],
                         ids=[name for name, case in INVALID.items() if case[1] in ("CBC.0100", BAD_WINDOW)])
def test_the_fast_read_leaves_every_bad_record_to_the_careful_one(world, change, code):
    raw = record(world.customer, **(change() if callable(change) else change))

    assert ingest._plain(raw, hour(0) + timedelta(minutes=30)) is None
