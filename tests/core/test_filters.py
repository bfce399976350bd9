"""One FilterSet per list, shared by its page and its CBC endpoint (ARCHITECTURE.md rule 7): the same filter
finds the same rows on the page (a real page request) and through the API (a call signed with the official
SDK's signer); a page's day range is the whole local day (Asia/Shanghai); a filter value a page cannot read
is an error on its form that filters nothing out, while the API answers it with CBC.0100."""

import inspect
from datetime import date, datetime, time, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from billing import services as billing_services
from billing.filters import AdjustmentFilter
from billing.models import Adjustment, LedgerEntry
from customers.models import Association
from partnercenter.errors import Codes, DomainError
from vouchers import services as voucher_services
from vouchers.filters import CouponRecordFilter
from vouchers.models import Coupon, CouponQuota, CouponRecord

from ..billing_helpers import fund
from ..conftest import actor_of, build_tenant, login_client
from ..factories import AssociationFactory, PartnerFactory, ResourceFactory
from ..signed import call

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2025, 3, 10), date(2025, 3, 12)  # a page's date_from and date_to


def at(day, *hms):
    return datetime.combine(day, time(*hms), tzinfo=SHANGHAI)


# Moments around the range [FIRST, LAST], and whether a page's day range holds them.
MOMENTS = [
    (at(FIRST - timedelta(days=1), 23, 59, 59), False),
    (at(FIRST), True),
    (at(FIRST + timedelta(days=1), 12), True),
    (at(LAST, 23, 59, 59), True),
    (at(LAST + timedelta(days=1)), False),
]
MIDDLE = MOMENTS[2][0]


def utc(moment) -> str:
    return moment.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# The same range as the API reads it: exact UTC moments, the first and last second of the local days.
API_BEGIN, API_END = utc(at(FIRST)), utc(at(LAST, 23, 59, 59))


class Book:
    """A partner with one row of every list at each of MOMENTS, plus rows inside the range that the
    list's other filter leaves out."""

    def __init__(self):
        t = build_tenant("flt")
        self.__dict__.update(t.__dict__)
        self.actor = actor_of(self.admin)
        fund(self.partner, "1000.00")
        LedgerEntry.objects.filter(partner=self.partner, balance_type="cash").update(created_at=MIDDLE)
        billing_services.set_credit_limit(_platform(), partner=self.partner, credit_limit="50.00")
        LedgerEntry.objects.filter(partner=self.partner, balance_type="credit").update(created_at=MIDDLE)
        now = timezone.now()
        self.quota = CouponQuota.objects.create(partner=self.partner, quota_type=0, quota_value=100, balance=100,
                                                effective_time=now - timedelta(days=1),
                                                expire_time=now + timedelta(days=30))
        self.customers, self.coupons = [], []
        for moment, _inside in MOMENTS:
            customer = AssociationFactory(partner=self.partner, association_type="2").customer
            Association.objects.filter(customer=customer).update(associated_on=moment)
            adjustment = billing_services.allocate_to_customer(self.actor, customer_id=customer.domain_id,
                                                               amount="10.00")
            Adjustment.objects.filter(pk=adjustment.pk).update(created_at=moment)
            LedgerEntry.objects.filter(adjustment=adjustment).update(created_at=moment)
            [info], _errors = voucher_services.issue_coupons(self.actor, quota_id=self.quota.quota_id,
                                                             customer_ids=[customer.domain_id], face_value="1.00")
            Coupon.objects.filter(coupon_id=info["coupon_id"]).update(created_at=moment)
            CouponRecord.objects.filter(coupon__coupon_id=info["coupon_id"]).update(created_at=moment)
            self.customers.append(customer)
            self.coupons.append(info["coupon_id"])
        # Inside the range, but not of the filtered kind: a referral customer, a reclaim, a reclaimed coupon.
        referral = AssociationFactory(partner=self.partner, association_type="1").customer
        Association.objects.filter(customer=referral).update(associated_on=MIDDLE)
        reclaim = billing_services.reclaim_from_customer(self.actor, customer_id=self.customers[2].domain_id,
                                                         amount="1.00")
        Adjustment.objects.filter(pk=reclaim.pk).update(created_at=MIDDLE)
        LedgerEntry.objects.filter(adjustment=reclaim).update(created_at=MIDDLE)
        [result] = voucher_services.reclaim_coupons(self.actor, coupon_ids=[self.coupons[1]])
        assert result["ok"], result
        CouponRecord.objects.filter(operation_type="2").update(created_at=MIDDLE)

    def api(self, method, path, *, json=None, query=()):
        return call(Client(), method, path, ak=self.key.ak, sk=self.secret, json=json, query=query)


def _platform():
    from partnercenter.actors import SCHEDULER

    return SCHEDULER


@pytest.fixture
def book(db):
    return Book()


def page_rows(client, url, key):
    """The keys of the rows a list page shows (all on its first page here), and its filter form."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.context["page"]
    assert page.paginator.count < page.paginator.per_page, "the test rows fit on one page"
    return {key(row) for row in page.object_list}, response.context["form"]


def api_rows(response, rows_field, key_field):
    assert response.status_code == 200, response.content
    return {str(row[key_field]) for row in response.json()[rows_field]}


# -------------------------------------------------------------------------------------------------
# Page and endpoint find the same rows
# -------------------------------------------------------------------------------------------------

def test_customers_page_and_endpoint_filter_alike(book):
    page, _form = page_rows(login_client(book.admin.user),
                            f"/customers/?association_type=2&associated_from={FIRST}&associated_to={LAST}",
                            lambda customer: customer.domain_id)
    api = api_rows(book.api("POST", "/v2/partners/sub-customers/query", json={
        "association_type": "2", "associated_on_begin": API_BEGIN, "associated_on_end": API_END, "limit": 100,
    }), "customer_infos", "customer_id")
    expected = {c.domain_id for c, (_m, inside) in zip(book.customers, MOMENTS) if inside}
    assert page == api == expected


def test_adjustments_page_and_endpoint_filter_alike(book):
    page, _form = page_rows(login_client(book.admin.user),
                            f"/billing/adjustments/?operation_type=SOURCE_OPERATION_BEADJUST"
                            f"&date_from={FIRST}&date_to={LAST}", lambda adjustment: adjustment.trans_id)
    api = api_rows(book.api("GET", "/v3/accounts/partner-accounts/adjust-records", query=[
        ("operation_type", "SOURCE_OPERATION_BEADJUST"), ("operation_time_begin", API_BEGIN),
        ("operation_time_end", API_END), ("limit", "100"),
    ]), "records", "trans_id")
    expected = set(Adjustment.objects.filter(partner=book.partner, operation_type="SOURCE_OPERATION_BEADJUST",
                                             customer__in=[c for c, (_m, i) in zip(book.customers, MOMENTS) if i])
                   .values_list("trans_id", flat=True))
    assert len(expected) == 3 and page == api == expected


def test_ledger_page_and_endpoint_filter_alike(book):
    # The API's debit account (BALANCE_TYPE_DEBIT) is the page's cash and allocated accounts; its days are
    # China days, as the page's.
    page, _form = page_rows(login_client(book.admin.user),
                            f"/billing/ledger/?balance_type=cash&balance_type=allocated"
                            f"&date_from={FIRST}&date_to={LAST}", lambda entry: str(entry.pk))
    api = api_rows(book.api("GET", "/v2/accounts/partner-accounts/account-change-records", query=[
        ("balance_type", "BALANCE_TYPE_DEBIT"), ("trade_time_begin", str(FIRST)), ("trade_time_end", str(LAST)),
        ("limit", "100"),
    ]), "records", "account_change_id")
    inside = [m for m, i in MOMENTS if i]
    expected = {str(pk) for pk in LedgerEntry.objects.filter(
        partner=book.partner, balance_type__in=["cash", "allocated"], created_at__in=inside + [MIDDLE],
    ).values_list("pk", flat=True)}
    assert LedgerEntry.objects.filter(partner=book.partner, balance_type="credit", created_at=MIDDLE).exists()
    assert len(expected) == 5 and page == api == expected  # 3 allocations, the reclaim, the recharge


def test_coupons_page_and_endpoint_filter_alike(book):
    page, _form = page_rows(login_client(book.admin.user),
                            f"/vouchers/coupons/?status=2&created_from={FIRST}&created_to={LAST}",
                            lambda coupon: coupon.coupon_id)
    api = api_rows(book.api("GET", "/v2/promotions/benefits/partner-coupons", query=[
        ("status", "2"), ("create_time_begin", API_BEGIN), ("create_time_end", API_END), ("limit", "100"),
    ]), "user_coupons", "coupon_id")
    assert page == api == {book.coupons[2], book.coupons[3]}  # coupons[1] is inside but reclaimed


def test_quotas_page_and_endpoint_filter_alike(book):
    now = timezone.now()
    for quota_type, status in ((0, 3), (0, 5), (1, 0)):
        CouponQuota.objects.create(partner=book.partner, quota_type=quota_type, status=status, quota_value=5,
                                   balance=5, effective_time=now, expire_time=now + timedelta(days=9))
    page, _form = page_rows(login_client(book.admin.user), "/vouchers/?status=0", lambda quota: quota.quota_id)
    # Without quota_type the API lists cash coupon quotas (0), as the page's first tab.
    api = api_rows(book.api("POST", "/v2/partners/coupon-quotas/query", json={"quota_status_list": [0], "limit": 100}),
                   "quotas", "quota_id")
    assert page == api == {book.quota.quota_id}
    page, _form = page_rows(login_client(book.admin.user), "/vouchers/?status=5", lambda quota: quota.quota_id)
    api = api_rows(book.api("POST", "/v2/partners/coupon-quotas/query", json={"quota_status_list": [5]}),
                   "quotas", "quota_id")
    assert page == api and len(page) == 1


def test_coupon_records_page_and_endpoint_filter_alike(book):
    page, _form = page_rows(login_client(book.admin.user),
                            f"/vouchers/records/?operation_type=1&date_from={FIRST}&date_to={LAST}",
                            lambda record: str(record.pk))
    api = api_rows(book.api("GET", "/v2/promotions/benefits/partner-coupons/records/query", query=[
        ("operation_types", "1"), ("operation_time_begin", API_BEGIN), ("operation_time_end", API_END),
        ("limit", "100"),
    ]), "records", "id")
    expected = {str(pk) for pk in CouponRecord.objects.filter(
        operation_type="1", coupon__coupon_id__in=book.coupons[1:4]).values_list("pk", flat=True)}
    assert CouponRecord.objects.filter(operation_type="2", created_at=MIDDLE).exists()
    assert len(expected) == 3 and page == api == expected


# -------------------------------------------------------------------------------------------------
# A page's day range is the whole local day
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, key", [
    (f"/customers/?associated_from={FIRST}&associated_to={LAST}", "customer"),
    (f"/billing/adjustments/?date_from={FIRST}&date_to={LAST}&operation_type=SOURCE_OPERATION_BEADJUST", "adjustment"),
    (f"/vouchers/coupons/?created_from={FIRST}&created_to={LAST}", "coupon"),
    (f"/vouchers/records/?date_from={FIRST}&date_to={LAST}&operation_type=1", "record"),
])
def test_a_pages_day_range_covers_whole_local_days(book, url, key):
    moment_of = {
        "customer": lambda row: row.active_associations[0].associated_on,
        "adjustment": lambda row: row.created_at, "coupon": lambda row: row.created_at,
        "record": lambda row: row.created_at,
    }[key]
    response = login_client(book.admin.user).get(url)
    shown = {moment_of(row) for row in response.context["page"].object_list}
    # 00:00:00 on date_from and 23:59:59 on date_to (China time) are in; a second before and after are out.
    assert at(FIRST) in shown and at(LAST, 23, 59, 59) in shown
    assert at(FIRST - timedelta(days=1), 23, 59, 59) not in shown and at(LAST + timedelta(days=1)) not in shown


def test_the_resellers_page_day_range_covers_whole_local_days(db):
    distributor = build_tenant("fdr", partner_type="distributor")
    resellers = {}
    for moment, inside in MOMENTS:
        reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner, associated_on=moment)
        resellers[reseller.domain_id] = inside
    shown, _form = page_rows(login_client(distributor.admin.user),
                             f"/resellers/?associated_from={FIRST}&associated_to={LAST}", lambda r: r.domain_id)
    assert shown == {domain_id for domain_id, inside in resellers.items() if inside}
    api = api_rows(call(Client(), "POST", "/v2/partners/indirect-partners/query", ak=distributor.key.ak,
                        sk=distributor.secret, json={"associated_on_begin": API_BEGIN,
                                                     "associated_on_end": API_END}),
                   "indirect_partners", "indirect_partner_id")
    assert api == shown


def test_a_bad_date_on_the_resellers_page_is_shown_on_its_form_and_filters_nothing_out(db):
    distributor = build_tenant("fdb", partner_type="distributor")
    for moment, _inside in MOMENTS:
        PartnerFactory(partner_type="reseller", distributor=distributor.partner, associated_on=moment)
    client = login_client(distributor.admin.user)
    response = client.get(f"/resellers/?associated_from={FIRST}&associated_to=2025-02-30")
    assert "associated_to" in response.context["form"].errors
    assert 'class="invalid"' in response.content.decode()
    shown = {r.domain_id for r in response.context["page"].object_list}
    assert shown == {r.domain_id for r in client.get(f"/resellers/?associated_from={FIRST}").context["page"]}
    assert len(shown) == 4
    refused = call(Client(), "POST", "/v2/partners/indirect-partners/query", ak=distributor.key.ak,
                   sk=distributor.secret, json={"associated_on_end": "2025-02-30"})
    assert refused.status_code == 400 and refused.json()["error_code"] == Codes.PARAMETER


# -------------------------------------------------------------------------------------------------
# A value a filter cannot read
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page_url, bad, api", [
    ("/billing/adjustments/?operation_type=SOURCE_OPERATION_BEADJUST", "date_from=2025-02-30",
     ("GET", "/v3/accounts/partner-accounts/adjust-records", [("operation_time_begin", "2025-02-30")])),
    ("/billing/adjustments/?date_from=2025-03-10", "operation_type=NOPE",
     ("GET", "/v3/accounts/partner-accounts/adjust-records", [("operation_type", "NOPE")])),
    ("/customers/?association_type=2", "associated_to=yesterday",
     ("POST", "/v2/partners/sub-customers/query", {"associated_on_end": "yesterday"})),
    ("/vouchers/coupons/?created_from=2025-03-10", "status=9",
     ("GET", "/v2/promotions/benefits/partner-coupons", [("status", "9")])),
    ("/vouchers/records/?operation_type=1", "date_to=31.12.",
     ("GET", "/v2/promotions/benefits/partner-coupons/records/query", [("operation_time_end", "31.12.")])),
    ("/billing/ledger/?trade_type=BEADJUST", "balance_type=savings",
     ("GET", "/v2/accounts/partner-accounts/account-change-records", [("balance_type", "savings")])),
])
def test_a_bad_value_is_a_form_error_on_the_page_and_cbc_0100_on_the_api(book, page_url, bad, api):
    client = login_client(book.admin.user)
    name = bad.split("=")[0]
    with_bad = client.get(f"{page_url}&{bad}")
    assert with_bad.status_code == 200
    assert name in with_bad.context["form"].errors
    # …and the person sees why, under the field in the filter bar.
    shown = with_bad.content.decode()
    assert 'class="invalid"' in shown and str(with_bad.context["form"].errors[name][0]) in shown.replace("&#x27;", "'")
    without = client.get(page_url)
    assert without.context["form"].errors == {}
    # The bad filter takes nothing away; the good ones still apply.
    assert ({row.pk for row in with_bad.context["page"].object_list}
            == {row.pk for row in without.context["page"].object_list})
    method, path, params = api
    if method == "GET":
        response = book.api("GET", path, query=params)
    else:
        response = book.api("POST", path, json=params)
    assert response.status_code == 400, response.content
    assert response.json()["error_code"] == Codes.PARAMETER


def test_a_value_only_the_filter_refuses_is_cbc_0100_naming_the_wire_field(book):
    adjustments = Adjustment.objects.all()
    with pytest.raises(DomainError) as refused:
        AdjustmentFilter.from_wire({"operation_type": "NOPE"}, adjustments)
    assert refused.value.code == Codes.PARAMETER and "operation_type" in str(refused.value.message)
    with pytest.raises(DomainError) as refused:
        CouponRecordFilter.from_wire({"operation_types": ["99"]}, CouponRecord.objects.all())
    assert refused.value.code == Codes.PARAMETER and str(refused.value.message).startswith("operation_types:")


# -------------------------------------------------------------------------------------------------
# What the API accepts that a page would not (Huawei's documented answers, kept)
# -------------------------------------------------------------------------------------------------

def test_the_api_keeps_huaweis_answers_for_values_outside_our_enums(book):
    # A documented trade type no entry has yet lists nothing (the page offers only ours).
    ledger = book.api("GET", "/v2/accounts/partner-accounts/account-change-records", query=[("trade_type", "REFUND")])
    assert ledger.status_code == 200 and ledger.json()["total_count"] == 0
    # 操作结果 and 操作类型 outside their enums are no filter ("携带值为非枚举值时，不作为筛选条件").
    all_records = book.api("GET", "/v2/promotions/benefits/partner-coupons/records/query").json()["total_count"]
    odd = book.api("GET", "/v2/promotions/benefits/partner-coupons/records/query", query=[("result", "7")])
    assert odd.json()["total_count"] == all_records > 0
    failed = book.api("GET", "/v2/promotions/benefits/partner-coupons/records/query", query=[("result", "-1")])
    assert failed.json()["total_count"] == 0
    # An order id finds no coupon: no order spends one here yet.
    by_order = book.api("GET", "/v2/promotions/benefits/partner-coupons", query=[("order_id", "CS123")])
    assert by_order.json()["total_count"] == 0


def test_only_main_resource_does_not_apply_to_resources_named_by_id(book):
    customer = book.customers[2]
    main = ResourceFactory(customer=customer, charging_mode="period", status=2, is_main_resource=True)
    disk = ResourceFactory(customer=customer, charging_mode="period", status=2, is_main_resource=False)

    def listed(**body):
        response = book.api("POST", "/v2/orders/suscriptions/resources/query",
                            json={"customer_id": customer.domain_id, **body})
        assert response.status_code == 200, response.content
        return {row["resource_id"] for row in response.json()["data"]}

    assert listed(only_main_resource=1) == {main.resource_id}
    assert listed(only_main_resource=0) == {main.resource_id, disk.resource_id}
    assert listed(only_main_resource=1, resource_ids=[disk.resource_id]) == {disk.resource_id}


# -------------------------------------------------------------------------------------------------
# The rule itself: every list endpoint filters through a FilterSet
# -------------------------------------------------------------------------------------------------

# Operations that page with `limit` but have no list filter: the caller names the rows it wants by id.
BY_ID = {"/v2/partners/sub-customers/new-customers-tags/batch-query": "customer_ids selects the customers",
         "/v2/orders/customer-orders/details/{order_id}": "pages the lines of the one order its path names",
         # consumption and bills: sums and groupings computed per request, not filtered row lists
         "/v2/bills/customer-bills/monthly-sum": "the month's sums by service type (selectors.monthly_sums)",
         "/v2/bills/subcustomer-bills/res-fee-records/sub-customers/query": "the customers that consumed in a month",
         "/v2/bills/customer-bills/resources/usage/summary": "one row per resource of a 95-billed usage type",
         "/v2/bills/customer-bills/resources/usage/details": "the usage points of the one resource it names",
         "/v4/costs/cost-analysed-bills/query": "cost groups by the dimensions asked (bills.customer_costs)",
         # incentives: the catalogue's service types, each with its code under the caller's policy of the month
         "/v2/products/incentive-discount-policies": "one row per catalogue service type; its one filter, "
                                                     "service_type_code, tells absent from empty (Huawei's rule), "
                                                     "which a FilterSet cannot (selectors_policies)"}
# List endpoints whose FilterSet is applied by a helper the two of them share.
FILTERED_BY_HELPER = {
    "/v2/bills/customer-bills/res-fee-records": "_resource_records → ResourceRecordFilter.from_wire",
    "/v2/bills/customer-bills/res-records/query": "_resource_records → ResourceRecordFilter.from_wire",
}


def test_every_list_endpoint_filters_with_a_filterset():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    unfiltered = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref")
            fields = [p["name"] for p in operation.get("parameters", [])]
            if ref:
                fields += list(schema["components"]["schemas"][ref.rsplit("/", 1)[1]].get("properties", {}))
            if "limit" not in fields or path in BY_ID:
                continue
            view = resolve(path).func.view_class
            source = inspect.getsource(getattr(view, method.lower()))
            if path in FILTERED_BY_HELPER:
                helper = FILTERED_BY_HELPER[path].split(" ")[0]
                assert f"{helper}(" in source
                source = inspect.getsource(getattr(inspect.getmodule(view), helper))
            if ".from_wire(" not in source:
                unfiltered.append(f"{method.upper()} {path}")
    assert not unfiltered, f"list endpoints not filtered by their FilterSet: {unfiltered}"



@pytest.mark.parametrize("url", ["/billing/adjustments/?date_from=0001-01-01", "/billing/ledger/?date_from=0001-01-01",
                                 "/customers/?associated_from=0001-01-01", "/vouchers/coupons/?created_from=0001-01-01",
                                 "/customers/events/?created_from=0001-01-01", "/billing/adjustments/export.xlsx?date_from=0001-01-01"])
def test_a_date_with_no_utc_moment_is_a_form_error_not_a_500(book, url):
    response = login_client(book.admin.user).get(url)
    assert response.status_code == 200
    if response.context is not None:  # a page (the export has no form to show, and filters nothing out)
        assert response.context["form"].errors


@pytest.mark.parametrize("url, start", [
    (f"/customers/?associated_from={LAST}&associated_to={FIRST}", "associated"),
    (f"/billing/adjustments/?date_from={LAST}&date_to={FIRST}", "date"),
    (f"/vouchers/coupons/?created_from={LAST}&created_to={FIRST}", "created"),
])
def test_a_range_given_backwards_is_an_error_under_its_end_not_an_empty_list(book, url, start):
    response = login_client(book.admin.user).get(url)
    errors = response.context["form"].errors
    assert response.status_code == 200 and list(errors) == [f"{start}_to"]
    assert response.context["page"].paginator.count > 0       # the end left out: the list from the start on
