"""The voucher pages (券管理) and the customer's 优惠券 page: quotas by type, issuing in two steps with
per-customer results, 已发放代金券 with filters, export and (batch) reclaim, verification codes on the
confirmations, 操作记录, a distributor's quotas at its resellers, and what the customer sees (never
the issuer's remark)."""

import html
import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from catalog.models import ServiceType
from customers.models import Association
from partnercenter.errors import MESSAGES, Codes
from partnercenter.templatetags.display import mask_text
from vouchers import services
from vouchers.errors import VoucherCodes
from vouchers.models import Coupon, CouponQuota, CouponRecord, QuotaRecord

from ..conftest import actor_of, build_tenant, login_client
from ..factories import AssociationFactory, CustomerUserFactory, PartnerFactory, RoleFactory

pytestmark = pytest.mark.django_db

REMARK = "内部备注：春季促销 <b>"


def grant(partner, value="20.00", quota_type=0, days=30, **extra):
    now = timezone.now()
    return CouponQuota.objects.create(partner=partner, quota_type=quota_type, quota_value=Decimal(value),
                                      balance=Decimal(value), effective_time=now - timedelta(days=1),
                                      expire_time=now + timedelta(days=days), **extra)


def quota_balance(quota) -> Decimal:
    return CouponQuota.objects.get(pk=quota.pk).balance


def zh(message) -> str:
    """A message as the pages show it by default (zh-hans), escaped as in the HTML."""
    with translation.override("zh-hans"):
        return html.escape(translation.gettext(str(message)))


def hidden_fields(response, form_id="confirm-form") -> dict:
    """The hidden inputs of a confirmation form as the browser posts them back (repeated names as lists)."""
    body = response.content.decode()
    form = re.search(rf'<form method="post" id="{form_id}">(.*?)</form>', body, re.S).group(1)
    fields = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(html.unescape(value))
    return fields


def issue(client, quota, customers, face_value="10.00", **extra):
    """Both steps of the issue page: (confirmation response, result response)."""
    url = f"/vouchers/issue/{quota.quota_id}/"
    confirm = client.post(url, {"customers": [c.domain_id for c in customers], "face_value": face_value, **extra})
    assert confirm.status_code == 200 and 'id="confirm-form"' in confirm.content.decode(), confirm.content.decode()
    return confirm, client.post(url, hidden_fields(confirm))


def issued(actor, quota, customers, face_value="10.00", **extra) -> list[str]:
    infos, errors = services.issue_coupons(actor, quota_id=quota.quota_id, customer_ids=[c.domain_id for c in customers],
                                           face_value=face_value, **extra)
    assert not errors
    return [info["coupon_id"] for info in infos]


def rows_of(body, table_id) -> dict:
    """The rows of a table keyed by their data-* attribute (coupon, customer, quota, reseller)."""
    table = re.search(rf'<table class="table" id="{table_id}">(.*?)</table>', body, re.S).group(1)
    return {m.group(1): m.group(0) for m in re.finditer(r'<tr[^>]* data-\w+="([^"]+)"[^>]*>.*?</tr>', table, re.S)}


# -------------------------------------------------------------------------------------------
# Navigation and quotas
# -------------------------------------------------------------------------------------------

def test_the_menu_and_the_quota_tabs(tenant_a, admin_client_a):
    cash = grant(tenant_a.partner, "100.00")
    flexi = grant(tenant_a.partner, "50.00", quota_type=1)
    expired = grant(tenant_a.partner, "30.00")
    CouponQuota.objects.filter(pk=expired.pk).update(status=3)

    home = admin_client_a.get("/").content.decode()
    assert 'href="/vouchers/"' in home
    body = admin_client_a.get("/vouchers/").content.decode()
    quotas = rows_of(body, "quotas")
    assert set(quotas) == {cash.quota_id, expired.quota_id}
    assert f'href="/vouchers/issue/{cash.quota_id}/"' in quotas[cash.quota_id] and "100.00" in quotas[cash.quota_id]
    assert "/vouchers/issue/" not in quotas[expired.quota_id]  # not usable: no issue link
    assert set(rows_of(admin_client_a.get("/vouchers/?quota_type=1").content.decode(), "quotas")) == {flexi.quota_id}
    assert set(rows_of(admin_client_a.get("/vouchers/?quota_type=0&status=3").content.decode(), "quotas")) == {
        expired.quota_id}

    member = login_client(tenant_a.member.user)  # customers.view only
    assert member.get("/vouchers/").status_code == 403
    assert 'href="/vouchers/"' not in member.get("/").content.decode()


def test_a_member_who_may_only_view_gets_no_issue_or_reclaim(tenant_a):
    quota = grant(tenant_a.partner, "100.00")
    issued(actor_of(tenant_a.admin), quota, [tenant_a.resale])
    viewer = RoleFactory(partner=tenant_a.partner, permissions=["vouchers.view", "customers.view_all", "customers.view"])
    tenant_a.member.roles.set([viewer])
    client = login_client(tenant_a.member.user)
    assert "/vouchers/issue/" not in client.get("/vouchers/").content.decode()
    coupons = client.get("/vouchers/coupons/").content.decode()
    assert 'name="coupon"' not in coupons and "/vouchers/reclaim/" not in coupons
    assert client.get(f"/vouchers/issue/{quota.quota_id}/").status_code == 403
    assert client.get("/vouchers/reclaim/").status_code == 403


# -------------------------------------------------------------------------------------------
# 发放
# -------------------------------------------------------------------------------------------

def test_issue_in_two_steps_to_two_customers_with_a_remark(tenant_a, admin_client_a):
    quota = grant(tenant_a.partner, "100.00", cloud_service_types=["hws.service.type.ec2", "hws.service.type.obs"])
    url = f"/vouchers/issue/{quota.quota_id}/"

    page = admin_client_a.get(url).content.decode()
    for customer in (tenant_a.resale, tenant_a.referral):
        assert f'value="{customer.domain_id}"' in page
    assert "hws.service.type.ec2" in page  # the quota's limits are shown

    confirm = admin_client_a.post(url, {"customers": [tenant_a.resale.domain_id, tenant_a.referral.domain_id],
                                        "face_value": "12.50", "remark": REMARK,
                                        "cloud_service_types": "hws.service.type.obs"})
    body = confirm.content.decode()
    assert re.search(r'id="confirm-formula">12.50 × 2 =<', body)
    assert re.search(r'id="confirm-total">25.00<', body)
    assert re.search(r'id="quota-balance">100.00<', body)
    assert html.escape(REMARK) in body and "<b>" not in body
    assert not Coupon.objects.exists() and quota_balance(quota) == Decimal("100.00")

    fields = hidden_fields(confirm)
    result = admin_client_a.post(url, fields)
    assert result.status_code == 200
    coupons = {c.customer_id: c for c in Coupon.objects.all()}
    assert set(coupons) == {tenant_a.resale.pk, tenant_a.referral.pk}
    for coupon in coupons.values():
        assert (coupon.face_value, coupon.balance, coupon.status, coupon.remark) == (
            Decimal("12.50"), Decimal("12.50"), 2, REMARK)
        assert coupon.cloud_service_types == ["hws.service.type.obs"]
        assert (coupon.valid_time, coupon.expire_time) == (quota.effective_time, quota.expire_time)  # the quota's, exactly
    rows = rows_of(result.content.decode(), "results")
    assert coupons[tenant_a.resale.pk].coupon_id in rows[tenant_a.resale.domain_id]
    assert coupons[tenant_a.referral.pk].coupon_id in rows[tenant_a.referral.domain_id]
    assert all('class="row-ok"' in row for row in rows.values())
    assert re.search(r'id="quota-balance">75.00<', result.content.decode())
    assert quota_balance(quota) == Decimal("75.00")
    assert CouponRecord.objects.filter(operation_type="1", remark=REMARK).count() == 2

    # The same confirmation again (a refreshed result page): refused, nothing issued twice.
    again = admin_client_a.post(url, fields)
    assert again.status_code == 200 and "results" not in again.context
    assert Coupon.objects.count() == 2 and quota_balance(quota) == Decimal("75.00")


def test_a_row_that_fails_is_reported_and_costs_nothing(tenant_a, admin_client_a):
    quota = grant(tenant_a.partner, "100.00")
    second = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
    url = f"/vouchers/issue/{quota.quota_id}/"
    confirm = admin_client_a.post(url, {"customers": [tenant_a.resale.domain_id, second.domain_id],
                                        "face_value": "10.00"})
    # Between the confirmation and the click, the second customer leaves the partner.
    Association.objects.filter(customer=second).update(ended_on=timezone.now())
    result = admin_client_a.post(url, hidden_fields(confirm))
    rows = rows_of(result.content.decode(), "results")
    assert 'class="row-ok"' in rows[tenant_a.resale.domain_id]
    assert 'class="row-failed"' in rows[second.domain_id]
    assert zh("The customer is not yours.") in rows[second.domain_id]
    assert [r["error_code"] for r in result.context["results"]] == [None, VoucherCodes.CUSTOMER_NOT_ELIGIBLE]
    assert quota_balance(quota) == Decimal("90.00")
    assert list(Coupon.objects.values_list("customer_id", flat=True)) == [tenant_a.resale.pk]


def test_more_than_the_quota_holds_is_refused_before_the_confirmation(tenant_a, admin_client_a):
    quota = grant(tenant_a.partner, "15.00")
    response = admin_client_a.post(f"/vouchers/issue/{quota.quota_id}/", {
        "customers": [tenant_a.resale.domain_id, tenant_a.referral.domain_id], "face_value": "10.00"})
    assert "confirm" not in response.context
    errors = str(response.context["form"].non_field_errors())
    assert "¥20.00" in errors and "¥15.00" in errors
    assert quota_balance(quota) == Decimal("15.00") and not Coupon.objects.exists()


def test_the_quota_spent_after_the_confirmation_opened_fails_the_last_rows(tenant_a, admin_client_a):
    quota = grant(tenant_a.partner, "20.00")
    url = f"/vouchers/issue/{quota.quota_id}/"
    confirm = admin_client_a.post(url, {"customers": [tenant_a.resale.domain_id, tenant_a.referral.domain_id],
                                        "face_value": "10.00"})
    assert 'id="confirm-form"' in confirm.content.decode()
    issued(actor_of(tenant_a.admin), quota, [tenant_a.resale], "5.00")   # meanwhile, from another page
    result = admin_client_a.post(url, hidden_fields(confirm))
    rows = rows_of(result.content.decode(), "results")
    assert 'class="row-ok"' in rows[tenant_a.resale.domain_id]
    assert zh(MESSAGES[VoucherCodes.QUOTA_SHORT]) in rows[tenant_a.referral.domain_id]
    assert quota_balance(quota) == Decimal("5.00")


def test_another_partners_customer_is_not_a_choice(tenant_a, tenant_b, admin_client_a):
    quota = grant(tenant_a.partner, "100.00")
    url = f"/vouchers/issue/{quota.quota_id}/"
    assert tenant_b.resale.domain_id not in admin_client_a.get(url).content.decode()
    response = admin_client_a.post(url, {"customers": [tenant_b.resale.domain_id], "face_value": "1.00"})
    assert response.status_code == 200 and "customers" in response.context["form"].errors
    assert not Coupon.objects.exists()


def test_flexi_purchase_coupons_go_to_resale_customers_only(tenant_a, admin_client_a):
    quota = grant(tenant_a.partner, "100.00", quota_type=1)
    url = f"/vouchers/issue/{quota.quota_id}/"
    page = admin_client_a.get(url).content.decode()
    assert f'value="{tenant_a.resale.domain_id}"' in page and f'value="{tenant_a.referral.domain_id}"' not in page
    refused = admin_client_a.post(url, {"customers": [tenant_a.referral.domain_id], "face_value": "1.00"})
    assert "customers" in refused.context["form"].errors
    _confirm, result = issue(admin_client_a, quota, [tenant_a.resale], "3.00")
    assert Coupon.objects.get().coupon_type == 4


@pytest.mark.parametrize("change, field", [
    ({"face_value": "1.005"}, "face_value"),
    ({"face_value": "0"}, "face_value"),
    ({"cloud_service_types": [f"hws.service.type.x{n}" for n in range(11)]}, "cloud_service_types"),  # > 10
    ({"cloud_service_types": ["hws.service.type.x1", "hws.service.type.nope"]}, "cloud_service_types"),  # unknown
    ({"cloud_service_types": "hws.service.type.x1, hws.service.type.x2"}, "cloud_service_types"),  # typed, not picked
    ({"valid_time": "2030-01-02T00:00", "expire_time": "2030-01-01T00:00"}, "expire_time"),
])
def test_bad_input_is_a_form_error_on_the_first_step(tenant_a, admin_client_a, change, field):
    for n in range(11):
        ServiceType.objects.create(code=f"hws.service.type.x{n}", name=f"服务{n}")
    quota = grant(tenant_a.partner, "100.00")
    response = admin_client_a.post(f"/vouchers/issue/{quota.quota_id}/",
                                   {"customers": [tenant_a.resale.domain_id], "face_value": "1.00", **change})
    assert field in response.context["form"].errors and "confirm" not in response.context


def test_the_confirmation_and_the_result_show_each_account_id_once(tenant_a, admin_client_a):
    # given: two customers chosen on the first step
    quota = grant(tenant_a.partner, "100.00")
    chosen = [tenant_a.resale, tenant_a.referral]

    # when: the confirmation is shown, then confirmed
    confirm, result = issue(admin_client_a, quota, chosen, "5.00")

    # then: each row names the customer (masked, as in the choices) and shows its account ID once, in its column
    table = re.search(r'<table class="table" id="confirm-rows">(.*?)</table>', confirm.content.decode(), re.S).group(1)
    for customer in chosen:
        assert table.count(customer.domain_id) == 1
        name = html.escape(mask_text(customer.domain_name))
        assert f"<tr><td>{name}</td><td><code>{customer.domain_id}</code></td>" in table
    rows = rows_of(result.content.decode(), "results")
    for customer in chosen:
        cells = re.findall(r"<td>(.*?)</td>", rows[customer.domain_id], re.S)
        assert cells[0] == html.escape(mask_text(customer.domain_name))
        assert cells[1] == f"<code>{customer.domain_id}</code>"


@pytest.fixture
def service_types(db):
    return [ServiceType.objects.create(code=f"hws.service.type.{code}", name=name, name_en=name_en)
            for code, name, name_en in (("ec2", "弹性云服务器", "Elastic Cloud Server"),
                                        ("evs", "云硬盘", "Elastic Volume Service"),
                                        ("obs", "对象存储服务", "Object Storage Service"))]


def test_cloud_service_types_are_picked_from_the_catalogue_by_name(tenant_a, admin_client_a, service_types):
    quota = grant(tenant_a.partner, "100.00")  # no limits of its own: the whole catalogue is offered
    url = f"/vouchers/issue/{quota.quota_id}/"

    page = admin_client_a.get(url).content.decode()
    assert 'name="cloud_service_types" type="text"' not in page and 'type="text" name="cloud_service_types"' not in page
    for service_type in service_types:
        box = re.search(rf'<label[^>]*><input type="checkbox" name="cloud_service_types" '
                        rf'value="{re.escape(service_type.code)}"[^>]*>\s*(.*?)</label>', page, re.S)
        assert box and box.group(1).strip() == service_type.name, service_type.code  # zh-hans by default
    admin_client_a.cookies["django_language"] = "en"
    assert "Elastic Cloud Server</label>" in admin_client_a.get(url).content.decode()
    admin_client_a.cookies["django_language"] = "zh-hans"

    # Two ticked: the confirmation names them, the coupon carries their codes.
    confirm, _result = issue(admin_client_a, quota, [tenant_a.resale], "5.00",
                             cloud_service_types=["hws.service.type.obs", "hws.service.type.ec2"])
    assert '<span class="catalog-name" title="hws.service.type.obs">对象存储服务</span>' in confirm.content.decode()
    assert Coupon.objects.get().cloud_service_types == ["hws.service.type.obs", "hws.service.type.ec2"]

    # None ticked: no limit, as before.
    issue(admin_client_a, quota, [tenant_a.referral], "5.00")
    assert Coupon.objects.get(customer=tenant_a.referral).cloud_service_types == []


def test_a_quota_limited_to_some_service_types_offers_those_alone(tenant_a, admin_client_a, service_types):
    quota = grant(tenant_a.partner, "100.00", cloud_service_types=["hws.service.type.ec2", "hws.service.type.evs"])
    url = f"/vouchers/issue/{quota.quota_id}/"

    offered = re.findall(r'name="cloud_service_types" value="([^"]+)"', admin_client_a.get(url).content.decode())
    assert offered == ["hws.service.type.ec2", "hws.service.type.evs"]
    outside = admin_client_a.post(url, {"customers": [tenant_a.resale.domain_id], "face_value": "1.00",
                                        "cloud_service_types": ["hws.service.type.obs"]})
    assert outside.status_code == 200 and "cloud_service_types" in outside.context["form"].errors
    assert "confirm" not in outside.context

    # None ticked: the quota's limits, as before.
    issue(admin_client_a, quota, [tenant_a.resale], "5.00")
    assert Coupon.objects.get().cloud_service_types == ["hws.service.type.ec2", "hws.service.type.evs"]


def test_what_the_service_refuses_comes_back_on_the_form(tenant_a, admin_client_a):
    quota = grant(tenant_a.partner, "100.00", cloud_service_types=["hws.service.type.ec2"])
    late = timezone.localtime(quota.expire_time + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    confirm = admin_client_a.post(f"/vouchers/issue/{quota.quota_id}/", {
        "customers": [tenant_a.resale.domain_id], "face_value": "1.00", "expire_time": late})
    result = admin_client_a.post(f"/vouchers/issue/{quota.quota_id}/", hidden_fields(confirm))
    body = result.content.decode()
    assert 'id="issue-form"' in body and zh(MESSAGES[VoucherCodes.OUTSIDE_QUOTA]) in body
    assert not Coupon.objects.exists() and quota_balance(quota) == Decimal("100.00")


def test_a_quota_that_cannot_be_used_offers_no_form(tenant_a, tenant_b, admin_client_a):
    quota = grant(tenant_a.partner, "100.00")
    CouponQuota.objects.filter(pk=quota.pk).update(status=5)  # frozen
    body = admin_client_a.get(f"/vouchers/issue/{quota.quota_id}/").content.decode()
    assert 'id="quota-not-usable"' in body and 'id="issue-form"' not in body
    assert admin_client_a.post(f"/vouchers/issue/{quota.quota_id}/", {
        "customers": [tenant_a.resale.domain_id], "face_value": "1.00"}).status_code == 200
    assert not Coupon.objects.exists()
    theirs = grant(tenant_b.partner, "100.00")
    assert admin_client_a.get(f"/vouchers/issue/{theirs.quota_id}/").status_code == 404


# -------------------------------------------------------------------------------------------
# Verification codes
# -------------------------------------------------------------------------------------------

@pytest.fixture
def device(tenant_a):
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    return TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)


def current_code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_issue_asks_for_the_verification_code_on_the_confirmation(tenant_a, admin_client_a, device):
    quota = grant(tenant_a.partner, "100.00")
    url = f"/vouchers/issue/{quota.quota_id}/"
    first = admin_client_a.get(url).content.decode()
    assert 'name="verification_code"' not in first  # asked on the confirmation, not before
    confirm = admin_client_a.post(url, {"customers": [tenant_a.resale.domain_id], "face_value": "5.00"})
    assert 'name="verification_code"' in confirm.content.decode()
    fields = hidden_fields(confirm)

    refused = admin_client_a.post(url, fields)
    assert refused.status_code == 200 and "results" not in refused.context
    assert zh(MESSAGES[Codes.VERIFICATION_REQUIRED]) in refused.content.decode()
    assert 'id="confirm-form"' in refused.content.decode()
    wrong = admin_client_a.post(url, {**fields, "verification_code": "000000" if current_code(device) != "000000"
                                      else "111111"})
    assert zh(MESSAGES[Codes.VERIFICATION_FAILED]) in wrong.content.decode()
    assert not Coupon.objects.exists()

    device.throttle_reset()
    done = admin_client_a.post(url, {**fields, "verification_code": current_code(device)})
    assert done.context["results"][0]["ok"] is True
    assert quota_balance(quota) == Decimal("95.00")


def test_reclaim_without_the_code_changes_nothing(tenant_a, admin_client_a, device):
    quota = grant(tenant_a.partner, "100.00")
    tenant_a.partner.verification_enabled = False
    tenant_a.partner.save()
    [coupon_id] = issued(actor_of(tenant_a.admin), quota, [tenant_a.resale])
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    url = f"/vouchers/reclaim/?coupon={coupon_id}"
    confirm = admin_client_a.post(url, {"remark": ""})
    assert 'name="verification_code"' in confirm.content.decode()
    refused = admin_client_a.post(url, hidden_fields(confirm))
    assert zh(MESSAGES[Codes.VERIFICATION_REQUIRED]) in refused.content.decode()
    assert Coupon.objects.get().status == 2 and quota_balance(quota) == Decimal("90.00")
    done = admin_client_a.post(url, {**hidden_fields(confirm), "verification_code": current_code(device)})
    assert done.context["results"][0]["ok"] is True and quota_balance(quota) == Decimal("100.00")


# -------------------------------------------------------------------------------------------
# 已发放代金券: filters, export, account-manager scope, query count
# -------------------------------------------------------------------------------------------

@pytest.fixture
def issued_coupons(tenant_a):
    actor = actor_of(tenant_a.admin)
    cash = grant(tenant_a.partner, "100.00")
    flexi = grant(tenant_a.partner, "100.00", quota_type=1)
    second = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
    ids = {
        "resale": issued(actor, cash, [tenant_a.resale], remark=REMARK)[0],
        "referral": issued(actor, cash, [tenant_a.referral], expire_time=cash.expire_time - timedelta(days=20))[0],
        "flexi": issued(actor, flexi, [second], "7.00")[0],
        "used": issued(actor, cash, [second], "2.00")[0],
    }
    Coupon.objects.filter(coupon_id=ids["used"]).update(status=3, balance=0)
    Coupon.objects.filter(coupon_id=ids["flexi"]).update(created_at=timezone.now() - timedelta(days=3))
    return {"ids": ids, "cash": cash, "flexi": flexi, "second": second}


def test_the_coupons_list_filters(tenant_a, admin_client_a, issued_coupons):
    ids = issued_coupons["ids"]

    def shown(query=""):
        body = admin_client_a.get(f"/vouchers/coupons/?{query}").content.decode()
        return {name for name, coupon_id in ids.items() if coupon_id in body}

    assert shown() == set(ids)
    assert shown(f"coupon_id={ids['resale']}") == {"resale"}
    assert shown(f"customer_id={issued_coupons['second'].domain_id}") == {"flexi", "used"}
    assert shown("coupon_type=4") == {"flexi"}
    assert shown("coupon_type=1") == {"resale", "referral", "used"}
    assert shown("status=3") == {"used"}
    assert shown("status=2") == {"resale", "referral", "flexi"}
    assert shown("status=5") == set()
    today = timezone.localdate()
    assert shown(f"created_from={today}&created_to={today}") == {"resale", "referral", "used"}
    assert shown(f"created_to={today - timedelta(days=2)}") == {"flexi"}
    soon = timezone.localdate(issued_coupons["cash"].expire_time - timedelta(days=15))
    assert shown(f"expires_to={soon}") == {"referral"}
    assert shown(f"expires_from={soon}") == {"resale", "flexi", "used"}
    assert shown("status=9") == set(ids)  # an invalid filter is no filter, never a 500

    body = admin_client_a.get("/vouchers/coupons/").content.decode()
    rows = rows_of(body, "coupons")
    assert html.escape(REMARK) in rows[ids["resale"]]  # the issuer sees its remark
    # Effective coupons have a checkbox and a 回收 link; the used one neither.
    for name in ("resale", "referral", "flexi"):
        assert f'name="coupon" value="{ids[name]}"' in rows[ids[name]]
        assert f'href="/vouchers/reclaim/?coupon={ids[name]}"' in rows[ids[name]]
    assert 'name="coupon"' not in rows[ids["used"]] and "/vouchers/reclaim/" not in rows[ids["used"]]


def test_the_export_holds_the_filtered_rows_with_the_remark(tenant_a, admin_client_a, issued_coupons):
    ids = issued_coupons["ids"]
    response = admin_client_a.get("/vouchers/coupons/export.xlsx?coupon_type=1")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {ids["resale"], ids["referral"], ids["used"]}
    assert by_id[ids["resale"]][1] == tenant_a.resale.domain_id and by_id[ids["resale"]][4] == 10  # a number
    assert by_id[ids["resale"]][-1] == REMARK
    assert by_id[ids["used"]][5] == 0
    assert tenant_a.resale.domain_name not in {row[2] for row in rows[1:]}  # masked, as on the page


def test_an_account_manager_sees_only_the_coupons_of_their_customers(tenant_a, issued_coupons):
    role = RoleFactory(partner=tenant_a.partner, permissions=["customers.view", "vouchers.view"])
    tenant_a.member.roles.set([role])  # the referral customer's account manager
    body = login_client(tenant_a.member.user).get("/vouchers/coupons/").content.decode()
    ids = issued_coupons["ids"]
    assert ids["referral"] in body
    assert not {ids["resale"], ids["flexi"], ids["used"]} & set(re.findall(r"[0-9a-f]{32}", body))


@pytest.mark.parametrize("count", [3, 30])
def test_the_lists_run_a_constant_number_of_queries(tenant_a, admin_client_a, django_assert_max_num_queries, count):
    quota = grant(tenant_a.partner, "1000.00")
    actor = actor_of(tenant_a.admin)
    customers = [AssociationFactory(partner=tenant_a.partner, association_type="2").customer for _ in range(count)]
    coupon_ids = issued(actor, quota, customers, "1.00", remark="x")
    services.reclaim_coupons(actor, coupon_ids=coupon_ids[: count // 3])
    for _ in range(count - 1):
        grant(tenant_a.partner, "5.00")
    customer = login_client(CustomerUserFactory(customer=customers[0]).user)
    batch = "&".join(f"coupon={coupon_id}" for coupon_id in coupon_ids)
    for client, url in ((admin_client_a, "/vouchers/coupons/"), (admin_client_a, "/vouchers/coupons/export.xlsx"),
                        (admin_client_a, "/vouchers/records/"), (admin_client_a, "/vouchers/"),
                        (admin_client_a, f"/vouchers/reclaim/?{batch}"), (admin_client_a, f"/vouchers/issue/{quota.quota_id}/"),
                        (customer, "/fee-center/coupons/")):
        with django_assert_max_num_queries(10):  # 6–9 whether 3 or 30 rows (an export also logs itself)
            assert client.get(url).status_code == 200, url


# -------------------------------------------------------------------------------------------
# 回收 / 批量回收
# -------------------------------------------------------------------------------------------

def test_batch_reclaim_shows_the_amounts_and_restores_the_quota(tenant_a, admin_client_a):
    quota = grant(tenant_a.partner, "100.00")
    first, second = issued(actor_of(tenant_a.admin), quota, [tenant_a.resale, tenant_a.referral], "10.00")
    Coupon.objects.filter(coupon_id=second).update(balance=Decimal("4.00"))  # the customer spent 6.00
    url = f"/vouchers/reclaim/?coupon={first}&coupon={second}"

    page = admin_client_a.get(url).content.decode()
    rows = rows_of(page, "reclaim-rows")
    assert "10.00" in rows[first] and "4.00" in rows[second]
    assert re.search(r'id="reclaim-total">14.00<', page)
    assert 'name="amount"' not in page  # always the whole balance

    confirm = admin_client_a.post(url, {"remark": "客户退出活动"})
    assert 'id="confirm-form"' in confirm.content.decode()
    assert Coupon.objects.filter(status=2).count() == 2  # nothing before the confirmation
    result = admin_client_a.post(url, hidden_fields(confirm))
    body = result.content.decode()
    rows = rows_of(body, "results")
    assert re.search(r'class="reclaimed-amount">10.00<', rows[first])
    assert re.search(r'class="reclaimed-amount">4.00<', rows[second])
    assert "14.00" in re.search(r'id="result-summary">(.*?)</p>', body, re.S).group(1)
    assert quota_balance(quota) == Decimal("94.00")  # 100 − 20 + 14
    assert set(Coupon.objects.values_list("status", "balance")) == {(5, Decimal("0.00"))}
    assert sorted(CouponRecord.objects.filter(operation_type="2").values_list("amount", "remark")) == [
        (Decimal("4.00"), "客户退出活动"), (Decimal("10.00"), "客户退出活动")]

    again = admin_client_a.post(url, hidden_fields(confirm))
    assert "results" not in again.context and quota_balance(quota) == Decimal("94.00")


def test_reclaiming_a_coupon_that_is_not_effective_fails_with_the_message(tenant_a, tenant_b, admin_client_a):
    quota = grant(tenant_a.partner, "100.00")
    used, live = issued(actor_of(tenant_a.admin), quota, [tenant_a.resale, tenant_a.referral], "10.00")
    Coupon.objects.filter(coupon_id=used).update(status=3, balance=Decimal("1.00"))
    theirs = issued(actor_of(tenant_b.admin), grant(tenant_b.partner, "10.00"), [tenant_b.resale], "1.00")[0]
    url = f"/vouchers/reclaim/?coupon={used}&coupon={live}&coupon={theirs}"

    page = admin_client_a.get(url).content.decode()
    assert 'id="not-effective-note"' in page
    assert re.search(r'id="reclaim-total">10.00<', page)
    assert theirs in re.search(r'id="not-found">(.*?)</table>', page, re.S).group(1)
    assert set(rows_of(page, "reclaim-rows")) == {used, live}

    result = admin_client_a.post(url, hidden_fields(admin_client_a.post(url, {"remark": ""})))
    rows = rows_of(result.content.decode(), "results")
    assert 'class="row-failed"' in rows[used] and zh(MESSAGES[VoucherCodes.NOT_RECLAIMABLE]) in rows[used]
    assert 'class="row-ok"' in rows[live]
    assert theirs not in rows
    assert Coupon.objects.get(coupon_id=used).status == 3
    assert Coupon.objects.get(coupon_id=theirs).status == 2
    assert quota_balance(quota) == Decimal("90.00")


# -------------------------------------------------------------------------------------------
# 操作记录
# -------------------------------------------------------------------------------------------

def test_the_records_page_and_its_filters(tenant_a, admin_client_a, issued_coupons):
    ids = issued_coupons["ids"]
    services.reclaim_coupons(actor_of(tenant_a.admin), coupon_ids=[ids["referral"]], remark="回收原因")

    def shown(query=""):
        body = admin_client_a.get(f"/vouchers/records/?{query}").content.decode()
        table = re.search(r'id="records">(.*?)</table>', body, re.S).group(1)
        return sorted((op, name) for op, row in re.findall(r'data-operation="(\d)"(.*?)</tr>', table, re.S)
                      for name, coupon_id in ids.items() if coupon_id in row)

    assert shown() == [("1", "flexi"), ("1", "referral"), ("1", "resale"), ("1", "used"), ("2", "referral")]
    assert shown("operation_type=2") == [("2", "referral")]
    assert shown(f"customer_id={tenant_a.referral.domain_id}") == [("1", "referral"), ("2", "referral")]
    assert shown(f"coupon_id={ids['resale']}") == [("1", "resale")]
    today = timezone.localdate()
    assert shown(f"date_from={today + timedelta(days=1)}") == []
    assert len(shown(f"date_from={today}&date_to={today}")) == 5
    body = admin_client_a.get("/vouchers/records/?operation_type=2").content.decode()
    assert "回收原因" in body and tenant_a.admin.user.username in body


# -------------------------------------------------------------------------------------------
# A distributor's quotas at its cloud resellers
# -------------------------------------------------------------------------------------------

def test_a_distributor_issues_quota_to_resellers_and_takes_it_back(db):
    d = build_tenant("vdist", partner_type="distributor")
    resellers = [PartnerFactory(partner_type="reseller", distributor=d.partner, account_name=f"reseller-{n}")
                 for n in range(2)]
    parent = grant(d.partner, "100.00")
    client = login_client(d.admin.user)

    form = client.get("/vouchers/resellers/issue/").content.decode()
    assert f'value="{parent.quota_id}"' in form and all(f'value="{r.domain_id}"' in form for r in resellers)
    confirm = client.post("/vouchers/resellers/issue/", {"quota": parent.quota_id, "amount": "30.00",
                                                         "resellers": [r.domain_id for r in resellers]})
    assert re.search(r'id="confirm-total">60.00<', confirm.content.decode())
    assert quota_balance(parent) == Decimal("100.00")
    result = client.post("/vouchers/resellers/issue/", hidden_fields(confirm))
    rows = rows_of(result.content.decode(), "results")
    children = {c.partner_id: c for c in CouponQuota.objects.filter(parent=parent)}
    assert set(children) == {r.pk for r in resellers}
    for reseller in resellers:
        assert children[reseller.pk].quota_id in rows[reseller.domain_id] and "30.00" in rows[reseller.domain_id]
    assert re.search(r'id="quota-balance">40.00<', result.content.decode())
    assert quota_balance(parent) == Decimal("40.00")

    listed = rows_of(client.get("/vouchers/resellers/").content.decode(), "issued-quotas")
    assert set(listed) == {c.quota_id for c in children.values()}
    assert all('name="quota"' in row for row in listed.values())

    # The first reseller issues 10.00 of its quota as a coupon; the distributor takes back the rest.
    first = children[resellers[0].pk]
    customer = AssociationFactory(partner=resellers[0], association_type="2").customer
    services.issue_coupons(actor_of(d.admin), quota_id=first.quota_id, face_value="10.00",
                           customer_ids=[customer.domain_id], indirect_partner_id=resellers[0].domain_id)
    url = f"/vouchers/resellers/reclaim/?quota={first.quota_id}"
    page = client.get(url).content.decode()
    assert re.search(r'id="reclaim-total">20.00<', page)
    confirm = client.post(url, {"remark": "发错了"})
    result = client.post(url, hidden_fields(confirm))
    row = rows_of(result.content.decode(), "results")[resellers[0].domain_id]
    assert 'class="row-ok"' in row and "20.00" in row
    assert CouponQuota.objects.get(pk=first.pk).status == 6
    assert quota_balance(parent) == Decimal("60.00")  # 100 − 30 − 30 + 20
    assert QuotaRecord.objects.get(operation_type="11").remark == "发错了"

    records = client.get("/vouchers/resellers/?tab=records").content.decode()
    assert "发错了" in records and records.count('data-operation="10"') == 2 and records.count('data-operation="11"') == 1
    only_reclaims = client.get("/vouchers/resellers/?tab=records&operation_type=11").content.decode()
    assert only_reclaims.count('data-operation="10"') == 0 and only_reclaims.count('data-operation="11"') == 1
    listed = rows_of(client.get("/vouchers/resellers/").content.decode(), "issued-quotas")
    assert 'name="quota"' not in listed[first.quota_id]  # reclaimed: nothing more to take

    # Reclaiming the same quota again is refused on its row.
    again = client.post(url, hidden_fields(client.post(url, {"remark": ""})))
    assert 'class="row-failed"' in rows_of(again.content.decode(), "results")[resellers[0].domain_id]
    assert quota_balance(parent) == Decimal("60.00")


def test_only_cash_coupon_quotas_are_offered_to_resellers(db):
    d = build_tenant("vflexi", partner_type="distributor")
    PartnerFactory(partner_type="reseller", distributor=d.partner)
    cash, flexi = grant(d.partner, "50.00"), grant(d.partner, "50.00", quota_type=1)
    form = login_client(d.admin.user).get("/vouchers/resellers/issue/").content.decode()
    assert f'value="{cash.quota_id}"' in form and f'value="{flexi.quota_id}"' not in form


def test_the_reseller_pages_are_for_distributors(tenant_a, admin_client_a):
    for url in ("/vouchers/resellers/", "/vouchers/resellers/issue/", "/vouchers/resellers/reclaim/"):
        assert admin_client_a.get(url).status_code == 403, url
    assert "/vouchers/resellers/" not in admin_client_a.get("/vouchers/").content.decode()


# -------------------------------------------------------------------------------------------
# 费用中心 ▸ 优惠券
# -------------------------------------------------------------------------------------------

def test_the_customer_sees_its_coupons_and_never_the_remark(tenant_a, tenant_b):
    cash = grant(tenant_a.partner, "100.00")
    flexi = grant(tenant_a.partner, "100.00", quota_type=1)
    actor = actor_of(tenant_a.admin)
    [mine] = issued(actor, cash, [tenant_a.resale], "12.50", remark=REMARK,
                    cloud_service_types=[], product_ids=["prod-001"])
    [mine_flexi] = issued(actor, flexi, [tenant_a.resale], "3.00", remark="另一条内部备注")
    [other] = issued(actor, cash, [tenant_a.referral], "5.00", remark="第三条备注")
    client = login_client(CustomerUserFactory(customer=tenant_a.resale).user)

    assert 'href="/fee-center/coupons/"' in client.get("/fee-center/").content.decode()
    response = client.get("/fee-center/coupons/")
    body = response.content.decode()
    rows = rows_of(body, "my-coupons")
    assert set(rows) == {mine}
    assert "12.50" in rows[mine] and "prod-001" in rows[mine] and tenant_a.partner.name in rows[mine]
    assert "内部备注" not in body and "备注" not in body.split('id="my-coupons"')[1]
    assert 'id="tab-type-1"' in body and re.search(r'id="tab-type-4">[^<]*\(1\)', body)
    flexi_body = client.get("/fee-center/coupons/?coupon_type=4").content.decode()
    assert set(rows_of(flexi_body, "my-coupons")) == {mine_flexi} and "另一条内部备注" not in flexi_body
    assert set(rows_of(client.get("/fee-center/coupons/?status=5").content.decode(), "my-coupons")) == set()

    # Another customer of the same partner sees only its own coupon; a customer of another partner none.
    neighbour = login_client(CustomerUserFactory(customer=tenant_a.referral).user)
    client_body = neighbour.get("/fee-center/coupons/").content.decode()
    assert set(rows_of(client_body, "my-coupons")) == {other} and mine not in client_body
    stranger = login_client(CustomerUserFactory(customer=tenant_b.resale).user).get("/fee-center/coupons/")
    assert set(rows_of(stranger.content.decode(), "my-coupons")) == set()

    # The page is the customer's; the partner's pages are not.
    assert login_client(tenant_a.admin.user).get("/fee-center/coupons/").status_code == 403
    assert client.get("/vouchers/coupons/").status_code == 403


def test_a_coupon_record_by_the_rating_names_the_system_not_its_code():
    from django.utils import translation

    from vouchers.models import CouponRecord

    with translation.override("zh-hans"):
        assert CouponRecord(operator="rating").operator_display == "系统（按需扣费）"
        assert CouponRecord(operator="bj.ceo").operator_display == "bj.ceo"
