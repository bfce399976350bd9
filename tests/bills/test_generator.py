"""The usage generator: plausible hourly usage of the running pay-per-use resources, priced by their catalogue
products (duration by the hour, traffic shaped by the day in China, linear products with their size), with
record ids made of the resource and the hour — so the command and the beat task, run again, create nothing new."""

import io
from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command

from bills import generator, tasks_usage
from bills.choices import UsageSource
from bills.models import UsageRecord
from catalog.demo import seed_catalog
from customers.models import Resource

from ..conftest import build_tenant
from ..factories import ResourceFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 9, 25, tzinfo=dt_timezone.utc)  # 17:25 in China
HOUR = timedelta(hours=1)


class Fleet:
    """A resale customer's pay-per-use server, disk and bucket (as the demo has them), a frozen server, a
    server of another customer, and a yearly/monthly server (not metered)."""

    def __init__(self):
        seed_catalog()
        self.tenant = build_tenant("g")
        self.customer = self.tenant.resale
        since = NOW - timedelta(days=10)
        self.server = self._make("vm-1", "hws.resource.type.vm", "s6.small.1.linux", "cn-north-4", since)
        self.disk = self._make("disk-1", "hws.resource.type.volume", "SAS", "cn-north-4", since, desc="高IO|100GB",
                               service="hws.service.type.evs")
        self.bucket = self._make("obs-1", "hws.resource.type.obs", "obs.standard", "cn-east-3", since, desc="标准存储",
                                 service="hws.service.type.obs", status=2)
        self.frozen = self._make("vm-frozen", "hws.resource.type.vm", "s6.small.1.linux", "cn-north-4", since,
                                 status=3)
        self.period = self._make("vm-period", "hws.resource.type.vm", "s6.small.1.linux", "cn-north-4", since,
                                 mode="period")
        self.other = ResourceFactory(resource_id="vm-other", effective_time=since)

    def _make(self, resource_id, resource_type, spec, region, since, *, desc="", service="hws.service.type.ec2",
              status=1, mode="on_demand"):
        return ResourceFactory(customer=self.customer, resource_id=resource_id, resource_type_code=resource_type,
                               resource_spec_code=spec, region_code=region, product_spec_desc=desc, status=status,
                               service_type_code=service, charging_mode=mode, effective_time=since)


@pytest.fixture
def fleet():
    return Fleet()


def by_id():
    return {r.record_id: r for r in UsageRecord.objects.all()}


def test_hours_of_usage_for_each_running_pay_per_use_resource(fleet):
    summary = generator.generate(hours=24, customer_id=fleet.customer.domain_id, now=NOW)

    assert (summary.hours, summary.resources, summary.created, summary.failed) == (24, 3, 24 * 4, 0), summary
    rows = by_id()
    hour = datetime(2026, 11, 20, 8, tzinfo=dt_timezone.utc)  # the last completed hour
    server = rows["gen-vm-1-2026112008"]
    assert (server.begin_time, server.end_time, server.source) == (hour, hour + HOUR, UsageSource.GENERATOR)
    assert (server.usage_type_code, server.usage_amount, server.usage_measure_id, server.resource_size) == (
        "Duration", Decimal("1"), 4, None)
    assert (server.service_type_code, server.resource_spec_code, server.region_code) == (
        "hws.service.type.ec2", "s6.small.1.linux", "cn-north-4")
    disk = rows["gen-disk-1-2026112008"]
    assert (disk.usage_amount, disk.resource_size, disk.resource_spec_code) == (Decimal("1"), Decimal("100"), "SAS")
    # the bucket: its stored size (growing by the day) by the hour, and its outbound traffic
    storage, earlier = rows["gen-obs-1-2026112008"], rows["gen-obs-1-2026111909"]
    assert storage.usage_type_code == "Duration" and storage.resource_size > earlier.resource_size > 0
    traffic = [r for r in rows.values() if r.record_id.endswith("-up")]
    assert len(traffic) == 24 and {r.usage_type_code for r in traffic} == {"upflow"}
    assert {(r.resource_spec_code, r.usage_measure_id) for r in traffic} == {("obs.internet.upflow", 10)}
    # day and night in China: 03:00 (19:00 UTC) carries far less than 11:00 (03:00 UTC)
    night, day = rows["gen-obs-1-2026111919-up"], rows["gen-obs-1-2026112003-up"]
    assert Decimal(0) < night.usage_amount < day.usage_amount / 4
    assert not any(r.resource_id in ("vm-frozen", "vm-period", "vm-other") for r in rows.values())


def test_the_same_hours_again_create_nothing_new(fleet):
    generator.generate(hours=6, now=NOW)
    before = {r.record_id: (r.pk, r.usage_amount, r.resource_size) for r in UsageRecord.objects.all()}

    again = generator.generate(hours=6, now=NOW)

    assert (again.created, again.failed) == (0, 0) and again.duplicates == len(before) == 6 * 5
    assert {r.record_id: (r.pk, r.usage_amount, r.resource_size) for r in UsageRecord.objects.all()} == before


def test_a_resource_generates_from_the_hour_it_became_effective(fleet):
    Resource.objects.filter(pk=fleet.server.pk).update(effective_time=NOW - timedelta(hours=2, minutes=30))

    generator.generate(hours=5, customer_id=fleet.customer.domain_id, now=NOW)

    hours = sorted(r.begin_time.hour for r in UsageRecord.objects.filter(resource_id="vm-1"))
    assert hours == [6, 7, 8]


def test_the_beat_task_catches_up_since_the_last_generated_hour(fleet, settings):
    settings.BILLS_USAGE_GENERATOR = True
    with time_machine.travel(NOW, tick=False):
        first = tasks_usage.generate_usage()
        again = tasks_usage.generate_usage()
    with time_machine.travel(NOW + 3 * HOUR, tick=False):
        later = tasks_usage.generate_usage()

    assert (first["hours"], first["created"]) == (1, 5)
    assert (again["created"], again["duplicates"]) == (0, 5)
    assert (later["hours"], later["created"], later["from"]) == (3, 15, "2026-11-20T09:00:00+00:00")
    assert UsageRecord.objects.count() == 4 * 5


def test_the_beat_task_does_nothing_unless_the_setting_is_on(fleet, settings):
    settings.BILLS_USAGE_GENERATOR = False

    assert "skipped" in tasks_usage.generate_usage()
    assert not UsageRecord.objects.exists()


def test_the_command(fleet):
    out = io.StringIO()
    call_command("generate_usage", "--hours", "3", "--until", "2026-11-20T08:00:00Z", "--customer",
                 fleet.customer.domain_id, stdout=out)
    call_command("generate_usage", "--hours", "3", "--until", "2026-11-20T08:00:00", stdout=out)

    text = out.getvalue()
    assert "3 resource(s): 12 created" in text and "4 resource(s): 3 created, 12 duplicate(s), 0 failed" in text
    assert {r.begin_time.hour for r in UsageRecord.objects.all()} == {5, 6, 7}
    for args in (["--hours", "0"], ["--until", "tomorrow"], ["--customer", "nobody"],
                 ["--until", (datetime.now(dt_timezone.utc) + 2 * HOUR).isoformat()]):
        with pytest.raises(CommandError):
            call_command("generate_usage", *args, stdout=out)
