"""Input never reaches a 500: unstorable characters in paths, query strings, forms and JSON, exponent and
other non-plain amounts, deeply nested JSON and oversized bodies are clear 400s — Huawei's CBC.0100 on the
API, the 400 page or a form error on pages. Repeated scalar query parameters are refused on the API.

The sweeps enumerate the URL resolver, so a new page or endpoint is covered without editing this file.
They mean most on PostgreSQL, which refuses NUL in text (SQLite stores it)."""

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from partnercenter.api.fields import AmountField
from partnercenter.forms import AmountField as FormAmountField
from partnercenter.middleware import API_PREFIXES

from ..billing_helpers import fund, snapshot
from ..conftest import build_tenant, login_client
from ..factories import PartnerFactory
from ..signed import call

pytestmark = pytest.mark.django_db

QUERY = "/v2/partners/sub-customers/query"
ADJUST_RECORDS = "/v3/accounts/partner-accounts/adjust-records"
COUPON_RECORDS = "/v2/promotions/benefits/partner-coupons/records/query"
# Query parameters the pages read (filters, selections, navigation): each gets a NUL in the sweep.
PAGE_QUERY_NAMES = [
    "customer", "quota", "coupon", "mode", "tab", "coupon_type", "quota_type", "page", "next", "reveal",
    "account_name", "customer_id", "status", "association_type", "label", "result", "operator",
]


def routes():
    """(route, pattern) of every URL pattern but the operator's admin, e.g. ("customers/<str:domain_id>/", …)."""
    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace != "admin":
                    yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    return [route for route in walk(get_resolver().url_patterns, "/") if "(?P" not in route and "^" not in route]


def with_params(route, value) -> str:
    return re.sub(r"<[^>]+>", value, route)


@pytest.fixture
def distributor(db):
    t = build_tenant("in", partner_type="distributor")
    t.reseller = PartnerFactory(partner_type="reseller", distributor=t.partner)
    return t


@pytest.fixture
def page(distributor):
    client = login_client(distributor.admin.user)
    client.raise_request_exception = False  # a 500 is a finding to list, not an exception to stop at
    return client


def assert_refused(response, url):
    assert response.status_code == 400, (url, response.status_code)
    if url.startswith(API_PREFIXES):
        assert response.json()["error_code"] == "CBC.0100", url
    else:
        assert "400.html" in [t.name for t in response.templates], url


# -------------------------------------------------------------------------------------------
# Unstorable characters: NUL and the other control characters
# -------------------------------------------------------------------------------------------

def test_nul_in_any_path_segment_of_any_page_or_endpoint_is_a_400(page):
    found = []
    for route in routes():
        if "<" not in route:
            continue
        url = with_params(route, "%00")
        for method in ("get", "post"):
            response = getattr(page, method)(url)
            if response.status_code != 400:
                found.append((method, url, response.status_code))
    assert found == []
    assert_refused(page.get("/customers/%00/"), "/customers/%00/")


def test_nul_in_the_query_string_of_any_page_or_endpoint_is_a_400(page):
    query = "&".join(f"{name}=%00" for name in PAGE_QUERY_NAMES)
    found = []
    for route in routes():
        if route.startswith("/logout/"):
            continue  # would sign the client out for the routes after it
        url = f"{with_params(route, 'x')}?{query}"
        for method in ("get", "post"):
            response = getattr(page, method)(url)
            if response.status_code != 400:
                found.append((method, url.split("?")[0], response.status_code))
    assert found == []


@pytest.mark.parametrize("url", [
    "/customers/?customer=%00", "/billing/allocate/?customer=%00", "/vouchers/reclaim/?coupon=%00",
    "/vouchers/coupons/export.xlsx?customer=%00", "/customers/?account_name=a%01b", "/customers/?%00=1",
])
def test_the_pages_that_gave_500_now_show_the_400_page(page, url):
    response = page.get(url)
    assert_refused(response, url)
    assert "Bad request" in response.content.decode() or "请求有误" in response.content.decode()


def test_a_nul_in_a_form_field_is_a_400_and_tab_and_newlines_are_not(page, distributor):
    fund(distributor.partner, "100.00")
    url = f"/billing/allocate/?customer={distributor.resale.domain_id}"
    assert_refused(page.post(url, {f"amount_{distributor.resale.domain_id}": "1\x00"}), url)
    assert_refused(Client().post("/login/", {"username": "a\x00", "password": "x"}), "/login/")
    assert page.get("/customers/?account_name=a%09b%0D%0A").status_code == 200


@pytest.mark.parametrize("text", ["\x00", "a\x00b", "\x07", "\ud800"])
def test_an_unstorable_character_in_a_json_string_or_key_is_cbc_0100(distributor, text):
    for body in ({"account_name": text}, {text: "x"}, {"customer_infos": [{"customer_id": text}]}):
        response = call(Client(), "POST", QUERY, ak=distributor.key.ak, sk=distributor.secret,
                        body=json.dumps(body).encode())
        assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100"), body


def test_nul_in_an_api_query_parameter_is_cbc_0100(distributor):
    """DRF's CharField already refused this; now the middleware does, before any field."""
    response = call(Client(), "GET", ADJUST_RECORDS, ak=distributor.key.ak, sk=distributor.secret,
                    query=[("customer_id", "\x00")])
    assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100")


# -------------------------------------------------------------------------------------------
# Deep JSON and big bodies
# -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [33, 100_000])
def test_deeply_nested_json_is_cbc_0100(distributor, depth):
    body = b'{"limit": 10, "unknown": ' + b"[" * depth + b"]" * depth + b"}"  # an ignored key: no field refuses it
    response = call(Client(), "POST", QUERY, ak=distributor.key.ak, sk=distributor.secret, body=body)
    assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100")


def test_ordinary_nesting_still_works(distributor):
    body = {"limit": 10, "unknown": [[[[{"a": [1.5, "x\ty"]}]]]] * 3}
    response = call(Client(), "POST", QUERY, ak=distributor.key.ak, sk=distributor.secret, json=body)
    assert response.status_code == 200


@pytest.mark.parametrize("signed", [True, False])
def test_a_body_over_the_upload_limit_is_cbc_0100_signed_or_not(distributor, settings, signed):
    body = json.dumps({"account_name": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}).encode()
    if signed:
        response = call(Client(), "POST", QUERY, ak=distributor.key.ak, sk=distributor.secret, body=body)
    else:  # an Authorization header that will not verify: the signature check would read the body
        response = Client().post(QUERY, data=body, content_type="application/json",
                                 HTTP_AUTHORIZATION="SDK-HMAC-SHA256 Access=X, SignedHeaders=x-sdk-date, Signature=00",
                                 HTTP_X_SDK_DATE="20260101T000000Z")
    assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100")


def test_more_query_parameters_than_django_reads_is_cbc_0100_or_the_400_page(distributor, page):
    query = "&".join(f"f{i}=1" for i in range(1001))
    response = call(Client(), "GET", ADJUST_RECORDS, ak=distributor.key.ak, sk=distributor.secret,
                    query=[(f"f{i}", "1") for i in range(1001)])
    assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100")
    assert page.get(f"/customers/?{query}").status_code == 400


def test_a_form_over_the_upload_limit_is_the_400_page(page, settings):
    response = page.post("/customers/", {"account_name": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/login/", "/customers/register/"])
def test_a_file_part_over_the_upload_limit_is_refused_before_it_is_read(page, settings, path):
    """Django's own limit leaves file parts out: a 3 MB "upload" to a page that takes none is a 400 too."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
    upload = SimpleUploadedFile("big.bin", b"x" * 3_000_000)
    response = page.post(path, {"username": "x", "file": upload})
    assert response.status_code == 400
    assert "The request body is too large." in response.content.decode() or "请求体过大" in response.content.decode()


# -------------------------------------------------------------------------------------------
# Amounts: plain decimal notation only, on pages and on the API
# -------------------------------------------------------------------------------------------

NOT_PLAIN = ["1e400", "9e999999999", "1e2", "１２", "1_000", "Infinity", "NaN", " 1 2"]


@pytest.mark.parametrize("amount", NOT_PLAIN)
def test_exponent_and_other_non_plain_amounts_are_form_errors_on_the_allocation_page(page, distributor, amount):
    fund(distributor.partner, "100.00")
    before = snapshot()
    response = page.post(f"/billing/allocate/?customer={distributor.resale.domain_id}",
                         {f"amount_{distributor.resale.domain_id}": amount})
    assert response.status_code == 200
    assert response.context["form"].errors and "confirm" not in response.context
    assert snapshot() == before


@pytest.mark.parametrize("amount", NOT_PLAIN)
def test_the_form_amount_field_refuses_non_plain_notation(amount):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        FormAmountField().clean(amount)


class _AmountView(APIView):
    """A test-only endpoint: the API amount field behind the real parser."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    class Body(serializers.Serializer):
        amount = AmountField()

    def post(self, request):
        body = self.Body(data=request.data)
        body.is_valid(raise_exception=True)
        return Response({"amount": str(body.validated_data["amount"])})


def _post_amount(raw: str):
    request = APIRequestFactory().post("/v2/test", data='{"amount": ' + raw + "}", content_type="application/json")
    return _AmountView.as_view()(request)


@pytest.mark.parametrize("raw,expected", [("12.5", "12.50"), ("100", "100.00"), ('"12.50"', "12.50"), ("0.01", "0.01")])
def test_the_api_amount_field_takes_json_numbers_and_plain_strings(raw, expected):
    response = _post_amount(raw)
    assert (response.status_code, response.data) == (200, {"amount": expected})


@pytest.mark.parametrize("raw", ["1e2", "1E+2", "1e400", '"1e2"', '"１２"', '"1_000"', '"Infinity"', "NaN", "12.345",
                                 "0", "-1", "true", "null", "[]"])
def test_the_api_amount_field_refuses_everything_else_with_cbc_0100(raw):
    response = _post_amount(raw)
    assert (response.status_code, response.data["error_code"]) == (400, "CBC.0100"), raw


@pytest.mark.parametrize("raw", ["1e2", '"１２"', '"1_000"', "1E+1"])
def test_the_money_endpoints_refuse_non_plain_amounts_and_move_nothing(distributor, raw):
    from datetime import timedelta

    from django.utils import timezone

    from vouchers.models import Coupon, CouponQuota

    fund(distributor.partner, "5000.00")
    now = timezone.now()
    quota = CouponQuota.objects.create(partner=distributor.partner, quota_type=0, quota_value=5000, balance=5000,
                                       effective_time=now - timedelta(days=1), expire_time=now + timedelta(days=9))
    before = snapshot()
    customer = distributor.resale.domain_id
    for path, body in [
        ("/v2/accounts/partner-accounts/adjust-amount", f'{{"customer_id": "{customer}", "amount": {raw}}}'),
        ("/v2/promotions/benefits/partner-coupons", f'{{"quota_id": "{quota.quota_id}", "face_value": {raw}, '
                                                     f'"customer_infos": [{{"customer_id": "{customer}"}}]}}'),
    ]:
        response = call(Client(), "POST", path, ak=distributor.key.ak, sk=distributor.secret, body=body.encode())
        assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100"), (path, response.json())
    assert snapshot() == before and not Coupon.objects.exists()


# -------------------------------------------------------------------------------------------
# Repeated query parameters (hole 10)
# -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("order", ["AB", "BA"])
def test_a_repeated_scalar_query_parameter_is_refused_in_either_order(distributor, order):
    a, b = distributor.resale.domain_id, distributor.referral.domain_id
    values = [a, b] if order == "AB" else [b, a]
    response = call(Client(), "GET", ADJUST_RECORDS, ak=distributor.key.ak, sk=distributor.secret,
                    query=[("customer_id", v) for v in values])
    assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100")
    assert "customer_id" in response.json()["error_msg"]


def test_a_repeated_limit_is_refused_too(distributor):
    response = call(Client(), "GET", ADJUST_RECORDS, ak=distributor.key.ak, sk=distributor.secret,
                    query=[("limit", "10"), ("limit", "100")])
    assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100")


def test_a_key_repeated_in_a_json_body_is_refused(distributor):
    a, b = distributor.resale.domain_id, distributor.referral.domain_id
    body = f'{{"customer_id": "{a}", "customer_id": "{b}"}}'.encode()
    response = call(Client(), "POST", QUERY, ak=distributor.key.ak, sk=distributor.secret, body=body)
    assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100")


def test_parameters_huawei_documents_as_lists_may_repeat(distributor):
    response = call(Client(), "GET", COUPON_RECORDS, ak=distributor.key.ak, sk=distributor.secret,
                    query=[("operation_types", "1"), ("operation_types", "2"), ("coupon_ids", "C1"), ("coupon_ids", "C2")])
    assert response.status_code == 200, response.content
    single = call(Client(), "GET", ADJUST_RECORDS, ak=distributor.key.ak, sk=distributor.secret,
                  query=[("customer_id", distributor.resale.domain_id)])
    assert single.status_code == 200


def test_upload_pages_take_bodies_up_to_their_own_limit_and_no_more(page, settings):
    """The pages UPLOAD_PATHS names accept a body over DATA_UPLOAD_MAX_MEMORY_SIZE (their views check each file),
    up to UPLOAD_BODY_MAX_BYTES; the same body elsewhere stays the 400 page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
    settings.UPLOAD_BODY_MAX_BYTES = 5_000_000
    big = lambda size: {"files": SimpleUploadedFile("big.pdf", b"x" * size)}  # noqa: E731

    assert page.post("/programs/reviews/999999/upload/", big(3_000_000)).status_code == 404   # reached the view
    assert page.post("/programs/reviews/999999/upload/", big(6_000_000)).status_code == 400
    assert page.post("/customers/register/", big(3_000_000)).status_code == 400
