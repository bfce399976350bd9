"""List counters (rule 7: counts that would grow with the table are kept as counters).

The database keeps them with triggers (partnercenter/migrations/_counting.py), so every write path —
services, the admin, bulk_create, raw SQL — leaves them exact; a list nobody filtered takes its total
from them instead of a COUNT over the table (partnercenter.api.pagination.counted), for the whole book
and for an account manager's team; `manage.py verify_counts` recomputes them and `--fix` repairs them.
"""

import importlib
import io
import re
import threading
import traceback
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing import selectors as billing_selectors  # noqa: F401 — declares its counted lists
from billing import services as billing_services
from billing.models import Adjustment, LedgerEntry
from customers import selectors as customer_selectors
from customers import services as customer_services
from customers.models import Association, Customer
from partnercenter.api.pagination import COUNTED_LISTS, counted, total_of
from partnercenter.errors import DomainError
from partnercenter.models import ListCount
from vouchers import selectors as voucher_selectors  # noqa: F401 — declares its counted lists
from vouchers import services as voucher_services
from vouchers.models import Coupon, CouponQuota, CouponRecord

from ..billing_helpers import fund
from ..conftest import actor_of, build_tenant, login_client
from ..factories import (
    AssociationFactory, CustomerFactory, CustomerUserFactory, MemberFactory, RoleFactory, UserFactory, make_access_key,
)
from ..signed import call

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")


# --- helpers --------------------------------------------------------------------------------------

def counter(name, partner, scope=0) -> int:
    """The counter as a reader sees it (on PostgreSQL with this transaction's own pending changes)."""
    return COUNTED_LISTS[name].total_for(partner, [scope]).value()


def fold():
    """On PostgreSQL, fold this transaction's pending changes into the counters now (as its COMMIT would),
    so a test can tamper with the stored counters; SQLite writes them directly."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def verify(*options):
    """verify_counts, raising CommandError (with its report) on any difference."""
    err = io.StringIO()
    try:
        call_command("verify_counts", *options, stdout=io.StringIO(), stderr=err)
    except CommandError as exc:
        raise CommandError(f"{exc}\n{err.getvalue()}") from None
    return err.getvalue()


def active(partner):
    return Association.objects.filter(partner=partner, ended_on__isnull=True)


def real_counts(partner) -> dict:
    """Every counted list of `partner`, counted from the rows with the ORM (not with verify_counts' code)."""
    return {
        "customers": active(partner).count(),
        "adjustments": Adjustment.objects.filter(partner=partner).count(),
        "ledger": LedgerEntry.objects.filter(partner=partner).count(),
        "coupons": Coupon.objects.filter(partner=partner).count(),
        "coupon_records": CouponRecord.objects.filter(partner=partner).count(),
    }


def stored_counts(partner) -> dict:
    return {name: counter(name, partner) for name in real_counts(partner)}


def assert_exact(*partners):
    for partner in partners:
        assert stored_counts(partner) == real_counts(partner)
    verify()


def grant(partner, value="1000.00", quota_type=0):
    now = timezone.now()
    return CouponQuota.objects.create(partner=partner, quota_type=quota_type, quota_value=Decimal(value),
                                      balance=Decimal(value), effective_time=now - timedelta(days=1),
                                      expire_time=now + timedelta(days=30))


def decide_as_customer(admin, customer, kind):
    """A partner's request (disassociation or type switch) approved by the customer's own user."""
    request = (customer_services.request_disassociation if kind == "disassociation"
               else customer_services.request_type_switch)
    event = request(admin, customer_id=customer.domain_id, reason="测试")
    user = customer.users.first() or CustomerUserFactory(customer=customer)
    customer_services.decide_event(actor_of(user.user), event_id=event.pk, approve=True)


# --- every kind of write keeps the counters exact ---------------------------------------------------

@pytest.mark.django_db
def test_customer_counters_follow_association_manager_change_type_switch_and_disassociation(tenant_a):
    t, admin = tenant_a, actor_of(tenant_a.admin)
    other = MemberFactory(partner=t.partner)

    def expect(total, by_manager):
        assert counter("customers", t.partner) == total == active(t.partner).count()
        for member, n in by_manager.items():
            assert counter("customers.manager", t.partner, member.pk) == n == active(t.partner).filter(
                account_manager=member).count()
        verify()

    expect(2, {t.member: 1, other: 0})
    new = AssociationFactory(partner=t.partner, association_type="2").customer  # associate
    expect(3, {t.member: 1, other: 0})
    customer_services.assign_account_manager(admin, customer_id=new.domain_id, member_id=t.member.pk)
    expect(3, {t.member: 2, other: 0})
    customer_services.assign_account_manager(admin, customer_id=new.domain_id, member_id=other.pk)
    expect(3, {t.member: 1, other: 1})
    customer_services.assign_account_manager(admin, customer_id=new.domain_id, member_id=None)
    expect(3, {t.member: 1, other: 0})
    decide_as_customer(admin, t.referral, "type_switch")  # one association ends, its successor begins
    expect(3, {t.member: 1, other: 0})
    decide_as_customer(admin, t.referral, "disassociation")
    expect(2, {t.member: 0, other: 0})
    AssociationFactory(partner=t.partner, customer=t.referral, association_type="1", account_manager=other)
    expect(3, {t.member: 0, other: 1})  # associated again, with a manager from the start


@pytest.mark.django_db
def test_money_and_coupon_counters_follow_allocations_batches_issues_reclaims_and_unbinding(tenant_a):
    t, admin = tenant_a, actor_of(tenant_a.admin)
    fund(t.partner, "1000.00")
    second = AssociationFactory(partner=t.partner, association_type="2").customer
    assert_exact(t.partner)
    billing_services.allocate_to_customer(admin, customer_id=t.resale.domain_id, amount="10.00")
    billing_services.reclaim_from_customer(admin, customer_id=t.resale.domain_id, amount="1.00")
    assert_exact(t.partner)
    results = billing_services.batch_allocate(admin, rows=[(t.resale.domain_id, "5.00"), (second.domain_id, "6.00"),
                                                           (t.referral.domain_id, "7.00")])
    assert [r["ok"] for r in results] == [True, True, False]  # a referral customer is refused alone
    assert_exact(t.partner)

    quota = grant(t.partner)
    infos, errors = voucher_services.issue_coupons(
        admin, quota_id=quota.quota_id, face_value="5.00",
        customer_ids=[t.resale.domain_id, second.domain_id, t.referral.domain_id])
    assert len(infos) == 3 and errors == []
    assert_exact(t.partner)
    [result] = voucher_services.reclaim_coupons(admin, coupon_ids=[infos[0]["coupon_id"]])
    assert result["ok"], result
    assert_exact(t.partner)

    decide_as_customer(admin, second, "disassociation")  # reclaims its balance and its coupon
    assert Adjustment.objects.filter(customer=second, operation_type="SOURCE_OPERATION_BEUNBIND").exists()
    assert_exact(t.partner)
    assert counter("customers", t.partner) == 2


@pytest.mark.django_db
def test_admin_deletes_bulk_writes_and_raw_sql_keep_the_counters(tenant_a, tenant_b):
    t, admin = tenant_a, actor_of(tenant_a.admin)
    quota = grant(t.partner)
    voucher_services.issue_coupons(admin, quota_id=quota.quota_id, face_value="1.00",
                                   customer_ids=[t.resale.domain_id, t.referral.domain_id])
    assert counter("coupon_records", t.partner) == 2

    # the operator deletes a record in the admin
    operator = login_client(UserFactory(username="ops", is_staff=True, is_superuser=True))
    record = CouponRecord.objects.filter(partner=t.partner).first()
    response = operator.post("/admin/vouchers/couponrecord/", {"action": "delete_selected",
                                                              "_selected_action": [record.pk], "post": "yes"})
    assert response.status_code == 302 and not CouponRecord.objects.filter(pk=record.pk).exists()
    assert_exact(t.partner)

    # bulk_create, queryset.update (a row moving to another partner), queryset.delete
    customers = Customer.objects.bulk_create(CustomerFactory.build() for _ in range(5))
    Association.objects.bulk_create(Association(partner=t.partner, customer=c, association_type="2",
                                                account_manager=t.member) for c in customers)
    assert counter("customers", t.partner) == 7 and counter("customers.manager", t.partner, t.member.pk) == 6
    Association.objects.filter(customer__in=customers[:2]).update(partner=tenant_b.partner, account_manager=None)
    assert counter("customers", tenant_b.partner) == 4 and counter("customers.manager", t.partner, t.member.pk) == 4
    Association.objects.filter(customer__in=customers[2:]).update(ended_on=timezone.now())
    Association.objects.filter(customer__in=customers[:2]).delete()
    assert_exact(t.partner, tenant_b.partner)

    # raw SQL, as bench/ writes: one INSERT … SELECT of many rows, one DELETE of many
    with connection.cursor() as cursor:
        before = pending_rows(cursor)
        cursor.execute(
            "INSERT INTO customers_association (partner_id, customer_id, association_type, associated_on, label, "
            "account_manager_id) SELECT %s, id, '1', CURRENT_TIMESTAMP, '', %s FROM customers_customer "
            "WHERE id IN (%s, %s, %s)", [t.partner.pk, t.member.pk, *(c.pk for c in customers[2:])])
        if connection.vendor == "postgresql":  # a statement adds one pending change per counter, not one per row
            assert pending_rows(cursor) - before == 2
        cursor.execute("DELETE FROM vouchers_couponrecord WHERE partner_id = %s", [t.partner.pk])
    assert counter("customers", t.partner) == 5 and counter("coupon_records", t.partner) == 0
    assert_exact(t.partner, tenant_b.partner)


def pending_rows(cursor) -> int:
    if connection.vendor != "postgresql":
        return 0
    cursor.execute("SELECT count(*) FROM partnercenter_listcount_pending WHERE xid = txid_current()")
    return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_migration_fills_the_counters_of_rows_already_there(tenant_a):
    fund(tenant_a.partner, "100.00")
    billing_services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id,
                                          amount="10.00")
    expected = stored_counts(tenant_a.partner)
    ListCount.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM partnercenter_listcount_pending")
    assert counter("customers", tenant_a.partner) == 0

    # what the migrations ran after creating their triggers
    with connection.cursor() as cursor:
        for module in ("customers.migrations.0005_list_counts", "billing.migrations.0003_list_counts",
                       "vouchers.migrations.0003_list_counts"):
            for operation in importlib.import_module(module).Migration.operations:
                for statement in operation.fill():
                    cursor.execute(statement)

    assert stored_counts(tenant_a.partner) == expected
    assert counter("customers.manager", tenant_a.partner, tenant_a.member.pk) == 1
    verify()


# --- the lists read them --------------------------------------------------------------------------

class Book:
    """A partner with an account-manager lead (and one manager under the lead), customers of the team,
    of another manager and of nobody, allocations and coupons; an access key for the admin and the lead."""

    def __init__(self):
        t = build_tenant("cnt")
        self.__dict__.update(t.__dict__)
        self.actor = actor_of(self.admin)
        role = RoleFactory(partner=self.partner, name="客户经理", permissions=[
            "customers.view", "billing.view", "vouchers.view"])
        self.lead = MemberFactory(partner=self.partner, user__username="cnt.lead", roles=[role])
        self.report = MemberFactory(partner=self.partner, user__username="cnt.report", roles=[role],
                                    supervisor=self.lead)
        self.lead_key, self.lead_secret = make_access_key(self.lead.user, partner=self.partner)
        fund(self.partner, "1000.00")
        self.quota = grant(self.partner)
        self.team = []
        for n, manager in enumerate([self.lead, self.lead, self.report, self.report, self.report]):
            customer = AssociationFactory(partner=self.partner, association_type="2", account_manager=manager,
                                          customer__domain_name=f"team-{n}-flagship" if n < 2 else f"team-{n}").customer
            self.team.append(customer)
        for customer in [*self.team, self.resale]:
            billing_services.allocate_to_customer(self.actor, customer_id=customer.domain_id, amount="3.00")
        billing_services.reclaim_from_customer(self.actor, customer_id=self.resale.domain_id, amount="1.00")
        voucher_services.issue_coupons(self.actor, quota_id=self.quota.quota_id, face_value="1.00",
                                       customer_ids=[c.domain_id for c in [*self.team, self.referral]])
        # Another partner's rows, so a counter that ignored the partner would be wrong.
        other = build_tenant("cnt-other")
        fund(other.partner, "100.00")
        billing_services.allocate_to_customer(actor_of(other.admin), customer_id=other.resale.domain_id,
                                              amount="1.00")

    def api(self, method, path, *, lead=False, json=None, query=()):
        key, secret = (self.lead_key, self.lead_secret) if lead else (self.key, self.secret)
        response = call(Client(), method, path, ak=key.ak, sk=secret, json=json, query=query)
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture
def book(db):
    return Book()


CUSTOMERS_API = ("POST", "/v2/partners/sub-customers/query", "count")
ADJUSTMENTS_API = ("GET", "/v3/accounts/partner-accounts/adjust-records", "total_count")
LEDGER_API = ("GET", "/v2/accounts/partner-accounts/account-change-records", "total_count")
COUPONS_API = ("GET", "/v2/promotions/benefits/partner-coupons", "total_count")
RECORDS_API = ("GET", "/v2/promotions/benefits/partner-coupons/records/query", "total_count")


def api_count(book, endpoint, filters=None, *, lead=False):
    method, path, field = endpoint
    filters = {"limit": 2, **(filters or {})}
    if method == "POST":
        return book.api(method, path, lead=lead, json=filters)[field]
    return book.api(method, path, lead=lead, query=sorted(filters.items()))[field]


def test_list_endpoints_count_exactly_for_the_administrator_and_an_account_manager(book):
    p, team = book.partner, active(book.partner).filter(account_manager__in=[book.lead, book.report])
    team_customers = [a.customer_id for a in team]
    expected = [
        # (endpoint, filters, as the lead, the rows)
        (CUSTOMERS_API, {}, False, active(p)),
        (CUSTOMERS_API, {"account_name": "FLAGSHIP"}, False,
         active(p).filter(customer__domain_name__icontains="flagship")),
        (CUSTOMERS_API, {"association_type": "1"}, False, active(p).filter(association_type="1")),
        (CUSTOMERS_API, {}, True, team),
        (CUSTOMERS_API, {"account_name": "flagship"}, True, team.filter(customer__domain_name__contains="flagship")),
        (ADJUSTMENTS_API, {}, False, Adjustment.objects.filter(partner=p)),
        (ADJUSTMENTS_API, {"operation_type": "SOURCE_OPERATION_BERETRIEVE"}, False,
         Adjustment.objects.filter(partner=p, operation_type="SOURCE_OPERATION_BERETRIEVE")),
        (ADJUSTMENTS_API, {}, True, Adjustment.objects.filter(partner=p)),  # money is not split by manager
        (LEDGER_API, {}, False, LedgerEntry.objects.filter(partner=p)),
        (LEDGER_API, {"balance_type": "BALANCE_TYPE_DEBIT"}, False,
         LedgerEntry.objects.filter(partner=p, balance_type__in=["cash", "allocated"])),
        (COUPONS_API, {}, False, Coupon.objects.filter(partner=p)),
        (COUPONS_API, {"customer_id": book.referral.domain_id}, False, Coupon.objects.filter(customer=book.referral)),
        (COUPONS_API, {}, True, Coupon.objects.filter(partner=p, customer_id__in=team_customers)),
        (RECORDS_API, {}, False, CouponRecord.objects.filter(partner=p)),
        (RECORDS_API, {}, True, CouponRecord.objects.filter(partner=p, customer_id__in=team_customers)),
    ]
    for endpoint, filters, lead, rows in expected:
        assert api_count(book, endpoint, filters, lead=lead) == rows.count() > 0, (endpoint, filters, lead)
    assert len(team) == 5 and active(p).count() == 7


def page_count(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_list_pages_count_exactly_for_the_administrator_and_an_account_manager(book):
    admin, lead = login_client(book.admin.user), login_client(book.lead.user)
    p = book.partner
    assert page_count(admin, "/customers/") == active(p).count() == 7
    assert page_count(admin, "/customers/?account_name=flagship") == 2
    assert page_count(admin, "/customers/?page=2") == 7  # a page number is no filter
    assert page_count(lead, "/customers/") == 5
    assert page_count(admin, "/billing/adjustments/") == Adjustment.objects.filter(partner=p).count()
    assert page_count(admin, "/billing/ledger/") == LedgerEntry.objects.filter(partner=p).count()
    assert page_count(admin, "/vouchers/coupons/") == Coupon.objects.filter(partner=p).count() == 6
    assert page_count(lead, "/vouchers/coupons/") == 5
    assert page_count(admin, "/vouchers/records/") == CouponRecord.objects.filter(partner=p).count()


def counts_over(queries, table) -> list[str]:
    return [q["sql"] for q in queries if re.search(r"COUNT\(", q["sql"], re.I) and table in q["sql"]]


UNFILTERED_LISTS = [
    (CUSTOMERS_API, "customers_", {"account_name": "flagship"}),
    (ADJUSTMENTS_API, "billing_adjustment", {"operation_type": "SOURCE_OPERATION_BEADJUST"}),
    (LEDGER_API, "billing_ledgerentry", {"balance_type": "BALANCE_TYPE_DEBIT"}),
    (COUPONS_API, "vouchers_coupon", {"status": 2}),
    (RECORDS_API, "vouchers_couponrecord", {"operation_types": "1"}),
]


# An account manager's coupons and records follow the customers' associations: they are counted (through
# the indexes on partner and customer), not kept.
@pytest.mark.parametrize("endpoint, table, filters, lead", [
    *((*case, False) for case in UNFILTERED_LISTS), *((*case, True) for case in UNFILTERED_LISTS[:3]),
], ids=["customers", "adjustments", "ledger", "coupons", "coupon-records",
        "customers-of-a-manager", "adjustments-as-a-manager", "ledger-as-a-manager"])
def test_an_unfiltered_list_reads_its_counter_and_a_filtered_one_counts(book, endpoint, table, filters, lead):
    with CaptureQueriesContext(connection) as unfiltered:
        total = api_count(book, endpoint, lead=lead)
    assert counts_over(unfiltered.captured_queries, table) == []
    with CaptureQueriesContext(connection) as filtered:
        api_count(book, endpoint, filters, lead=lead)
    assert counts_over(filtered.captured_queries, table) != []

    # The unfiltered total is the counter's, whatever it holds (here made wrong on purpose).
    fold()
    ListCount.objects.filter(partner=book.partner).update(count=F("count") + 100)
    counters_read = 2 if lead and endpoint == CUSTOMERS_API else 1  # the lead's and the report's
    assert api_count(book, endpoint, lead=lead) == total + 100 * counters_read


def test_a_queryset_is_counted_only_as_it_was_marked(book):
    queryset = customer_selectors.customers_for(book.actor)
    assert total_of(queryset) == 7
    assert total_of(queryset.order_by("domain_name").select_related(None)) == 7  # ordering is no filter
    for changed in (queryset.filter(domain_name__icontains="x"), queryset.exclude(pk=0), queryset.none(),
                    queryset.distinct(), queryset[:2]):
        assert total_of(changed) is None
    assert total_of(Customer.objects.all()) is None
    assert total_of(counted(Customer.objects.all(), COUNTED_LISTS["customers"].total_for(book.partner))) == 7


# --- verify_counts ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_verify_counts_finds_a_tampered_or_missing_counter_and_fix_repairs_it(tenant_a):
    verify()
    fold()
    ListCount.objects.filter(partner=tenant_a.partner, list_name="customers").update(count=F("count") + 1)
    ListCount.objects.filter(partner=tenant_a.partner, list_name="customers.manager").delete()
    with pytest.raises(CommandError) as failed:
        verify()
    assert "counter customers partner" in str(failed.value) and "stored 3, rows 2" in str(failed.value)
    assert f"counter customers.manager partner {tenant_a.partner.pk} scope {tenant_a.member.pk}: stored 0, rows 1" \
        in str(failed.value)

    verify("--fix")
    verify()
    assert counter("customers", tenant_a.partner) == 2
    assert counter("customers.manager", tenant_a.partner, tenant_a.member.pk) == 1
    AssociationFactory(partner=tenant_a.partner, account_manager=tenant_a.member)  # the triggers go on from there
    assert counter("customers.manager", tenant_a.partner, tenant_a.member.pk) == 2
    verify()


@pytest.mark.django_db
def test_verify_counts_reports_a_counted_table_without_its_triggers(tenant_a):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER pc_count_billing_adjustment_ins"
                       + (" ON billing_adjustment" if connection.vendor == "postgresql" else ""))
    with pytest.raises(CommandError) as failed:
        verify()
    assert "billing_adjustment (adjustments): triggers missing or disabled: pc_count_billing_adjustment_ins" \
        in str(failed.value)


# --- concurrency ---------------------------------------------------------------------------------

@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_writer_takes_no_counter_lock_before_its_commit():
    """The counters are changed at COMMIT (_counting.py): a transaction that wrote rows of a partner's
    list does not make another writer of that list wait — the counter adds no lock to the services'
    lock order, so it can close no cycle."""
    from ..billing.test_races import Contender

    t = build_tenant("lock")

    def adjustment():
        return Adjustment.objects.create(partner=t.partner, customer=t.resale, amount=Decimal("1.00"),
                                         operation_type="SOURCE_OPERATION_BEADJUST")

    with transaction.atomic():
        adjustment()
        other = Contender(adjustment).start()
        assert other.blocked_or_done() == "done"  # it committed while our transaction is still open
        assert isinstance(other.finish(), Adjustment)
        assert counter("adjustments", t.partner) == 2  # its committed change, and our own pending one
    assert counter("adjustments", t.partner) == 2
    verify()


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_counters_stay_exact_under_concurrent_allocations_issues_reclaims_and_association_changes():
    t = build_tenant("race")
    admin = actor_of(t.admin)
    fund(t.partner, "100000.00")
    quota = grant(t.partner, "100000.00")
    managers = [MemberFactory(partner=t.partner) for _ in range(3)]
    customers = [AssociationFactory(partner=t.partner, association_type="2", account_manager=managers[n % 3]).customer
                 for n in range(12)]
    for customer in customers:
        CustomerUserFactory(customer=customer)
    leaving, staying = customers[:4], customers[4:]
    for customer in customers:  # something to reclaim on unbinding
        billing_services.allocate_to_customer(admin, customer_id=customer.domain_id, amount="10.00")
    voucher_services.issue_coupons(admin, quota_id=quota.quota_id, face_value="1.00",
                                   customer_ids=[c.domain_id for c in customers])
    verify()

    refusals = []

    def attempt(work, *args, **kwargs):
        try:
            return work(*args, **kwargs)
        except DomainError as exc:  # a refusal (the customer left meanwhile) is an answer; a database error is not
            refusals.append((work.__name__, exc.code))
            return None

    def allocations():
        for round_ in range(4):
            attempt(billing_services.batch_allocate, actor_of(t.admin), rows=[(c.domain_id, "1.00") for c in customers])
            for customer in customers[round_::4]:
                attempt(billing_services.allocate_to_customer, actor_of(t.admin), customer_id=customer.domain_id,
                        amount="2.00")
                attempt(billing_services.reclaim_from_customer, actor_of(t.admin), customer_id=customer.domain_id,
                        amount="1.00")

    def coupons():
        for _round in range(4):
            issued = attempt(voucher_services.issue_coupons, actor_of(t.admin), quota_id=quota.quota_id,
                             face_value="1.00", customer_ids=[c.domain_id for c in customers])
            if issued and issued[0]:
                attempt(voucher_services.reclaim_coupons, actor_of(t.admin),
                        coupon_ids=[i["coupon_id"] for i in issued[0][::3]])

    def associations():
        for n, customer in enumerate(leaving):
            attempt(decide_as_customer, actor_of(t.admin), customer, "disassociation")
            AssociationFactory(partner=t.partner, association_type="2", account_manager=managers[n % 3])
        for n, customer in enumerate(staying):
            attempt(customer_services.assign_account_manager, actor_of(t.admin), customer_id=customer.domain_id,
                    member_id=managers[(n + 1) % 3].pk)

    def switches():
        for customer in staying[::2]:
            attempt(decide_as_customer, actor_of(t.admin), customer, "type_switch")

    failures = []
    start = threading.Barrier(4)

    def run(job):
        try:
            start.wait(30)
            job()
        except Exception:  # noqa: BLE001 — reported below
            failures.append(traceback.format_exc())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in (allocations, coupons, associations, switches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == [], "\n".join(failures)

    assert_exact(t.partner)  # whatever was refused meanwhile (`refusals`), the counters are the rows'
    assert Association.objects.filter(partner=t.partner, ended_on__isnull=False).exists()
    for manager in managers:
        assert counter("customers.manager", t.partner, manager.pk) == active(t.partner).filter(
            account_manager=manager).count()
    with connection.cursor() as cursor:  # everything committed was folded in at its COMMIT
        cursor.execute("SELECT count(*) FROM partnercenter_listcount_pending")
        assert cursor.fetchone()[0] == 0
    call_command("verify_ledger", stdout=io.StringIO())
