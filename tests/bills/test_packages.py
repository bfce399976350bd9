"""Resource packages pay usage before money: oldest expiry first, in their unit, capacity packages up to their
size, resettable ones reset at their monthly anniversary (lazily when used, and by the scheduled refresh)."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from bills import packages
from bills.choices import PackageStatus
from bills.models import PackageUse, ResourcePackage
from catalog.choices import Measure, PackageReset

from .rating_helpers import OBS_STORAGE, OBS_UPFLOW, D, World, check_books, fee_of, package, rate, usage

pytestmark = pytest.mark.django_db


def test_packages_pay_oldest_expiry_first_in_their_unit():
    """Two 1 GB packages; 1536 MB (1.5 GB) of traffic: the one expiring first pays 1 GB, the other 0.5 GB."""
    world = World()
    now = timezone.now()
    later = package(world.resale, quota="1", expire=now + timedelta(days=200))
    sooner = package(world.resale, quota="1", expire=now + timedelta(days=100))
    record = usage(world.resale, OBS_UPFLOW, amount="1536", measure=Measure.MB)
    rate()
    fee = fee_of(record)
    assert fee.free_resource_usage == D("1536") and fee.official_amount == 0 and fee.consume_amount == 0
    sooner.refresh_from_db()
    later.refresh_from_db()
    assert (sooner.remaining, sooner.status) == (D("0"), PackageStatus.USED_UP)
    assert (later.remaining, later.status) == (D("0.5"), PackageStatus.EFFECTIVE)
    assert sorted(PackageUse.objects.values_list("used_amount", flat=True)) == [D("0.5"), D("1")]
    check_books()


def test_a_package_of_another_region_or_usage_type_does_not_pay():
    world = World()
    package(world.resale, quota="10", region="cn-east-3")
    package(world.resale, spec="obs.standard.pkg.40gb", quota="10", measure=Measure.GB_SIZE,
            usage_type=("hws.resource.type.obs", "Duration"))
    record = usage(world.resale, OBS_UPFLOW, amount="2")
    rate()
    assert fee_of(record).free_resource_usage == 0 and fee_of(record).official_amount == D("1.00")


def test_a_package_use_adds_up_where_the_database_keeps_floats():
    """0.3 left, 0.1 used, 0.2 after: exact in decimals, but 0.1 + 0.2 is 0.30000000000000004 in the binary floats
    SQLite keeps DECIMAL columns in — the use row's check must round like the columns (the demo's first rating
    batch failed on it, and its records one by one)."""
    world = World()
    left = package(world.resale, quota="1")
    ResourcePackage.objects.filter(pk=left.pk).update(remaining=D("0.3"))
    record = usage(world.resale, OBS_UPFLOW, amount="0.1")
    result = rate()
    assert (result.rated, result.failed) == (1, 0)
    assert fee_of(record).free_resource_usage == D("0.1")
    assert list(PackageUse.objects.values_list("available_before", "used_amount", "remaining_after")) == [
        (D("0.3"), D("0.1"), D("0.2"))]
    assert ResourcePackage.objects.get(pk=left.pk).remaining == D("0.2")
    check_books()

def test_a_capacity_package_pays_up_to_its_size():
    """40 GB of storage for 30 days (720 hours); 1000 GB stored for 10 hours at 0.000138/GB·h (1.38): the package
    pays 40/1000 of it — 0.4 of the 10 hours, counting 0.4 × 1000 / 720 = 0.555556 of its 40 — the rest,
    9.6 h × 1000 GB, costs 1.3248 → 1.32."""
    world = World()
    world.allocate("10.00")
    start = timezone.now() - timedelta(days=1)
    storage = package(world.resale, spec="obs.standard.pkg.40gb", quota="40", measure=Measure.GB_SIZE,
                      usage_type=("hws.resource.type.obs", "Duration"), effective=start,
                      expire=start + timedelta(days=30))
    record = usage(world.resale, OBS_STORAGE, amount="10", hours=10, size="1000")
    rate()
    fee = fee_of(record)
    assert fee.free_resource_usage == D("0.4")
    assert (fee.official_amount, fee.erase_amount, fee.consume_amount) == (D("1.32"), D("0.00"), D("1.32"))
    storage.refresh_from_db()
    assert storage.remaining == D("40") - D("0.555556")


def test_a_resettable_package_resets_lazily_at_its_monthly_anniversary():
    """Bought 40 days ago, 1 GB a month, used up in its first month. A record of now (its second month) finds
    it reset; a late record from its first month is not paid by it (that month's quota is gone)."""
    world = World()
    world.allocate("10.00")
    start = timezone.now() - timedelta(days=40)
    monthly = package(world.resale, quota="1", reset=PackageReset.RESETTABLE, effective=start,
                      expire=start + relativedelta(years=1))
    ResourcePackage.objects.filter(pk=monthly.pk).update(remaining=0, status=PackageStatus.USED_UP)
    record = usage(world.resale, OBS_UPFLOW, amount="0.25")
    late = usage(world.resale, OBS_UPFLOW, amount="0.25", begin=start + timedelta(days=3))

    rate()

    monthly.refresh_from_db()
    assert fee_of(record).free_resource_usage == D("0.25")
    assert fee_of(late).free_resource_usage == 0 and fee_of(late).consume_amount == D("0.12")
    assert (monthly.remaining, monthly.status) == (D("0.75"), PackageStatus.EFFECTIVE)
    assert (monthly.cycle_start, monthly.cycle_end) == (start + relativedelta(months=1), start + relativedelta(months=2))
    check_books()


def test_the_refresh_run_resets_starts_and_expires_packages_once():
    world = World()
    now = timezone.now()
    start = now - timedelta(days=40)
    monthly = package(world.resale, quota="1", reset=PackageReset.RESETTABLE, effective=start,
                      expire=start + relativedelta(years=1))
    ResourcePackage.objects.filter(pk=monthly.pk).update(remaining=0, status=PackageStatus.USED_UP)
    old = package(world.resale, quota="1", effective=now - timedelta(days=60), expire=now - timedelta(days=1))
    future = package(world.resale, quota="1", effective=now + timedelta(days=2), expire=now + timedelta(days=40))
    ResourcePackage.objects.filter(pk=future.pk).update(status=PackageStatus.PENDING)

    assert packages.refresh(now=now) == {"started": 0, "reset": 1, "expired": 1}
    assert packages.refresh(now=now) == {"started": 0, "reset": 0, "expired": 0}
    assert packages.refresh(now=now + timedelta(days=3))["started"] == 1
    monthly.refresh_from_db()
    assert (monthly.remaining, monthly.status, monthly.cycle_start) == (
        D("1"), PackageStatus.EFFECTIVE, start + relativedelta(months=1))
    assert ResourcePackage.objects.get(pk=old.pk).status == PackageStatus.EXPIRED
    assert ResourcePackage.objects.get(pk=future.pk).status == PackageStatus.EFFECTIVE


def test_cycles_count_from_the_effective_time_even_after_a_short_month():
    world = World()
    start = timezone.datetime(2026, 1, 31, 4, 0, tzinfo=timezone.get_fixed_timezone(480))
    monthly = ResourcePackage(customer=world.resale, reset=PackageReset.RESETTABLE, effective_time=start,
                              expire_time=start + relativedelta(years=1))
    assert packages.cycle_at(monthly, start + timedelta(days=29)) == (start + relativedelta(months=1),
                                                                   start + relativedelta(months=2))
    assert packages.cycle_at(monthly, start + relativedelta(months=2)) == (start + relativedelta(months=2),
                                                                         start + relativedelta(months=3))
    march = packages.cycle_at(monthly, start + relativedelta(months=2))[0]
    assert march.day == 31 and march.month == 3
