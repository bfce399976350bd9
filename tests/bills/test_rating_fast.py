"""Rating in SQL (bills/rating_sql.py) against the per-record path: the same waiting usage rated both ways
gives the same fee records, coupons, ledger entries, balances, arrears and frozen resources, to the fen; a
second run rates nothing; two workers at once rate each record once; a batch the SQL path refuses is rated
record by record in Python; the statements of a batch do not grow with it. PostgreSQL only, except the
first test (elsewhere every record takes the per-record path)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import DataError, OperationalError, connection, connections, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import CustomerAccount, LedgerEntry
from bills import rating, rating_sql
from bills.choices import FeeStatus, PackageStatus, UsageStatus, ZeroBalancePolicy
from bills.errors import BillCodes
from bills.models import (
    BillingPeriod,
    FeeRecord,
    LowBalanceSetting,
    PackageUse,
    ResourcePackage,
    UsageRecord,
    UsageWaiting,
)
from bills.periods import cycle_of, previous_cycle
from catalog.choices import Measure, PackageReset
from catalog.models import Product, ServiceType
from customers.choices import OnDemandStatus
from customers.models import Association, Customer, Resource
from trade.models import PartnerDiscount
from vouchers.models import Coupon, CouponRecord

from ..factories import AssociationFactory, CustomerFactory, PartnerFactory
from .rating_helpers import (
    ECS,
    EVS,
    OBS_STORAGE,
    OBS_UPFLOW,
    VPC_TRAFFIC,
    D,
    World,
    account,
    check_books,
    fee_of,
    on_demand_resource,
    package,
    rate,
    usage,
)

EC2 = "hws.service.type.ec2"
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="rating in SQL runs on PostgreSQL")


# ---------------------------------------------------------------------------------------------
# A batch that takes every branch of both paths, and a snapshot of what rating writes
# ---------------------------------------------------------------------------------------------

class Mixed:
    """Waiting usage of twelve customers (see each one's comment), `now` the moment to rate it at; `in_sql` is
    how many of the records the SQL path rates — those of customers that no coupon limit or failing record sends
    to Python."""

    def __init__(self):
        self.world = w = World()
        self.now = now = timezone.now().replace(microsecond=0)
        hour = now.replace(minute=0, second=0) - timedelta(hours=30)
        ec2 = ServiceType.objects.get(code=EC2)
        self.in_sql = 0

        def at(i):
            return hour + timedelta(hours=i)

        def resale(tag):
            customer = AssociationFactory(partner=w.partner, customer=CustomerFactory(domain_name=f"mixed-{tag}"),
                                          associated_on=now - timedelta(days=100)).customer
            CustomerAccount.objects.get_or_create(customer=customer)
            return customer

        # A (SQL): resale at 0.85 on ECS with 1.00; a record of a closed month (lands in the next), a zero one,
        # one whose spec is its resource's, minutes, MB, a linear disk; its own arrears limit of 0.50 freezes
        # its pay-per-use server
        a = w.resale
        w.allocate("1.00")
        PartnerDiscount.objects.create(partner=w.partner, customer=a, service_type=ec2, rate=D("0.85"),
                                       updated_at=now - timedelta(days=10))
        LowBalanceSetting.objects.create(partner=w.partner, customer=a, threshold=D("0"),
                                         zero_balance_policy=ZeroBalancePolicy.ARREARS, arrears_limit=D("0.50"))
        server = on_demand_resource(a, ECS)
        last_month = previous_cycle(cycle_of(now))
        BillingPeriod.objects.create(bill_cycle=last_month, status="closed", closed_at=now - timedelta(days=1))
        late = now.replace(day=1, hour=0, minute=0, second=0) - timedelta(days=5)
        assert cycle_of(late) == last_month
        usage(a, ECS, begin=late)
        usage(a, ECS, begin=at(0), spec="", resource_id=server.resource_id)
        usage(a, ECS, begin=at(1), amount="5", measure=Measure.MINUTE)
        usage(a, ECS, begin=at(1), amount="0")
        usage(a, VPC_TRAFFIC, begin=at(2), amount="512", measure=Measure.MB)
        usage(a, EVS, begin=at(3), amount="3", size="40", hours=3)
        for i in range(6):
            usage(a, ECS if i % 2 else OBS_UPFLOW, begin=at(4 + i), amount="1" if i % 2 else "1.37")
        self.in_sql += 12

        # B (SQL): 0.30 of balance, a 现金券 of 0.40 that expires first and a 代金券 of 0.50, no limits; six
        # hours of ECS (see test_sql_pays_coupons_in_expiry_order_then_the_balance_then_arrears)
        self.b = b = resale("b")
        w.allocate("0.30", customer=b)
        flexi = w.issue("0.40", customer=b, quota_type=1)
        w.issue("0.50", customer=b)
        Coupon.objects.filter(coupon_id=flexi).update(expire_time=now + timedelta(days=5))
        self.b_records = [usage(b, ECS, begin=at(i)) for i in range(6)]
        self.in_sql += 6

        # C (Python): a coupon limited to ECS, and an EVS record it does not cover
        c = resale("c")
        w.allocate("0.05", customer=c)
        w.issue("0.30", customer=c, service_types=[EC2])
        usage(c, ECS, begin=at(2))
        usage(c, EVS, begin=at(3), size="100")

        # D (SQL): a 1 GB package pays OBS traffic, the second record in part
        d = resale("d")
        w.allocate("0.20", customer=d)
        package(d, quota="1", effective=now - timedelta(days=3))
        usage(d, OBS_UPFLOW, begin=at(1), amount="0.6")
        usage(d, OBS_UPFLOW, begin=at(2), amount="0.7")
        usage(d, ECS, begin=at(3))
        self.in_sql += 3

        # K (SQL): 0.5 GB of traffic expiring first, then a monthly 1 GB bought 40 days ago and used up in its first
        # month (the second record finds it reset), and 40 GB of storage for 30 days paying 40/1000 of 1000 GB
        k = resale("k")
        w.allocate("0.10", customer=k)
        package(k, quota="0.5", effective=now - timedelta(days=3), expire=now + timedelta(days=10))
        monthly = package(k, quota="1", reset=PackageReset.RESETTABLE, effective=now - timedelta(days=40))
        ResourcePackage.objects.filter(pk=monthly.pk).update(remaining=0, status=PackageStatus.USED_UP)
        package(k, spec="obs.standard.pkg.40gb", quota="40", measure=Measure.GB_SIZE,
                usage_type=("hws.resource.type.obs", "Duration"), effective=now - timedelta(days=2),
                expire=now + timedelta(days=28))
        usage(k, OBS_UPFLOW, begin=at(1), amount="0.3")
        usage(k, OBS_UPFLOW, begin=at(2), amount="0.4")
        usage(k, OBS_STORAGE, begin=at(3), amount="10", hours=10, size="1000")
        self.in_sql += 3

        # L (Python): a package customer with a record that cannot be rated — its package pays on the Python path
        # alone
        l_ = resale("l")
        package(l_, quota="1", effective=now - timedelta(days=3))
        usage(l_, OBS_UPFLOW, begin=at(1), amount="0.6")
        usage(l_, ECS, begin=at(2), spec="no.such.spec.either")

        # E (Python): a record without a product, one of another usage type, a good one
        e = resale("e")
        usage(e, ECS, begin=at(1), spec="no.such.spec")
        usage(e, (ECS[0], ECS[1], ECS[2], "upflow", Measure.HOUR), begin=at(2))
        usage(e, ECS, begin=at(3))

        # F (SQL): the referral customer, no balance: all arrears, no discount, nothing frozen
        f = w.referral
        CustomerAccount.objects.get_or_create(customer=f)
        on_demand_resource(f, ECS)
        for i in range(3):
            usage(f, ECS, begin=at(i))
        self.in_sql += 3

        # G (SQL): left partner P (0.85 on ECS, set during that association) for this partner at hour 20
        g = CustomerFactory(domain_name="mixed-g")
        CustomerAccount.objects.get_or_create(customer=g)
        p = PartnerFactory(account_name="mixed-p")
        old = AssociationFactory(partner=p, customer=g, associated_on=now - timedelta(days=60), ended_on=at(20))
        AssociationFactory(partner=w.partner, customer=g, associated_on=at(20))
        PartnerDiscount.objects.create(partner=p, customer=g, service_type=ec2, rate=D("0.85"),
                                       updated_at=old.associated_on + timedelta(days=1))
        for i in (18, 19, 20, 21):
            usage(g, ECS, begin=at(i), amount="3")
        self.in_sql += 4

        # H (SQL): no association at all
        h = CustomerFactory(domain_name="mixed-h")
        CustomerAccount.objects.get_or_create(customer=h)
        usage(h, OBS_UPFLOW, begin=at(5), amount="2.5")
        self.in_sql += 1

        # I (SQL): coupons whose limits cover all its records (ECS by service type, by product id); the
        # partner's default arrears limit of 0.10 freezes its server
        i_ = resale("i")
        ecs = Product.objects.get(resource_spec=ECS[2], region__code="cn-north-4", charge_mode=3)
        w.issue("0.25", customer=i_, service_types=[EC2])
        w.issue("0.10", customer=i_, product_ids=[ecs.product_id])
        LowBalanceSetting.objects.create(partner=w.partner, customer=None, threshold=D("0"),
                                         zero_balance_policy=ZeroBalancePolicy.ARREARS, arrears_limit=D("0.10"))
        on_demand_resource(i_, ECS)
        for i in range(4):
            usage(i_, ECS, begin=at(i))
        self.in_sql += 4

        # J (SQL): an expired package and an expired coupon pay nothing, so they leave it in SQL
        j = resale("j")
        w.allocate("5.00", customer=j)
        package(j, quota="1", effective=now - timedelta(days=400), expire=now - timedelta(days=35))
        expired = w.issue("1.00", customer=j)
        Coupon.objects.filter(coupon_id=expired).update(expire_time=now - timedelta(hours=1))
        for i in range(3):
            usage(j, OBS_UPFLOW, begin=at(i), amount="1.01")
        self.in_sql += 3

        self.records = UsageRecord.objects.count()
        self.ledger_from = (LedgerEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        self.coupon_records_from = (CouponRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1


def _without(row: dict, *names) -> dict:
    return {k: v for k, v in row.items() if k not in names}


def snapshot(mixed: Mixed) -> dict:
    """Everything rating writes or changes, comparable between two ratings of the same input: the ids of new
    rows and the fee record_ids left out, each trans_id replaced by the customer whose charge it names."""
    fees = {f.usage_record_id: f for f in FeeRecord.objects.all()}
    trans = {}
    for fee in fees.values():
        if fee.trans_id:
            assert trans.setdefault(fee.trans_id, fee.customer_id) == fee.customer_id
    assert len(set(trans.values())) == len(trans), "one trans_id per customer and batch"

    def named(trans_id):
        return f"charge of {trans[trans_id]}" if trans_id else ""

    return {
        "fees": {pk: _without(model_to_dict(f), "id", "record_id") | {"trans_id": named(f.trans_id)}
                 for pk, f in fees.items()},
        "usage": {u.pk: (u.status, u.error_code, u.rated_at)
                  for u in UsageRecord.objects.select_related("fee_record")},
        "ledger": sorted((_without(model_to_dict(e), "id") | {"trans_id": named(e.trans_id)}
                          for e in LedgerEntry.objects.filter(id__gte=mixed.ledger_from)),
                         key=lambda e: (e["customer"], e["balance_type"])),
        "accounts": {a.customer_id: (a.balance, a.arrears, a.updated_at) for a in CustomerAccount.objects.all()},
        "in_debt": dict(Customer.objects.values_list("pk", "in_debt")),
        "coupons": {c.pk: (c.balance, c.status, c.last_used_at) for c in Coupon.objects.all()},
        "coupon_records": sorted((_without(model_to_dict(r), "id") | {"remark": named(r.remark)}
                                  for r in CouponRecord.objects.filter(id__gte=mixed.coupon_records_from)),
                                 key=lambda r: r["coupon"]),
        "packages": {k.pk: (k.remaining, k.status, k.cycle_start, k.cycle_end) for k in ResourcePackage.objects.all()},
        "package_uses": sorted((_without(model_to_dict(u), "id", "fee_record") | {"usage": u.fee_record.usage_record_id}
                                for u in PackageUse.objects.select_related("fee_record")),
                               key=lambda u: (u["usage"], u["package"])),
        "resources": {r.pk: (r.status, r.updated_at) for r in Resource.objects.all()},
        "periods": sorted(BillingPeriod.objects.values_list("bill_cycle", "status")),
        "associations": Association.objects.count(),
    }


# ---------------------------------------------------------------------------------------------
# Both databases
# ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_sql_is_asked_for_only_where_it_runs():
    """On SQLite every record takes the per-record path, whatever the caller asks; on PostgreSQL the common
    case is rated in SQL by default."""
    world = World()
    world.allocate("1.00")
    records = [usage(world.resale, ECS) for _i in range(3)]
    result = rate(sql=True)
    assert result.rated == 3 and result.in_sql == (3 if connection.vendor == "postgresql" else 0)
    assert account(world.resale).balance == D("0.34") and all(fee_of(r).cash_amount == D("0.22") for r in records)
    check_books()


# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db
def test_sql_and_python_rate_a_mixed_batch_to_the_same_fen():
    """The same waiting usage rated on the per-record path, rolled back, then rated with the SQL path (one
    batch, both paths): every fee record, usage record, ledger entry, balance, arrears, coupon and its record,
    package, package use, frozen resource and landing month is the same."""
    mixed = Mixed()
    point = transaction.savepoint()
    python = rating.rate_batch(limit=1000, now=mixed.now, sql=False)
    by_python = snapshot(mixed)
    transaction.savepoint_rollback(point)
    assert not FeeRecord.objects.exists()

    both = rating.rate_batch(limit=1000, now=mixed.now)
    by_sql = snapshot(mixed)

    assert (python.claimed, python.rated, python.failed, python.in_sql) == (mixed.records, mixed.records - 3, 3, 0)
    assert (both.claimed, both.rated, both.failed) == (python.claimed, python.rated, python.failed)
    assert both.errors == python.errors == {BillCodes.RATING_NO_PRODUCT: 2, BillCodes.RATING_USAGE_TYPE: 1}
    assert both.in_sql == mixed.in_sql and 0 < both.in_sql < both.rated
    assert by_sql == by_python
    # the batch took the branches it was built for
    fees = by_sql["fees"].values()
    assert any(f["is_adjustment"] for f in fees) and any(f["discount_amount"] > 0 for f in fees)
    assert any(f["erase_amount"] > 0 for f in fees) and any(f["official_amount"] == 0 for f in fees)
    assert any(f["coupon_amount"] > 0 for f in fees) and any(f["flexipurchase_coupon_amount"] > 0 for f in fees)
    assert any(f["free_resource_usage"] > 0 for f in fees) and any(f["debt_amount"] > 0 for f in fees)
    assert any(f["association"] is None for f in fees) and len({f["partner"] for f in fees}) == 3
    assert sum(status == OnDemandStatus.FROZEN for status, _at in by_sql["resources"].values()) == 2
    check_books()


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db
def test_sql_pays_coupons_in_expiry_order_then_the_balance_then_arrears():
    """Six hours of ECS (0.22 each) against a 现金券 of 0.40 expiring first, a 代金券 of 0.50 and 0.30 of
    balance: 0.22 + 0.18 from the 现金券, 0.04 + 0.22 + 0.22 + 0.02 from the 代金券, 0.20 + 0.10 of cash,
    0.12 of arrears — one CouponRecord each, one DEDEUCT of −0.30 and one ARREARS of +0.12."""
    mixed = Mixed()
    result = rate(now=mixed.now)
    assert result.in_sql == mixed.in_sql
    paid = [(f.flexipurchase_coupon_amount, f.coupon_amount, f.cash_amount, f.debt_amount, f.status)
            for f in map(fee_of, mixed.b_records)]
    assert paid == [
        (D("0.22"), D("0"), D("0"), D("0"), FeeStatus.PAID), (D("0.18"), D("0.04"), D("0"), D("0"), FeeStatus.PAID),
        (D("0"), D("0.22"), D("0"), D("0"), FeeStatus.PAID), (D("0"), D("0.22"), D("0"), D("0"), FeeStatus.PAID),
        (D("0"), D("0.02"), D("0.20"), D("0"), FeeStatus.PAID),
        (D("0"), D("0"), D("0.10"), D("0.12"), FeeStatus.UNSETTLED)]
    trans_id = fee_of(mixed.b_records[0]).trans_id
    assert {fee_of(r).trans_id for r in mixed.b_records} == {trans_id}
    assert sorted(CouponRecord.objects.filter(customer=mixed.b, operation_type="10")
                  .values_list("amount", "remark", "operator")) == [
        (D("0.40"), trans_id, "rating"), (D("0.50"), trans_id, "rating")]
    assert set(Coupon.objects.filter(customer=mixed.b).values_list("balance", "status")) == {(D("0"), 3)}
    assert list(LedgerEntry.objects.filter(customer=mixed.b, trans_id=trans_id).order_by("id")
                .values_list("trade_type", "amount", "balance_after")) == [
        ("DEDEUCT", D("-0.30"), D("0.00")), ("ARREARS", D("0.12"), D("0.12"))]
    assert (account(mixed.b).balance, account(mixed.b).arrears) == (D("0.00"), D("0.12"))
    assert Customer.objects.get(pk=mixed.b.pk).in_debt
    check_books()


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db
def test_a_second_run_rates_nothing():
    mixed = Mixed()
    first = rate(now=mixed.now)
    after_first = snapshot(mixed)
    second = rate(now=mixed.now + timedelta(minutes=5))
    assert (first.claimed, first.in_sql, second.claimed, second.rated) == (mixed.records, mixed.in_sql, 0, 0)
    assert snapshot(mixed) == after_first
    # and a record that arrives later is rated alone, once
    late = usage(mixed.world.referral, ECS)
    third = rate()
    assert (third.claimed, third.in_sql) == (1, 1) and fee_of(late).debt_amount == D("0.22")
    assert FeeRecord.objects.count() == mixed.records - 3 + 1
    check_books()


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db
def test_the_statements_of_a_batch_do_not_grow_with_it():
    """A batch of 4 customers and one of 40 (the SQL path only) send the same statements."""
    world = World()
    base = timezone.now().replace(minute=0, second=0, microsecond=0)

    def batch(n):
        for _i in range(n):
            customer = AssociationFactory(partner=world.partner, associated_on=base - timedelta(days=1)).customer
            world.allocate("0.50", customer=customer)
            for hour in (3, 2):
                usage(customer, ECS, begin=base - timedelta(hours=hour))
        with CaptureQueriesContext(connection) as queries:
            result = rating.rate_batch(limit=1000)
        assert result.in_sql == result.rated == 2 * n
        return len(queries)

    batch(1)  # the months' BillingPeriod rows exist from here on
    assert batch(4) == batch(40)
    check_books()


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db
def test_a_batch_refused_in_sql_is_rated_record_by_record_in_python(monkeypatch):
    """A batch that fails in SQL is rolled back and its records are rated one by one on the per-record path:
    a record that fails there too fails alone (RATING_ERROR); the others are rated once."""
    world = World()
    world.allocate("1.00")
    records = [usage(world.resale, ECS) for _i in range(4)]
    poisoned = records[2].pk
    real_fee = rating._fee

    def refuse(*args, **kwargs):
        raise RuntimeError("refused")

    def fee(line, book, now, record_id):
        if line.record.pk == poisoned:
            raise ValueError("boom")
        return real_fee(line, book, now, record_id)

    monkeypatch.setattr(rating_sql, "rate", refuse)
    monkeypatch.setattr(rating, "_fee", fee)
    result = rate()
    assert (result.claimed, result.rated, result.failed, result.in_sql) == (4, 3, 1, 0)
    assert UsageRecord.objects.get(pk=poisoned).error_code == BillCodes.RATING_ERROR
    assert FeeRecord.objects.count() == 3 and account(world.resale).balance == D("1.00") - 3 * D("0.22")
    assert rate().claimed == 0
    check_books()


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db
def test_a_transient_database_error_in_sql_leaves_the_usage_waiting(monkeypatch):
    """The statement fails once in the database (the transaction aborted, then an OperationalError): nothing is
    written, the usage waits, and the next run rates it in SQL."""
    world = World()
    world.allocate("10.00")
    record = usage(world.resale, ECS)
    real, calls = rating_sql.fetch, {"n": 0}

    def flaky(sql, params):
        if sql is rating_sql._RATE and not calls["n"]:
            calls["n"] += 1
            with pytest.raises(DataError), connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")  # the batch's transaction is aborted from here
            raise OperationalError("could not serialize access due to concurrent update")
        return real(sql, params)

    monkeypatch.setattr(rating_sql, "fetch", flaky)
    rating.rate_pending()
    record.refresh_from_db()
    assert record.status == UsageStatus.NEW and not record.error_code and not FeeRecord.objects.exists()
    assert rating.rate_pending().in_sql == 1
    record.refresh_from_db()
    assert record.status == UsageStatus.RATED and account(world.resale).balance == D("9.78")
    check_books()


def at_once(jobs):
    """Every job in its own thread and connection, released together; their outcomes (result or exception)."""
    start = threading.Barrier(len(jobs))

    def run(job):
        try:
            start.wait(30)
            return job()
        except Exception as exc:
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_rate_each_record_once():
    """Two workers rating in batches of 25 at once, over customers of both paths: 100 hours of ECS (22.00)
    against a 3.00 coupon and 5.00 of balance; the referral customer's 100 hours all arrears; for two customers
    20 × 0.1 GB of OBS traffic of which a 1 GB package pays the first half — in SQL, and in Python for the one
    whose coupon is limited to ECS. Every record rated once, the money exact."""
    world = World()
    world.allocate("5.00")
    world.issue("3.00")
    base = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=200)
    packaged = AssociationFactory(partner=world.partner, associated_on=base - timedelta(days=1)).customer
    limited = AssociationFactory(partner=world.partner, associated_on=base - timedelta(days=1)).customer
    world.issue("0.30", customer=limited, service_types=[EC2])
    for customer in (packaged, limited):
        package(customer, quota="1", effective=base)
    for i in range(100):
        usage(world.resale, ECS, begin=base + timedelta(hours=i))
        usage(world.referral, ECS, begin=base + timedelta(hours=i))
    for i in range(20):
        for customer in (packaged, limited):
            usage(customer, OBS_UPFLOW, amount="0.1", begin=base + timedelta(hours=100 + i))

    outcomes = at_once([lambda: rating.rate_pending(batch_size=25)] * 2)

    assert all(isinstance(o, rating.BatchResult) for o in outcomes), outcomes
    assert sum(o.rated for o in outcomes) == 240 and sum(o.claimed for o in outcomes) == 240
    assert sum(o.in_sql for o in outcomes) == 220
    assert FeeRecord.objects.count() == 240
    assert FeeRecord.objects.values("usage_record").distinct().count() == 240
    assert {u.status for u in UsageRecord.objects.select_related("fee_record")} == {UsageStatus.RATED}
    assert not UsageWaiting.objects.exists()
    resale = account(world.resale)
    assert (resale.balance, resale.arrears) == (D("0.00"), D("14.00"))
    assert Coupon.objects.get(customer=world.resale).balance == 0
    assert account(world.referral).arrears == D("22.00")
    for customer in (packaged, limited):
        assert account(customer).arrears == D("0.50")
        assert ResourcePackage.objects.get(customer=customer).remaining == 0
        assert PackageUse.objects.filter(package__customer=customer).count() == 10
    assert sum(FeeRecord.objects.filter(customer=world.resale).values_list("coupon_amount", flat=True)) == D("3.00")
    check_books()


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db
def test_usage_types_compare_as_python_compares_them():
    """A usage type that differs from the product's in ASCII letters' case only is rated in SQL, to the fen the
    per-record path gives; one with a non-ASCII letter of another case (Turkish dotted İ) goes to Python,
    which fails it as it would alone."""
    world = World()
    ecs = list(ECS)
    shouted = usage(world.resale, tuple(ecs[:3] + ["DURATION"] + ecs[4:]))
    dotted = usage(world.referral, tuple(ecs[:3] + ["DURATİON"] + ecs[4:]))
    now = timezone.now()
    point = transaction.savepoint()
    python = rating.rate_batch(limit=10, now=now, sql=False)
    by_python = fee_of(shouted)
    transaction.savepoint_rollback(point)

    both = rating.rate_batch(limit=10, now=now)

    assert (python.rated, python.errors) == (1, {BillCodes.RATING_USAGE_TYPE: 1})
    assert (both.rated, both.in_sql, both.errors) == (1, 1, {BillCodes.RATING_USAGE_TYPE: 1})
    sql = fee_of(shouted)
    assert (sql.official_amount, sql.consume_amount, sql.cash_amount, sql.debt_amount) == (
        by_python.official_amount, by_python.consume_amount, by_python.cash_amount, by_python.debt_amount)
    assert UsageRecord.objects.get(pk=dotted.pk).error_code == BillCodes.RATING_USAGE_TYPE
