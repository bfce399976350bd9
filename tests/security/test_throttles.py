"""Throttles: per access key, per address for calls without valid credentials, and tighter per partner for
check-identity (an oracle for registered e-mails and mobiles) and SMS code sending. A throttled call is HTTP
429 with Huawei's gateway code APIGW.0308 and Retry-After; the window passes and calls work again.

Each test lowers the rates with the `settings` fixture and starts from an empty cache."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from huaweicloudsdkbss.v2 import CheckSubcustomerUserReq, CheckUserIdentityRequest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from ..conftest import build_tenant
from ..factories import make_access_key
from ..signed import bss_client, call

pytestmark = pytest.mark.django_db

QUERY = "/v2/partners/sub-customers/query"
CHECK_IDENTITY = "/v2/partners/sub-customers/users/check-identity"
SEND_CODE = "/v2/bases/verificationcode/send"
THROTTLED = {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached."}


@pytest.fixture
def rates(settings):
    """Set some scopes' rates (the others keep theirs) on an empty cache."""
    def set_rates(**scopes):
        current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            **current, **{name.replace("_", "."): rate for name, rate in scopes.items()}}}
    cache.clear()
    yield set_rates
    cache.clear()


@pytest.fixture
def frozen():
    """A clock that moves only when told (no sleeping), one second into an hour."""
    with time_machine.travel(timezone.now().replace(minute=0, second=1, microsecond=0), tick=False) as traveller:
        yield traveller


def query(tenant, key=None, secret=None):
    return call(Client(), "POST", QUERY, ak=(key or tenant.key).ak, sk=secret or tenant.secret, json={})


def assert_throttled(response):
    assert response.status_code == 429
    assert response.json() == THROTTLED
    assert 1 <= int(response["Retry-After"]) <= 60


def test_every_scope_has_a_rate_and_names_a_real_view(settings):
    from customers.api import views

    assert set(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) >= {"cbc.key", "cbc.anon", "cbc.identity", "cbc.code"}
    assert settings.CBC_THROTTLE_SCOPES == {"CheckIdentityApi": "cbc.identity", "SendVerificationCodeApi": "cbc.code"}
    for name, scope in settings.CBC_THROTTLE_SCOPES.items():
        assert getattr(getattr(views, name), "throttle_scope", scope) == scope  # a rename fails here


def test_an_access_key_over_its_rate_gets_429_until_the_window_passes(tenant_a, tenant_b, rates, frozen):
    rates(cbc_key="3/min")
    assert [query(tenant_a).status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(query(tenant_a))
    assert query(tenant_b).status_code == 200  # another key counts on its own
    other_key, other_secret = make_access_key(tenant_a.admin.user, partner=tenant_a.partner)
    assert query(tenant_a, other_key, other_secret).status_code == 200  # per key, not per partner
    frozen.shift(timedelta(minutes=1))
    assert query(tenant_a).status_code == 200


def test_calls_without_valid_credentials_are_counted_per_address(tenant_a, rates, frozen):
    rates(cbc_anon="2/min")
    unsigned = Client().post(QUERY, data="{}", content_type="application/json")
    wrong = call(Client(), "POST", QUERY, ak=tenant_a.key.ak, sk="x" * 40, json={})
    assert (unsigned.status_code, wrong.status_code) == (401, 401)
    assert_throttled(Client().post(QUERY, data="{}", content_type="application/json"))
    assert_throttled(call(Client(), "POST", QUERY, ak=tenant_a.key.ak, sk="y" * 40, json={}))
    other = Client(REMOTE_ADDR="192.0.2.7").post(QUERY, data="{}", content_type="application/json")
    assert other.status_code == 401  # another address has its own count
    assert query(tenant_a).status_code == 200  # a signed call is counted per key, not per address


def test_check_identity_is_throttled_per_partner_and_other_endpoints_are_not(tenant_a, tenant_b, rates, frozen):
    rates(cbc_identity="2/hour")
    body = {"search_type": "email", "search_value": "someone@example.com"}
    check = lambda t, key=None, secret=None: call(  # noqa: E731
        Client(), "POST", CHECK_IDENTITY, ak=(key or t.key).ak, sk=secret or t.secret, json=body)
    assert [check(tenant_a).status_code for _ in range(2)] == [200, 200]
    assert_throttled_for_an_hour(check(tenant_a))
    other_key, other_secret = make_access_key(tenant_a.admin.user, partner=tenant_a.partner)
    assert check(tenant_a, other_key, other_secret).status_code == 429  # a new key buys no new checks
    assert check(tenant_b).status_code == 200
    assert query(tenant_a).status_code == 200
    frozen.shift(timedelta(hours=1))
    assert check(tenant_a).status_code == 200


def assert_throttled_for_an_hour(response):
    assert (response.status_code, response.json()) == (429, THROTTLED)
    assert 60 < int(response["Retry-After"]) <= 3600


def test_sending_codes_is_throttled_per_partner(tenant_a, rates, settings, frozen):
    settings.SMS_BACKEND = "partnercenter.sms.OutboxSmsBackend"
    rates(cbc_code="2/hour")
    send = lambda mobile: call(Client(), "POST", SEND_CODE, ak=tenant_a.key.ak, sk=tenant_a.secret,  # noqa: E731
                               json={"receiver_type": 1, "mobile_phone": mobile})
    assert [send(f"1391234567{i}").status_code for i in range(2)] == [204, 204]
    assert_throttled_for_an_hour(send("13912345672"))


def test_the_register_page_spends_the_same_code_budget_as_the_endpoint(tenant_a, rates, settings, frozen):
    from django.utils import translation

    from ..conftest import login_client

    settings.SMS_BACKEND = "partnercenter.sms.OutboxSmsBackend"
    rates(cbc_code="3/hour")
    with translation.override("zh-hans"):
        refused = translation.gettext("The throttling threshold has been reached.")
    page = login_client(tenant_a.admin.user)
    by_api = call(Client(), "POST", SEND_CODE, ak=tenant_a.key.ak, sk=tenant_a.secret,
                  json={"receiver_type": 1, "mobile_phone": "13912345670"})
    assert by_api.status_code == 204
    said = []
    for i in range(1, 4):  # two more fit in the budget of three, the third does not
        response = page.post("/customers/register/", {"send_code": "1", "mobile_phone": f"1391234567{i}"})
        said.append([str(m) for m in response.context["messages"]])
    assert [refused in messages for messages in said] == [False, False, True]


class _Scoped(APIView):
    """A test-only endpoint that names its scope the way helper views do."""

    authentication_classes = []
    permission_classes = []
    throttle_scope = "test.scope"

    def get(self, request):
        return Response({})


def test_a_view_names_its_scope_with_throttle_scope(rates, frozen):
    rates(test_scope="1/min")
    view = _Scoped.as_view()
    assert view(APIRequestFactory().get("/v2/test")).status_code == 200
    response = view(APIRequestFactory().get("/v2/test"))
    assert (response.status_code, response.data["error_code"]) == (429, "APIGW.0308")


@pytest.mark.django_db(transaction=True)
def test_the_official_sdk_reads_the_throttled_answer(live_server, rates, frozen):
    tenant = build_tenant("sdk")
    rates(cbc_identity="1/hour")
    client = bss_client(live_server.url, ak=tenant.key.ak, sk=tenant.secret, domain_id=tenant.partner.domain_id)
    request = CheckUserIdentityRequest(body=CheckSubcustomerUserReq(search_type="name", search_value="acme-cloud"))
    assert client.check_user_identity(request).check_result == "available"
    with pytest.raises(ClientRequestException) as refused:
        client.check_user_identity(request)
    assert (refused.value.status_code, refused.value.error_code) == (429, "APIGW.0308")


def test_concurrent_calls_are_all_counted(rates, frozen):
    from concurrent.futures import ThreadPoolExecutor

    from partnercenter.api.throttling import hit

    rates(cbc_key="20/min")
    with ThreadPoolExecutor(max_workers=10) as pool:
        waits = list(pool.map(lambda _: hit("cbc.key", "SAMEKEY"), range(50)))
    assert waits.count(None) == 20
